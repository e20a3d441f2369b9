"""Training on scikit-learn's bundled digits with momentum kept or dropped (claim C5).

A one-hidden-layer tanh network with softmax cross-entropy, trained by ``torch.optim.SGD``'s
update (``lyapunov.methods.pytorch_sgd_step``, theorem P1's method) for every variant and seed
at once (parameters are flat vectors batched over a leading axis). ``lyapunov.figures.
momentum_drop`` plots the records of :func:`train`.
"""

from __future__ import annotations

import numpy as np

from ..methods import pytorch_sgd_step

__all__ = ["load_data", "Net", "train", "LR", "MOMENTUM", "HIDDEN", "BATCH", "VARIANTS"]

LR = 0.05
MOMENTUM = 0.9
HIDDEN = 32
BATCH = 32
VARIANTS = (
    "momentum 0.9 throughout",
    "momentum 0.9, dropped to 0 after epoch 1",
    "no momentum (SGD)",
)


def load_data():
    """Standardized digits, fixed stratified split: (Xtr, ytr, Xte, yte); None without sklearn."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError:
        return None
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=450, random_state=0, stratify=y)
    mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    return (Xtr - mu) / sd, ytr, (Xte - mu) / sd, yte


class Net:
    """One hidden layer of tanh units and softmax cross-entropy; parameters are flat vectors,
    batched over a leading axis R (one network per row)."""

    def __init__(self, inputs: int, hidden: int, classes: int):
        self.shapes = [(inputs, hidden), (hidden,), (hidden, classes), (classes,)]
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.size = sum(self.sizes)

    def unpack(self, theta):
        R = theta.shape[0]
        out, i = [], 0
        for shp, n in zip(self.shapes, self.sizes, strict=True):
            out.append(theta[:, i : i + n].reshape((R, *shp)))
            i += n
        return out

    def init(self, rng) -> np.ndarray:
        W1, b1, W2, b2 = (np.zeros(s) for s in self.shapes)
        W1 = rng.standard_normal(self.shapes[0]) / np.sqrt(self.shapes[0][0])
        W2 = rng.standard_normal(self.shapes[2]) / np.sqrt(self.shapes[2][0])
        return np.concatenate([a.ravel() for a in (W1, b1, W2, b2)])

    def _forward(self, theta, X):
        W1, b1, W2, b2 = self.unpack(theta)
        H = np.tanh(X @ W1 + b1[:, None, :])
        Z = H @ W2 + b2[:, None, :]
        Z = Z - Z.max(axis=-1, keepdims=True)
        logp = Z - np.log(np.exp(Z).sum(axis=-1, keepdims=True))
        return H, logp

    def loss_acc(self, theta, X, y):
        """Mean cross-entropy and accuracy per row (X shared: (n, inputs))."""
        _, logp = self._forward(theta, X[None])
        n = len(y)
        loss = -logp[:, np.arange(n), y].mean(axis=1)
        acc = (logp.argmax(axis=-1) == y[None]).mean(axis=1)
        return loss, acc

    def grad(self, theta, X, Y):
        """Gradient of the mean cross-entropy on the per-row minibatches X (R, m, inputs) with
        one-hot labels Y (R, m, classes): (R, size)."""
        W1, _, W2, _ = self.unpack(theta)
        H, logp = self._forward(theta, X)
        m = X.shape[1]
        dZ = (np.exp(logp) - Y) / m
        gW2 = H.transpose(0, 2, 1) @ dZ
        gb2 = dZ.sum(axis=1)
        dH = (dZ @ W2.transpose(0, 2, 1)) * (1 - H * H)
        gW1 = X.transpose(0, 2, 1) @ dH
        gb1 = dH.sum(axis=1)
        R = theta.shape[0]
        return np.concatenate([a.reshape(R, -1) for a in (gW1, gb1, gW2, gb2)], axis=1)


def train(*, epochs: int, seeds: int, seed: int = 0):
    """Train the three :data:`VARIANTS` for ``seeds`` seeds (initialisation and minibatch
    order from ``numpy.random.default_rng([seed, s])``, shared by the variants) for ``epochs``
    epochs; returns per-epoch records of shape (variants, seeds, epochs + 1) (index 0: at
    initialisation), or None without scikit-learn."""
    loaded = load_data()
    if loaded is None:
        return None
    Xtr, ytr, Xte, yte = loaded
    E, S = epochs, seeds
    V = len(VARIANTS)
    classes = int(ytr.max()) + 1
    net = Net(Xtr.shape[1], HIDDEN, classes)
    rngs = [np.random.default_rng([seed, s]) for s in range(S)]
    theta0 = np.stack([net.init(r) for r in rngs])  # (S, size), shared by the variants
    theta = np.tile(theta0, (V, 1))  # row v * S + s
    buf = np.zeros_like(theta)
    onehot = np.eye(classes)[ytr]
    n = len(ytr)
    steps = n // BATCH
    loss = np.empty((V, S, E + 1))
    acc = np.empty((V, S, E + 1))
    tl = np.empty((V, S, E + 1))

    def record(e):
        loss[:, :, e] = net.loss_acc(theta, Xtr, ytr)[0].reshape(V, S)
        tl[:, :, e], acc[:, :, e] = (a.reshape(V, S) for a in net.loss_acc(theta, Xte, yte))

    record(0)
    for e in range(E):
        mom = np.array([MOMENTUM, MOMENTUM if e == 0 else 0.0, 0.0]).repeat(S)[:, None]
        perm = np.stack([r.permutation(n) for r in rngs])  # (S, n): the same for the variants
        for j in range(steps):
            idx = np.tile(perm[:, j * BATCH : (j + 1) * BATCH], (V, 1))  # (V S, m)
            g = net.grad(theta, Xtr[idx], onehot[idx])
            theta, buf = pytorch_sgd_step(theta, buf, g, LR, mom)
        record(e + 1)
    return {"train_loss": loss, "test_acc": acc, "test_loss": tl, "epochs": E, "seeds": S}
