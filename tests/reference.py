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
    "conv_layer",
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
        return tuple((d * (k - 1), d * (k - 1)) for k, d in zip(kernel_size, dilation, strict=True))
    if padding == "same":
        pads = []
        for i, k, s, d in zip(input_size, kernel_size, stride, dilation, strict=True):
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
        for i, k, s, d, (lo, hi) in zip(input_size, kernel_size, stride, dilation, pads, strict=True)
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
                for oo, s, d, k in zip(o, stride, dilation, w.shape, strict=True)
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
            strict=True,
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
            pos = tuple(
                nn * s - p + mm * d for nn, mm, s, p, d in zip(n, m, stride, padding, dilation, strict=True)
            )
            if all(0 <= q < L for q, L in zip(pos, shape, strict=True)):
                out[pos] += x[n] * w[m]
    return out


def conv_layer(x, w, bias=None, *, stride=1, pads=None, padding=0, dilation=1, output_padding=0, groups=1,
               transposed=False) -> np.ndarray:
    """A whole layer with channels, groups and bias (PyTorch's weight layouts), built from `conv` and
    `conv_transpose` one channel pair at a time.

    ``x`` is (C_in, *size). A convolution's ``w`` is (C_out, C_in/groups, *k) and takes ``pads``; a
    transposed one's is (C_in, C_out/groups, *k) and takes PyTorch's symmetric ``padding``.
    """
    cin = x.shape[0]
    cin_g = cin // groups
    if transposed:
        cout_g = w.shape[1]
        parts = [
            sum(conv_transpose(x[ci], w[ci, o % cout_g], stride, padding, dilation, output_padding)
                for ci in range((o // cout_g) * cin_g, (o // cout_g + 1) * cin_g))
            for o in range(cout_g * groups)
        ]
    else:
        cout_g = w.shape[0] // groups
        parts = [
            sum(conv(x[(o // cout_g) * cin_g + c], w[o, c], stride, pads, dilation) for c in range(cin_g))
            for o in range(w.shape[0])
        ]
    out = np.stack(parts)
    if bias is not None:
        out = out + np.asarray(bias).reshape(-1, *([1] * (out.ndim - 1)))
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


# -- random configs (shared by the numpy and the torch property tests) -------------------------------

# Per number of axes: the largest input, kernel, stride, dilation and padding drawn, kept small so
# that thousands of examples (pure-Python schedules and loop references) run in seconds.
LIMITS = {
    1: {"i": 12, "k": 5, "s": 4, "d": 3, "p": 4},
    2: {"i": 7, "k": 4, "s": 3, "d": 3, "p": 3},
    3: {"i": 4, "k": 3, "s": 2, "d": 2, "p": 2},
}

CONV_PADDINGS = ("int", "axes", "pairs", "valid", "same", "full")
TRANSPOSED_PADDINGS = ("int", "axes", "sym_pairs", "valid", "full")


class Config:
    """A drawn config: the ``ConvSpec`` keyword arguments and the same numbers per axis.

    Everything derived here (pads, validity, shapes, which grid cell holds which input) is
    computed from the definitions, independently of convanim.
    """

    def __init__(self, kwargs, i, k, s, d, padding_kind, padding_value, transposed, a):
        self.kwargs = kwargs
        self.i, self.k, self.s, self.d = i, k, s, d
        self.padding_kind = padding_kind
        self.transposed = transposed
        self.a = a
        self.ndim = len(i)
        if transposed:
            if padding_value == "valid":
                self.p = (0,) * self.ndim
            elif padding_value == "full":
                self.p = tuple(dd * (kk - 1) for kk, dd in zip(k, d, strict=True))
            else:
                entries = as_axes(padding_value, self.ndim)
                self.p = tuple(e[0] if isinstance(e, tuple) else e for e in entries)
            self.pads = tuple((p, p) for p in self.p)
        else:
            self.pads = resolve_pads(padding_value, i, k, s, d)

    def __repr__(self) -> str:
        args = ", ".join(f"{n}={v!r}" for n, v in self.kwargs.items())
        return f"ConvSpec({args})"

    @property
    def valid(self) -> bool:
        """Whether the rules allow this config (the output is not empty)."""
        if self.transposed:
            return all(o >= 1 for o in self.expected_shape) and all(
                aa < max(ss, dd) for aa, ss, dd in zip(self.a, self.s, self.d, strict=True)
            )
        return all(
            dd * (kk - 1) + 1 <= ii + lo + hi
            for ii, kk, dd, (lo, hi) in zip(self.i, self.k, self.d, self.pads, strict=True)
        )

    @property
    def expected_shape(self) -> tuple[int, ...]:
        if self.transposed:
            return conv_transpose_shape(self.i, self.k, self.s, self.p, self.d, self.a)
        return conv_shape(self.i, self.k, self.s, self.pads, self.d)

    @property
    def lo(self) -> tuple[int, ...]:
        """Zeros drawn before the input on each axis (may be negative for a transposed conv)."""
        if self.transposed:
            return tuple(dd * (kk - 1) - p for kk, dd, p in zip(self.k, self.d, self.p, strict=True))
        return tuple(lo for lo, _ in self.pads)

    @property
    def expected_grid(self) -> tuple[int, ...]:
        if self.transposed:
            return tuple(
                (ii - 1) * ss + 1 + 2 * (dd * (kk - 1) - p) + aa
                for ii, kk, ss, dd, p, aa in zip(self.i, self.k, self.s, self.d, self.p, self.a, strict=True)
            )
        return tuple(ii + lo + hi for ii, (lo, hi) in zip(self.i, self.pads, strict=True))

    def axis_source(self, axis: int, cell: int):
        """Input index at drawn-grid position ``cell`` on one axis, or None."""
        q = cell - self.lo[axis]
        step = self.s[axis] if self.transposed else 1
        if q < 0 or q % step:
            return None
        q //= step
        return q if q < self.i[axis] else None

    def axis_kind(self, axis: int, cell: int) -> str:
        q = cell - self.lo[axis]
        step = self.s[axis] if self.transposed else 1
        if q < 0 or q > (self.i[axis] - 1) * step:
            return "padding"
        return "zero" if q % step else "input"

    def axis_read(self, axis: int) -> set[int]:
        """Input indices some output reads on one axis, from the defining formulas."""
        i, k, s, d = self.i[axis], self.k[axis], self.s[axis], self.d[axis]
        n_out = self.expected_shape[axis]
        if self.transposed:
            p = self.p[axis]
            return {n for n in range(i) if any(0 <= n * s - p + m * d < n_out for m in range(k))}
        lo = self.pads[axis][0]
        return {o * s + m * d - lo for o in range(n_out) for m in range(k)} & set(range(i))

    def expected_unread(self) -> list[tuple[int, ...]]:
        read = [self.axis_read(a) for a in range(self.ndim)]
        return [
            idx
            for idx in itertools.product(*(range(n) for n in self.i))
            if not all(c in r for c, r in zip(idx, read, strict=True))
        ]

    def reference(self, x: np.ndarray, w: np.ndarray) -> np.ndarray:
        if self.transposed:
            return conv_transpose(x, w, self.s, self.p, self.d, self.a)
        return conv(x, w, self.s, self.pads, self.d)


def _import_hypothesis():
    from hypothesis import strategies as st

    return st


def configs(ndim=None, transposed=None, paddings=None, limits=None):
    """Hypothesis strategy for `Config` (valid or not: filter with ``Config.valid``)."""
    st = _import_hypothesis()

    @st.composite
    def build(draw):
        n = draw(st.sampled_from([1, 2, 3])) if ndim is None else ndim
        lim = dict(LIMITS[n], **(limits or {}))
        tr = draw(st.booleans()) if transposed is None else transposed

        def axes(name, lo, hi):
            """A value as given to ConvSpec (scalar or tuple) and its per-axis tuple."""
            if draw(st.booleans()):
                v = draw(st.integers(lo, hi))
                return v, (v,) * n
            t = tuple(draw(st.integers(lo, hi)) for _ in range(n))
            return t, t

        i_given, i = axes("i", 1, lim["i"])
        k_given, k = axes("k", 1, lim["k"])
        s_given, s = axes("s", 1, lim["s"])
        d_given, d = axes("d", 1, lim["d"])
        kinds = paddings or (TRANSPOSED_PADDINGS if tr else CONV_PADDINGS)
        kind = draw(st.sampled_from(kinds))
        pmax = lim["p"]
        if kind == "int":
            padding = draw(st.integers(0, pmax))
        elif kind == "axes":
            padding = tuple(draw(st.integers(0, pmax)) for _ in range(n))
        elif kind == "pairs":
            padding = tuple((draw(st.integers(0, pmax)), draw(st.integers(0, pmax))) for _ in range(n))
        elif kind == "sym_pairs":
            padding = tuple((p, p) for p in (draw(st.integers(0, pmax)) for _ in range(n)))
        else:
            padding = kind
        kwargs = {"input_size": i_given, "kernel_size": k_given}
        if s_given != 1 or draw(st.booleans()):
            kwargs["stride"] = s_given
        if padding != 0 or draw(st.booleans()):
            kwargs["padding"] = padding
        if d_given != 1 or draw(st.booleans()):
            kwargs["dilation"] = d_given
        a = (0,) * n
        if tr:
            kwargs["transposed"] = True
            a = tuple(draw(st.integers(0, max(ss, dd) - 1)) for ss, dd in zip(s, d, strict=True))
            if len(set(a)) == 1 and draw(st.booleans()):
                kwargs["output_padding"] = a[0]
            elif any(a) or draw(st.booleans()):
                kwargs["output_padding"] = a
        if n != 2 and not any(isinstance(v, tuple) for v in kwargs.values()):
            kwargs["input_size"] = i  # bare ints mean 2-D: some tuple must give the number of axes
        return Config(kwargs, i, k, s, d, kind, padding, tr, a)

    return build()
