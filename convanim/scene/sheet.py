"""Contact sheets: every step of a scene in one numbered grid, for print and handouts."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..themes import hex_to_rgb
from .base import style

__all__ = ["sheet_layout", "contact_sheet"]

GAP_PX = 16
LABEL_PX = 22


def sheet_layout(n: int, width: int, height: int) -> tuple[int, int, int, int]:
    """(columns, rows, sheet width, sheet height) in pixels for ``n`` frames of ``width`` x ``height``.

    Columns: as many as make the sheet about square (at most 8, for print).

    >>> sheet_layout(9, 100, 100)
    (3, 3, 364, 430)
    """
    cols = max(1, min(n, 8, round(math.sqrt(n * (height + LABEL_PX) / width))))
    rows = math.ceil(n / cols)
    sheet_w = cols * width + (cols + 1) * GAP_PX
    sheet_h = rows * (height + LABEL_PX + GAP_PX) + GAP_PX
    return cols, rows, sheet_w, sheet_h


def contact_sheet(scene, file, fmt: str, dpi: int = 100) -> None:
    """Write every frame of ``scene`` into one numbered sheet (``fmt`` 'png' or 'pdf')."""
    w, h = scene.size
    n = len(scene)
    cols, rows, sheet_w, sheet_h = sheet_layout(n, w, h)
    theme = scene.options.theme
    background = np.array(hex_to_rgb(theme.background), dtype=np.uint8)
    canvas = np.empty((sheet_h, sheet_w, 3), dtype=np.uint8)
    canvas[:] = background
    positions = []
    for k, frame in enumerate(scene.frames()):
        r, c = divmod(k, cols)
        x = GAP_PX + c * (w + GAP_PX)
        y = GAP_PX + r * (h + LABEL_PX + GAP_PX) + LABEL_PX
        canvas[y : y + h, x : x + w] = frame
        positions.append((x, y))
    with style():
        fig = Figure(figsize=(sheet_w / dpi, sheet_h / dpi), dpi=dpi, facecolor=theme.background)
        FigureCanvasAgg(fig)
        fig.figimage(canvas, xo=0, yo=0, origin="upper")
        for k, (x, y) in enumerate(positions):
            fig.text(
                x / sheet_w,
                1 - (y - 4) / sheet_h,
                f"step {k}",
                ha="left",
                va="bottom",
                fontsize=11,
                color=theme.text,
            )
        fig.savefig(file, format=fmt, dpi=dpi, metadata=scene._metadata(fmt))
