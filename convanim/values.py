"""Cell values for the value, 1-D and matrix views: symbols, seeded random integers, or a file.

>>> from convanim import ConvSpec
>>> v = make_values(ConvSpec((5,), 3), "random", seed=0)
>>> v.x.shape, v.w.shape, v.output(ConvSpec((5,), 3)).shape
((5,), (3,), (3,))
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .schedule import schedule
from .spec import ConvSpec
from .values_file import stored_arrays

__all__ = ["Values", "make_values", "convolve"]


@dataclass(frozen=True, eq=False)
class Values:
    """Numbers for the input ``x`` (shape ``spec.input_size``) and the kernel ``w`` (``spec.kernel_size``)."""

    x: np.ndarray
    w: np.ndarray

    def output(self, spec: ConvSpec) -> np.ndarray:
        """The output these values give, as PyTorch computes it (see `convolve`)."""
        return convolve(spec, self.x, self.w)


def convolve(spec: ConvSpec, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``spec`` applied to one channel, from the schedule's taps.

    Equals ``torch.nn.functional.conv*d`` (``conv_transpose*d`` when
    ``spec.transposed``) with weight ``w``; the tests check both.
    """
    x, w = np.asarray(x), np.asarray(w)
    out = np.zeros(spec.output_shape, dtype=np.result_type(x, w))
    for step in schedule(spec):
        out[step.out] = sum(
            (w[t.kernel] * x[t.source] for t in step.taps if t.source is not None),
            start=out.dtype.type(0),
        )
    return out


def make_values(spec: ConvSpec, mode: str = "symbols", seed: int = 0) -> Values | None:
    """Values for ``spec``: ``'symbols'`` (None: draw a_{m,n} and w_{m,n}),
    ``'random'`` (small integers, reproducible from ``seed``), or a path to a
    ``.npy`` file (the input; kernel random from ``seed``) or ``.npz`` file
    (arrays ``input`` and ``kernel``).
    """
    if mode == "symbols":
        return None
    rng = np.random.default_rng(seed)
    kernel = rng.integers(-1, 2, size=spec.kernel_size)
    if mode == "random":
        return Values(rng.integers(0, 4, size=spec.input_size), kernel)
    if Path(mode).suffix not in (".npy", ".npz"):
        raise ValueError(f"values must be 'symbols', 'random' or a .npy/.npz file, got {mode!r}")
    stored = stored_arrays(mode)
    if mode.endswith(".npz"):
        missing = [k for k in ("input", "kernel") if k not in stored]
        if missing:
            raise ValueError(f"values file {mode!r} could not be read: it must hold arrays 'input' and 'kernel', "
                             f"missing {' and '.join(missing)}")
    arrays = []
    for name, shape in (("input", spec.input_size), ("kernel", spec.kernel_size)):
        if name in stored:  # checked from the header, then read
            arrays.append(_numbers(mode, name, _checked(mode, name, stored[name], shape).read(), shape))
        else:
            arrays.append(kernel)
    return Values(*arrays)


#: Largest magnitude of a value read from a file: products and sums stay exact in float64.
MAX_VALUE = 1e6


def _checked(mode: str, name: str, stored, shape):
    """``stored`` (a `convanim.values_file.StoredArray`) once its header's shape and dtype are right."""
    if stored.shape != tuple(shape):
        raise ValueError(f"values file {mode!r}: {name} must have shape {tuple(shape)}, got {stored.shape}")
    if stored.dtype.kind not in "biuf":
        raise ValueError(
            f"values file {mode!r}: {name} must hold real numbers (integers or floats), got dtype {stored.dtype}"
        )
    return stored


def _numbers(mode: str, name: str, arr, shape) -> np.ndarray:
    """``arr`` as int64 or float64, checked: real, finite, at most `MAX_VALUE`, of ``shape``."""
    arr = np.asarray(arr)
    if tuple(arr.shape) != tuple(shape):
        raise ValueError(f"values file {mode!r}: {name} must have shape {tuple(shape)}, got {tuple(arr.shape)}")
    kind = arr.dtype.kind
    if kind not in "biuf":
        raise ValueError(
            f"values file {mode!r}: {name} must hold real numbers (integers or floats), got dtype {arr.dtype}"
        )
    magnitude = np.abs(arr.astype(np.float64))
    if not np.all(np.isfinite(magnitude)):
        raise ValueError(f"values file {mode!r}: {name} must hold finite numbers, got NaN or infinity")
    if arr.size and magnitude.max() > MAX_VALUE:
        raise ValueError(
            f"values file {mode!r}: {name} must hold numbers of magnitude at most {MAX_VALUE:,.0f}, "
            f"got {magnitude.max():g}"
        )
    return arr.astype(np.float64 if kind == "f" else np.int64)
