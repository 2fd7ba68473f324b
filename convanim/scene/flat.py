"""The ``flat`` layout: top-down, axis-aligned grids, input on the left and output on the right.

Meant for slides and papers: square cells of one size, the drawn grid (the
padded input, or the zero-inserted input of a transposed convolution) beside
the output grid. Every frame shades the kernel's taps on the input, outlines
the kernel's footprint and the output cell it writes, and fills the output
cells written so far.

>>> from convanim import ConvSpec
>>> scene = FlatScene(ConvSpec(5, 3, stride=2, padding=1))
>>> len(scene), scene.size
(9, (500, 320))
>>> scene.cell_center("input", (0, 0)), scene.cell_center("output", (2, 2))
((40, 40), (460, 200))
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path

from .. import explanation as explain
from ..schedule import cell_kind, schedule, unread_cells
from ..spec import ConvSpec
from .base import EMPTY, Scene, SceneOptions, boxes_path, pixel_axes, style

__all__ = ["FlatScene", "DEFAULT_CELL_PX"]

#: Side of one cell in pixels when `SceneOptions.cell_px` is None.
DEFAULT_CELL_PX = 40

_DPI = 100
# Frames draw the revealed and moving artists over the static ones; so does `save` with this zorder
# (above the grid lines' and hatches' 2, under the text's 3).
_OVER_STATIC = 2.5
_DEFAULTS = SceneOptions()  # frozen: safe to share as a default argument


def _even(value: float) -> int:
    """``value`` rounded to the nearest even integer (at least 2)."""
    return max(2, 2 * round(value / 2))


def _ceil_even(value: int) -> int:
    return value + value % 2


def _pt(px: float) -> float:
    """Pixels to points at the scene's dpi (matplotlib sizes lines and fonts in points)."""
    return px * 72 / _DPI


def _rect(x0: float, y0: float, size: float) -> list[tuple[float, float]]:
    return [(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size)]


def _stroke_boxes(segments: np.ndarray, half: float, projecting: bool) -> np.ndarray:
    """The rectangles that axis-aligned ``segments`` (shape (n, 2, 2)) cover when stroked ``2*half`` wide.

    Butt caps end at the segment's ends; projecting caps go ``half`` beyond.
    """
    lo, hi = segments.min(axis=1), segments.max(axis=1)
    across = lo == hi  # the axis the segment does not run along
    grow = np.full_like(lo, half) if projecting else half * across
    return np.concatenate([lo - grow, hi + grow], axis=1)


def _segments_path(segments: np.ndarray) -> Path:
    """One compound path of the segments (shape (n, 2, 2))."""
    return Path(segments.reshape(-1, 2), np.tile([Path.MOVETO, Path.LINETO], len(segments)))


class _Text:
    """Measures lines of text in pixels with the Agg renderer (before the figure exists)."""

    def __init__(self, font_px: int):
        self.prop = FontProperties(size=_pt(font_px))
        self.renderer = RendererAgg(8, 8, _DPI)
        _, height, descent = self.renderer.get_text_width_height_descent("ÅÉg×(", self.prop, ismath=False)
        self.ascent = int(np.ceil(height - descent))
        self.line_px = int(np.ceil(height * 1.3))

    def width(self, line: str) -> int:
        w, _, _ = self.renderer.get_text_width_height_descent(line, self.prop, ismath=False)
        return int(np.ceil(w)) + 2

    def wrap(self, text: str, limit: int, sep: str = ", ") -> list[str]:
        """``text`` broken after ``sep`` into lines no wider than ``limit`` where possible."""
        parts = text.split(sep)
        lines = [parts[0]]
        for part in parts[1:]:
            joined = f"{lines[-1]}{sep}{part}"
            if self.width(joined) <= limit:
                lines[-1] = joined
            else:
                lines[-1] += sep.rstrip()
                lines.append(part)
        return lines


