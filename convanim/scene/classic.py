"""The ``classic`` layout: Dumoulin & Visin's slanted grids, the input below and the output above.

Both grids are unit-cell grids seen through the slant of the conv_arithmetic
figures (TikZ ``yslant=0.5, xslant=-0.7``): a grid point ``(x, y)`` (``x``
along a row, ``y`` up) lands at ``(x - 0.7*y, 0.5*x + 0.65*y)`` cell units.
The grid's top-left cell is therefore its leftmost corner, a row runs up to
the right, and the rows follow one another down to the right. The output
grid sits straight above the drawn input grid, raised by its rows + 1 cells.

>>> from convanim import ConvSpec
>>> scene = ClassicScene(ConvSpec(5, 3, stride=2, padding=1))
>>> len(scene), scene.size
(9, (395, 381))
"""

from __future__ import annotations

import functools
import math

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Polygon
from matplotlib.text import Text
from matplotlib.transforms import Affine2D

from .. import explanation as explain
from ..schedule import cell_kind, schedule
from ..spec import ConvSpec
from ..themes import get_theme
from .base import Scene, SceneOptions, style

__all__ = ["ClassicScene", "DEFAULT_CELL_PX", "SLANT"]

#: Grid units to drawing units: TikZ ``[yslant=0.5, xslant=-0.7]`` (x slanted first, then y).
SLANT = ((1.0, -0.7), (0.5, 0.65))

#: Pixels per cell edge (before the slant) when `SceneOptions.cell_px` is None:
#: the reference's 0.5 cm cells rasterised at 150 dpi.
DEFAULT_CELL_PX = 150 / 2.54 / 2
# The steps of the last few specs, shared by their scenes (fitting a frame to a width builds several).
_schedule = functools.lru_cache(maxsize=4)(lambda spec: tuple(schedule(spec)))

_DPI = 100
# Sizes in cell units, measured on the reference (TikZ at scale 0.5, 150 dpi).
_THICK = 0.8 / 72 * 150 / DEFAULT_CELL_PX  # TikZ "thick" (0.8 pt)
_THIN = 0.4 / 72 * 150 / DEFAULT_CELL_PX  # TikZ default line (0.4 pt), drawn at least 1 px wide
_DASH = 3.0 / 0.8  # TikZ "dashed": 3 pt on, 3 pt off, in multiples of the thick width
_MARGIN = 10 / 72 * 150 / DEFAULT_CELL_PX  # the standalone class's 10 pt border
_FONT = 0.42  # label font size, at least _FONT_MIN_PX
_FONT_MIN_PX = 12  # MIN_TEXT_PX and a margin: the em measured from the extents
_GAP = 0.3  # between a grid and its text
_NUDGE = -2.5 / 72 * 150 / DEFAULT_CELL_PX  # the reference's output is 2.5 pt left of straight above


def _pt(px: float) -> float:
    """Pixels to points at the scene's dpi (matplotlib sizes lines and fonts in points)."""
    return px * 72 / _DPI


def _square(x: float, y: float, w: float = 1.0, h: float = 1.0) -> np.ndarray:
    return np.array([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], dtype=float)


def _grid_lines(x0: float, y0: float, x1: float, y1: float) -> list[np.ndarray]:
    """Unit grid lines over ``[x0, x1] x [y0, y1]``: columns bottom to top, then rows left to right."""
    cols = [np.array([(x, y0), (x, y1)], dtype=float) for x in range(int(x0), int(x1) + 1)]
    rows = [np.array([(x0, y), (x1, y)], dtype=float) for y in range(int(y0), int(y1) + 1)]
    return cols + rows


