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

from . import views
from .words import plural

__all__ = [
    "MAX_FRAMES", "MAX_PIXELS", "MAX_FRAME_PIXELS", "MAX_CHANNELS", "VIEW_LIMITS", "SHEET_MAX_STEPS",
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

#: Where each view's drawing stops being readable: each view declares its own (`convanim.views`).
VIEW_LIMITS = {name: views.get(name).limits for name in views.names() if views.get(name).limits}
#: Most input and output channels the channel drawing shows (`convanim.views.base`).
MAX_CHANNELS = views.MAX_CHANNELS
#: Most steps on one contact sheet (8 rows of 8).
SHEET_MAX_STEPS = 64


def cpu_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def frame_count(spec, view: str) -> int:
    """Frames of the animation: one per output cell in most views (`convanim.views.View.frames`)."""
    return views.get(view).frames(spec)


def estimate_size(spec, view: str, layout: str = "classic", cell_px: int | None = None,
                  labels: bool = False, caption: bool = False) -> tuple[int, int]:
    """(width, height) in pixels of the frames, from the scenes' size formulas (text estimated).

    Within a few pixels for the grid layouts without text, a few percent with
    labels or caption; the values, 1-D and matrix views' estimates err on the
    large side (up to twice the pixels). Nothing is drawn (`convanim.views.View.size`).
    """
    return views.get(view).size(spec, {"layout": layout, "cell_px": cell_px, "labels": labels, "caption": caption})


def _n(value: float) -> str:
    """``1,234``: ints exactly (however many digits), floats rounded."""
    return f"{value:,}" if isinstance(value, int) else f"{value:,.0f}"


def check_view(spec, view: str, *, radius: float = 1.0, layout: str = "classic") -> None:
    """ValueError (one sentence) where ``view`` would draw ``spec`` too large to read, or a kind of spec
    it does not draw (`convanim.views.check_drawable`)."""
    views.check_drawable(spec, {"view": view, "radius": radius, "layout": layout})


#: The smallest cells a scene draws (``cell_px`` below this is refused): a frame fitted to a width shrinks
#: its cells no further.
SMALLEST_CELL_PX = 8


def check_render(spec, view: str = "grid", layout: str = "classic", cell_px: int | None = None, *,
                 labels: bool = False, caption: bool = False, radius: float = 1.0,
                 max_frames: int = MAX_FRAMES, max_pixels: int = MAX_PIXELS,
                 max_frame_pixels: int = MAX_FRAME_PIXELS,
                 shown_width: int | None = None, shown_height: int | None = None) -> tuple[int, tuple[int, int]]:
    """Refuse (ValueError, one sentence) an animation past a view's or a size limit; else (frames, size).

    ``shown_width``: the frame is fitted to at most this width (``--width``, or the default fit of a view
    that sizes its cells for the width shown), so a wider estimate is scaled down to it; ``shown_height``
    likewise (the default fit's height).
    """
    check_view(spec, view, radius=radius, layout=layout)
    frames = frame_count(spec, view)
    width, height = estimate_size(spec, view, layout, cell_px, labels, caption)
    if shown_width is not None and width > shown_width:
        width, height = shown_width, -(-height * shown_width // width)
    if shown_height is not None and height > shown_height:
        width, height = -(-width * shown_height // height), shown_height
    if cell_px is None and (shown_width or shown_height):  # cells shrink no smaller than the smallest there is
        least = estimate_size(spec, view, layout, SMALLEST_CELL_PX, labels, caption)
        width, height = max(width, least[0]), max(height, least[1])
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
    """``about 51 PB``; ints of any size (no float on the way)."""
    units = ("bytes", "KB", "MB", "GB", "TB", "PB", "EB")
    for unit in units:
        if n < 1000 or unit == units[-1]:
            return f"about {round(n):,} {unit}"
        n = n // 1000 if isinstance(n, int) and n >= 10**18 else n / 1000
    return ""
