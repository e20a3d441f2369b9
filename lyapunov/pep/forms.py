"""Symbolic forms made numeric: the constraints of a worst-case problem, from the one
definition of each fact (:mod:`lyapunov.engine.kernel.classes`) and measure
(:mod:`lyapunov.measures`).

A form ``sum_p a_p f(p) + sum_ab q_ab <u_a, u_b> + c`` whose vectors are known combinations of
the problem's basis reads ``<Q, G> + a . F + c`` with G the Gram matrix of the basis and F the
function values. :func:`compile_form` does this for one form; :class:`Template` does it at once
for the same fact between many tuples of points (the interpolation conditions between every
ordered pair): the fact is built once on symbolic local points p0, p1, ... (positions w0, w1,
..., gradients g0, g1, ...) and its coefficients are instantiated, vectorised, with each
tuple's positions and gradients. The point named ``*`` is the minimiser or the infimum: its
position and gradient are zero and f_* = 0 (the problem is translated so).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import scipy.sparse as sps
import sympy as sp

from ..engine.kernel.classes import STAR
from ..engine.kernel.forms import Form, Point, VecSymbol

__all__ = ["STAR", "Template", "compile_form", "local_points"]


def local_points(k: int) -> list[Point]:
    """Symbolic points p0..p{k-1} with positions w_i and gradients g_i."""
    return [Point(f"p{i}", VecSymbol(f"w{i}"), VecSymbol(f"g{i}")) for i in range(k)]


def _num(expr) -> float:
    value = complex(sp.N(expr))
    if value.imag != 0 or not np.isfinite(value.real):
        raise ValueError(f"a coefficient is not a finite real number: {expr}")
    return value.real


def compile_form(
    form: Form, vectors: Mapping[VecSymbol, np.ndarray], fidx: Mapping[str, int], nb: int, m: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """(Q, a, c) with form = <Q, G> + a . F + c, Q symmetric (nb, nb), for the basis vectors of
    the form given as coefficient vectors ``vectors`` and function values at F[fidx[name]]
    (``"*"``: f_* = 0)."""
    Q = np.zeros((nb, nb))
    for (u, v), coef in form.quad.items():
        c = _num(coef)
        if c:
            a, b = vectors[u], vectors[v]
            Q += c / 2 * (np.outer(a, b) + np.outer(b, a))
    a = np.zeros(m)
    for name, coef in form.fvals.items():
        if name != STAR.name:
            a[fidx[name]] += _num(coef)
    return Q, a, _num(form.const)


class Template:
    """One fact (or form) between k points, instantiated over many k-tuples of points.

    ``build(*points) -> Form`` defines it (e.g. ``lambda i, j: cls.interp(i, j).form``);
    it is built once on :func:`local_points` and read off as a symmetric matrix T over the
    local vectors (w0, g0, w1, g1, ...), f-value weights and a constant.
    """

    def __init__(self, build: Callable[..., Form], k: int):
        pts = local_points(k)
        form = build(*pts)
        if isinstance(form, Point) or not isinstance(form, Form):
            raise TypeError("Template: build must return a Form")
        local = [v for p in pts for v in (p.pos, p.grad)]
        index = {v: i for i, v in enumerate(local)}
        T = np.zeros((2 * k, 2 * k))
        for (u, v), coef in form.quad.items():
            i, j = index[u], index[v]
            c = _num(coef)
            if i == j:
                T[i, i] += c
            else:
                T[i, j] += c / 2
                T[j, i] += c / 2
        fw = np.zeros(k)
        fstar = 0.0
        for name, coef in form.fvals.items():
            if name == STAR.name:
                fstar += _num(coef)
            else:
                fw[int(name[1:])] += _num(coef)
        self.k, self.T, self.fw, self.fstar = k, T, fw, fstar
        self.const = _num(form.const)

    def rows(self, traj, idx: np.ndarray) -> tuple[sps.csr_matrix, sps.csr_matrix, np.ndarray]:
        """Sparse (A, B) and constants c, one row per tuple ``idx[q]`` of point indices, with
        the form of tuple q = A_q . vec(G) + B_q . F + c_q (vec in row-major order)."""
        idx = np.asarray(idx, dtype=int).reshape(-1, self.k)
        Q, nb, m = idx.shape[0], traj.nb, traj.m
        q = np.arange(Q)
        support = np.flatnonzero(np.any(traj.pos != 0, axis=0))
        W = [traj.pos[idx[:, s]][:, support] for s in range(self.k)]  # (Q, |S|) each
        gc = [traj.gcol[idx[:, s]] for s in range(self.k)]
        rr, cc, vv = [], [], []

        def add(rows, cols, vals):
            vals = np.asarray(vals, dtype=float)
            rr.append(np.broadcast_to(rows, vals.shape).ravel())
            cc.append(np.broadcast_to(cols, vals.shape).ravel())
            vv.append(vals.ravel())

        T = self.T
        wi = [2 * s for s in range(self.k)]
        gi = [2 * s + 1 for s in range(self.k)]
        for a, sa in zip(gi, range(self.k), strict=True):  # gradient x gradient
            for b, sb in zip(gi, range(self.k), strict=True):
                if T[a, b]:
                    add(q, gc[sa] * nb + gc[sb], np.full(Q, T[a, b]))
        for b, sb in zip(gi, range(self.k), strict=True):  # position x gradient, both orders
            U = sum(T[wa, b] * W[sa] for wa, sa in zip(wi, range(self.k), strict=True))
            if np.any(U):
                add(q[:, None], support[None, :] * nb + gc[sb][:, None], U)
                add(q[:, None], gc[sb][:, None] * nb + support[None, :], U)
        lam, vec = np.linalg.eigh(T[np.ix_(wi, wi)])  # position x position, by eigenvectors
        for e in range(self.k):
            if abs(lam[e]) > 1e-15:
                V = sum(vec[s, e] * W[s] for s in range(self.k))
                add(
                    q[:, None, None],
                    support[None, :, None] * nb + support[None, None, :],
                    lam[e] * V[:, :, None] * V[:, None, :],
                )
        if vv:
            A = sps.csr_matrix(
                (np.concatenate(vv), (np.concatenate(rr), np.concatenate(cc))), shape=(Q, nb * nb)
            )
        else:  # no quadratic term (e.g. convexity against x_*, whose gradient is 0)
            A = sps.csr_matrix((Q, nb * nb))
        fr, fc, fv = [], [], []
        for s in range(self.k):
            if self.fw[s]:
                fr.append(q)
                fc.append(idx[:, s])
                fv.append(np.full(Q, self.fw[s]))
        if fv:
            B = sps.csr_matrix(
                (np.concatenate(fv), (np.concatenate(fr), np.concatenate(fc))), shape=(Q, m)
            )
        else:
            B = sps.csr_matrix((Q, m))
        return A, B, np.full(Q, self.const)