def _clip_before(p: np.ndarray, q: np.ndarray, width: float, height: float) -> np.ndarray:
    """The part of segment ``p -> q`` before it enters the box ``[0, width] x [0, height]``.

    Liang-Barsky: ``q`` lies on the box, so the segment enters it at one
    parameter ``t``; the piece ``p -> p + t*(q - p)`` is what stays visible when
    the box is drawn on top.
    """
    d = q - p
    t_in, t_out = 0.0, 1.0
    for delta, start, lo, hi in ((d[0], p[0], 0.0, width), (d[1], p[1], 0.0, height)):
        if abs(delta) < 1e-12:
            if not lo <= start <= hi:
                return np.array([p, q])  # parallel to the box and outside: never enters
            continue
        t0, t1 = (lo - start) / delta, (hi - start) / delta
        t_in, t_out = max(t_in, min(t0, t1)), min(t_out, max(t0, t1))
    if t_in > t_out:
        return np.array([p, q])
    return np.array([p, p + t_in * d])


def _wrap(text: str, limit: float, width) -> list[str]:
    """``text`` broken after ``", "`` into lines with ``width(line) <= limit`` where possible."""
    parts = text.split(", ")
    lines = [parts[0]]
    for part in parts[1:]:
        joined = f"{lines[-1]}, {part}"
        if width(joined) <= limit:
            lines[-1] = joined
        else:
            lines[-1] += ","
            lines.append(part)
    return lines


def _overlap(a: np.ndarray, b: np.ndarray, gap: float = 0.0) -> bool:
    """Whether convex polygons ``a`` and ``b`` (corners in order) come closer than ``gap``.

    Separating-axis test on the edge normals of both.
    """
    for poly in (a, b):
        edges = np.roll(poly, -1, axis=0) - poly
        for ex, ey in edges:
            normal = np.array((-ey, ex)) / math.hypot(ex, ey)
            pa, pb = a @ normal, b @ normal
            if pa.max() + gap <= pb.min() or pb.max() + gap <= pa.min():
                return False
    return True


