"""Named limits: what a render may cost, and where each view stops being readable.

Checked before anything is drawn, from the spec and the layout's size
formula alone (this module imports no matplotlib). Every refusal is one
sentence naming the limit and how to go past it.

>>> from convanim import ConvSpec
>>> frame_count(ConvSpec(5, 3, stride=2, padding=1), "grid")
9
>>> estimate_size(ConvSpec(5, 3, stride=2, padding=1), "grid", "classic")
(393, 380)

The real frame is 395x381: the grid layouts' estimates are within a few pixels
without labels or caption; the other views' err on the large side (up to 2x).
"""

from __future__ import annotations

import math
import os

from .words import plural

__all__ = [
    "MAX_FRAMES", "MAX_PIXELS", "MAX_FRAME_PIXELS", "VIEW_LIMITS", "SHEET_MAX_STEPS",
    "sheet_layout",
    "frame_count", "estimate_size", "check_view", "check_render", "check_sheet", "cpu_cores",
]

#: Most frames of one animation (override: ``max_frames`` / ``--max-frames``).
MAX_FRAMES = 10_000
#: Most pixels of one frame (override: ``max_frame_pixels`` / ``--max-frame-pixels``): about
#: 40 bytes of working memory each while a frame is drawn and encoded.
MAX_FRAME_PIXELS = 16_000_000
#: Most pixels of all frames together (override: ``max_pixels`` / ``--max-pixels``): about
#: 10 ms of drawing and encoding per million.
MAX_PIXELS = 10_000_000_000

#: Where each view's drawing stops being readable (one sentence each in `check_view`).
VIEW_LIMITS = {
    "grid": {"cells": 100},  # drawn cells per axis
    "values": {"cells": 16, "taps": 49},  # drawn cells per axis; kernel taps in the written sum
    "1d": {"cells": 64, "taps": 16},  # drawn cells; kernel taps
    "matrix": {"cells": 100},  # input and output cells (matrix columns and rows)
    "continuous": {"radius": (0.1, 10.0)},  # the half disc's radius against the unit box
}
#: Most steps on one contact sheet (8 rows of 8).
SHEET_MAX_STEPS = 64

_CONTINUOUS_FRAMES = 60
_CONTINUOUS_SIZE = (500, 440)


def cpu_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def frame_count(spec, view: str) -> int:
    """Frames of the animation: one per output cell (60 for the ``continuous`` view)."""
    if view == "continuous" or spec is None:
        return _CONTINUOUS_FRAMES
    if view in ("scatter", "both"):  # one frame per input cell
        return math.prod(spec.input_size)
    if view == "overlap":
        return 1
    frames = math.prod(spec.output_shape)
    # A layer with channels: one frame per output cell of each output channel (channel order, the most).
    return frames * spec.out_channels if getattr(spec, "multichannel", False) else frames


def _rows_cols(shape) -> tuple[int, int]:
    shape = tuple(shape)
    return (1, shape[0]) if len(shape) == 1 else (shape[0], math.prod(shape[1:]))


