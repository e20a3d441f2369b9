"""Convert between PyTorch SGD+M parameters (lr, momentum) and SPA parameters (eta, c).

Constant parameters (theorem P1): lr = c eta, momentum = 1 - c.
Schedules (theorem P2, index convention: step k uses lr_k, momentum_k in PyTorch and
eta_k, c_k in SPA, with x_{k+1} = (1 - c_k) x_k + c_k z_{k+1}):

* SPA -> PyTorch:  lr_k = c_k eta_k,  momentum_{k+1} = (1 - c_k) eta_k / eta_{k+1};
* PyTorch -> SPA (backwards):  eta_k = lr_k + momentum_{k+1} eta_{k+1},  c_k = lr_k / eta_k,
  closed at the horizon by eta_{n-1} = lr_{n-1} / (1 - momentum_{n-1}) ("the last values are
  kept forever", ``terminal="steady"``) or eta_{n-1} = lr_{n-1} (``terminal="sgd"``); both give
  exactly the same iterates x_0, ..., x_n.

The formulas are lambdified from the certified expressions of proofs/p1 and proofs/p2.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from .validate import check_range, schedule_arrays

__all__ = ["to_spa", "to_pytorch", "schedule_to_spa", "schedule_to_pytorch"]


@cache
def _p2():
    from .proofs import p2_schedule_map as p2

    lam = {
        "LR": sp.lambdify([p2.c_k, p2.eta_k], p2.LR, "numpy"),
        "MOMENTUM_NEXT": sp.lambdify([p2.c_k, p2.eta_k, p2.eta_k1], p2.MOMENTUM_NEXT, "numpy"),
        "ETA": sp.lambdify([p2.lr_k, p2.m_k1, p2.eta_k1], p2.ETA, "math"),
        "C": sp.lambdify([p2.lr_k, p2.m_k1, p2.eta_k1], p2.C, "math"),
        "ETA_TERMINAL": sp.lambdify([p2.lr_k, p2.m_k1], p2.ETA_TERMINAL, "math"),
    }
    return lam


def _out(*arrays):
    return tuple(float(a) if np.ndim(a) == 0 else a for a in arrays)


def to_pytorch(*, eta, c):
    """(lr, momentum) of torch.optim.SGD equal to SPA (eta, c): lr = c eta, momentum = 1 - c."""
    e, cc = np.broadcast_arrays(check_range("eta", eta), check_range("c", c))
    f = _p2()
    # a constant schedule: momentum_{k+1} with eta_{k+1} = eta_k
    return _out(f["LR"](cc, e), f["MOMENTUM_NEXT"](cc, e, e))


def to_spa(*, lr, momentum):
    """(eta, c) of SPA equal to torch.optim.SGD(lr, momentum): eta = lr/(1 - momentum), c = 1 -
    momentum (the constant schedule of P2b)."""
    a, m = np.broadcast_arrays(check_range("lr", lr), check_range("momentum", momentum))
    f = _p2()
    eta = np.vectorize(f["ETA_TERMINAL"], otypes=[float])(a, m)
    c = np.vectorize(f["C"], otypes=[float])(a, m, eta)
    return _out(eta, c)


def schedule_to_pytorch(*, eta, c):
    """PyTorch schedules (lr_k, momentum_k), k < n, with the same iterates as SPA (eta_k, c_k).

    momentum_0 is irrelevant (the buffer starts at 0); it is reported as 1 - c_0.
    """
    e = check_range("eta", eta)
    cc = check_range("c", c)
    e, cc = schedule_arrays(eta=e, c=cc)
    f = _p2()
    lr = f["LR"](cc, e)
    mom = np.empty_like(e)
    mom[0] = 1 - cc[0]
    mom[1:] = f["MOMENTUM_NEXT"](cc[:-1], e[:-1], e[1:])
    return lr, mom


def schedule_to_spa(*, lr, momentum, terminal: str = "steady"):
    """SPA schedules (eta_k, c_k), k < n, with the same iterates as PyTorch (lr_k, momentum_k).

    Runs backwards from the horizon (the SPA step eta_k is the total future displacement caused
    by the gradient g_k). ``terminal``: "steady" (eta_{n-1} = lr_{n-1}/(1 - momentum_{n-1})) or
    "sgd" (eta_{n-1} = lr_{n-1}, c_{n-1} = 1).
    """
    a = check_range("lr", lr)
    m = check_range("momentum", momentum)
    a, m = schedule_arrays(lr=a, momentum=m)
    n = a.shape[0]
    if terminal not in ("steady", "sgd"):
        raise ValueError(f"terminal: must be 'steady' or 'sgd', got {terminal!r}")
    f = _p2()
    eta = np.empty(n)
    c = np.empty(n)
    last = float(a[-1])
    eta[-1] = f["ETA_TERMINAL"](last, float(m[-1])) if terminal == "steady" else last
    c[-1] = last / eta[-1]
    eta_fn, c_fn = f["ETA"], f["C"]
    al, ml = a.tolist(), m.tolist()
    nxt = float(eta[-1])
    for k in range(n - 2, -1, -1):
        e = eta_fn(al[k], ml[k + 1], nxt)
        c[k] = c_fn(al[k], ml[k + 1], nxt)
        eta[k] = nxt = e
    return eta, c