class FlatScene(Scene):
    """A 1-D or 2-D convolution drawn flat: the drawn input grid left, the output grid right.

    Colours come from ``options.theme`` only: input cells ``input``, padding
    and inserted zeros ``padding`` with a dashed outline, input cells that no
    kernel position reads ``unread`` with a diagonal hatch, grid lines
    ``line``. Each frame shades the taps of the kernel with ``theme.over`` of
    the cell's colour (for a dilated kernel only the taps; a thick outline
    marks the whole footprint), fills the output cells written so far with
    ``output`` and the current one with ``theme.over(output)`` (also outlined).
    Output cells not written yet are empty (background with grid lines): the
    output visibly fills up in the order the kernel slides, without a colour
    outside the theme's palette.

    ``options.cell_px`` (default 40) is rounded down to an even number; line
    widths, margins and fonts scale with it. ``labels`` puts
    `explain.input_label` and `explain.output_label` above the grids,
    ``caption`` puts `explain.caption` (one line per axis) under the drawing;
    the canvas grows to fit the text.
    """

    def __new__(cls, spec=None, options: SceneOptions = _DEFAULTS):
        if cls is FlatScene and isinstance(spec, ConvSpec) and spec.ndim == 3:  # rows of depth slices
            from .flat3d import Flat3DScene

            return Flat3DScene(spec, options)
        return super().__new__(cls)

    def __init__(self, spec: ConvSpec, options: SceneOptions = _DEFAULTS):
        # -- basic checks on arguments
        if not isinstance(spec, ConvSpec):
            raise ValueError(f"spec must be a ConvSpec, got {type(spec).__name__}")
        if spec.ndim not in (1, 2):
            raise ValueError(f"layout 'flat' draws 1-D and 2-D convolutions, got {spec.ndim} axes")
        cell = DEFAULT_CELL_PX if options.cell_px is None else options.cell_px
        if not isinstance(cell, int) or isinstance(cell, bool) or cell < 8:
            raise ValueError(f"cell_px must be an integer >= 8, got {options.cell_px!r}")
        cell -= cell % 2

        self.spec = spec
        self.options = options
        self.theme = theme = options.theme
        self.steps = schedule(spec)
        self.cell_px = cell
        # Everything below works on (rows, cols); a 1-D spec is one row.
        self._grid = (1,) * (2 - spec.ndim) + tuple(spec.grid_shape)
        self._out = (1,) * (2 - spec.ndim) + tuple(spec.output_shape)
        self._line_px = lw = 2 * max(1, round(cell / 40))
        self._bold_px = 2 * lw

        with style():
            self._layout(cell)
            super().__init__(self._width, self._height, theme.background, dpi=_DPI)
            self.ax = pixel_axes(self.fig, self._width, self._height)
            self._draw_static()
            self._make_moving()

    # -- geometry ---------------------------------------------------------------

    def _layout(self, cell: int) -> None:
        """Place the grids, labels and caption; set the canvas size (even pixels)."""
        opts = self.options
        (gr, gc), (orow, ocol) = self._grid, self._out
        in_w, in_h, out_w, out_h = gc * cell, gr * cell, ocol * cell, orow * cell
        margin = _even(max(12, cell / 2))
        gap = _even(1.5 * cell)
        pad = _even(max(6, cell / 4))
        text = _Text(_even(max(12, 0.4 * cell)))
        self._text = text

        in_lines = out_lines = cap_lines = []
        if opts.labels:
            in_label = explain.input_label(self.spec)
            widest_part = max(text.width(p) for p in in_label.split(", "))
            in_lines = text.wrap(in_label, max(in_w, widest_part))
            out_lines = [explain.output_label(self.spec)]
        if opts.caption:
            cap_lines = [line.strip() for line in explain.caption(self.spec).split("; ")]
            cap_lines = [line + ";" for line in cap_lines[:-1]] + cap_lines[-1:]

        def block(lines):
            return len(lines) * text.line_px + pad if lines else 0

        col_in = max([in_w] + [text.width(s) for s in in_lines])
        col_out = max([out_w] + [text.width(s) for s in out_lines])
        cap_w = max([0] + [text.width(s) for s in cap_lines])
        drawing_w = col_in + gap + col_out
        content_w = max(drawing_w, cap_w)
        width = _ceil_even(content_w + 2 * margin)

        mid = margin + max(in_h // 2 + block(in_lines), out_h // 2 + block(out_lines))
        bottom = mid + max(in_h, out_h) // 2
        height = bottom + margin
        if cap_lines:
            cap_top = bottom + 2 * pad
            height = cap_top + len(cap_lines) * text.line_px + margin
        height = _ceil_even(height)

        left = (width - drawing_w) // 2
        self._origin = {
            "input": (left + (col_in - in_w) // 2, mid - in_h // 2),
            "output": (left + col_in + gap + (col_out - out_w) // 2, mid - out_h // 2),
        }
        self._texts = []
        for lines, which, w in ((in_lines, "input", in_w), (out_lines, "output", out_w)):
            x0, y0 = self._origin[which]
            top = y0 - pad - len(lines) * text.line_px
            for n, line in enumerate(lines):
                self._texts.append((x0 + w / 2, top + n * text.line_px + text.ascent, line))
        for n, line in enumerate(cap_lines):
            self._texts.append((width / 2, cap_top + n * text.line_px + text.ascent, line))
        self._width, self._height = width, height

    def _cell2(self, which: str, cell) -> tuple[int, int]:
        """(row, col) of ``cell`` of grid ``which``, checked."""
        if which not in ("input", "output"):
            raise ValueError(f"which must be 'input' or 'output', got {which!r}")
        cell = tuple(cell)
        shape = self.spec.grid_shape if which == "input" else self.spec.output_shape
        if len(cell) != len(shape) or not all(0 <= c < n for c, n in zip(cell, shape, strict=True)):
            raise ValueError(f"cell must index the {which} grid of shape {tuple(shape)}, got {cell}")
        return (0, cell[0]) if len(cell) == 1 else (cell[0], cell[1])

    def cell_center(self, which: str, cell: tuple) -> tuple[int, int]:
        """Pixel centre ``(x, y)`` of ``cell`` in a frame (origin top-left, y down).

        Parameters
        ----------
        which : str
            ``'input'`` for the drawn grid (`ConvSpec.grid_shape`: padding and
            inserted zeros included) or ``'output'``.
        cell : tuple of int
            Index into that grid, one entry per axis (``(col,)`` in 1-D).

        Returns
        -------
        (int, int)
            Column and row of the pixel at the cell's centre in `Scene.frame`.
        """
        r, c = self._cell2(which, cell)
        x0, y0 = self._origin[which]
        half = self.cell_px // 2
        return x0 + c * self.cell_px + half, y0 + r * self.cell_px + half

    def _corner(self, which: str, r: int, c: int) -> tuple[int, int]:
        x0, y0 = self._origin[which]
        return x0 + c * self.cell_px, y0 + r * self.cell_px

    def _cell_box(self, which: str, r: int, c: int) -> tuple[int, int, int, int]:
        x, y = self._corner(which, r, c)
        return x, y, x + self.cell_px, y + self.cell_px

    # -- static drawing ---------------------------------------------------------

    def _draw_static(self) -> None:
        theme, spec, cell, ax = self.theme, self.spec, self.cell_px, self.ax
        rows, cols = self._grid
        grid_cells = [(r, c) for r in range(rows) for c in range(cols)]

        def spec_cell(r, c):
            return (c,) if spec.ndim == 1 else (r, c)

        kinds = {rc: cell_kind(spec, spec_cell(*rc)) for rc in grid_cells}
        unread = set()
        for idx in unread_cells(spec):
            grid_idx = tuple(ax_.lo + i * ax_.step for ax_, i in zip(spec.axes, idx, strict=True))
            unread.add((0, grid_idx[0]) if spec.ndim == 1 else grid_idx)
        unread &= set(grid_cells)  # a transposed conv's padding > d*(k-1) crops cells off the grid
        self._base = {}
        for rc in grid_cells:
            if rc in unread:
                self._base[rc] = theme.unread
            elif kinds[rc] == "input":
                self._base[rc] = theme.input
            else:
                self._base[rc] = theme.padding

        ax.add_collection(
            PolyCollection(
                [_rect(*self._corner("input", *rc), cell) for rc in grid_cells],
                facecolors=[self._base[rc] for rc in grid_cells],
                edgecolors="none",
                linewidths=0,
            )
        )
        # Unread cells: a diagonal hatch that misses the cell centre (colour is not the only cue).
        hatch = []
        for r, c in sorted(unread):
            x0, y0 = self._corner("input", r, c)
            q = cell // 4
            hatch.append([(x0, y0 + cell - q), (x0 + cell - q, y0)])
            hatch.append([(x0 + q, y0 + cell), (x0 + cell, y0 + q)])
        if hatch:
            ax.add_collection(
                LineCollection(hatch, colors=theme.line, linewidths=_pt(self._line_px),
                               antialiaseds=False, capstyle="butt")
            )

        # Grid lines: every unit edge is solid when it touches an input cell, else dashed.
        is_input = np.zeros((rows + 2, cols + 2), bool)
        for (r, c), kind in kinds.items():
            is_input[r + 1, c + 1] = kind == "input"
        self._edges = {}
        for r in range(rows + 1):
            for c in range(cols):
                solid = is_input[r, c + 1] or is_input[r + 1, c + 1]
                self._edges[("h", r, c)] = self._edge_segments("h", r, c, solid)
        for r in range(rows):
            for c in range(cols + 1):
                solid = is_input[r + 1, c] or is_input[r + 1, c + 1]
                self._edges[("v", r, c)] = self._edge_segments("v", r, c, solid)
        solid = [s for kind, segs in self._edges.values() if kind == "solid" for s in segs]
        dashes = [s for kind, segs in self._edges.values() if kind == "dash" for s in segs]
        for artist in self._line_artists(solid, dashes):
            ax.add_collection(artist)

        # The output grid: empty cells (filled as they are written, see update).
        orow, ocol = self._out
        x0, y0 = self._origin["output"]
        x1, y1 = x0 + ocol * cell, y0 + orow * cell
        self._out_lines = [[(x0, y0 + r * cell), (x1, y0 + r * cell)] for r in range(orow + 1)]
        self._out_lines += [[(x0 + c * cell, y0), (x0 + c * cell, y1)] for c in range(ocol + 1)]
        ax.add_collection(self._line_artists(self._out_lines, [])[0])

        for x, y, line in self._texts:
            ax.text(x, y, line, ha="center", va="baseline", color=theme.text,
                    fontproperties=self._text.prop, parse_math=False)

    def _edge_segments(self, orient: str, r: int, c: int, solid: bool):
        """('solid' | 'dash', segments) of the unit edge ``orient`` at grid corner (r, c)."""
        cell = self.cell_px
        x, y = self._corner("input", r, c)
        if solid:
            end = (x + cell, y) if orient == "h" else (x, y + cell)
            return "solid", np.array([[(x, y), end]], float)
        n = max(2, min(4, round(cell / 10)))  # dashes per cell edge
        dash = max(2, round(cell / (2 * n)))
        segs = []
        for i in range(n):
            a = round(i * cell / n + (cell / n - dash) / 2)
            if orient == "h":
                segs.append([(x + a, y), (x + a + dash, y)])
            else:
                segs.append([(x, y + a), (x, y + a + dash)])
        return "dash", np.array(segs, float)

    def _line_artists(self, solid, dashes):
        """A solid collection (square caps close the corners) and a dash collection (butt caps)."""
        width = _pt(self._line_px)
        return (
            LineCollection(solid, colors=self.theme.line, linewidths=width, capstyle="projecting"),
            LineCollection(dashes, colors=self.theme.line, linewidths=width, capstyle="butt"),
        )

    # -- moving artists -----------------------------------------------------------

    def _make_moving(self) -> None:
        """Two artists: the written output cells (revealed) and everything around the kernel (moving).

        Both are drawn flat, in whole pixels and opaque colours, so their paths
        can be grouped freely without changing a pixel. What varies per step is
        looked up in arrays made here.
        """
        theme = self.theme
        # The written outputs: every output cell filled, the grid lines over the fill. A frame shows
        # the cells written before its step (see `update`).
        orow, ocol = self._out
        everything = self._cell_box("output", 0, 0)[:2] + self._cell_box("output", orow - 1, ocol - 1)[2:]
        grid = _segments_path(np.asarray(self._out_lines, float))
        self._written = self.revealed(self.ax.add_collection(PathCollection(
            [boxes_path(np.array([everything], float)), grid],
            facecolors=[theme.output, "none"], edgecolors=["none", theme.line],
            linewidths=[0, _pt(self._line_px)], capstyle="projecting", zorder=_OVER_STATIC,
        ), autolim=False))

        # Every step has the same taps relative to the top-left cell of its footprint.
        first = self.steps[0]
        (r0, _), (c0, _) = [(0, 0)] * (2 - self.spec.ndim) + list(first.footprint)
        self._tap_rc = (np.array([self._rc(tap.cell) for tap in first.taps]) - (r0, c0)).T
        # Input cells: box, index of its shaded colour, ids of its four unit edges.
        rows, cols = self._grid
        shades = list(dict.fromkeys(theme.over(color) for color in self._base.values()))
        self._boxes = np.array([[self._cell_box("input", r, c) for c in range(cols)] for r in range(rows)],
                               float)
        self._shade = np.array([[shades.index(theme.over(self._base[r, c])) for c in range(cols)]
                                for r in range(rows)])
        edge_id = {key: n for n, key in enumerate(self._edges)}

        def cell_edges(r, c):
            return [edge_id[key] for key in (("h", r, c), ("h", r + 1, c), ("v", r, c), ("v", r, c + 1))]

        self._cell_edges = np.array([[cell_edges(r, c) for c in range(cols)] for r in range(rows)])
        # Unit edges: which are solid, and the rectangles each covers drawn solid and drawn dashed.
        # The kernel fills these rectangles rather than stroking lines: in whole pixels it is the same.
        half = self._line_px / 2
        self._solid = np.array([kind == "solid" for kind, _ in self._edges.values()])
        self._solid_boxes = np.array([_stroke_boxes(self._edge_segments(*key, solid=True)[1], half, True)[0]
                                      for key in self._edges])
        self._dash_boxes = np.array([_stroke_boxes(self._edge_segments(*key, solid=False)[1], half, False)
                                     for key in self._edges])

        # The kernel: one fill per shaded colour (the taps' and the current output cell's), then one
        # of the line colour: the taps' own edges and the bold outlines of footprint and current cell.
        fills = shades + [theme.over(theme.output), theme.line]
        self._n_shades = len(shades)
        self._kernel = self.moving(self.ax.add_collection(PathCollection(
            [EMPTY] * len(fills), facecolors=fills, edgecolors="none", linewidths=0, zorder=_OVER_STATIC,
        ), autolim=False))

    def __len__(self) -> int:
        return len(self.steps)

    def _rc(self, index: tuple) -> tuple[int, int]:
        return (0, index[0]) if len(index) == 1 else (index[0], index[1])

    def update(self, k: int) -> None:
        """Shade the taps of step ``k``, outline its footprint and output cell, fill the written outputs."""
        cell, step = self.cell_px, self.steps[k]
        # Output cells written before this step: the full rows above, then the row's start.
        ocol = self._out[1]
        r_out, c_out = self._rc(step.out)
        x0, y0 = self._origin["output"]
        written = []
        if r_out:
            written.append((x0, y0, x0 + ocol * cell, y0 + r_out * cell))
        if c_out:
            written.append((x0, y0 + r_out * cell, x0 + c_out * cell, y0 + (r_out + 1) * cell))
        self.show(self._written, written)

        (r0, r1), (c0, c1) = [(0, 0)] * (2 - self.spec.ndim) + list(step.footprint)
        rr, cc = r0 + self._tap_rc[0], c0 + self._tap_rc[1]
        taps, shade = self._boxes[rr, cc], self._shade[rr, cc]
        footprint = self._cell_box("input", r0, c0)[:2] + self._cell_box("input", r1, c1)[2:]
        outlines = np.array([footprint, self._cell_box("output", r_out, c_out)], float)
        # Lines: the taps' own edges, and the bold outlines as rings (boxes grown and shrunk by half
        # the bold width).
        edges = np.unique(self._cell_edges[rr, cc])
        solid = self._solid[edges]
        grow = np.array([-1, -1, 1, 1]) * self._bold_px / 2
        lines = [self._solid_boxes[edges[solid]], self._dash_boxes[edges[~solid]].reshape(-1, 4),
                 outlines + grow]
        self._kernel.set_paths([
            *(boxes_path(taps[shade == i]) for i in range(self._n_shades)),
            boxes_path(outlines[1:]),  # the current output cell
            boxes_path(np.concatenate(lines), holes=outlines - grow),
        ])

    def describe(self) -> str:
        """One sentence for alt text."""
        return explain.alt_text(self.spec) + " (input grid on the left, output grid on the right)"
