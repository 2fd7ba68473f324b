"""Pooling (`PoolSpec`): PyTorch's ``MaxPool{1,2,3}d`` and ``AvgPool{1,2,3}d``, its arithmetic and its numbers.

The spec is plain Python, like `ConvSpec`. Per axis, with PyTorch's rules::

    o = floor((i + 2p - d*(k-1) - 1) / s) + 1          (ceil_mode=False)
    o = ceil((i + 2p - d*(k-1) - 1) / s) + 1           (ceil_mode=True), minus 1
        when that last window would start in the right padding: (o-1)*s >= i + p

``stride`` defaults to ``kernel_size``; ``padding`` is at most ``kernel_size // 2``
(PyTorch checks the kernel size, not the dilated extent); ``dilation`` is for
max pooling only. Max pooling pads with -inf (padding never wins); average
pooling divides by the window clipped to the padded input
(``count_include_pad=True``) or to the input itself (``False``).

With ``ceil_mode`` the last window may run past the padded input: the drawn
grid (`PoolSpec.grid_shape`) is the padded input extended to cover it, and
those cells are of kind ``'beyond'``.

>>> spec = PoolSpec("max", 6, 3, stride=2, ceil_mode=True)
>>> spec.output_shape, spec.grid_shape
((3, 3), (7, 7))
>>> spec.pytorch_layer
'torch.nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .axes import PerAxis
from .checks import is_int
from .schedule import schedule
from .spec import _as_tuple, _axes_of, _fmt
from .values_file import stored_arrays

__all__ = ["PoolSpec", "PoolAxis", "POOL_MODES", "pool_schedule", "pool_evaluate", "pool_argmax",
           "make_pool_values"]

POOL_MODES = ("max", "avg")


def _py(values) -> str:
    """A tuple as PyTorch would accept it: the bare int when every axis agrees."""
    values = tuple(values)
    return str(values[0]) if len(set(values)) == 1 else str(values)


def _step(run: tuple[int, int, int, int]) -> int | None:
    """The divisor's change from one window to the next within ``run`` (None for a single window)."""
    a, z, first, last = run
    return None if z == a else (last - first) // (z - a)


def _continues(left: tuple[int, int, int, int], right: tuple[int, int, int, int]) -> bool:
    """Whether ``right`` carries on ``left``'s progression (same step, across the join too)."""
    join = right[2] - left[3]
    return {st for st in (_step(left), _step(right)) if st is not None} <= {join}


