"""Plain SGD: x_{k+1} = x_k - eta g_k."""


def sgd_step(x, g, eta):
    """One SGD step: returns x_{k+1} = x_k - eta * g_k."""
    return x - eta * g