def estimate_size(spec, view: str, layout: str = "classic", cell_px: int | None = None,
                  labels: bool = False, caption: bool = False) -> tuple[int, int]:
    """(width, height) in pixels of the frames, from the scenes' size formulas (text estimated).

    Within a few pixels for the grid layouts without text, a few percent with
    labels or caption; the values, 1-D and matrix views' estimates err on the
    large side (up to twice the pixels). Nothing is drawn.
    """
    if view == "continuous" or spec is None:
        return _CONTINUOUS_SIZE
    if getattr(spec, "multichannel", False):  # slices in a row (classic) or a column (flat): a bound
        from dataclasses import replace

        one = replace(spec, in_channels=1, out_channels=1, groups=1, bias=False)
        flat = view != "grid" or layout == "flat"
        w, h = estimate_size(one, "grid", "flat" if flat else "classic", cell_px, labels, caption)
        n = max(spec.in_channels, spec.out_channels)
        return (2 * w, n * h) if flat else (n * w, 2 * h)
    text_lines = int(bool(labels)) * 2 + int(bool(caption)) * spec.ndim
    (gr, gc), (orow, ocol) = _rows_cols(spec.grid_shape), _rows_cols(spec.output_shape)
    if view == "grid" and layout == "flat":
        cell = 40 if cell_px is None else cell_px - cell_px % 2
        margin = max(2, 2 * round(max(12, cell / 2) / 2))
        gap = max(2, 2 * round(1.5 * cell / 2))
        line = max(12, 0.4 * cell) * 1.5
        width = gc * cell + gap + ocol * cell + 2 * margin
        height = 2 * margin + max(gr, orow) * cell + text_lines * line
        return int(width + width % 2), int(math.ceil(height / 2) * 2)
    if view == "grid":  # classic: the slanted grids' bounding box (`ClassicScene`)
        default = 150 / 2.54 / 2
        cell = default if cell_px is None else cell_px
        margin = 10 / 72 * 150 / default
        nudge = -2.5 / 72 * 150 / default
        xs = [-0.7 * gr, gc, nudge - 0.7 * orow, nudge + ocol]
        ys = [0.0, 0.5 * gc + 0.65 * gr, gr + 1.0, gr + 1.0 + 0.5 * ocol + 0.65 * orow]
        line = max(0.42 * cell, 10) * 1.2 / cell
        width = (max(xs) - min(xs) + 2 * margin) * cell
        height = (max(ys) - min(ys) + 2 * margin + text_lines * line) * cell
        return round(width), round(height)
    kr, kc = _rows_cols(spec.kernel_size)
    if view in ("scatter", "both", "overlap"):  # `convanim.scene.scatter`, `both`, `overlap` (text estimated)
        return _scatter_size(spec, view, cell_px, gr, gc, kr, kc, orow, ocol)
    if view == "values":
        cell = cell_px or max(36, min(52, 480 // max(gr, gc)))
        sum_lines = 1 + math.prod(spec.kernel_size) // 6
        width = max((gc + kc + ocol) * cell + 110, 608)
        height = max(gr, kr, orow) * cell + 90 + 36 * sum_lines + 30 * text_lines
        return int(width), int(height)
    if view == "1d":
        cell = cell_px if cell_px is not None else int(min(64, max(36, round(400 / gc))))
        width = max(gc * cell + 100, 70 * kc + 24)
        height = 4.45 * cell + 60 + 26 * text_lines
        return int(width), int(height)
    # matrix: columns are input cells, rows output cells, beside or above the 2-D step
    cols, rows = math.prod(spec.input_size), math.prod(spec.output_shape)
    cw = cell_px or min(max(950 // cols, 10), 44)
    rh = cell_px or min(max(min(cw, 720 // rows), 10), 34)
    panel = (cell_px or min(max(240 // max(spec.grid_shape), 20), 34)) * (gc + kc + ocol + 4)
    width = 64 + cols * cw + cw + 34 + panel // 2
    height = 60 + rows * rh + panel // 2 + 40 * (1 + text_lines)
    return int(max(width, 600)), int(height)


def _scatter_size(spec, view, cell_px, gr, gc, kr, kc, orow, ocol) -> tuple[int, int]:
    """Frame size of the scatter, both and overlap views: their grids plus room for the text (an upper bound)."""
    rr, rc = _rows_cols([(i - 1) * s + d * (k - 1) + 1 + a for i, k, s, d, a in zip(
        spec.input_size, spec.kernel_size, spec.stride, spec.dilation, spec.output_padding)])
    ir, ic = _rows_cols(spec.input_size)
    if view == "overlap":
        cell = cell_px or 40
        return int((rc + 2) * cell + 400), int((rr + 3) * cell + 160)
    cell = cell_px or 56
    width = (ic + kc + rc) * cell + 4 * cell + 600
    height = max(ir, kr, rr) * cell + 3 * cell + 60
    if view == "both":
        width = max(width, (gc + kc + ocol) * cell + 4 * cell + 600)
        height += max(gr, kr, orow) * cell + 3 * cell + 60
    return int(width), int(height)


def _n(value: float) -> str:
    return f"{value:,.0f}"


def check_view(spec, view: str, *, radius: float = 1.0, layout: str = "classic") -> None:
    """ValueError (one sentence) where ``view`` would draw ``spec`` too large to read."""
    limits = VIEW_LIMITS.get(view, {})
    if view == "continuous":
        low, high = limits["radius"]
        if not low <= radius <= high:
            raise ValueError(
                f"the continuous view draws a half disc of radius {low:g} to {high:g} against the unit box "
                f"(beyond, one of them is too small to see), got radius {radius:g}"
            )
        return
    if spec is None:
        return
    if view in ("scatter", "both", "overlap"):
        from .scatter import check_drawable

        check_drawable(spec, view)
        return
    if view == "matrix":
        for name, shape in (("input", spec.input_size), ("output", spec.output_shape)):
            n = math.prod(shape)
            if n > limits["cells"]:
                raise ValueError(
                    f"the matrix view draws at most {limits['cells']} {name} cells, "
                    f"got {name} {'x'.join(map(str, shape))} = {n:,}"
                )
        return
    cells = max(spec.grid_shape)
    if cells > limits["cells"]:
        what = {"grid": f"the {layout} layout", "values": "the values view", "1d": "the 1-D view"}[view]
        axis = "" if view == "1d" else " per axis"
        tail = {
            "grid": "its cells would be too small to see on a screen; use a smaller input",
            "values": "its labels would not fit; use a smaller input or --view grid",
            "1d": "its row would not fit a screen; use a smaller input",
        }[view]
        raise ValueError(
            f"{what} draws at most {limits['cells']} cells{axis} (padding included), "
            f"got a {'x'.join(map(str, spec.grid_shape))} grid: {tail}"
        )
    taps = math.prod(spec.kernel_size)
    if "taps" in limits and taps > limits["taps"]:
        raise ValueError(
            f"{'the values view' if view == 'values' else 'the 1-D view'} writes out sums of at most "
            f"{limits['taps']} kernel taps, got a {'x'.join(map(str, spec.kernel_size))} kernel ({taps} taps)"
        )


def check_render(spec, view: str = "grid", layout: str = "classic", cell_px: int | None = None, *,
                 labels: bool = False, caption: bool = False, radius: float = 1.0,
                 max_frames: int = MAX_FRAMES, max_pixels: int = MAX_PIXELS,
                 max_frame_pixels: int = MAX_FRAME_PIXELS) -> tuple[int, tuple[int, int]]:
    """Refuse (ValueError, one sentence) an animation past a view's or a size limit; else (frames, size)."""
    check_view(spec, view, radius=radius, layout=layout)
    frames = frame_count(spec, view)
    width, height = estimate_size(spec, view, layout, cell_px, labels, caption)
    per_frame = width * height
    total = frames * per_frame
    over = []
    if frames > max_frames:
        over.append(f"{_n(max_frames)} {plural(max_frames, 'frame')} (--max-frames N, max_frames=N)")
    if per_frame > max_frame_pixels:
        over.append(f"{_n(max_frame_pixels)} pixels per frame (--max-frame-pixels N, max_frame_pixels=N)")
    if total > max_pixels:
        over.append(f"{_n(max_pixels)} pixels in all (--max-pixels N, max_pixels=N)")
    if over:
        raise ValueError(
            f"the animation would have {_n(frames)} {plural(frames, 'frame')} of about {_n(width)}x{_n(height)} px "
            f"({_bytes(3 * total)} of pixels before compression); the limit is {' and '.join(over)}; "
            f"use a smaller --cell-px or input, or raise the limit"
        )
    return frames, (width, height)


#: A contact sheet's gap between frames and the height of the "step K" label above each, in pixels.
SHEET_GAP_PX = 16
SHEET_LABEL_PX = 22


def sheet_layout(n: int, width: int, height: int) -> tuple[int, int, int, int]:
    """(columns, rows, width, height) in pixels of a contact sheet of ``n`` frames of ``width`` x ``height``.

    Columns: as many as make the sheet about square (at most 8, for print).

    >>> sheet_layout(9, 100, 100)
    (3, 3, 364, 430)
    """
    cols = max(1, min(n, 8, round(math.sqrt(n * (height + SHEET_LABEL_PX) / width))))
    rows = math.ceil(n / cols)
    sheet_w = cols * width + (cols + 1) * SHEET_GAP_PX
    sheet_h = rows * (height + SHEET_LABEL_PX + SHEET_GAP_PX) + SHEET_GAP_PX
    return cols, rows, sheet_w, sheet_h


def check_sheet(steps: int, size: tuple[int, int], max_frame_pixels: int = MAX_FRAME_PIXELS) -> None:
    """Refuse a contact sheet of more than `SHEET_MAX_STEPS` steps or past the per-frame pixel limit."""
    if steps > SHEET_MAX_STEPS:
        raise ValueError(
            f"a contact sheet shows at most {SHEET_MAX_STEPS} steps (8 rows of 8), got {steps:,}; "
            "use --frames DIR for every step"
        )
    _, _, sheet_w, sheet_h = sheet_layout(steps, *size)
    pixels = sheet_w * sheet_h
    if pixels > max_frame_pixels:
        raise ValueError(
            f"the contact sheet would be {sheet_w:,}x{sheet_h:,} px ({_n(pixels)} pixels), more than the limit of "
            f"{_n(max_frame_pixels)} (--max-frame-pixels N); use a smaller --cell-px or input"
        )


def _bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB", "EB"):
        if n < 1000 or unit == "EB":
            return f"about {n:,.0f} {unit}" if unit == "bytes" else f"about {n:,.0f} {unit}"
        n /= 1000
    return ""
