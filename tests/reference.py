"""An independent numpy reference for the convolution arithmetic of convanim.

Nothing here uses convanim's arithmetic: padding is resolved, shapes are found
and values are computed from the textbook definitions, with plain loops.

* `conv` is the direct N-d (1 to 3 axes) cross-correlation PyTorch computes:
  the input is zero-padded with ``np.pad`` (per side), and every output cell is
  the sum of a strided, dilated window times the kernel.
* `conv_transpose` is the transposed convolution by its *scatter* definition:
  every input cell ``n`` adds ``x[n] * w[m]`` into ``out[n*s - p + m*d]``
  for every kernel element ``m`` (a different algorithm from the zero-insertion
  drawn by convanim).
* `reconstruct` applies a convanim schedule to numbers: for every step,
  ``out[step.out] = sum(w[tap.kernel] * x[tap.source])``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

__all__ = [
    "as_axes",
    "resolve_pads",
    "conv",
    "conv_shape",
    "conv_transpose",
    "conv_transpose_shape",
    "reconstruct",
    "max_pool_taps",
]


def as_axes(value, ndim: int) -> tuple[int, ...]:
    """Broadcast a scalar to ``ndim`` axes (tuples are returned as tuples)."""
    if isinstance(value, (tuple, list)):
        assert len(value) == ndim
        return tuple(value)
    return (value,) * ndim


def resolve_pads(padding, input_size, kernel_size, stride, dilation) -> tuple[tuple[int, int], ...]:
    """Per-side (before, after) zero padding for a direct convolution.

    ``padding``: an int, a per-axis tuple of ints or of (before, after) pairs,
    ``'valid'``, ``'full'`` (``d*(k-1)`` each side) or ``'same'`` (TensorFlow's
    rule: the smallest total that gives ``ceil(i/s)`` outputs, odd cell last).
    """
    ndim = len(input_size)
    if padding == "valid":
        return ((0, 0),) * ndim
    if padding == "full":
        return tuple((d * (k - 1), d * (k - 1)) for k, d in zip(kernel_size, dilation))
    if padding == "same":
        pads = []
        for i, k, s, d in zip(input_size, kernel_size, stride, dilation):
            wanted = -(-i // s)  # ceil(i / s)
            # last window must start at (wanted-1)*s and end inside the padded input
            needed = (wanted - 1) * s + d * (k - 1) + 1
            total = needed - i if needed > i else 0
            pads.append((total // 2, total - total // 2))
        return tuple(pads)
    out = []
    for entry in as_axes(padding, ndim):
        if isinstance(entry, (tuple, list)):
            out.append((entry[0], entry[1]))
        else:
            out.append((entry, entry))
    return tuple(out)


def _count_positions(padded: int, extent: int, stride: int) -> int:
    """Kernel positions that fit, found by sliding (not by the closed formula)."""
    n = 0
    while n * stride + extent <= padded:
        n += 1
    return n


def conv_shape(input_size, kernel_size, stride=1, pads=None, dilation=1) -> tuple[int, ...]:
    ndim = len(input_size)
    kernel_size = as_axes(kernel_size, ndim)
    stride = as_axes(stride, ndim)
    dilation = as_axes(dilation, ndim)
    pads = pads if pads is not None else ((0, 0),) * ndim
    return tuple(
        _count_positions(i + lo + hi, d * (k - 1) + 1, s)
        for i, k, s, d, (lo, hi) in zip(input_size, kernel_size, stride, dilation, pads)
    )


def conv(x: np.ndarray, w: np.ndarray, stride=1, pads=None, dilation=1) -> np.ndarray:
    """Direct N-d cross-correlation (PyTorch's ``conv{1,2,3}d``) of one channel.

    ``pads`` is one (before, after) pair per axis.
    """
    ndim = x.ndim
    assert w.ndim == ndim
    stride = as_axes(stride, ndim)
    dilation = as_axes(dilation, ndim)
    pads = pads if pads is not None else ((0, 0),) * ndim
    xp = np.pad(x, [tuple(p) for p in pads], mode="constant", constant_values=0)
    shape = conv_shape(x.shape, w.shape, stride, pads, dilation)
    out = np.zeros(shape, dtype=np.result_type(x, w))
    for o in itertools.product(*(range(n) for n in shape)):
        window = xp[
            tuple(
                slice(oo * s, oo * s + d * (k - 1) + 1, d)
                for oo, s, d, k in zip(o, stride, dilation, w.shape)
            )
        ]
        assert window.shape == w.shape
        out[o] = np.sum(window * w)
    return out


def conv_transpose_shape(input_size, kernel_size, stride=1, padding=0, dilation=1, output_padding=0):
    ndim = len(input_size)
    return tuple(
        (i - 1) * s - 2 * p + d * (k - 1) + a + 1
        for i, k, s, p, d, a in zip(
            input_size,
            as_axes(kernel_size, ndim),
            as_axes(stride, ndim),
            as_axes(padding, ndim),
            as_axes(dilation, ndim),
            as_axes(output_padding, ndim),
        )
    )


def conv_transpose(x: np.ndarray, w: np.ndarray, stride=1, padding=0, dilation=1, output_padding=0):
    """Transposed convolution (PyTorch's ``conv_transpose{1,2,3}d``) by scattering.

    ``padding`` is PyTorch's symmetric padding (an int or one int per axis).
    """
    ndim = x.ndim
    stride = as_axes(stride, ndim)
    padding = as_axes(padding, ndim)
    dilation = as_axes(dilation, ndim)
    shape = conv_transpose_shape(x.shape, w.shape, stride, padding, dilation, output_padding)
    out = np.zeros(shape, dtype=np.result_type(x, w))
    for n in itertools.product(*(range(i) for i in x.shape)):
        for m in itertools.product(*(range(k) for k in w.shape)):
            pos = tuple(nn * s - p + mm * d for nn, mm, s, p, d in zip(n, m, stride, padding, dilation))
            if all(0 <= q < L for q, L in zip(pos, shape)):
                out[pos] += x[n] * w[m]
    return out


def reconstruct(spec, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Apply convanim's schedule: ``out[step.out] = sum(w[tap.kernel] * x[tap.source])``.

    Taps whose source is None (padding or an inserted zero) contribute nothing.
    The output array is sized from the steps themselves.
    """
    from convanim import schedule

    steps = schedule(spec)
    if not steps:
        return np.zeros((0,) * x.ndim, dtype=np.result_type(x, w))
    shape = tuple(max(step.out[a] for step in steps) + 1 for a in range(x.ndim))
    out = np.zeros(shape, dtype=np.result_type(x, w))
    for step in steps:
        total = 0.0
        for tap in step.taps:
            if tap.source is not None:
                total += w[tap.kernel] * x[tap.source]
        out[step.out] = total
    return out


def max_pool_taps(spec, x: np.ndarray) -> np.ndarray:
    """Max over each step's taps that lie on the input (-inf where there are none)."""
    from convanim import schedule

    steps = schedule(spec)
    shape = tuple(max(step.out[a] for step in steps) + 1 for a in range(x.ndim))
    out = np.full(shape, -math.inf)
    for step in steps:
        values = [x[tap.source] for tap in step.taps if tap.source is not None]
        if values:
            out[step.out] = max(values)
    return out
