"""The convolution config (`ConvSpec`) and its arithmetic: output size, per-side pads, drawn grid.

Names and semantics follow PyTorch's ``torch.nn.Conv{1,2,3}d`` and
``torch.nn.ConvTranspose{1,2,3}d``. Everything here is plain Python: no numpy,
no drawing.

A transposed convolution is drawn, as in Dumoulin & Visin's guide, as the
direct convolution it equals: the input with ``stride - 1`` zeros inserted
between cells, a border of ``dilation*(kernel_size-1) - padding`` zeros on each
side, ``output_padding`` extra zeros at the end, and the kernel rotated 180°,
slid with stride 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from .axes import PerAxis
from .checks import is_int

__all__ = ["ConvSpec", "Axis", "PADDING_MODES"]

PADDING_MODES = ("valid", "same", "full", "causal")

IntOrTuple = int | tuple

_CHANNEL_DEFAULTS = {"in_channels": 1, "out_channels": 1, "groups": 1, "bias": False}


def _fmt(value) -> str:
    """Format a value the way it would be typed in Python (strings quoted)."""
    return repr(value)


def _dims(values) -> str:
    return "x".join(str(v) for v in values)


_is_int = is_int  # Python and numpy integers; not bools, floats or strings


def _check_int(name: str, value, given) -> int:
    if not _is_int(value):
        raise ValueError(f"{name} must be an integer, got {_fmt(given)}")
    return int(value)


def _as_tuple(name: str, value, ndim: int) -> tuple[int, ...]:
    """Broadcast an int to ``ndim`` axes, or check a tuple's entries."""
    if isinstance(value, (tuple, list)):
        return tuple(_check_int(name, v, value) for v in value)
    return (_check_int(name, value, value),) * ndim


def _axes_of(value) -> int | None:
    """How many axes a size-like argument names (None for a bare scalar)."""
    return len(value) if isinstance(value, (tuple, list)) else None


def _padding_axes(padding) -> int | None:
    if isinstance(padding, (tuple, list)):
        return len(padding)
    return None


def _is_causal(padding) -> bool:
    return isinstance(padding, str) and padding.lower() == "causal"


def _check_causal(ndim: int, transposed: bool) -> None:
    """padding='causal' pads the start of a 1-D sequence; anything else is refused in one sentence."""
    if ndim != 1:
        raise ValueError(f"padding='causal' is for 1-D convolutions (a sequence), got {ndim} axes")
    if transposed:
        raise ValueError("padding='causal' is not supported with transposed=True; give the padding as numbers")


@dataclass(frozen=True)
class Axis:
    """The arithmetic of one spatial axis, in plain integers.

    ``lo`` and ``hi`` are the zeros drawn before and after the input on this
    axis (for a transposed convolution: the border around the zero-inserted
    input, ``hi`` including ``output_padding``; either may be negative, which
    crops). ``step`` is the distance between input cells in the drawn grid
    (``stride`` for a transposed convolution, else 1) and ``window_stride`` the
    distance between consecutive kernel positions (1 for a transposed
    convolution, else ``stride``).
    """

    input_size: int
    kernel_size: int
    stride: int
    dilation: int
    lo: int
    hi: int
    transposed: bool

    @property
    def extent(self) -> int:
        """Cells spanned by the (dilated) kernel: ``d*(k-1) + 1``."""
        return self.dilation * (self.kernel_size - 1) + 1

    @property
    def step(self) -> int:
        return self.stride if self.transposed else 1

    @property
    def window_stride(self) -> int:
        return 1 if self.transposed else self.stride

    @property
    def grid_size(self) -> int:
        """Cells of the drawn grid on this axis."""
        return (self.input_size - 1) * self.step + 1 + self.lo + self.hi

    @property
    def output_size(self) -> int:
        return (self.grid_size - self.extent) // self.window_stride + 1

    def source(self, cell: int) -> int | None:
        """Input index drawn at grid position ``cell``, or None for a zero."""
        q = cell - self.lo
        if q < 0 or q % self.step:
            return None
        q //= self.step
        return q if q < self.input_size else None

    def kind(self, cell: int) -> str:
        """``'input'``, ``'padding'`` (border or output_padding) or ``'zero'`` (inserted)."""
        q = cell - self.lo
        if q < 0 or q > (self.input_size - 1) * self.step:
            return "padding"
        return "zero" if q % self.step else "input"

    def window(self, out: int) -> list[tuple[int, int]]:
        """(kernel index, grid cell) of every tap for output position ``out``.

        The kernel index is the one PyTorch's weight uses: for a transposed
        convolution the window reads the kernel rotated 180°.
        """
        start = out * self.window_stride
        k = self.kernel_size
        return [
            ((k - 1 - j) if self.transposed else j, start + j * self.dilation)
            for j in range(k)
        ]

    def unread(self) -> list[int]:
        """Input indices on this axis that no kernel position ever reads."""
        read = {
            cell
            for o in range(self.output_size)
            for _, cell in self.window(o)
        }
        sources = {self.source(c) for c in read}
        return [i for i in range(self.input_size) if i not in sources]


