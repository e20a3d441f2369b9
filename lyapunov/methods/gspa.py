r"""Generalized SPA (GSPA): one three-parameter family for the momentum methods people run.

    y_k     = (1 - beta) z_k + beta x_k          (the gradient is taken at y_k)
    z_{k+1} = z_k - eta_k g_k,                    g_k = grad f(y_k) + xi_k
    x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},        z_0 = x_0

beta = 1 is SPA (heavy ball, torch.optim.SGD); torch's Nesterov, QHM and schedule-free SGD are
other members (proofs/p9_gspa_family.py certifies the maps). Written on the state (y, z),
where the gradient is taken, one step reads (the form schedule-free SGD implements)

    y_{k+1} = (1 - c) y_k + c z_k - eta (1 - beta (1 - c)) g_k,     z_{k+1} = z_k - eta g_k,

and x_k = (y_k - (1 - beta) z_k) / beta is not needed. ``get("gspa").one_step(...)`` derives
this step from GSPA's definition on (x, z) (:mod:`lyapunov.methods.proof_step`).
"""


def gspa_point(x, z, beta):
    """Where GSPA takes the gradient: y = (1 - beta) z + beta x."""
    return (1 - beta) * z + beta * x


def gspa_yz_step(y, z, g, eta, c, beta):
    """One GSPA step on the state (y_k, z_k): returns (y_{k+1}, z_{k+1})."""
    return (1 - c) * y + c * z - eta * (1 - beta * (1 - c)) * g, z - eta * g