@dataclass(frozen=True)
class PoolAxis:
    """The arithmetic of one axis of a pooling, in plain integers.

    Grid cells count from the first left padding cell: cell ``c`` holds input
    index ``c - padding`` when that is inside the input.
    """

    input_size: int
    kernel_size: int
    stride: int
    padding: int
    dilation: int
    ceil_mode: bool

    @property
    def extent(self) -> int:
        """Cells spanned by the (dilated) window: ``d*(k-1) + 1``."""
        return self.dilation * (self.kernel_size - 1) + 1

    @property
    def padded_size(self) -> int:
        return self.input_size + 2 * self.padding

    @property
    def floor_output_size(self) -> int:
        """The output size without ``ceil_mode`` (may be < 1 for a too small input)."""
        return (self.padded_size - self.extent) // self.stride + 1

    @property
    def output_size(self) -> int:
        """PyTorch's ``pooling_output_shape`` (may be < 1 for a too small input)."""
        span = self.padded_size - self.extent
        if not self.ceil_mode:
            return span // self.stride + 1
        o = -(-span // self.stride) + 1
        if (o - 1) * self.stride >= self.input_size + self.padding:
            o -= 1  # that window would start in the right padding
        return o

    @property
    def grid_size(self) -> int:
        """Cells drawn: the padded input, extended to the end of a ceil_mode window that runs past it."""
        return max(self.padded_size, (self.output_size - 1) * self.stride + self.extent)

    @property
    def beyond(self) -> int:
        """Cells past the padded input that a ceil_mode window covers."""
        return self.grid_size - self.padded_size

    # The names `convanim.schedule`'s unread-cell helpers read on a `convanim.spec.Axis`.
    transposed = False
    step = 1  # grid cells between input cells

    @property
    def lo(self) -> int:
        """Grid cells before the first input cell."""
        return self.padding

    @property
    def window_stride(self) -> int:
        return self.stride

    def source(self, cell: int) -> int | None:
        """Input index at grid ``cell``, or None for padding and cells beyond."""
        q = cell - self.padding
        return q if 0 <= q < self.input_size else None

    def kind(self, cell: int) -> str:
        """``'input'``, ``'padding'`` or ``'beyond'`` (past the padded input, ceil_mode only)."""
        if cell >= self.padded_size:
            return "beyond"
        return "input" if self.source(cell) is not None else "padding"

    def window(self, out: int) -> list[tuple[int, int]]:
        """(offset in the window, grid cell) of every tap for output position ``out``."""
        start = out * self.stride
        return [(j, start + j * self.dilation) for j in range(self.kernel_size)]

    def reads_input(self, out: int) -> bool:
        """Whether window ``out`` has a tap on an input cell (closed form: its first tap at or after the input)."""
        start = out * self.stride
        first = max(0, -(-(self.padding - start) // self.dilation))
        return first < self.kernel_size and start + first * self.dilation < self.padding + self.input_size

    def blind_window(self) -> int | None:
        """The first window that reads no input cell (only padding), or None; instant for any size.

        A window starting inside the input reads its first cell, and no kept
        window starts past the input (ceil_mode drops those), so only windows
        starting in the left padding can be blind; and only when the dilation
        exceeds the input (else a tap lands inside), which leaves at most one
        such window (``padding <= kernel_size // 2``).
        """
        if self.dilation <= self.input_size:
            return None
        left = min(self.output_size, -(-self.padding // self.stride))  # windows starting in the left padding
        return next((o for o in range(left) if not self.reads_input(o)), None)

    def divisor_runs(self, count_include_pad: bool) -> list[tuple[int, int, int, int]]:
        """Average pooling's divisors along this axis as runs ``(first window, last window, first divisor,
        last divisor)``, the divisor changing by the same step from window to window within a run.

        Closed form: the divisor is piecewise linear in the window index, with
        breaks where a window stops starting in the left padding or starts
        reaching past the input or the padded input. At most five runs.
        """
        n, s, p, k, i = self.output_size, self.stride, self.padding, self.kernel_size, self.input_size
        breaks = {0, n, -(-p // s), (i + p - k) // s + 1, (i + 2 * p - k) // s + 1}
        points = sorted(min(max(b, 0), n) for b in breaks)
        runs: list[tuple[int, int, int, int]] = []
        for a, b in zip(points, points[1:]):
            if a == b:
                continue
            run = (a, b - 1, self.divisor(a, count_include_pad), self.divisor(b - 1, count_include_pad))
            if runs and _continues(runs[-1], run):
                first = runs.pop()
                run = (first[0], run[1], first[2], run[3])
            runs.append(run)
        return runs

    def unread(self) -> list[int]:
        """Input indices on this axis that no window reads (a stride or dilation larger than the window skips)."""
        read = {self.source(c) for o in range(self.output_size) for _, c in self.window(o)}
        return [i for i in range(self.input_size) if i not in read]

    def divisor(self, out: int, count_include_pad: bool) -> int:
        """Average pooling's divisor on this axis: the window clipped to the padded input, or to the input."""
        start = out * self.stride - self.padding
        end = min(start + self.kernel_size, self.input_size + self.padding)
        if count_include_pad:
            return end - start
        return min(end, self.input_size) - max(start, 0)


@dataclass(frozen=True)
class PoolSpec(PerAxis):
    """One pooling layer, with PyTorch's parameter names.

    ``mode`` is ``'max'`` (``torch.nn.MaxPool{1,2,3}d``) or ``'avg'``
    (``torch.nn.AvgPool{1,2,3}d``). Bare ints mean 2-D; tuples give the number
    of axes (1 to 3). ``channels`` is the number of planes pooled (each alone).
    After construction every size is a tuple, ``stride`` included.
    """

    kind = "pool"  # `convanim.axes.PerAxis.kind`: a class attribute, not a field

    mode: str
    input_size: int | tuple
    kernel_size: int | tuple
    stride: int | tuple | None = None
    padding: int | tuple = 0
    dilation: int | tuple = 1
    ceil_mode: bool = False
    count_include_pad: bool = True
    channels: int = 1

    def __post_init__(self) -> None:
        if self.mode not in POOL_MODES:
            raise ValueError(f"mode must be 'max' or 'avg', got {_fmt(self.mode)}")
        for name in ("ceil_mode", "count_include_pad"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {_fmt(getattr(self, name))}")
        if self.mode == "max" and not self.count_include_pad:
            raise ValueError("count_include_pad is for mode='avg' only (max pooling never counts), "
                             "got count_include_pad=False with mode='max'")
        channels = self.channels
        if not is_int(channels) or channels < 1:
            raise ValueError(f"channels must be an integer >= 1, got {_fmt(channels)}")
        object.__setattr__(self, "channels", int(channels))
        stride = self.kernel_size if self.stride is None else self.stride
        named = {
            "input_size": self.input_size,
            "kernel_size": self.kernel_size,
            "stride": stride,
            "padding": self.padding,
            "dilation": self.dilation,
        }
        given = {n: a for n, v in named.items() if (a := _axes_of(v)) is not None}
        if len(set(given.values())) > 1:
            listed = " and ".join(
                f"{n}={_fmt(named[n])} ({a} ax{'is' if a == 1 else 'es'})" for n, a in given.items()
            )
            raise ValueError(f"all sizes must have the same number of axes, got {listed}")
        ndim = next(iter(given.values()), 2)
        if not 1 <= ndim <= 3:
            name = next(iter(given))
            raise ValueError(f"{name} must have 1 to 3 axes, got {_fmt(named[name])}")
        values = {n: _as_tuple(n, v, ndim) for n, v in named.items()}
        for name in ("input_size", "kernel_size", "stride", "dilation"):
            if min(values[name]) < 1:
                raise ValueError(f"{name} must be >= 1, got {_fmt(named[name])}")
        if min(values["padding"]) < 0:
            raise ValueError(f"padding must be >= 0, got {_fmt(self.padding)}")
        if any(p > k // 2 for p, k in zip(values["padding"], values["kernel_size"])):
            raise ValueError(
                "padding must be at most half the kernel size (padding <= kernel_size // 2, as PyTorch checks), "
                f"got padding={_fmt(self.padding)} with kernel_size={_fmt(self.kernel_size)}"
            )
        if self.mode == "avg" and any(d != 1 for d in values["dilation"]):
            raise ValueError(
                f"dilation is for mode='max' only (PyTorch's AvgPool has none), got dilation={_fmt(self.dilation)}"
            )
        if self.mode == "avg" and ndim == 3 and any(i < k for i, k in zip(values["input_size"], values["kernel_size"])):
            raise ValueError(
                "a 3-D average pooling needs input_size >= kernel_size on every axis (AvgPool3d checks the input "
                f"before padding), got input_size={_fmt(self.input_size)} with kernel_size={_fmt(self.kernel_size)}"
            )
        for name, value in values.items():
            object.__setattr__(self, name, value)
        self._check_sizes()

    def _check_sizes(self) -> None:
        for n, ax in enumerate(self.axes):
            if ax.output_size < 1:
                i, k, s, p, d = ax.input_size, ax.kernel_size, ax.stride, ax.padding, ax.dilation
                kern = f"{k}" if d == 1 else f"{d}*({k}-1) + 1"
                rounding = "ceil" if self.ceil_mode else "floor"
                raise ValueError(
                    f"input_size={_fmt(self.input_size)} is too small for kernel_size={_fmt(self.kernel_size)}"
                    f"{'' if d == 1 else f' with dilation={_fmt(self.dilation)}'} on axis {n}: "
                    f"o = {rounding}(({i} + 2*{p} - {kern}) / {s}) + 1 = {ax.output_size}"
                )
            o = ax.blind_window()
            if o is not None:
                raise ValueError(
                    f"dilation={_fmt(self.dilation)} with padding={_fmt(self.padding)} gives a window that "
                    f"reads no input cell on axis {n} (window {o} sees only padding; PyTorch returns -inf "
                    "and an index outside the input there)"
                )

    # -- derived values -----------------------------------------------------

    @property
    def transposed(self) -> bool:
        """Always False (for code written for `ConvSpec`)."""
        return False

    @property
    def axes(self) -> tuple[PoolAxis, ...]:
        return tuple(
            PoolAxis(i, k, s, p, d, self.ceil_mode)
            for i, k, s, p, d in zip(self.input_size, self.kernel_size, self.stride, self.padding, self.dilation)
        )

    @property
    def pads(self) -> tuple[tuple[int, int], ...]:
        """Padding cells (before, after) on each axis (pooling pads both ends equally)."""
        return tuple((p, p) for p in self.padding)

    @property
    def padded_shape(self) -> tuple[int, ...]:
        return tuple(ax.padded_size for ax in self.axes)

    @property
    def beyond(self) -> tuple[int, ...]:
        """Cells past the padded input covered by a ceil_mode window, per axis (0 when none)."""
        return tuple(ax.beyond for ax in self.axes)

    @property
    def ceil_windows(self) -> tuple[int, ...]:
        """Windows per axis that ceil_mode adds to floor's count."""
        return tuple(ax.output_size - ax.floor_output_size for ax in self.axes)

    def windows(self, axis: int) -> list[list[tuple[int, int]]]:
        """(offset, grid cell) of each tap, for every window position along ``axis``."""
        ax = self.axes[axis]
        return [ax.window(o) for o in range(ax.output_size)]

    def divisor_runs(self, axis: int) -> list[tuple[int, int, int, int]]:
        """Average pooling's divisors along ``axis`` as runs (`PoolAxis.divisor_runs`); instant for any size."""
        return self.axes[axis].divisor_runs(self.count_include_pad)

    def divisor(self, out: tuple[int, ...]) -> int:
        """Average pooling's divisor for output cell ``out`` (PyTorch's, without divisor_override)."""
        return math.prod(ax.divisor(o, self.count_include_pad) for ax, o in zip(self.axes, out))

    @property
    def pytorch_layer(self) -> str:
        """The equivalent PyTorch module, as Python source (arguments left at their defaults omitted)."""
        n = self.ndim
        args = [f"kernel_size={_py(self.kernel_size)}"]
        if self.stride != self.kernel_size:
            args.append(f"stride={_py(self.stride)}")
        if any(self.padding):
            args.append(f"padding={_py(self.padding)}")
        if any(d != 1 for d in self.dilation):
            args.append(f"dilation={_py(self.dilation)}")
        if self.ceil_mode:
            args.append("ceil_mode=True")
        if not self.count_include_pad:
            args.append("count_include_pad=False")
        kind = "MaxPool" if self.mode == "max" else "AvgPool"
        return f"torch.nn.{kind}{n}d({', '.join(args)})"


def pool_schedule(spec: PoolSpec):
    """One `Step` per output cell, row-major; each tap's ``kernel`` is its offset in the window.

    ``Tap.source`` is None for padding and for cells beyond the padded input.
    `convanim.schedule.schedule` walks any spec's axes: this is that schedule.
    """
    return schedule(spec)


def make_pool_values(spec: PoolSpec, mode: str = "random", seed: int = 0):
    """The input plane a pooling animation shows: ``'symbols'`` and ``'random'`` give integers from ``seed``
    (numbers, not symbols: a maximum needs them; 0-99 for max pooling, 0-9 for average pooling), a ``.npy``
    path the array it holds (shape ``input_size``)."""
    import numpy as np

    if mode in ("symbols", "random"):
        high = 100 if spec.mode == "max" else 10
        return np.random.default_rng(seed).integers(0, high, size=spec.input_size)
    from pathlib import Path

    if Path(mode).suffix != ".npy":
        raise ValueError(f"values of a pooling must be 'random' or a .npy file, got {mode!r}")
    stored = stored_arrays(mode)["input"]  # the header first: a file of the wrong shape is never read
    if stored.shape != spec.input_size:
        raise ValueError(f"values file {mode!r}: input must have shape {spec.input_size}, got {stored.shape}")
    if stored.dtype.kind not in "biuf":
        raise ValueError(f"values file {mode!r}: input must hold real numbers, got dtype {stored.dtype}")
    return stored.read()


def _check_input(spec: PoolSpec, x):
    import numpy as np

    if not isinstance(spec, PoolSpec):
        raise ValueError(f"spec must be a PoolSpec, got {type(spec).__name__}")
    x = np.asarray(x)
    expected = (spec.channels, *spec.input_size)
    if x.shape != expected:
        raise ValueError(f"x must have shape {expected} (channels, *input_size), got {x.shape}")
    if x.dtype.kind not in "biuf":
        raise ValueError(f"x must hold real numbers, got dtype {x.dtype}")
    return x.astype(np.float64)


def _max_pool(spec: PoolSpec, x):
    """(values, flat input indices) of max pooling, tap by tap in window order, as PyTorch's CPU kernel does."""
    import numpy as np

    x = _check_input(spec, x)
    channels = spec.channels
    plane = x.reshape(channels, -1)
    values = np.empty((channels, math.prod(spec.output_shape)))
    indices = np.empty((channels, math.prod(spec.output_shape)), dtype=np.int64)
    for step in pool_schedule(spec):
        flats = [int(np.ravel_multi_index(t.source, spec.input_size)) for t in step.taps if t.source is not None]
        best = np.full(channels, -np.inf)
        where = np.full(channels, flats[0], dtype=np.int64)  # an all -inf window points at its first input cell
        for flat in flats:
            v = plane[:, flat]
            wins = (v > best) | np.isnan(v)  # ties keep the first; a NaN always wins (so the last NaN does)
            best = np.where(wins, v, best)
            where = np.where(wins, flat, where)
        values[:, step.index] = best
        indices[:, step.index] = where
    shape = (channels, *spec.output_shape)
    return values.reshape(shape), indices.reshape(shape)


def pool_evaluate(spec: PoolSpec, x):
    """The pooled output, ``(C, *spec.output_shape)`` float64, computed from the schedule's taps.

    ``x`` has shape ``(spec.channels, *spec.input_size)``, PyTorch's unbatched
    layout. Max pooling ignores padding (PyTorch pads with -inf); average
    pooling sums the taps on input cells and divides by `PoolSpec.divisor`.
    """
    import numpy as np

    if isinstance(spec, PoolSpec) and spec.mode == "max":
        return _max_pool(spec, x)[0]
    x = _check_input(spec, x)
    plane = x.reshape(spec.channels, -1)
    out = np.empty((spec.channels, math.prod(spec.output_shape)))
    for step in pool_schedule(spec):
        total = np.zeros(spec.channels)
        for t in step.taps:
            if t.source is not None:
                total = total + plane[:, int(np.ravel_multi_index(t.source, spec.input_size))]
        out[:, step.index] = total / spec.divisor(step.out)
    return out.reshape(spec.channels, *spec.output_shape)


def pool_argmax(spec: PoolSpec, x):
    """PyTorch's ``return_indices`` for max pooling: the flat index into each input plane of every window's winner.

    Ties go to the first cell in window order (row-major); a NaN wins over
    any number, and the last NaN over earlier ones, as in PyTorch.
    """
    if isinstance(spec, PoolSpec) and spec.mode != "max":
        raise ValueError(f"pool_argmax needs mode='max', got mode={_fmt(spec.mode)}")
    return _max_pool(spec, x)[1]
