"""Grids of square cells placed on one canvas, and a scene that repaints them every frame.

Shared by the scatter, overlap and both views (`convanim.scene.scatter`,
`convanim.scene.overlap`, `convanim.scene.both`). A frame is described as
plain lists (cell fills, outlines, hatches, texts) by the view's ``paint``;
`PaintedScene` puts them on a few reused artists, over a cached background
holding only the titles. Pixel coordinates, origin top-left, y down.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.font_manager import FontProperties

from ..themes import Theme, blend
from .base import Scene, pixel_axes, style
from .values import ink

__all__ = ["Panel", "Frame", "PaintedScene", "sub", "sequential", "place_row", "shape2", "DPI"]

DPI = 100
_SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def sub(index) -> str:
    """``(0, 1)`` -> ``'₀₁'``; indices past 9 -> ``'[10,1]'`` (subscripts would run together)."""
    index = tuple(int(i) for i in index)
    if all(0 <= i < 10 for i in index):
        return "".join(str(i) for i in index).translate(_SUB)
    return "[" + ",".join(str(i) for i in index) + "]"


def sequential(theme: Theme, n: int, top: int) -> str:
    """A shade of ``theme.output`` for ``n`` of ``top``: background at 0, the full colour at ``top``."""
    if n <= 0 or top <= 0:
        return theme.background
    return blend(theme.background, theme.output, 0.2 + 0.8 * min(n, top) / top)


def pt(px: float) -> float:
    """Pixels to points at `DPI`."""
    return px * 72 / DPI


@dataclass(frozen=True)
class Panel:
    """A ``rows`` x ``cols`` grid of ``cell``-pixel squares whose top-left corner is at (x, y)."""

    x: int
    y: int
    rows: int
    cols: int
    cell: int

    @property
    def width(self) -> int:
        return self.cols * self.cell

    @property
    def height(self) -> int:
        return self.rows * self.cell

    def box(self, r: int, c: int, r1: int | None = None, c1: int | None = None) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of cell (r, c), or of the cells (r, c) to (r1, c1) inclusive."""
        r1 = r if r1 is None else r1
        c1 = c if c1 is None else c1
        return (self.x + c * self.cell, self.y + r * self.cell,
                self.x + (c1 + 1) * self.cell, self.y + (r1 + 1) * self.cell)

    def center(self, r: int, c: int) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box(r, c)
        return (x0 + x1) / 2, (y0 + y1) / 2

    def cells(self):
        return ((r, c) for r in range(self.rows) for c in range(self.cols))


def rc(index) -> tuple[int, int]:
    """A 1-D or 2-D index as (row, col)."""
    return (0, int(index[0])) if len(index) == 1 else (int(index[0]), int(index[1]))


