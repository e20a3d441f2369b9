"""Mutants of the checker's own code: one soundness-critical line changed at a time.

Each :class:`KernelMutant` names the file, the exact source line it changes (stripped of
indentation) and the substring replaced in that line. Applying a mutant fails loudly
(:class:`PatternNotFoundError`) when the line is not found exactly once, so the list survives edits
elsewhere in the files and never silently tests nothing.

:func:`run_mutant` copies the package to a scratch folder, applies the mutant there (the
working tree is never touched) and runs pytest on the given tests with the copy first on the
import path. A mutant is *killed* by the tests that fail with an assertion; a run that crashes,
errors during collection or times out kills nothing (it is reported as such).

``unit`` names unit-level tests expected to kill the mutant and ``end_to_end`` tests in which a
false theorem (or a wrong verdict) would come out of the checker; benchmarks/kernel_mutation.py
runs every mutant against the whole kernel suite and reports who killed it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "KERNEL_MUTANTS",
    "KernelMutant",
    "MutantRun",
    "PatternNotFoundError",
    "ROOT",
    "run_mutant",
]

ROOT = Path(__file__).resolve().parents[2]


class PatternNotFoundError(LookupError):
    """The line a mutant changes is not in the file exactly once (the code moved on)."""


@dataclass(frozen=True)
class KernelMutant:
    name: str
    path: str  # relative to the repository root
    line: str  # the exact source line, without its indentation
    old: str  # the part of that line that is replaced
    new: str
    what: str  # the decision this breaks
    unit: tuple[str, ...] = ()
    end_to_end: tuple[str, ...] = ()

    def apply(self, source: str) -> str:
        """``source`` with the mutation applied (PatternNotFoundError if the line is not unique)."""
        lines = source.splitlines(keepends=True)
        hits = [i for i, ln in enumerate(lines) if ln.strip() == self.line]
        if len(hits) != 1:
            raise PatternNotFoundError(
                f"{self.name}: line {self.line!r} found {len(hits)} times in {self.path} "
                "(expected once)"
            )
        i = hits[0]
        if self.old not in lines[i]:
            raise PatternNotFoundError(f"{self.name}: {self.old!r} not in line {self.line!r}")
        lines[i] = lines[i].replace(self.old, self.new, 1)
        return "".join(lines)


T = "tests/"
DECIDE = "lyapunov/engine/kernel/decide.py"
PSD = "lyapunov/engine/kernel/psd.py"
THEOREMS = "lyapunov/engine/kernel/theorems.py"
VERDICT = "lyapunov/engine/kernel/verdict.py"
REGION = "lyapunov/engine/kernel/region.py"
FORMS = "lyapunov/engine/kernel/forms.py"
SMOOTH = "lyapunov/engine/kernel/classes/smooth.py"
LDL = "lyapunov/engine/kernel/ldl.py"
STRUCTURE = "lyapunov/engine/kernel/structure.py"
#: the test both mutants of the reciprocal rule must fail (it holds unit and end-to-end cases)
RECIPROCAL = (
    T + "test_engine_structure.py::test_a_reciprocal_factor_has_the_sign_of_its_base_strictly",
)

KERNEL_MUTANTS: list[KernelMutant] = [
    # -- decide.py: one exact decision ------------------------------------------------------
    KernelMutant(
        "z3-unknown-as-proved",
        DECIDE,
        'return Decision("unknown", reason=ans.reason or "z3: unknown", seconds=secs)',
        '"unknown"',
        '"proved"',
        "an unknown answer (timeout) reported as proved",
        unit=(T + "test_decide.py::test_z3_unknown_is_never_proved",),
        end_to_end=(T + "test_kernel_e2e.py::test_false_theorem_with_z3_unknown_not_certified",),
    ),
    KernelMutant(
        "z3-unknown-as-unsat",
        DECIDE,
        "if res == z3.unsat:",
        "res == z3.unsat",
        "res != z3.sat",
        "z3's unknown read as unsat (proved)",
        unit=(T + "test_decide.py::test_z3_unknown_is_never_proved",),
        end_to_end=(T + "test_kernel_e2e.py::test_false_theorem_with_z3_unknown_not_certified",),
    ),
    KernelMutant(
        "recheck-always-passes",
        DECIDE,
        "return not bool(ok)",
        "not bool(ok)",
        "True",
        "the exact re-check of a counterexample always passes",
        unit=(T + "test_decide.py::test_holds_exactly_is_an_exact_witness_test",),
        end_to_end=(T + "test_kernel_e2e.py::test_bogus_counterexamples_never_refute",),
    ),
    KernelMutant(
        "recheck-ignores-region",
        DECIDE,
        "if not region.contains(point):",
        "not region.contains(point)",
        "False",
        "a counterexample outside the region accepted",
        unit=(T + "test_decide.py::test_holds_exactly_is_an_exact_witness_test",),
        end_to_end=(T + "test_kernel_e2e.py::test_bogus_counterexamples_never_refute",),
    ),
    KernelMutant(
        "failed-recheck-still-refuted",
        DECIDE,
        "if note:",
        "if note:",
        "if False:",
        "a refutation whose exact re-check failed reported as refuted",
        unit=(T + "test_decide.py::test_refutation_whose_recheck_fails_is_not_refuted",),
        end_to_end=(T + "test_kernel_e2e.py::test_bogus_counterexamples_never_refute",),
    ),
    KernelMutant(
        "strict-as-nonstrict",
        REGION,
        'NEGATION = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "==": "!=", "!=": "=="}',
        '">": "<="',
        '">": "<"',
        "`expr > 0` decided as `expr >= 0`",
        unit=(T + "test_decide.py::test_each_relation_decided_exactly_at_the_boundary",),
        end_to_end=(T + "test_kernel_e2e.py::test_rate_zero_on_the_boundary_refuted",),
    ),
    KernelMutant(
        "undefined-is-fine",
        DECIDE,
        "solver.add(z3.Or(d == 0, z3.And(d != 0, _OPS[_NEGATE[op]](n * d))))",
        "z3.Or(d == 0, z3.And(d != 0, _OPS[_NEGATE[op]](n * d)))",
        "z3.And(d != 0, _OPS[_NEGATE[op]](n * d))",
        "a point where the expression is undefined (division by zero) not counted as a failure",
        unit=(T + "test_decide.py::test_undefined_expression_is_a_failure",),
        end_to_end=(T + "test_kernel_e2e.py::test_undefined_in_region_refuted",),
    ),
    KernelMutant(
        "constant-always-true",
        DECIDE,
        "if ok[op]:",
        "if ok[op]:",
        "if True:",
        "a constant condition accepted without exact comparison",
        unit=(T + "test_decide.py::test_constant_false_condition_refuted_at_region_point",),
        end_to_end=(T + "test_kernel_e2e.py::test_function_values_must_cancel",),
    ),
    KernelMutant(
        "no-region",
        DECIDE,
        "solver.add(_region_formula(region, zvars))",
        "solver.add(_region_formula(region, zvars))",
        "solver.add(z3.BoolVal(True))",
        "the region left out of the question",
        unit=(T + "test_decide.py::test_true_condition_is_proved",),
        end_to_end=(T + "test_kernel_e2e.py::test_shipped_p4_certified",),
    ),
    # -- psd.py: positive semidefiniteness ---------------------------------------------------
    KernelMutant(
        "sylvester-nonstrict",
        PSD,
        'dec = decide(m, ">" if k < n else ">=", region, timeout=remaining())',
        '">" if k < n else ">="',
        '">="',
        "Sylvester's test with non-strict leading minors",
        unit=(T + "test_psd.py::test_leading_minors_nonnegative_but_not_psd",),
        end_to_end=(T + "test_kernel_e2e.py::test_leading_minors_nonnegative_residual_refuted",),
    ),
    KernelMutant(
        "sampled-point-outside-region",
        PSD,
        "if not region.contains(p):",
        "not region.contains(p)",
        "False",
        "a sampled counterexample accepted on the floating-point membership test alone",
        unit=(T + "test_psd.py::test_sampled_candidate_outside_the_region_never_refutes",),
        end_to_end=(
            T + "test_kernel_e2e.py::test_true_theorem_survives_a_sampler_outside_its_region",
        ),
    ),
    KernelMutant(
        "sampled-witness-unverified",
        PSD,
        "if witness is None or not _quadratic_value(exact, witness) < 0:",
        " or not _quadratic_value(exact, witness) < 0",
        "",
        "a sampled counterexample whose witness v^T M v < 0 is not re-verified exactly",
        unit=(T + "test_psd.py::test_sampled_refutation_needs_a_verified_witness",),
        end_to_end=(T + "test_kernel_e2e.py::test_true_theorem_survives_bogus_witnesses",),
    ),
    KernelMutant(
        "complete-test-leading-only",
        PSD,
        "for idx in itertools.combinations(range(n), size):",
        "itertools.combinations(range(n), size)",
        "[tuple(range(size))]",
        "the complete PSD test restricted to the leading minors",
        unit=(T + "test_psd.py::test_leading_minors_nonnegative_but_not_psd",),
        end_to_end=(T + "test_kernel_e2e.py::test_leading_minors_nonnegative_residual_refuted",),
    ),
    KernelMutant(
        "zero-diagonal-rows-dropped",
        PSD,
        "return [i for i in range(n) if any(M[i, j] != 0 for j in range(n))]",
        "any(M[i, j] != 0 for j in range(n))",
        "M[i, i] != 0",
        "rows with a zero diagonal entry (but nonzero off-diagonal) dropped",
        unit=(T + "test_psd.py::test_exact_witness_cases_through_decide_psd",),
        end_to_end=(T + "test_kernel_e2e.py::test_zero_diagonal_residual_refuted",),
    ),
    KernelMutant(
        "psd-error-as-proved",
        PSD,
        'if dec.status != "proved" and unknown is None:  # unknown or error: never proved',
        'dec.status != "proved"',
        'dec.status == "unknown"',
        "a minor on which the solvers disagree treated as proved",
        unit=(T + "test_kernel_crosscheck.py::test_wrong_proof_by_z3_is_caught",),
        end_to_end=(T + "test_kernel_e2e.py::test_disagreement_on_a_minor_not_certified",),
    ),
    # -- theorems.py: the conditions of a descent lemma, identities, inequalities -------------
    KernelMutant(
        "nsd-sign",
        THEOREMS,
        'psd = decide_nsd(Q, R, budget.left(), [b.name for b in basis], "residual")',
        "decide_nsd(Q,",
        "decide_nsd(-Q,",
        "the residual required PSD instead of NSD",
        unit=(T + "test_kernel_verdicts.py::test_sgd_lemma_and_slack_certified",),
        end_to_end=(T + "test_kernel_e2e.py::test_p3_rate_too_good_refuted",),
    ),
    KernelMutant(
        "multiplier-sign-skipped",
        THEOREMS,
        'yield _check(f"multiplier of {fact.name} >= 0", decide(lam, ">=", R, budget.left()))',
        'decide(lam, ">="',
        'decide(lam * lam, ">="',
        "multipliers not required >= 0",
        unit=(T + "test_kernel_verdicts.py::test_negative_multiplier_refuted",),
        end_to_end=(T + "test_kernel_e2e.py::test_p4_region_too_wide_refuted",),
    ),
    KernelMutant(
        "constant-term-flipped",
        THEOREMS,
        'decide(written.const, "<=", R, budget.left()),',
        '"<="',
        '">="',
        "the constant term required >= 0 instead of <= 0",
        unit=(T + "test_kernel_verdicts.py::test_constant_term_condition",),
        end_to_end=(T + "test_kernel_e2e.py::test_p4_noise_too_small_refuted",),
    ),
    KernelMutant(
        "fvals-not-cancelled",
        THEOREMS,
        'decide(coef, "==", R, budget.left()),',
        "decide(coef,",
        "decide(coef * 0,",
        "function values not required to cancel",
        unit=(T + "test_kernel_verdicts.py::test_function_values_cancel_condition",),
        end_to_end=(T + "test_kernel_e2e.py::test_function_values_must_cancel",),
    ),
    KernelMutant(
        "every-lemma-one-step",
        THEOREMS,
        "if self.one_step:",
        "self.one_step",
        "True",
        "no descent lemma's rate checked (rho > 0, A_k >= inf f): a false rate is accepted",
        unit=(T + "test_kernel_verdicts.py::test_rate_positive_is_strict",),
        end_to_end=(T + "test_kernel_e2e.py::test_rate_zero_on_the_boundary_refuted",),
    ),
    KernelMutant(
        "rho-nonstrict",
        THEOREMS,
        'yield _check("rho > 0", decide(self.rho, ">", self.region, budget.left()))',
        'decide(self.rho, ">"',
        'decide(self.rho, ">="',
        "rho >= 0 accepted for the rate (division by rho = 0)",
        unit=(T + "test_kernel_verdicts.py::test_rate_positive_is_strict",),
        end_to_end=(T + "test_kernel_e2e.py::test_rate_zero_on_the_boundary_refuted",),
    ),
    KernelMutant(
        "lower-bound-weights-sum",
        THEOREMS,
        'decide(total - 1, "==", R, budget.left()),',
        "total - 1",
        "total - total",
        "A_k >= inf f without its function-value weights summing to 1",
        unit=(T + "test_kernel_verdicts.py::test_weights_sum_and_initial_value",),
        end_to_end=(T + "test_kernel_e2e.py::test_lyapunov_weights_must_sum_to_one",),
    ),
    KernelMutant(
        "lower-bound-weight-sign",
        THEOREMS,
        'f"A_k >= inf f: weight of f({pname}) >= 0", decide(w, ">=", R, budget.left())',
        "decide(w,",
        "decide(w * w,",
        "A_k >= inf f with a negative function-value weight",
        unit=(T + "test_kernel_verdicts.py::test_negative_lyapunov_weight",),
        end_to_end=(T + "test_kernel_e2e.py::test_negative_lyapunov_weight_refuted",),
    ),
    KernelMutant(
        "lower-bound-quadratic",
        THEOREMS,
        "yield _check(label, decide_psd(A.matrix(basis), R, budget.left()).decision)",
        "A.matrix(basis)",
        "A.matrix(basis) * 0",
        "A_k >= inf f without its quadratic part PSD",
        unit=(T + "test_kernel_verdicts.py::test_lower_bound_without_function_class",),
        end_to_end=(T + "test_kernel_e2e.py::test_lyapunov_without_function_class_refuted",),
    ),
    KernelMutant(
        "lower-bound-gradient-credit",
        SMOOTH,
        "return 1 / (2 * self.L) * sqnorm(p.grad)",
        "1 / (2 * self.L)",
        "1 / self.L",
        "f >= inf f + |grad f|^2/L (twice the true credit, the L-smooth class's lower slack) "
        "in A_k >= inf f",
        unit=(T + "test_kernel_verdicts.py::test_gradient_credit_is_one_over_two_l",),
        end_to_end=(
            T + "test_kernel_e2e.py::test_lyapunov_needing_too_much_gradient_credit_refuted",
        ),
    ),
    KernelMutant(
        "initial-value-unchecked",
        THEOREMS,
        'ok = ok and sp.cancel(init.fvals["x0"] - 1) == 0',
        'sp.cancel(init.fvals["x0"] - 1) == 0',
        "True",
        "A_0 = f(x_0) not checked",
        unit=(T + "test_kernel_verdicts.py::test_weights_sum_and_initial_value",),
        end_to_end=(T + "test_kernel_e2e.py::test_lyapunov_weights_must_sum_to_one",),
    ),
    KernelMutant(
        "empty-region-accepted",
        THEOREMS,
        'if empty.status == "proved":',
        'empty.status == "proved"',
        "False",
        "a theorem over an empty region certified (vacuously)",
        unit=(T + "test_kernel_verdicts.py::test_empty_region_is_malformed",),
        end_to_end=(T + "test_kernel_e2e.py::test_empty_region_rejected",),
    ),
    KernelMutant(
        "identity-difference-ignored",
        THEOREMS,
        'what, decide(c, "==", R, budget.left()), f"difference {sp.sstr(c)}"',
        "decide(c,",
        "decide(c * 0,",
        "an identity accepted whatever the difference of its sides",
        unit=(T + "test_kernel_verdicts.py::test_false_identity_coefficient",),
        end_to_end=(T + "test_kernel_e2e.py::test_false_identity_refuted",),
    ),
    KernelMutant(
        "inequality-nonstrict",
        THEOREMS,
        "yield _check(label, decide(expr, op, self.region, budget.left()))",
        "decide(expr, op,",
        'decide(expr, ">=" if op == ">" else op,',
        "a strict claim decided as non-strict",
        unit=(T + "test_kernel_verdicts.py::test_strict_claim_unit",),
        end_to_end=(T + "test_kernel_e2e.py::test_strict_inequality_claim_refuted_at_boundary",),
    ),
    # -- verdict.py, region.py, forms.py, smooth.py -----------------------------------------
    KernelMutant(
        "any-proved-certifies",
        VERDICT,
        'elif checks and all(c.status == "proved" for c in checks):',
        "all(",
        "any(",
        "a theorem certified when some (not all) conditions were proved",
        unit=(T + "test_kernel_verdicts.py::test_aggregate_needs_every_condition_proved",),
        end_to_end=(T + "test_kernel_e2e.py::test_false_theorem_with_z3_unknown_not_certified",),
    ),
    KernelMutant(
        "floats-accepted",
        REGION,
        "if expr.has(sp.Float):",
        "expr.has(sp.Float)",
        "False",
        "floating-point numbers accepted in multipliers, rates and regions",
        unit=(T + "test_decide.py::test_floats_are_rejected",),
        end_to_end=(T + "test_kernel_e2e.py::test_float_certificate_rejected",),
    ),
    KernelMutant(
        "membership-lenient",
        REGION,
        "if val is not sp.true:",
        "val is not sp.true",
        "val is sp.false",
        "a point whose membership is undecided counted as in the region",
        unit=(T + "test_kernel_verdicts.py::test_region_membership_is_exact",),
        end_to_end=(T + "test_kernel_e2e.py::test_partial_point_never_refutes",),
    ),
    KernelMutant(
        "loader-accepts-anything",
        "lyapunov/loader.py",
        "if not isinstance(th, Theorem):",
        "not isinstance(th, Theorem)",
        "False",
        "a proof file's object certified without being a theorem of the engine",
        unit=(T + "test_kernel_verdicts.py::test_loader_accepts_only_theorems",),
        end_to_end=(T + "test_kernel_e2e.py::test_fake_theorem_file_rejected",),
    ),
    KernelMutant(
        "cross-terms-over-dropped",
        FORMS,
        "if not ((a in noise and b in known) or (b in noise and a in known))",
        "(a in noise and b in known) or (b in noise and a in known)",
        "a in noise or b in noise",
        "E<xi, xi> dropped with the zero-mean cross terms",
        unit=(T + "test_kernel_verdicts.py::test_expectation_keeps_the_noise_variance",),
        end_to_end=(T + "test_kernel_e2e.py::test_p3_noise_term_needed",),
    ),
    KernelMutant(
        "smoothness-upper-too-strong",
        SMOOTH,
        "form = f(j) - f(i) - inner(i.grad, j - i) - self.L / 2 * sqnorm(j - i)",
        "self.L / 2",
        "self.L / 4",
        "the L-smooth upper bound with L/4 instead of L/2 (a false fact)",
        unit=(T + "test_kernel_verdicts.py::test_smoothness_facts_hold_on_a_quadratic",),
        end_to_end=(T + "test_kernel_e2e.py::test_p3_with_quarter_smoothness_rate_refuted",),
    ),
    # -- the exact shortcuts: LDL^T pivots, sign structure, hypotheses, zero-mean terms ----------
    KernelMutant(
        "ldl-pivot-sign-ignored",
        LDL,
        'if not holds(m, ">="):',
        'not holds(m, ">=")',
        "False",
        "an LDL pivot eliminated without deciding that it is >= 0",
        unit=(T + "test_engine_structure.py::test_ldl_never_proves_a_negative_pivot",),
        end_to_end=(T + "test_kernel_e2e.py::test_p3_rate_too_good_refuted",),
    ),
    KernelMutant(
        "sign-parity-ignored",
        STRUCTURE,
        "return not negative",
        "not negative",
        "True",
        "a product with an odd number of nonpositive factors taken as nonnegative",
        unit=(T + "test_engine_structure.py::test_sign_rules",),
        end_to_end=(
            T + "test_engine_structure.py::"
            "test_decide_through_structure_proves_true_and_refutes_false",
        ),
    ),
    KernelMutant(
        "reciprocal-even-power-signed",
        STRUCTURE,
        "if k.is_Integer and k < 0 and k % 2 == 1:",
        " and k % 2 == 1",
        "",
        "p**(-2) given the sign of p (it is > 0 wherever defined)",
        unit=RECIPROCAL,
        end_to_end=RECIPROCAL,
    ),
    KernelMutant(
        "reciprocal-base-not-strict",
        STRUCTURE,
        'if self.hyp(base, ">") or self.holds(base, ">", depth + 1):',
        'self.holds(base, ">", depth + 1)',
        'self.holds(base, ">=", depth + 1)',
        "1/p taken as positive where p >= 0 only (undefined where p = 0)",
        unit=RECIPROCAL,
        end_to_end=RECIPROCAL,
    ),
    KernelMutant(
        "sum-rule-any",
        STRUCTURE,
        'and all(self.holds(t, ">=", depth + 1) for t in terms)',
        "and all(",
        "and any(",
        "a sum taken as nonnegative when one of its terms is",
        unit=(
            T + "test_engine_structure.py::"
            "test_rules_never_prove_a_false_sum_even_with_generous_leaves",
        ),
        end_to_end=(
            T + "test_engine_structure.py::test_decide_refutes_false_sums_and_misread_hypotheses",
        ),
    ),
    KernelMutant(
        "hypothesis-sign-ignored",
        STRUCTURE,
        "return _at_least(op_h if sign > 0 else _FLIP[op_h], op_e)",
        "op_h if sign > 0 else _FLIP[op_h]",
        "op_h",
        "a negative multiple of a hypothesis taken as having its sign",
        unit=(T + "test_engine_structure.py::test_implies_up_to_positive_monomials_and_direction",),
        end_to_end=(
            T + "test_engine_structure.py::test_decide_refutes_false_sums_and_misread_hypotheses",
        ),
    ),
    KernelMutant(
        "zero-mean-any-vector",
        THEOREMS,
        "if fact.zero_mean and not self._is_zero_mean(fact.form):",
        "fact.zero_mean and not self._is_zero_mean(fact.form)",
        "False",
        "a forged zero-mean fact <xi, g(next)> (not mean zero) accepted",
        unit=(T + "test_engine_structure.py::test_forged_zero_mean_fact_rejected_on_small_lemma",),
        end_to_end=(
            T + "test_engine_structure.py::test_zero_mean_only_for_vectors_known_before_the_noise",
        ),
    ),
]


@dataclass
class MutantRun:
    mutant: KernelMutant
    outcome: str  # "killed" | "survived" | "error" | "timeout"
    killed_by: list[str] = field(default_factory=list)  # tests failing with an assertion
    crashed: list[str] = field(default_factory=list)  # tests failing with another exception
    seconds: float = 0.0
    log: str = ""


def _copy_package(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "lyapunov", dest / "lyapunov", ignore=ignore)
    shutil.copytree(ROOT / "proofs", dest / "lyapunov" / "proofs", ignore=ignore)


def _failures(junit: Path) -> tuple[list[str], list[str]]:
    """(tests failing with an assertion, tests failing otherwise) from a JUnit XML report."""
    import xml.etree.ElementTree as ET

    killed, crashed = [], []
    if not junit.exists():
        return killed, crashed
    for case in ET.parse(junit).iter("testcase"):
        bad = case.find("failure")
        err = case.find("error")
        if bad is None and err is None:
            continue
        module = case.get("classname", "").replace(".", "/")
        module = module[module.index("tests/") :] if "tests/" in module else module
        node = f"{module}.py::{case.get('name')}"
        # an assertion (or pytest.fail / pytest.raises not raising) is a kill; a crash is not
        kind = "" if bad is None else bad.get("type") or bad.get("message", "").split(":")[0]
        if kind.endswith(("AssertionError", "Failed")) or kind.startswith("assert "):
            killed.append(node)
        else:
            crashed.append(node)
    return killed, crashed


def run_mutant(
    mutant: KernelMutant, tests: list[str], timeout: float = 900.0, extra: list[str] = ()
) -> MutantRun:
    """Run pytest on ``tests`` against a copy of the package with ``mutant`` applied."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kernel-mutant-") as tmp:
        scratch = Path(tmp)
        _copy_package(scratch)
        target = scratch / mutant.path
        target.write_text(mutant.apply(target.read_text()))  # PatternNotFoundError is loud
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(scratch), env.get("PYTHONPATH", "")])
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        junit = scratch / "report.xml"
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=line"]
        cmd += ["-o", "addopts=", "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml")]
        cmd += [f"--junitxml={junit}", *extra, *(str(ROOT / t) for t in tests)]
        # cwd = the scratch copy, so `python -m` puts the mutated package first on sys.path
        try:
            proc = subprocess.run(
                cmd, cwd=scratch, env=env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return MutantRun(mutant, "timeout", seconds=time.perf_counter() - t0)
        killed, crashed = _failures(junit)
    log = proc.stdout + proc.stderr
    if proc.returncode == 1 and killed:
        outcome = "killed"
    elif proc.returncode == 0:
        outcome = "survived"
    else:
        outcome = "error"  # collection errors, crashes only, interrupted: not a kill
    return MutantRun(mutant, outcome, killed, crashed, time.perf_counter() - t0, log)