class ClassicScene(Scene):
    """A 1-D or 2-D convolution in the look of Dumoulin & Visin's conv_arithmetic GIFs.

    The drawn input grid (`ConvSpec.grid_shape`: the padded input, or the
    zero-inserted input of a transposed convolution with its border and the
    ``output_padding`` at the bottom and right) lies below, the output grid
    straight above; a 1-D spec is drawn as one row. Colours come from
    ``options.theme`` only: input cells ``input`` with solid ``line`` edges,
    padding and inserted zeros ``padding`` with a dashed grid, output cells
    ``output`` (all of them from the first frame, as in the reference). Each
    frame shades the kernel's taps with ``theme.over`` of the cell's colour
    (for a dilated kernel only the taps), draws the grid of the kernel's
    footprint solid, shades the output cell being written with
    ``theme.over(output)`` and joins the corners of the footprint to the
    corners of that cell with four thin lines. One frame per `Step`, row-major
    from the top-left (leftmost) cell.

    ``options.cell_px`` is the edge of one cell before the slant (default
    ≈29.5, the reference's size); line widths, margins and fonts scale with it.
    ``labels`` writes `explain.input_label` under the input grid's near edge
    and `explain.output_label` beside the output grid; ``caption`` writes
    `explain.caption` (one line per axis) under the drawing. The canvas grows
    to fit the text.
    """

    def __init__(self, spec: ConvSpec, options: SceneOptions = SceneOptions()):  # noqa: B008 (frozen)
        # -- basic checks on arguments
        if not isinstance(spec, ConvSpec):
            raise ValueError(f"spec must be a ConvSpec, got {type(spec).__name__}")
        if spec.ndim not in (1, 2):
            raise ValueError(f"layout 'classic' draws 1-D and 2-D convolutions, got {spec.ndim} axes")
        unit = DEFAULT_CELL_PX if options.cell_px is None else options.cell_px
        if isinstance(unit, bool) or not isinstance(unit, (int, float)) or not unit >= 8:
            raise ValueError(f"cell_px must be a number >= 8, got {options.cell_px!r}")

        self.spec = spec
        self.options = options
        self.theme = theme = get_theme(options.theme)
        self.steps = _schedule(spec)
        self.cell_px = float(unit)
        # Everything below works on (rows, cols); a 1-D spec is one row.
        self._grid = (1,) * (2 - spec.ndim) + tuple(spec.grid_shape)
        self._out = (1,) * (2 - spec.ndim) + tuple(spec.output_shape)
        self._slant = np.array(SLANT, dtype=float)
        # The output grid's origin, (nearly) straight above the input's, in drawing units.
        self._lift = self._grid[0] + 1.0
        self._offset = np.array((_NUDGE, self._lift))

        with style():
            super().__init__(100, 100, theme.background, dpi=_DPI)
            # Grid units -> drawing units -> pixels (`_place`, set once the canvas size is known)
            # -> display units. At the scene's own dpi the last step is the identity; it keeps
            # SVG and PDF output (72 units per inch) in proportion.
            self._place = Affine2D().scale(self.cell_px)
            self._on_fig = self._place + Affine2D().scale(1 / _DPI) + self.fig.dpi_scale_trans
            matrix = [[*SLANT[0], 0.0], [*SLANT[1], 0.0], [0.0, 0.0, 1.0]]
            self._t_in = Affine2D(np.array(matrix)) + self._on_fig
            self._t_out = Affine2D(np.array(matrix)).translate(*self._offset) + self._on_fig
            # Text is measured on the figure itself; the canvas is then sized to fit.
            texts = self._make_texts()
            lo, hi = self._extent(texts)
            margin = _MARGIN * self.cell_px
            width = round((hi[0] - lo[0]) * self.cell_px + 2 * margin)
            height = round((hi[1] - lo[1]) * self.cell_px + 2 * margin)
            self.fig.set_size_inches(width / _DPI, height / _DPI)
            self._place.translate(margin - lo[0] * self.cell_px, margin - lo[1] * self.cell_px)
            self._draw_static()
            self._make_moving()

    # -- geometry ---------------------------------------------------------------

    def _local(self, which: str, row: float, col: float) -> tuple[float, float]:
        """Grid units (x right along a row, y up) of the top-left corner of cell (row, col)."""
        rows = self._grid[0] if which == "input" else self._out[0]
        return float(col), float(rows - row)

    def _rc(self, index: tuple) -> tuple[int, int]:
        return (0, index[0]) if len(index) == 1 else (index[0], index[1])

    def _transform(self, which: str):
        return self._t_in if which == "input" else self._t_out

    def cell_center(self, which: str, cell: tuple) -> tuple[float, float]:
        """Where the centre of ``cell`` of grid ``which`` ('input': the drawn grid, or 'output')
        lands in a frame, as (x, y) pixels from the frame's top-left corner.

        ``cell`` indexes `ConvSpec.grid_shape` or `ConvSpec.output_shape` (one
        index for a 1-D spec).
        """
        if which not in ("input", "output"):
            raise ValueError(f"which must be 'input' or 'output', got {which!r}")
        r, c = self._rc(tuple(cell))
        x, y = self._local(which, r + 0.5, c + 0.5)
        px, py = self._transform(which).transform((x, y))
        return float(px), float(self.size[1] - py)

    def _corners(self, which: str) -> np.ndarray:
        """The grid's four corners in drawing units (before `_place`)."""
        rows, cols = self._grid if which == "input" else self._out
        pts = _square(0.0, 0.0, cols, rows) @ self._slant.T
        return pts if which == "input" else pts + self._offset

    def _extent(self, texts: list[Text]) -> tuple[np.ndarray, np.ndarray]:
        """Lower-left and upper-right corner of everything drawn, in drawing units."""
        pts = np.vstack([self._corners("input"), self._corners("output")])
        half = _THICK / 2
        lo, hi = pts.min(axis=0) - half, pts.max(axis=0) + half
        if texts:
            renderer = self.fig.canvas.get_renderer()
            for text in texts:
                box = text.get_window_extent(renderer)
                lo = np.minimum(lo, np.array([box.x0, box.y0]) / self.cell_px)
                hi = np.maximum(hi, np.array([box.x1, box.y1]) / self.cell_px)
        return lo, hi

    # -- static drawing -----------------------------------------------------------

    def _make_texts(self) -> list[Text]:
        """Labels and caption, placed in drawing units and measured on the (not yet sized) figure."""
        spec, theme, opts = self.spec, self.theme, self.options
        font_px = max(_FONT * self.cell_px, _FONT_MIN_PX)
        prop = FontProperties(size=_pt(font_px))
        renderer = self.fig.canvas.get_renderer()
        texts: list[Text] = []

        def text(x, y, s, **kw):
            t = Text(x, y, s, color=theme.text, fontproperties=prop, transform=self._on_fig, zorder=4, **kw)
            texts.append(self.fig.add_artist(t))
            return t

        def box(t: Text) -> np.ndarray:
            b = t.get_window_extent(renderer)
            return _square(b.x0, b.y0, b.width, b.height) / self.cell_px

        def width(line: str) -> float:
            w, _, _ = renderer.get_text_width_height_descent(line, prop, ismath=False)
            return w / self.cell_px

        grids = [self._corners("input"), self._corners("output")]
        right = max(g[:, 0].max() for g in grids)
        if opts.labels:
            # Input: under the grid's near (lower right) edge, which rises 0.5 per unit to the
            # right; wrapped after commas to stay within the drawing where it can.
            label = explain.input_label(spec)
            line_h = 1.2 * font_px / self.cell_px
            for n_lines in range(1, 8):
                x0 = 2 * (n_lines * line_h + _GAP)
                lines = _wrap(label, max(right - x0, 14 * font_px / self.cell_px), width)
                if len(lines) <= n_lines:
                    break
            t = text(x0, 0.0, "\n".join(lines), ha="left", va="bottom")
            taken = [*grids, box(t)]
            # Output: beside its right corner, else its left corner, else above its top corner,
            # whichever touches nothing drawn.
            corners = self._corners("output")  # bottom, right, top, left
            places = [
                (corners[1] + (_GAP, 0.0), {"ha": "left", "va": "center"}),
                (corners[3] - (_GAP, 0.0), {"ha": "right", "va": "center"}),
                (corners[2] + (0.0, _GAP), {"ha": "center", "va": "bottom"}),
            ]
            for (x, y), kw in places:
                t = text(x, y, explain.output_label(spec), **kw)
                if not any(_overlap(box(t), g, _GAP / 2) for g in taken):
                    break
                texts.pop().remove()
            else:
                text(x, y, explain.output_label(spec), **kw)
        if opts.caption:
            pts = np.vstack(grids)
            middle = (pts[:, 0].min() + pts[:, 0].max()) / 2
            lines = explain.caption(spec).split("; ")
            text(middle, -_GAP, "\n".join(lines), ha="center", va="top", multialignment="center")
        return texts

    def _draw_static(self) -> None:
        theme, fig = self.theme, self.fig
        thick = _pt(_THICK * self.cell_px)
        rows, cols = self._grid
        # Padding and inserted zeros: one fill under everything, with a dashed grid.
        fig.add_artist(
            Polygon(_square(0, 0, cols, rows), closed=True, facecolor=theme.padding, edgecolor="none",
                    transform=self._t_in, zorder=1)
        )
        fig.add_artist(
            LineCollection(_grid_lines(0, 0, cols, rows), colors=theme.line, linewidths=thick,
                           linestyles=[(0, (_DASH, _DASH))], transform=self._t_in, zorder=2)
        )
        spec_cell = (lambda r, c: (c,)) if self.spec.ndim == 1 else (lambda r, c: (r, c))
        inputs = [
            _square(*self._local("input", r + 1, c))
            for r in range(rows)
            for c in range(cols)
            if cell_kind(self.spec, spec_cell(r, c)) == "input"
        ]
        fig.add_artist(
            PolyCollection(inputs, facecolors=theme.input, edgecolors=theme.line, linewidths=thick,
                           transform=self._t_in, zorder=3)
        )
        out_rows, out_cols = self._out
        outputs = [_square(c, r) for r in range(out_rows) for c in range(out_cols)]
        fig.add_artist(
            PolyCollection(outputs, facecolors=theme.output, edgecolors=theme.line, linewidths=thick,
                           transform=self._t_out, zorder=4)
        )
        # Shaded colour of every drawn cell, looked up per frame.
        shaded = {kind: to_rgba(theme.over(theme.input if kind == "input" else theme.padding))
                  for kind in ("input", "padding", "zero")}
        self._shaded = np.array(
            [[shaded[cell_kind(self.spec, spec_cell(r, c))] for c in range(cols)] for r in range(rows)]
        )

    def _make_moving(self) -> None:
        """The kernel and the current output cell, drawn once at the origin and moved per frame.

        Every step has the same tap pattern relative to the top-left corner of
        its footprint, so a frame only changes two translations, the taps'
        colours and the four projection lines: the cost per frame does not grow
        with the grids.
        """
        theme, fig = self.theme, self.fig
        thick = _pt(_THICK * self.cell_px)
        first = self.steps[0]
        (r0, r1), (c0, c1) = self._span(first)
        cells = np.array([self._rc(tap.cell) for tap in first.taps]) - (r0, c0)
        self._tap_rc = cells.T  # rows, cols of the taps relative to the footprint's top-left cell
        self._span_rc = (r1 - r0 + 1, c1 - c0 + 1)
        # Grid units with the footprint's top-left corner (the output cell's) at the origin.
        self._move_in, self._move_out = Affine2D(), Affine2D()
        taps = [_square(dc, -dr - 1) for dr, dc in cells]
        self._taps = self.moving(
            fig.add_artist(PolyCollection(taps, edgecolors="none", transform=self._move_in + self._t_in,
                                          zorder=5))
        )
        rows, cols = self._span_rc
        self._footprint = self.moving(
            fig.add_artist(LineCollection(_grid_lines(0, -rows, cols, 0), colors=theme.line, linewidths=thick,
                                          transform=self._move_in + self._t_in, zorder=6))
        )
        thin = _pt(max(1.0, _THIN * self.cell_px))
        self._rays = self.moving(
            fig.add_artist(LineCollection([], colors=theme.line, linewidths=thin, transform=self._t_out,
                                          zorder=7))
        )
        self._current = self.moving(
            fig.add_artist(Polygon(_square(0, -1), closed=True, facecolor=theme.over(theme.output),
                                   edgecolor=theme.line, linewidth=thick,
                                   transform=self._move_out + self._t_out, zorder=8))
        )
        # Input grid units -> output grid units (the input lies below and left of the output's origin).
        self._in_to_out = -np.linalg.solve(self._slant, self._offset)

    def _span(self, step) -> tuple[tuple[int, int], tuple[int, int]]:
        """(first, last) row and column of the step's footprint."""
        return ((0, 0),) * (2 - self.spec.ndim) + step.footprint

    # -- frames -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.steps)

    def update(self, k: int) -> None:
        step = self.steps[k]
        (r0, _), (c0, _) = self._span(step)
        x0, y1 = self._local("input", r0, c0)  # the footprint's top-left corner
        self._move_in.clear().translate(x0, y1)
        dr, dc = self._tap_rc
        self._taps.set_facecolor(self._shaded[r0 + dr, c0 + dc])

        orow, ocol = self._rc(step.out)
        ox, oy = self._local("output", orow, ocol)  # the output cell's top-left corner
        self._move_out.clear().translate(ox, oy)
        # Corners of the footprint and of the output cell, both in output grid units, paired
        # bottom-left, bottom-right, top-left, top-right.
        rows, cols = self._span_rc
        foot = np.array([(0, -rows), (cols, -rows), (0, 0), (cols, 0)], dtype=float) + (x0, y1)
        cell = np.array([(0, -1), (1, -1), (0, 0), (1, 0)], dtype=float) + (ox, oy)
        out_rows, out_cols = self._out
        pairs = zip(foot + self._in_to_out, cell, strict=True)
        self._rays.set_segments([_clip_before(p, q, out_cols, out_rows) for p, q in pairs])

    def describe(self) -> str:
        return explain.alt_text(self.spec)