def place_row(x: int, y: int, shapes, titles, cell: int, font: float, width_of) -> tuple[list, int, int, list]:
    """Grids of ``shapes`` ((rows, cols)) side by side from (x, y), each under its title, centred on one line.

    Each grid gets a slot as wide as the grid or its title (``width_of(text)``
    pixels), whichever is wider; slots are ``1.2 * cell`` apart (room for an
    operator). Returns (panels, width, height, operator x positions), the
    titles' centres on ``panel.x + panel.width / 2``.
    """
    gap = round(1.2 * cell)
    title_h = round(2.2 * font)
    tallest = max(r for r, _ in shapes) * cell
    panels, ops, left = [], [], x
    for (rows, cols), title in zip(shapes, titles):
        slot = max(cols * cell, math.ceil(width_of(title)) + 8)
        top = y + title_h + (tallest - rows * cell) // 2
        panels.append(Panel(left + (slot - cols * cell) // 2, top, rows, cols, cell))
        left += slot + gap
        ops.append(left - gap / 2)
    return panels, left - gap - x, title_h + tallest, ops[:-1]


def shape2(shape) -> tuple[int, int]:
    """A 1-D or 2-D shape as (rows, cols): a 1-D grid is one row."""
    return (1, int(shape[0])) if len(shape) == 1 else (int(shape[0]), int(shape[1]))


def _verts(box) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = box
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _ring(box, inset: float) -> list[list[tuple[float, float]]]:
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    return [[(x0, y0), (x1, y0)], [(x1, y0), (x1, y1)], [(x1, y1), (x0, y1)], [(x0, y1), (x0, y0)]]


class Frame:
    """What one frame shows, as plain lists (filled by a view's ``paint``)."""

    def __init__(self):
        self.fills: list = []  # (box, colour)
        self.lines: list = []  # (segment, colour, width px)
        self.dashes: list = []  # (segment, colour, width px)
        self.texts: list = []  # (x, y, text, colour, size px, weight, ha)
        self.shades: list = []  # boxes under the theme's translucent overlay (drawn over the fills)

    def fill(self, box, colour: str) -> None:
        self.fills.append((box, colour))

    def shade(self, box) -> None:
        """The theme's overlay over ``box`` (what `Theme.over` pre-blends), text included."""
        self.shades.append(box)

    def outline(self, box, colour: str, width: float, inset: float = 0.0, dashed: bool = False) -> None:
        target = self.dashes if dashed else self.lines
        target.extend((seg, colour, width) for seg in _ring(box, inset))

    def grid(self, panel: Panel, colour: str, width: float) -> None:
        """Every cell edge of ``panel``."""
        x0, y0 = panel.x, panel.y
        x1, y1 = x0 + panel.width, y0 + panel.height
        for r in range(panel.rows + 1):
            self.lines.append(([(x0, y0 + r * panel.cell), (x1, y0 + r * panel.cell)], colour, width))
        for c in range(panel.cols + 1):
            self.lines.append(([(x0 + c * panel.cell, y0), (x0 + c * panel.cell, y1)], colour, width))

    def hatch(self, box, colour: str, width: float) -> None:
        """Two diagonal strokes that miss the cell's centre (cropped cells: colour is not the only cue)."""
        x0, y0, x1, y1 = box
        q = (x1 - x0) / 4
        self.lines.append(([(x0, y1 - q), (x1 - q, y0)], colour, width))
        self.lines.append(([(x0 + q, y1), (x1, y0 + q)], colour, width))

    def text(self, x: float, y: float, text: str, colour: str, size_px: float, bold: bool = False,
             ha: str = "center") -> None:
        if size_px <= 0:  # a name left out: too small to read where it is shown
            return
        self.texts.append((x, y, text, colour, size_px, "bold" if bold else "normal", ha))


class PaintedScene(Scene):
    """A scene whose frames are painted from `Frame` lists by ``paint(k, frame)``.

    Subclasses set ``self.theme`` and the canvas size, call ``_setup(titles)``
    with the static texts ``(x, y, text, size_px, ha)``, and implement
    ``paint`` and ``__len__``; what never changes goes in ``paint_static``,
    drawn once into the cached background (frames cover it only with
    `Frame.shade` and lines).
    """

    def paint_static(self, frame: Frame) -> None:
        """The parts of every frame that never change."""

    def _setup(self, width: int, height: int, titles, max_texts: int) -> None:
        super().__init__(width, height, self.theme.background, dpi=DPI)
        with style():
            ax = self.ax = pixel_axes(self.fig, width, height)
            for x, y, text, size, ha in titles:
                ax.text(x, y, text, ha=ha, va="center", color=self.theme.text, fontsize=pt(size), parse_math=False)
            static = Frame()
            self.paint_static(static)
            if static.fills:
                ax.add_collection(PolyCollection([_verts(b) for b, _ in static.fills], edgecolors="none",
                                                 linewidths=0, facecolors=[c for _, c in static.fills]))
            for x, y, text, colour, size, weight, ha in static.texts:
                ax.text(x, y, text, ha=ha, va="center", color=colour, parse_math=False,
                        fontproperties=self._font(size, weight))
            for items, style_ in ((static.dashes, (0, (3, 2))), (static.lines, "solid")):
                if items:
                    ax.add_collection(LineCollection(
                        [np.asarray(s, float) for s, _, _ in items], colors=[c for _, c, _ in items],
                        linewidths=[pt(w) for _, _, w in items], linestyles=style_,
                        capstyle="butt" if style_ != "solid" else "projecting"))
            self._fills = self.moving(ax.add_collection(PolyCollection([], edgecolors="none", linewidths=0)))
            self._shades = self.moving(ax.add_collection(PolyCollection(
                [], edgecolors="none", linewidths=0, facecolors=self.theme.overlay, alpha=self.theme.overlay_alpha)))
            # dashes first: a solid edge shared with a dashed cell stays solid
            self._dashes = self.moving(ax.add_collection(LineCollection([], capstyle="butt", linestyles=(0, (3, 2)))))
            self._lines = self.moving(ax.add_collection(LineCollection([], capstyle="projecting")))
            self._texts = [
                self.moving(ax.text(0, 0, "", ha="center", va="center", parse_math=False, visible=False))
                for _ in range(max_texts)
            ]

    def paint(self, k: int, frame: Frame) -> None:
        raise NotImplementedError

    def update(self, k: int) -> None:
        frame = Frame()
        self.paint(k, frame)
        self._fills.set_verts([_verts(box) for box, _ in frame.fills])
        self._fills.set_facecolors([c for _, c in frame.fills] or "none")
        self._shades.set_verts([_verts(box) for box in frame.shades])
        for artist, items in ((self._lines, frame.lines), (self._dashes, frame.dashes)):
            artist.set_segments([np.asarray(seg, float) for seg, _, _ in items])
            artist.set_colors([c for _, c, _ in items] or "none")
            artist.set_linewidths([pt(w) for _, _, w in items] or [0])
        if len(frame.texts) > len(self._texts):
            raise RuntimeError(f"{len(frame.texts)} texts in frame {k}, room for {len(self._texts)}")
        for artist, item in zip(self._texts, frame.texts + [None] * (len(self._texts) - len(frame.texts))):
            if item is None:
                artist.set_visible(False)
                continue
            x, y, text, colour, size, weight, ha = item
            artist.set_visible(True)
            artist.set_horizontalalignment(ha)
            artist.set_position((x, y))
            artist.set_text(text)
            artist.set_color(colour)
            if getattr(artist, "_convanim_font", None) != (size, weight):
                artist.set_fontproperties(self._font(size, weight))
                artist._convanim_font = (size, weight)

    @functools.cache  # noqa: B019 (a few sizes per scene)
    def _font(self, size: float, weight: str) -> FontProperties:
        return FontProperties(family="DejaVu Sans", size=pt(size), weight=weight)

    def ink(self, face: str) -> str:
        return ink(self.theme, face)
