r"""Counter-based Gaussian noise: the same numbers from numpy and from a fused numba kernel.

The standard normal used by run (seed index) s at step k, coordinate i of a simulation with
seed ``seed`` in dimension d is a pure function of (seed, s, k, i):

    key_s = mix64(mix64(seed ^ C) + (s + 1) G)             (one key per seed index s)
    h     = mix64(key_s + (k d + i) G)                     (G = 0x9E3779B97F4A7C15)
    N     = ziggurat(h)

``mix64`` is the splitmix64 finaliser (all arithmetic mod 2^64). ``ziggurat`` is Marsaglia and
Tsang's exact ziggurat method with NumPy's 256-layer tables (r = 3.6541528853610088): the low
8 bits of h pick a layer, bit 8 the sign, the next 52 bits the abscissa; about 1% of draws
are rejected and continue with the hashes mix64(h + G), mix64(mix64(h + G) + G), ..., so the
result is still a function of h alone. So a run's noise does not depend on how many runs are
simulated, on the number of threads, or on the hyper-parameter configuration (every
configuration sees the same noise for the same seed index: common random numbers).

The scalar version (``make_scalar``) uses only integer arithmetic, table look-ups and
``math.log1p``/``math.exp`` (rejections only), so it compiles with ``numba.njit``; the array
version ``normal_block`` follows the same steps vectorized and gives the same bits (the rare
rejection tests call ``exp``/``log1p``, which could differ in the last ulp between numpy and
libm).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["run_keys", "normal_block", "mix64", "make_scalar", "normal_from_hash"]

_G = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_C = np.uint64(0x5851F42D4C957F2D)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_ONE = np.uint64(1)
_INV53 = 2.0**-53


def mix64(z):
    """splitmix64's finaliser on uint64 (scalars, arrays, numba)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


_MASK52 = np.uint64((1 << 52) - 1)
_B8, _B9, _B11, _FF = np.uint64(8), np.uint64(9), np.uint64(11), np.uint64(0xFF)
_R = 3.6541528853610088
_INV_R = 1 / _R


def _tables():
    """NumPy's 256-layer ziggurat tables for the standard normal (52-bit abscissae)."""
    m1 = 2.0**52
    v = 0.00492867323399
    ki = np.zeros(256, dtype=np.uint64)
    wi = np.zeros(256)
    fi = np.zeros(256)
    dn = tn = _R
    q = v / math.exp(-0.5 * dn * dn)
    ki[0] = np.uint64(int((dn / q) * m1))
    wi[0], wi[255] = q / m1, dn / m1
    fi[0], fi[255] = 1.0, math.exp(-0.5 * dn * dn)
    for i in range(254, 0, -1):
        dn = math.sqrt(-2 * math.log(v / dn + math.exp(-0.5 * dn * dn)))
        ki[i + 1] = np.uint64(int((dn / tn) * m1))
        tn = dn
        fi[i] = math.exp(-0.5 * dn * dn)
        wi[i] = dn / m1
    return ki, wi, fi


_KI, _WI, _FI = _tables()
_KI_I64 = _KI.astype(np.int64)


def make_scalar(jit=lambda f: f):
    """``(mix64, normal_from_hash)`` for scalars, built around ``jit`` (``numba.njit`` or none).

    ``normal_from_hash(h)`` is the standard normal of a uint64 hash ``h`` (see the module doc).
    """
    mix = jit(mix64)
    KI, WI, FI = _KI.astype(np.int64), _WI, _FI  # int64 (< 2^53): fast int -> float

    def normal_from_hash(h):
        while True:
            idx = np.int64(h & _FF)
            sg = 1.0 - 2.0 * float(np.int64((h >> _B8) & _ONE))  # branch-free sign
            rabs = np.int64((h >> _B9) & _MASK52)
            x = sg * (float(rabs) * WI[idx])
            if rabs < KI[idx]:
                return x
            if idx == 0:
                while True:
                    h = mix(h + _G)
                    xx = -_INV_R * math.log1p(-float(h >> _B11) * _INV53)
                    h = mix(h + _G)
                    yy = -math.log1p(-float(h >> _B11) * _INV53)
                    if yy + yy > xx * xx:
                        return sg * (_R + xx)
            h = mix(h + _G)
            if (FI[idx - 1] - FI[idx]) * (float(h >> _B11) * _INV53) + FI[idx] < math.exp(
                -0.5 * x * x
            ):
                return x
            h = mix(h + _G)

    return mix, jit(normal_from_hash)


_, normal_from_hash = make_scalar()


def _ziggurat(h: np.ndarray) -> np.ndarray:
    """``normal_from_hash`` on an array of hashes, vectorized (the same steps and bits)."""
    out = np.empty(h.shape)
    flat = out.reshape(-1)
    hp = h.reshape(-1)
    pos = np.arange(hp.size)
    while pos.size:
        idx = (hp & _FF).astype(np.intp)
        sg = 1.0 - 2.0 * ((hp >> _B8) & _ONE).astype(np.int64).astype(np.float64)
        rabs = ((hp >> _B9) & _MASK52).astype(np.int64)
        x = sg * (rabs.astype(np.float64) * _WI[idx])
        fast = rabs < _KI_I64[idx]
        flat[pos[fast]] = x[fast]
        tail = ~fast & (idx == 0)
        if tail.any():
            ht, pt, nt = hp[tail], pos[tail], sg[tail]
            while pt.size:
                ht = mix64(ht + _G)
                xx = -_INV_R * np.log1p(-(ht >> _B11).astype(np.float64) * _INV53)
                ht = mix64(ht + _G)
                yy = -np.log1p(-(ht >> _B11).astype(np.float64) * _INV53)
                acc = yy + yy > xx * xx
                flat[pt[acc]] = nt[acc] * (_R + xx[acc])
                ht, pt, nt = ht[~acc], pt[~acc], nt[~acc]
        wedge = ~fast & (idx != 0)
        hw, pw, iw, xw = mix64(hp[wedge] + _G), pos[wedge], idx[wedge], x[wedge]
        u = (hw >> _B11).astype(np.float64) * _INV53
        acc = (_FI[iw - 1] - _FI[iw]) * u + _FI[iw] < np.exp(-0.5 * xw * xw)
        flat[pw[acc]] = xw[acc]
        hp, pos = mix64(hw[~acc] + _G), pw[~acc]
    return out


def run_keys(seed: int, n: int) -> np.ndarray:
    """The keys of seed indices 0..n-1 for ``seed`` (uint64, shape (n,))."""
    s0 = mix64(np.asarray([seed], dtype=np.uint64) ^ _C)
    idx = np.arange(1, n + 1, dtype=np.uint64)
    return mix64(s0 + idx * _G)


def normal_block(keys: np.ndarray, k: int, d: int) -> np.ndarray:
    """Standard normals of step k for every key: shape (len(keys), d) (numpy, vectorized)."""
    ctr = (np.uint64(k) * np.uint64(d) + np.arange(d, dtype=np.uint64)) * _G
    h = mix64(keys[:, None] + ctr[None, :])
    return _ziggurat(h)
