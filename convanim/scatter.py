"""A transposed convolution as frameworks compute it: every input cell scatters ``x[j] * w`` into the output.

``torch.nn.functional.conv_transpose*d`` does not insert zeros: input cell
``j`` multiplies the whole kernel (not rotated) and adds the product into the
output window starting at ``j*stride``, the taps ``dilation`` apart. The sum of
all these windows is the *scattered region*, ``(i-1)*s + d*(k-1) + 1`` cells
per axis plus ``output_padding`` zeros at the end; PyTorch returns the part of
it from ``padding`` to ``padding + o`` (the *kept* output) and drops
``padding`` cells at each end.

Everything here is plain Python and numpy: the scatter schedule
(`scatter_schedule`, one `ScatterStep` per input cell), the result it gives
(`scatter`), and the overlap counts (how many input cells feed each output
cell; `overlap_counts`, `overlap_summary`, `uneven_sentence`), whose
unevenness when ``kernel_size`` is not a multiple of ``stride`` is the
checkerboard of transposed convolutions. `causal_text` words the causal
padding of a 1-D convolution.

>>> from convanim import ConvSpec
>>> spec = ConvSpec((3,), 3, stride=2, padding=1, transposed=True)
>>> region_shape(spec), kept_slices(spec)
((7,), ((1, 6),))
>>> step = scatter_schedule(spec)[1]
>>> step.source, [(w.kernel, w.cell, w.out) for w in step.writes]
((1,), [((0,), (2,), (1,)), ((1,), (3,), (2,)), ((2,), (4,), (3,))])
>>> axis_counts(spec, 0).tolist()
[1, 2, 1, 2, 1]
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .spec import ConvSpec

__all__ = [
    "Write", "ScatterStep", "scatter_schedule", "scatter", "region_shape", "kept_slices", "finish_steps",
    "axis_counts", "overlap_counts", "overlap_summary", "uneven_sentence", "causal_text", "overlap_text",
]

#: Output cells per axis up to which the counts are listed in full (beyond: a summary).
LIST_LIMIT = 64
#: Cells (``o * k`` per axis) up to which the counts are computed cell by cell.
_EXACT_LIMIT = 1 << 22
#: Strides up to which the period of the pattern is computed.
_PERIOD_LIMIT = 1 << 16
_AXIS_NAMES = {1: ("width",), 2: ("height", "width"), 3: ("depth", "height", "width")}


@dataclass(frozen=True)
class Write:
    """One kernel tap's product ``x[source] * w[kernel]`` added into the scattered region.

    ``cell`` indexes the scattered region (`region_shape`), ``out`` the kept
    output PyTorch returns, or is None where the padding crops the cell.
    """

    kernel: tuple[int, ...]
    cell: tuple[int, ...]
    out: tuple[int, ...] | None


@dataclass(frozen=True)
class ScatterStep:
    """Input cell ``source`` (the ``index``-th in row-major order) and the writes of its product with the kernel."""

    index: int
    source: tuple[int, ...]
    writes: tuple[Write, ...]

    @property
    def footprint(self) -> tuple[tuple[int, int], ...]:
        """(first, last) cell of the scattered region it writes on each axis, inclusive."""
        return tuple(zip(self.writes[0].cell, self.writes[-1].cell))


def _need_transposed(spec: ConvSpec) -> None:
    if not isinstance(spec, ConvSpec):
        raise ValueError(f"spec must be a ConvSpec, got {type(spec).__name__}")
    if not spec.transposed:
        raise ValueError("the scatter and overlap views draw transposed convolutions: add transposed=True "
                         "(--transposed)")


#: Cells per axis of the scattered region (and of the zero-inserted grid) these views draw at most.
MAX_CELLS = 64


def check_drawable(spec, view: str) -> ConvSpec:
    """ValueError (one sentence) unless ``view`` (a view of transposed convolutions: scatter, both, overlap;
    `convanim.views`) can draw ``spec``."""
    if not isinstance(spec, ConvSpec):
        raise ValueError(f"spec must be a ConvSpec, got {type(spec).__name__}")
    if not spec.transposed:
        raise ValueError(f"the {view} view draws transposed convolutions: add --transposed (transposed=True)")
    if spec.ndim not in (1, 2):
        raise ValueError(f"the {view} view draws 1-D and 2-D transposed convolutions, got {spec.ndim} axes")
    region = region_shape(spec)
    if max(region) > MAX_CELLS or max(spec.grid_shape) > MAX_CELLS:
        drawn = "x".join(str(max(r, g)) for r, g in zip(region, spec.grid_shape))
        raise ValueError(f"the {view} view draws at most {MAX_CELLS} cells per axis, got {drawn}")
    return spec


def region_shape(spec: ConvSpec) -> tuple[int, ...]:
    """Cells of the scattered region per axis: ``(i-1)*s + d*(k-1) + 1 + output_padding``."""
    _need_transposed(spec)
    return tuple(
        (i - 1) * s + d * (k - 1) + 1 + a
        for i, k, s, d, a in zip(spec.input_size, spec.kernel_size, spec.stride, spec.dilation, spec.output_padding)
    )


def kept_slices(spec: ConvSpec) -> tuple[tuple[int, int], ...]:
    """(start, stop) of the kept output in the scattered region on each axis: ``(p, p + o)``."""
    _need_transposed(spec)
    return tuple((p, p + o) for (p, _), o in zip(spec.pads, spec.output_shape))


def scatter_schedule(spec: ConvSpec) -> list[ScatterStep]:
    """One `ScatterStep` per input cell of the transposed ``spec``, row-major; its writes row-major by tap.

    Input cell ``j`` and kernel tap ``t`` land on cell ``j*s + t*d`` of the
    scattered region, which is output cell ``j*s + t*d - p`` when that lies in
    ``[0, o)``. ``out[w.out] += x[step.source] * w[w.kernel]`` over every
    write with ``w.out`` not None gives ``torch.nn.functional.conv_transpose*d``.
    """
    _need_transposed(spec)
    kept = kept_slices(spec)
    taps = list(itertools.product(*(range(k) for k in spec.kernel_size)))
    steps = []
    for index, source in enumerate(itertools.product(*(range(i) for i in spec.input_size))):
        writes = []
        for kernel in taps:
            cell = tuple(j * s + t * d for j, t, s, d in zip(source, kernel, spec.stride, spec.dilation))
            inside = all(lo <= c < hi for c, (lo, hi) in zip(cell, kept))
            out = tuple(c - lo for c, (lo, _) in zip(cell, kept)) if inside else None
            writes.append(Write(kernel, cell, out))
        steps.append(ScatterStep(index, source, tuple(writes)))
    return steps


def scatter(spec: ConvSpec, x, w, *, upto: int | None = None, region: bool = False) -> np.ndarray:
    """The sum of the scattered products of the first ``upto`` input cells (all by default).

    The kept output (equal to ``conv_transpose*d`` when every cell is in), or
    with ``region=True`` the whole scattered region.
    """
    x, w = np.asarray(x), np.asarray(w)
    full = np.zeros(region_shape(spec), dtype=np.result_type(x, w))
    for step in scatter_schedule(spec)[:upto]:
        for wr in step.writes:
            full[wr.cell] += x[step.source] * w[wr.kernel]
    if region:
        return full
    return full[tuple(slice(lo, hi) for lo, hi in kept_slices(spec))]


def _last_source(spec: ConvSpec, axis: int) -> np.ndarray:
    """Per kept output position on ``axis``: the largest input index feeding it, or -1."""
    i, k, s, d = spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis]
    p, o = spec.pads[axis][0], spec.output_shape[axis]
    q = np.arange(o)[:, None] + p - np.arange(k)[None, :] * d  # j*s for each tap
    ok = (q >= 0) & (q % s == 0) & (q // s < i)
    return np.where(ok, q // s, -1).max(axis=1)


def finish_steps(spec: ConvSpec) -> np.ndarray:
    """Per kept output cell: the scatter step after which it holds its final value (-1: never written).

    The input cells feeding an output cell are a product of per-axis ranges,
    so the last of them in row-major order is the per-axis largest.
    """
    _need_transposed(spec)
    last = [_last_source(spec, a) for a in range(spec.ndim)]
    grids = np.meshgrid(*last, indexing="ij")
    index = np.ravel_multi_index(tuple(np.maximum(g, 0) for g in grids), spec.input_size)
    never = np.logical_or.reduce([g < 0 for g in grids])
    return np.where(never, -1, index)


def axis_counts(spec: ConvSpec, axis: int) -> np.ndarray:
    """How many input indices on ``axis`` feed each kept output position (needs ``o*k`` <= 4M)."""
    _need_transposed(spec)
    i, k, s, d = spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis]
    p, o = spec.pads[axis][0], spec.output_shape[axis]
    if o * k > _EXACT_LIMIT:
        raise ValueError(f"axis {axis} has {o} output cells and {k} taps: too many to count one by one")
    q = np.arange(o)[:, None] + p - np.arange(k)[None, :] * d
    return ((q >= 0) & (q % s == 0) & (q // s < i)).sum(axis=1)


def overlap_counts(spec: ConvSpec) -> np.ndarray:
    """How many input cells feed each kept output cell: the outer product of `axis_counts`.

    An input cell feeds an output cell through at most one tap (taps ``d``
    apart land on distinct cells), so this is also the number of products
    summed there: ``conv_transpose`` of an all-ones input with an all-ones kernel.
    """
    counts = [axis_counts(spec, a) for a in range(spec.ndim)]
    return math.prod(np.ix_(*counts)) if spec.ndim > 1 else counts[0]


def _residue_counts(k: int, s: int, d: int) -> np.ndarray:
    """Away from the edges: contributions to a cell whose position is ``r`` modulo ``s``, for r in range(s).

    Taps ``t*d`` modulo ``s`` run through the multiples of ``g = gcd(d, s)``,
    each once every ``m = s/g`` taps: a residue gets ``k // m`` taps, one more
    if it comes within the first ``k % m`` of the cycle, and none if it is not
    a multiple of ``g``.
    """
    g = math.gcd(d, s)
    m = s // g
    counts = np.zeros(s, dtype=np.int64)
    multiples = np.arange(0, s, g)
    first = (multiples // g) * pow(d // g, -1, m) % m if m > 1 else np.zeros_like(multiples)
    counts[multiples] = k // m + (first < k % m)
    return counts


def _period(pattern: np.ndarray) -> int:
    n = len(pattern)
    for p in range(1, n + 1):
        if n % p == 0 and np.array_equal(pattern, np.roll(pattern, -p)):
            return p
    return n


def _axis_summary(spec: ConvSpec, axis: int) -> dict:
    k, s, d = spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis]
    o = spec.output_shape[axis]
    g = math.gcd(d, s)
    uneven = g > 1 or k % s != 0
    info = {"axis": axis, "kernel_size": k, "stride": s, "dilation": d, "uneven": uneven}
    if s <= _PERIOD_LIMIT:
        pattern = _residue_counts(k, s, d)
        info["period"] = _period(pattern)
        info["interior"] = pattern[: info["period"]].tolist() if info["period"] <= LIST_LIMIT else None
        inner = (int(pattern.min()), int(pattern.max()))
    else:  # from the closed form alone
        m = s // g
        info["period"], info["interior"] = None, None
        inner = (0 if g > 1 else k // m, k // m + (k % m > 0))
    if o * k <= _EXACT_LIMIT:
        counts = axis_counts(spec, axis)
        info["min"], info["max"] = int(counts.min()), int(counts.max())
        info["counts"] = counts.tolist() if o <= LIST_LIMIT else None
    else:  # a long axis: cells within (k-1)*d + s of an end counted one by one, the rest follow the pattern
        i, p = spec.input_size[axis], spec.pads[axis][0]
        edge = min(o, (k - 1) * d + s + 1)
        if edge * k <= _EXACT_LIMIT:
            ends = np.concatenate([np.arange(edge), np.arange(o - edge, o)]) + p
            q = ends[:, None] - np.arange(k)[None, :] * d
            counts = ((q >= 0) & (q % s == 0) & (q // s < i)).sum(axis=1)
            info["min"], info["max"] = min(inner[0], int(counts.min())), max(inner[1], int(counts.max()))
        else:
            info["min"], info["max"] = inner
        info["counts"] = None
    info["interior_min"], info["interior_max"] = inner
    return info


def overlap_summary(spec: ConvSpec) -> dict:
    """The overlap counts as plain data, bounded in size whatever the config.

    ``axes``: per axis the counts (listed when at most `LIST_LIMIT` cells),
    min, max, the interior pattern and its period; ``cells``: the 2-D or 1-D
    array of counts when small (at most 24 cells per axis), else None;
    ``min``/``max`` over all cells; ``uneven``: the sentence of
    `uneven_sentence` or None.
    """
    _need_transposed(spec)
    axes = [_axis_summary(spec, a) for a in range(spec.ndim)]
    cells = None
    if spec.ndim <= 2 and max(spec.output_shape) <= 24:
        cells = overlap_counts(spec).tolist()
    return {
        "axes": axes,
        "cells": cells,
        "min": math.prod(a["min"] for a in axes),
        "max": math.prod(a["max"] for a in axes),
        "uneven": uneven_sentence(spec),
    }


def uneven_sentence(spec: ConvSpec) -> str | None:
    """One sentence naming the axes where the overlap is uneven (the checkerboard), or None.

    Away from the edges every output cell gets the same number of
    contributions only when ``kernel_size`` is a multiple of ``stride`` (and,
    with dilation, ``gcd(dilation, stride) == 1``).
    """
    _need_transposed(spec)
    names = _AXIS_NAMES[spec.ndim]
    parts = []
    for a, (k, s, d) in enumerate(zip(spec.kernel_size, spec.stride, spec.dilation)):
        g = math.gcd(d, s)
        if g == 1 and k % s == 0:
            continue
        why = f"kernel_size {k} % stride {s} = {k % s}" if k % s else f"dilation {d} and stride {s} share {g}"
        if g > 1 and k % s:
            why += f", and dilation {d} and stride {s} share {g}"
        if s <= _PERIOD_LIMIT:
            pattern = _residue_counts(k, s, d)
            low, high, period = int(pattern.min()), int(pattern.max()), _period(pattern)
        else:
            m = s // g
            low, high, period = (0 if g > 1 else k // m), k // m + (k % m > 0), s
        parts.append(f"{names[a]} ({why}: {low} to {high} contributions, repeating every {period} cells)")
    if not parts:
        return None
    axes = " and ".join(parts)
    return f"The overlap is uneven along {axes}, which is the checkerboard pattern of transposed convolutions."


def overlap_text(info: dict, ndim: int) -> list[str]:
    """Lines for ``convanim shape`` from `overlap_summary`'s result."""
    names = _AXIS_NAMES[ndim]
    lines = [f"overlap (input cells feeding each output cell): {info['min']} to {info['max']}"]
    for ax in info["axes"]:
        if ax["counts"] is not None:
            counts = " ".join(str(c) for c in ax["counts"])
        else:
            counts = f"{ax['min']} to {ax['max']}"
        period = ax["period"] if ax["period"] is not None else ax["stride"]
        interior = ""
        if ax["interior"] is not None:
            interior = f"; away from the edges {' '.join(str(c) for c in ax['interior'])} repeating"
        lines.append(f"  {names[ax['axis']]}: {counts} (period {period}{interior})")
    if info["cells"] is not None and ndim == 2:
        lines.append("  per cell (product of the two):")
        width = len(str(info["max"]))
        lines += ["    " + " ".join(str(c).rjust(width) for c in row) for row in info["cells"]]
    if info["uneven"]:
        lines.append(f"  {info['uneven']}")
    return lines


