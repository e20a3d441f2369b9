"""Polyak's heavy ball: x_{k+1} = x_k - alpha g_k + beta (x_k - x_{k-1}), x_{-1} = x_0."""


def heavy_ball_step(x, x_prev, g, lr, momentum):
    """One heavy-ball step on the state (x_k, x_{k-1}): returns (x_{k+1}, x_k)."""
    return x - lr * g + momentum * (x - x_prev), x
