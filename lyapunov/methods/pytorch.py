"""torch.optim.SGD(lr=alpha, momentum=beta), dampening 0, no Nesterov, no weight decay.

    b_{k+1} = beta b_k + g_k   (b_0 = 0),      x_{k+1} = x_k - alpha b_{k+1}.

(PyTorch initialises the buffer to g_0 at the first step, which is the same as b_0 = 0.)
"""


def pytorch_sgd_step(x, b, g, lr, momentum):
    """One torch.optim.SGD step on the state (x_k, b_k): returns (x_{k+1}, b_{k+1})."""
    b1 = momentum * b + g
    return x - lr * b1, b1
