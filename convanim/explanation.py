"""Words for a `ConvSpec`: the output-size formula with numbers, the guide's
relationship, leftover cells, the equivalent PyTorch layer, labels and alt text.

>>> from convanim import ConvSpec
>>> spec = ConvSpec(5, 3, stride=2, padding=1)
>>> formula(spec, 0)
'o = floor((5 + 2*1 - 3) / 2) + 1 = 3'
>>> pytorch_layer(spec)
'torch.nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1, bias=False)'
>>> alt_text(spec)
'3×3 kernel, stride 2, padding 1 over a 5×5 input, giving 3×3'
"""

from __future__ import annotations

import math

from .layers import layer_info, layer_lines, pytorch_layer
from .pool_text import explain as explain_pool
from .schedule import unread_count, unread_ranges
from .spec import ConvSpec
from .words import count

__all__ = [
    "explain",
    "formula",
    "relationship",
    "pytorch_layer",
    "alternatives",
    "alternatives_range",
    "input_label",
    "output_label",
    "caption",
    "alt_text",
    "render_text",
]

_AXIS_NAMES = {1: ("width",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def dims(values) -> str:
    """``(5, 7)`` -> ``'5×7'``."""
    return "×".join(str(v) for v in values)


def _same(values) -> bool:
    return len(set(values)) == 1


def formula(spec: ConvSpec, axis: int) -> str:
    """The output size on ``axis`` as a formula with the numbers filled in."""
    ax = spec.axes[axis]
    i, k, s, d = ax.input_size, ax.kernel_size, ax.stride, ax.dilation
    lo, hi = spec.pads[axis]
    o = ax.output_size
    if spec.transposed:
        a = spec.output_padding[axis]
        kern = f"{k}" if d == 1 else f"{d}*({k}-1) + 1"
        extra = f" + {a}" if a else ""
        return f"o = ({i} - 1)*{s} - 2*{lo} + {kern}{extra} = {o}"
    pad = f"2*{lo}" if lo == hi else f"{lo} + {hi}"
    kern = f"{k}" if d == 1 else f"{k} - ({k}-1)*({d}-1)"
    return f"o = floor(({i} + {pad} - {kern}) / {s}) + 1 = {o}"


def relationship(spec: ConvSpec, axis: int) -> str | None:
    """The relationship of Dumoulin & Visin's guide (arXiv:1603.07285) that applies, if one does."""
    ax = spec.axes[axis]
    k, s, d = ax.kernel_size, ax.stride, ax.dilation
    lo, hi = spec.pads[axis]
    if lo != hi:
        return None
    p = lo
    if d > 1:
        if spec.transposed:
            return None
        return "dilated: o = floor((i + 2p - k - (k-1)(d-1)) / s) + 1"
    if not spec.transposed:
        if s == 1:
            if p == 0:
                return "no zero padding, unit strides: o = (i - k) + 1"
            if k % 2 == 1 and p == k // 2:
                return "half (same) padding, unit strides: o = i"
            if p == k - 1:
                return "full padding, unit strides: o = i + (k - 1)"
            return "zero padding, unit strides: o = (i - k) + 2p + 1"
        if p == 0:
            return "no zero padding, non-unit strides: o = floor((i - k) / s) + 1"
        return "zero padding, non-unit strides: o = floor((i + 2p - k) / s) + 1"
    a = spec.output_padding[axis]
    if s == 1:
        if p == 0:
            return "transposed, no padding, unit strides: o' = i' + (k - 1)"
        if k % 2 == 1 and p == k // 2:
            return "transposed, half padding, unit strides: o' = i'"
        if p == k - 1:
            return "transposed, full padding, unit strides: o' = i' - (k - 1)"
        return "transposed, zero padding, unit strides: o' = i' + (k - 1) - 2p"
    if a:
        return "transposed, zero padding, non-unit strides, a = (i + 2p - k) mod s: o' = s(i' - 1) + a + k - 2p"
    if p == 0:
        return "transposed, no padding, non-unit strides: o' = s(i' - 1) + k"
    return "transposed, zero padding, non-unit strides: o' = s(i' - 1) + k - 2p"


#: Most entries `alternatives` lists (the stride can be 10**18); `alternatives_range` gives the rest.
MAX_ALTERNATIVES = 8


def alternatives(spec: ConvSpec, axis: int, limit: int = MAX_ALTERNATIVES) -> list[dict]:
    """Other configs on ``axis`` with the same output, and how to get back (at most ``limit``).

    For a direct convolution with stride > 1: every input size that gives the
    same output, each with the ``output_padding`` that recovers it through the
    transposed convolution (None where the padding is asymmetric, which
    PyTorch's ConvTranspose cannot express). For a transposed convolution: the
    output size each allowed ``output_padding`` gives. Only the first
    ``limit`` are listed; `alternatives_range` counts them all.
    """
    ax = spec.axes[axis]
    if spec.transposed:
        base = ax.output_size - spec.output_padding[axis]
        count = min(max(ax.stride, ax.dilation), limit)
        return [{"output_padding": a, "output_size": base + a} for a in range(count)]
    if ax.stride == 1:
        return []
    lo, hi = spec.pads[axis]
    smallest = (ax.output_size - 1) * ax.stride + ax.extent - lo - hi
    first = max(0, 1 - smallest)  # sizes must be >= 1
    return [
        {"input_size": smallest + a, "output_padding": a if lo == hi else None}
        for a in range(first, min(ax.stride, first + limit))
    ]


def alternatives_range(spec: ConvSpec, axis: int) -> dict | None:
    """All of `alternatives` as a range: ``{"key": "input_size", "first": 5, "last": 6, "count": 2}``.

    ``key`` is ``input_size`` for a direct convolution, ``output_size`` for a
    transposed one (one per ``output_padding`` from 0); None when there are none.
    """
    ax = spec.axes[axis]
    if spec.transposed:
        base = ax.output_size - spec.output_padding[axis]
        count = max(ax.stride, ax.dilation)
        return {"key": "output_size", "first": base, "last": base + count - 1, "count": count}
    if ax.stride == 1:
        return None
    lo, hi = spec.pads[axis]
    smallest = (ax.output_size - 1) * ax.stride + ax.extent - lo - hi
    first, last = max(smallest, 1), smallest + ax.stride - 1
    if last < first:
        return None
    return {"key": "input_size", "first": first, "last": last, "count": last - first + 1}


def input_label(spec: ConvSpec) -> str:
    """``'input 5×5, padding 1'`` (plus stride / dilation / zeros where they apply)."""
    parts = [f"input {dims(spec.input_size)}"]
    pads = spec.pads
    if spec.transposed:
        if any(s > 1 for s in spec.stride):
            zeros = [s - 1 for s in spec.stride]
            count = zeros[0] if _same(zeros) else dims(zeros)
            parts.append(f"{count} zero{'' if count == 1 else 's'} between cells")
        parts.append(f"border {_border((lo, lo) for lo, _ in spec.border)}")
        if any(spec.output_padding):
            parts.append(f"output padding {_border((a, a) for a in spec.output_padding)} at the end")
    elif any(lo or hi for lo, hi in pads):
        parts.append(f"padding {_border(pads)}")
    return ", ".join(parts)


_SIDES = {
    1: (("left", "right"),),
    2: (("top", "bottom"), ("left", "right")),
    3: (("front", "back"), ("top", "bottom"), ("left", "right")),
}


def _border(pads) -> str:
    """``1``, ``1×2`` (per axis) or ``top 0 bottom 1, left 0 right 1`` (per side)."""
    pads = [tuple(pair) for pair in pads]
    flat = [v for pair in pads for v in pair]
    if _same(flat):
        return str(flat[0])
    if all(lo == hi for lo, hi in pads):
        return dims(lo for lo, _ in pads)
    sides = _SIDES[len(pads)]
    return ", ".join(f"{a} {lo} {b} {hi}" for (a, b), (lo, hi) in zip(sides, pads))


def output_label(spec: ConvSpec) -> str:
    """``'output 3×3'``."""
    return f"output {dims(spec.output_shape)}"


def caption(spec: ConvSpec, rotated: bool | str = True) -> str:
    """The output-size formula with numbers (one line per distinct axis).

    A transposed spec's caption says the kernel is rotated 180° (as the
    zero-insertion views draw it) unless ``rotated`` is False (the scatter and
    overlap views, which use the kernel as it is); ``'both'``: as it is in the
    scatter, rotated in the zero-insertion view (the ``both`` view).
    """
    lines = list(dict.fromkeys(formula(spec, a) for a in range(spec.ndim)))
    if spec.ndim > 1 and len(lines) > 1:
        names = _AXIS_NAMES[spec.ndim]
        lines = [f"{names[a]}: {formula(spec, a)}" for a in range(spec.ndim)]
    text = "; ".join(lines)
    if spec.transposed and rotated == "both":
        text += " (kernel as it is in the scatter, rotated 180° in the zero-insertion view)"
    elif spec.transposed and rotated:
        text += " (kernel rotated 180°)"
    return text


def alt_text(spec: ConvSpec) -> str:
    """One sentence describing the animation, for alt text."""
    parts = [f"{dims(spec.kernel_size)} kernel"]
    if any(s > 1 for s in spec.stride):
        parts.append(f"stride {dims(spec.stride) if not _same(spec.stride) else spec.stride[0]}")
    pads = spec.pads
    if any(lo or hi for lo, hi in pads):
        parts.append(f"padding {_border(pads)}")
    if any(d > 1 for d in spec.dilation):
        parts.append(f"dilation {spec.dilation[0] if _same(spec.dilation) else dims(spec.dilation)}")
    if spec.transposed and any(spec.output_padding):
        op = spec.output_padding
        parts.append(f"output padding {op[0] if _same(op) else dims(op)}")
    if spec.ndim == 1:
        parts[0] = f"{spec.kernel_size[0]}-tap kernel"
        source, result = f"{spec.input_size[0]}-cell input", count(spec.output_shape[0], "cell")
    else:
        source, result = f"{dims(spec.input_size)} input", dims(spec.output_shape)
    article = "an" if source[0] == "8" or source.startswith(("11", "18")) else "a"
    text = f"{', '.join(parts)} over {article} {source}, giving {result}"
    return f"transposed convolution: {text}" if spec.transposed else text


#: Most unread indices `explain` lists per axis (``unread_count`` and ``unread_ranges`` give the rest).
MAX_UNREAD_LISTED = 20


def explain(spec: ConvSpec) -> dict:
    """Everything above as plain data (what ``convanim shape --json`` prints); a pooling's from `pool_text`.

    Instant for any size: unread indices and alternative sizes are counts and
    ranges (``unread_count``, ``unread_ranges`` as [first, last] pairs, the
    first 10; ``alternatives_range``), with at most 20 unread indices and 8
    alternatives listed. A count is null where it would take marking more than
    four million cells (a dilated, strided kernel on a huge axis).
    """
    kind = getattr(spec, "kind", None)
    if kind == "pool":
        return explain_pool(spec)
    if kind != "conv":
        raise ValueError(f"spec must be a ConvSpec or a PoolSpec, got {type(spec).__name__}")
    axes = []
    for a, ax in enumerate(spec.axes):
        count = unread_count(ax)
        ranges = unread_ranges(ax, limit=10) if count else []
        listed = unread_ranges(ax, limit=MAX_UNREAD_LISTED) if count else []
        unread = [i for lo_hi in (listed or []) for i in range(lo_hi[0], lo_hi[1] + 1)][:MAX_UNREAD_LISTED]
        axes.append(
            {
                "axis": a,
                "input_size": ax.input_size,
                "kernel_size": ax.kernel_size,
                "stride": ax.stride,
                "padding": list(spec.pads[a]),
                "dilation": ax.dilation,
                "output_size": ax.output_size,
                "formula": formula(spec, a),
                "relationship": relationship(spec, a),
                "leftover": spec.leftover[a] if not spec.transposed else 0,
                "unread": unread,
                "unread_count": count,
                "unread_ranges": [list(r) for r in ranges] if ranges is not None else None,
                "alternatives": alternatives(spec, a),
                "alternatives_range": alternatives_range(spec, a),
            }
        )
    counts = [ax["unread_count"] for ax in axes]
    if None in counts:
        total = None
    else:
        total = math.prod(spec.input_size) - math.prod(n - u for n, u in zip(spec.input_size, counts))
    return {
        "transposed": spec.transposed,
        "output_padding": list(spec.output_padding),
        "input_shape": list(spec.input_size),
        "output_shape": list(spec.output_shape),
        "grid_shape": list(spec.grid_shape),
        "steps": math.prod(spec.output_shape),
        "unread_cells": total,
        "pytorch": pytorch_layer(spec),
        "alt": alt_text(spec),
        "axes": axes,
        "layer": layer_info(spec),
        **_scatter_extra(spec),
    }


def _scatter_extra(spec: ConvSpec) -> dict:
    from .scatter import explain_extra  # numpy: imported only when needed

    return explain_extra(spec) if spec.transposed or spec.padding == "causal" else {}


def _runs(ranges) -> str:
    return ", ".join(str(a) if a == z else f"{a}-{z}" for a, z in ranges)


def render_text(info: dict) -> str:
    """The human-readable form of `explain`'s result."""
    ndim = len(info["axes"])
    names = _AXIS_NAMES[ndim]
    kind = "transposed convolution" if info["transposed"] else "convolution"
    out = [
        f"{kind}: input {dims(info['input_shape'])} -> output {dims(info['output_shape'])} "
        f"({info['steps']:,} kernel position{'' if info['steps'] == 1 else 's'}, "
        f"drawn grid {dims(info['grid_shape'])})",
        f"PyTorch: {info['pytorch']}",
    ]
    out += layer_lines(info)
    axes = info["axes"]
    strip = [{k: v for k, v in ax.items() if k != "axis"} for ax in axes]
    if len(axes) > 1 and all(a == strip[0] for a in strip):
        groups = [("every axis", axes[0])]
    else:
        groups = [(names[ax["axis"]], ax) for ax in axes]
    for name, ax in groups:
        out.append(f"{name}:")
        out.append(f"  {ax['formula']}")
        if ax["relationship"]:
            out.append(f"  guide relationship: {ax['relationship']}")
        count = ax["unread_count"]
        if count is None:
            out.append("  never read: not counted (a dilated, strided kernel on an axis this long)")
        elif count and count == len(ax["unread"]):
            cells = ", ".join(str(u) for u in ax["unread"])
            out.append(f"  never read: input {'index' if count == 1 else 'indices'} {cells}")
        elif count:
            shown = ax["unread_ranges"]
            more = ", ..." if sum(z - a + 1 for a, z in shown) < count else ""
            out.append(f"  never read: {count:,} input indices: {_runs(shown)}{more}")
        alts, span = ax["alternatives"], ax["alternatives_range"]
        if alts and span["count"] > len(alts):
            if info["transposed"]:
                out.append(f"  output sizes: {span['first']:,} to {span['last']:,} ({span['count']:,} sizes, "
                           f"output_padding = size - {span['first']:,})")
            else:
                back = (f"; ConvTranspose output_padding = size - {span['first']:,} gives each back"
                        if alts[0]["output_padding"] is not None else "")
                out.append(f"  input sizes giving o={ax['output_size']}: {span['first']:,} to {span['last']:,} "
                           f"({span['count']:,} sizes{back})")
        elif alts and not info["transposed"]:
            sizes = ", ".join(
                f"{alt['input_size']} (ConvTranspose output_padding={alt['output_padding']} gives it back)"
                if alt["output_padding"] is not None
                else f"{alt['input_size']}"
                for alt in alts
            )
            out.append(f"  input sizes giving o={ax['output_size']}: {sizes}")
        elif alts:
            sizes = ", ".join(f"output_padding={alt['output_padding']} -> {alt['output_size']}" for alt in alts)
            out.append(f"  output sizes: {sizes}")
    if "overlap" in info or "causal" in info:
        from .scatter import extra_lines

        out += extra_lines(info)
    return "\n".join(out)
