"""The update rules of the momentum methods GSPA contains, as their packages implement them.

* torch.optim.SGD(lr, momentum=mu, nesterov=True), dampening 0:
      b_{k+1} = mu b_k + g_k,   p_{k+1} = p_k - lr (g_k + mu b_{k+1})          (b_0 = 0)
* qhoptim QHM(lr=alpha, momentum=b, nu):
      d_{k+1} = b d_k + (1 - b) g_k,   p_{k+1} = p_k - alpha ((1 - nu) g_k + nu d_{k+1})
* schedulefree.SGDScheduleFree(lr=gamma, momentum=beta), train mode (parameters y):
      y_{k+1} = (1 - c_k) y_k + c_k z_k + gamma (beta (1 - c_k) - 1) g_k,
      z_{k+1} = z_k - gamma g_k,   c_k = 1/(k + 1) (constant lr, no warm-up)

In every case g_k is the (stochastic) gradient at the parameters p_k (y_k).
"""


def nesterov_step(p, b, g, lr, momentum):
    """One torch.optim.SGD(nesterov=True) step on (p_k, b_k): returns (p_{k+1}, b_{k+1})."""
    b1 = momentum * b + g
    return p - lr * (g + momentum * b1), b1


def qhm_step(p, d, g, lr, momentum, nu):
    """One QHM step (qhoptim's convention) on (p_k, d_k): returns (p_{k+1}, d_{k+1})."""
    d1 = momentum * d + (1 - momentum) * g
    return p - lr * ((1 - nu) * g + nu * d1), d1


def schedule_free_step(y, z, g, lr, momentum, c):
    """One SGDScheduleFree step (train mode) on (y_k, z_k): returns (y_{k+1}, z_{k+1})."""
    return (1 - c) * y + c * z + lr * (momentum * (1 - c) - 1) * g, z - lr * g