@dataclass(frozen=True)
class ConvSpec(PerAxis):
    """One convolution, with PyTorch's parameter names.

    Bare ints mean 2-D; the number of axes otherwise comes from the tuples
    given (1 to 3), and scalars are broadcast to every axis.

    ``padding`` is an int, a per-axis tuple, per-side pairs per axis
    (``((top, bottom), (left, right))``), or one of ``'valid'``, ``'same'``
    (TensorFlow's rule, valid for any stride: the odd cell goes to the end) and
    ``'full'`` (``dilation*(kernel_size-1)`` on each side), and for 1-D only
    ``'causal'`` (``dilation*(kernel_size-1)`` on the left; bare ints then mean 1-D).

    ``in_channels``, ``out_channels``, ``groups`` and ``bias`` are those of
    PyTorch's layer: ``groups`` divides both channel counts, and output
    channel ``o`` reads the ``in_channels/groups`` input channels of its group
    (`weight_shape`, `parameters`, `macs`).

    ``transposed=True`` means ``torch.nn.ConvTranspose{1,2,3}d``:
    ``input_size`` is that layer's input, and ``output_padding`` (smaller than
    ``max(stride, dilation)``) is added at the end of each axis.

    Shape, per axis::

        conv:       o = floor((i + p_lo + p_hi - d*(k-1) - 1) / s) + 1
        transposed: o = (i - 1)*s - 2*p + d*(k-1) + output_padding + 1

    >>> ConvSpec(5, 3, stride=2, padding=1).output_shape
    (3, 3)
    >>> ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1).output_shape
    (6, 6)
    >>> ConvSpec((7,), 3, padding="same").pads
    ((1, 1),)
    """

    kind = "conv"  # `convanim.axes.PerAxis.kind`: a class attribute, not a field

    input_size: IntOrTuple
    kernel_size: IntOrTuple
    stride: IntOrTuple = 1
    padding: IntOrTuple | str = 0
    dilation: IntOrTuple = 1
    transposed: bool = False
    output_padding: IntOrTuple = 0
    in_channels: int = 1
    out_channels: int = 1
    groups: int = 1
    bias: bool = False

    def __post_init__(self) -> None:
        # -- basic checks on arguments
        if not isinstance(self.transposed, bool):
            raise ValueError(f"transposed must be True or False, got {_fmt(self.transposed)}")
        self._check_channels()
        named = {
            "input_size": self.input_size,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "dilation": self.dilation,
            "output_padding": self.output_padding,
        }
        axes = {n: _axes_of(v) for n, v in named.items()}
        axes["padding"] = _padding_axes(self.padding)
        given = {n: a for n, a in axes.items() if a is not None}
        if len(set(given.values())) > 1:
            listed = " and ".join(
                f"{n}={_fmt(self._raw(n))} ({a} ax{'is' if a == 1 else 'es'})"
                for n, a in given.items()
            )
            raise ValueError(f"all sizes must have the same number of axes, got {listed}")
        # padding='causal' is 1-D only, so there bare ints mean 1-D
        ndim = next(iter(given.values()), 1 if _is_causal(self.padding) else 2)
        if not 1 <= ndim <= 3:
            name = next(iter(given))
            raise ValueError(f"{name} must have 1 to 3 axes, got {_fmt(self._raw(name))}")

        values = {n: _as_tuple(n, v, ndim) for n, v in named.items()}
        for name in ("input_size", "kernel_size", "stride", "dilation"):
            if min(values[name]) < 1:
                raise ValueError(f"{name} must be >= 1, got {_fmt(self._raw(name))}")
        if min(values["output_padding"]) < 0:
            raise ValueError(f"output_padding must be >= 0, got {_fmt(self.output_padding)}")
        padding = self._normalise_padding(ndim)
        for name, value in values.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "padding", padding)
        self._check_sizes()

    def _raw(self, name: str):
        return getattr(self, name)

    def __repr__(self) -> str:
        # The dataclass form, with the channel fields only where they differ from
        # their defaults (so a one-channel spec reads, and is stored, as before).
        names = [f.name for f in fields(self)]
        shown = [n for n in names if n not in _CHANNEL_DEFAULTS or getattr(self, n) != _CHANNEL_DEFAULTS[n]]
        return f"ConvSpec({', '.join(f'{n}={getattr(self, n)!r}' for n in shown)})"

    def _check_channels(self) -> None:
        for name in ("in_channels", "out_channels", "groups"):
            value = _check_int(name, getattr(self, name), getattr(self, name))
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
            object.__setattr__(self, name, value)
        if not isinstance(self.bias, bool):
            raise ValueError(f"bias must be True or False, got {_fmt(self.bias)}")
        for name in ("in_channels", "out_channels"):
            if getattr(self, name) % self.groups:
                raise ValueError(f"groups={self.groups} must divide {name}={getattr(self, name)}")

    def _normalise_padding(self, ndim: int):
        padding = self.padding
        if isinstance(padding, str):
            mode = padding.lower()
            if mode not in PADDING_MODES:
                raise ValueError(
                    "padding must be an int, a tuple, or one of 'valid', 'same', 'full', 'causal', "
                    f"got {_fmt(padding)}"
                )
            if mode == "causal":
                _check_causal(ndim, self.transposed)
            if self.transposed and mode == "same":
                raise ValueError(
                    "padding='same' is not supported with transposed=True; give the padding as numbers"
                )
            return mode
        if isinstance(padding, (tuple, list)):
            entries = []
            for entry in padding:
                if isinstance(entry, (tuple, list)):
                    if len(entry) != 2:
                        raise ValueError(
                            f"padding per side must be (before, after) pairs, got {_fmt(padding)}"
                        )
                    pair = tuple(_check_int("padding", v, padding) for v in entry)
                    entries.append(pair[0] if pair[0] == pair[1] else pair)
                else:
                    entries.append(_check_int("padding", entry, padding))
            flat = [v for e in entries for v in (e if isinstance(e, tuple) else (e,))]
            if min(flat) < 0:
                raise ValueError(f"padding must be >= 0, got {_fmt(padding)}")
            if any(isinstance(e, tuple) for e in entries):
                if self.transposed:
                    raise ValueError(
                        "padding must be the same on both sides with transposed=True "
                        f"(PyTorch's ConvTranspose pads both ends equally), got {_fmt(padding)}"
                    )
                return tuple(e if isinstance(e, tuple) else (e, e) for e in entries)
            return tuple(entries)
        value = _check_int("padding", padding, padding)
        if value < 0:
            raise ValueError(f"padding must be >= 0, got {value}")
        return (value,) * ndim

    def _check_sizes(self) -> None:
        if not self.transposed and any(self.output_padding):
            raise ValueError(
                f"output_padding is only used with transposed=True, got output_padding={_fmt(self.output_padding)}"
            )
        if self.transposed:
            limits = tuple(max(s, d) for s, d in zip(self.stride, self.dilation))
            if any(a >= m for a, m in zip(self.output_padding, limits)):
                raise ValueError(
                    "output_padding must be smaller than max(stride, dilation) on every axis, "
                    f"got output_padding={_fmt(self.output_padding)} with stride={_fmt(self.stride)} "
                    f"and dilation={_fmt(self.dilation)}"
                )
            for n, ax in enumerate(self.axes):
                if ax.output_size < 1:
                    i, k, s, d = ax.input_size, ax.kernel_size, ax.stride, ax.dilation
                    p, a = self.pads[n][0], self.output_padding[n]
                    raise ValueError(
                        f"padding={_fmt(self.padding)} leaves the transposed output empty on axis {n}: "
                        f"({i}-1)*{s} - 2*{p} + {d}*({k}-1) + {a} + 1 = {ax.output_size}"
                    )
            return
        axes = self.axes
        padded = [ax.grid_size for ax in axes]
        extents = [ax.extent for ax in axes]
        if any(e > g for e, g in zip(extents, padded)):
            dilated = f" with dilation={_fmt(self.dilation)}" if any(d > 1 for d in self.dilation) else ""
            raise ValueError(
                f"kernel_size={_fmt(self.kernel_size)}{dilated} spans {_dims(extents)} cells "
                f"but the padded input is {_dims(padded)}"
            )

    # -- derived values -----------------------------------------------------

    @property
    def pads(self) -> tuple[tuple[int, int], ...]:
        """Zeros added (before, after) on each axis, as PyTorch pads the input.

        For a transposed convolution this is PyTorch's ``padding`` (which
        crops the output); the drawn border is in `border`.
        """
        mode = self.padding
        if mode == "valid":
            return ((0, 0),) * self.ndim
        if mode == "full":
            return tuple((d * (k - 1),) * 2 for k, d in zip(self.kernel_size, self.dilation))
        if mode == "causal":  # every zero on the left: output t sees inputs up to t only
            return ((self.dilation[0] * (self.kernel_size[0] - 1), 0),)
        if mode == "same":
            pads = []
            for i, k, s, d in zip(self.input_size, self.kernel_size, self.stride, self.dilation):
                total = max((math.ceil(i / s) - 1) * s + d * (k - 1) + 1 - i, 0)
                pads.append((total // 2, total - total // 2))
            return tuple(pads)
        return tuple(p if isinstance(p, tuple) else (p, p) for p in mode)

    @property
    def border(self) -> tuple[tuple[int, int], ...]:
        """Zeros drawn (before, after) around the input on each axis.

        Equal to `pads` for a direct convolution; for a transposed one
        ``d*(k-1) - p`` on each side plus ``output_padding`` after.
        """
        if not self.transposed:
            return self.pads
        return tuple(
            (d * (k - 1) - p, d * (k - 1) - p + a)
            for (p, _), k, d, a in zip(self.pads, self.kernel_size, self.dilation, self.output_padding)
        )

    @property
    def axes(self) -> tuple[Axis, ...]:
        return tuple(
            Axis(i, k, s, d, lo, hi, self.transposed)
            for i, k, s, d, (lo, hi) in zip(
                self.input_size, self.kernel_size, self.stride, self.dilation, self.border
            )
        )

    @property
    def leftover(self) -> tuple[int, ...]:
        """Cells past the last kernel position on each axis (never reached at the end)."""
        return tuple(
            (ax.grid_size - ax.extent) % ax.window_stride for ax in self.axes
        )

    # -- channels -----------------------------------------------------------

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """PyTorch's weight shape: ``(C_out, C_in/groups, *k)``, transposed ``(C_in, C_out/groups, *k)``."""
        if self.transposed:
            return (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        return (self.out_channels, self.in_channels // self.groups, *self.kernel_size)

    @property
    def parameters(self) -> int:
        """Learned numbers: the weight's elements plus ``out_channels`` biases when ``bias``."""
        return math.prod(self.weight_shape) + (self.out_channels if self.bias else 0)

    @property
    def macs(self) -> int:
        """Multiply-adds for one input (bias additions not counted).

        A convolution: output cells x ``C_out`` x ``C_in/groups`` x kernel
        cells. A transposed one counts the real multiplications (no inserted
        zeros): input cells x ``C_in`` x ``C_out/groups`` x kernel cells.
        """
        kernel = math.prod(self.kernel_size)
        if self.transposed:
            return math.prod(self.input_size) * self.in_channels * (self.out_channels // self.groups) * kernel
        return math.prod(self.output_shape) * self.out_channels * (self.in_channels // self.groups) * kernel

    @property
    def depthwise(self) -> bool:
        """``groups == in_channels``: every input channel has its own filters (PyTorch's depthwise)."""
        return self.groups == self.in_channels

    @property
    def pointwise(self) -> bool:
        """Every kernel size is 1 (a 1x1 convolution mixes channels only)."""
        return all(k == 1 for k in self.kernel_size)

    @property
    def multichannel(self) -> bool:
        """True when the spec has more than one channel, groups or a bias (anything beyond one map)."""
        return any(getattr(self, n) != d for n, d in _CHANNEL_DEFAULTS.items())