def causal_text(spec: ConvSpec) -> str | None:
    """For ``padding='causal'``: the same layer in PyTorch, which has no causal padding."""
    if spec.padding != "causal":
        return None
    left = spec.pads[0][0]
    args = [f"kernel_size={spec.kernel_size[0]}"]
    if spec.stride[0] != 1:
        args.append(f"stride={spec.stride[0]}")
    if spec.dilation[0] != 1:
        args.append(f"dilation={spec.dilation[0]}")
    args.append("padding=0")
    return f"torch.nn.Conv1d(1, 1, {', '.join(args)})(torch.nn.functional.pad(x, ({left}, 0)))"


def explain_extra(spec: ConvSpec) -> dict:
    """What `convanim.explanation.explain` adds for this module: ``overlap`` (transposed), ``causal``."""
    extra = {}
    if spec.transposed:
        extra["overlap"] = overlap_summary(spec)
    causal = causal_text(spec)
    if causal:
        extra["causal"] = causal
    return extra


def extra_lines(info: dict) -> list[str]:
    """The lines `convanim.explanation.render_text` adds for `explain_extra`'s keys."""
    lines = []
    if info.get("causal"):
        lines.append(f"causal: all padding on the left; in PyTorch: {info['causal']}")
    if info.get("overlap"):
        lines += overlap_text(info["overlap"], len(info["axes"]))
    return lines
