"""Contact sheets: every step of a scene in one numbered grid, for print and handouts.

The frames stream into the sheet: a PNG sheet is drawn by matplotlib with one
artist that copies each frame into the canvas as it is rendered, a PDF sheet
is composed frame by frame into one uint8 image. Memory is the sheet's pixels
(4 bytes each for PNG, about 8 for PDF), so a sheet is refused past
`convanim.limits.check_sheet`'s limits (64 steps, the per-frame pixel limit).
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..limits import SHEET_GAP_PX as GAP_PX
from ..limits import SHEET_LABEL_PX as LABEL_PX
from ..limits import check_sheet, sheet_layout
from ..themes import hex_to_rgb
from .base import MATPLOTLIB_LOCK, style

__all__ = ["sheet_layout", "contact_sheet"]

class _FrameTiles(Artist):
    """Draws the scene's frames at their places on the sheet, copying each into an Agg canvas as it is rendered."""

    def __init__(self, scene, places):
        super().__init__()
        self.scene, self.places = scene, places
        self.set_zorder(0)

    def draw(self, renderer):
        w, h = self.scene.size
        buffer = np.asarray(renderer.buffer_rgba())
        for (x, y), frame in zip(self.places, self.scene.frames(), strict=True):
            tile = buffer[y : y + h, x : x + w]
            tile[..., :3] = frame
            tile[..., 3] = 255


def contact_sheet(scene, file, fmt: str, dpi: int = 100) -> None:
    """Write every frame of ``scene`` into one numbered sheet (``fmt`` 'png' or 'pdf')."""
    w, h = scene.size
    n = len(scene)
    check_sheet(n, (w, h))
    cols, rows, sheet_w, sheet_h = sheet_layout(n, w, h)
    theme = scene.options.theme
    places = []
    for k in range(n):
        r, c = divmod(k, cols)
        places.append((GAP_PX + c * (w + GAP_PX), GAP_PX + r * (h + LABEL_PX + GAP_PX) + LABEL_PX))
    with MATPLOTLIB_LOCK, style():
        fig = Figure(figsize=(sheet_w / dpi, sheet_h / dpi), dpi=dpi, facecolor=theme.background)
        FigureCanvasAgg(fig)
        if fmt == "png":
            fig.add_artist(_FrameTiles(scene, places))
        else:
            canvas = np.empty((sheet_h, sheet_w, 3), dtype=np.uint8)
            canvas[:] = np.array(hex_to_rgb(theme.background), dtype=np.uint8)
            for (x, y), frame in zip(places, scene.frames(), strict=True):
                canvas[y : y + h, x : x + w] = frame
            fig.figimage(canvas, xo=0, yo=0, origin="upper")
        for k, (x, y) in enumerate(places):
            fig.text(
                x / sheet_w,
                1 - (y - 4) / sheet_h,
                f"step {k + 1}",  # as people count steps: from 1, as the page and the PDF
                ha="left",
                va="bottom",
                fontsize=11,
                color=theme.text,
            )
        fig.savefig(file, format=fmt, dpi=dpi, metadata=scene._metadata(fmt))
