"""Pooling in the ``classic`` layout: conv_arithmetic's slanted grids, with the numbers lying on them.

The drawn input grid (padded, plus the cells a ceil_mode window covers past
it, hatched) lies below, the output grid above, as in the classic scene; the
numbers are glyph outlines slanted with the grids. Each frame shades the
window, draws its grid solid, joins it to the output cell it writes, rings the
winner of a max pooling and writes the window's result under the drawing (the
same lines as the flat pooling scene).

>>> from convanim.pool import PoolSpec
>>> import numpy as np
>>> scene = PoolClassicScene(PoolSpec("max", 4, 2), values=np.arange(16).reshape(4, 4))
>>> len(scene)
4
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Polygon
from matplotlib.text import Text
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from ..pool import PoolSpec
from ..pool_text import alt_text
from .base import Scene, SceneOptions, style
from .classic import _DASH, _MARGIN, _THICK, _THIN, DEFAULT_CELL_PX, SLANT, _clip_before, _grid_lines, _square
from .flat import _Text
from .pool import PoolScene, _ink
from .values import cell_number

__all__ = ["PoolClassicScene"]

_DPI = 100
_GLYPH = 0.34  # digit height, in cells
_DEFAULTS = SceneOptions()


def _pt(px: float) -> float:
    return px * 72 / _DPI


@functools.cache
def _digit_box():
    """The extents of a unit-size "0": digits are centred and sized by it."""
    return TextPath((0, 0), "0", size=1.0, prop=FontProperties(family="DejaVu Sans")).get_extents()



def _leaving(p: np.ndarray, q: np.ndarray, width: float, height: float) -> float:
    """The parameter ``t`` at which segment ``p -> q`` leaves the box ``[0, width] x [0, height]`` that ``p``
    lies in or on (0 when ``p`` is outside it)."""
    if not (0 <= p[0] <= width and 0 <= p[1] <= height):
        return 0.0
    d, t = q - p, 1.0
    for delta, start, hi in ((d[0], p[0], width), (d[1], p[1], height)):
        if delta > 1e-12:
            t = min(t, (hi - start) / delta)
        elif delta < -1e-12:
            t = min(t, -start / delta)
    return max(0.0, t)

class PoolClassicScene(Scene):
    """A 1-D or 2-D one-channel `PoolSpec` in conv_arithmetic's look, with the input's numbers.

    The text (the window's result, the legend, with ``caption`` the formula)
    comes from `convanim.scene.pool.PoolScene`, so both layouts say the same.
    ``options.cell_px`` (default ≈29.5, the reference's) must be at least 16.
    """

    free_colours = True  # text in many colours: the GIF gets a free palette, not the theme's flat colours

    def __init__(self, spec: PoolSpec, options: SceneOptions = _DEFAULTS, *, values):
        unit = DEFAULT_CELL_PX if options.cell_px is None else options.cell_px
        if isinstance(unit, bool) or not isinstance(unit, (int, float)) or not unit >= 16:
            raise ValueError(
                f"cell_px must be a number >= 16 for a pooling (cells hold numbers), got {options.cell_px!r}"
            )
        # The flat scene checks the arguments, computes the numbers and words every line of text.
        words = PoolScene(spec, SceneOptions(options.theme, 48, options.labels, options.caption), values=values)
        words.fig.clear()
        self.spec, self.options, self.theme = spec, options, options.theme
        self.steps, self.values, self.output, self.winners = words.steps, words.values, words.output, words.winners
        self._lines_of = words._lines_of
        # Its static lines (labels, legend, caption) all go under the drawing here, in its order.
        self._footer = [line for _, _, line in sorted(words._texts, key=lambda t: t[1])]
        self._fill, self._hatch_cells = words._fill, set(words._hatch)
        self._labels = words._labels
        self.cell_px = float(unit)
        self._grid = (1,) * (2 - spec.ndim) + tuple(spec.grid_shape)
        self._out = (1,) * (2 - spec.ndim) + tuple(spec.output_shape)
        self._slant = np.array(SLANT, dtype=float)
        self._offset = np.array((0.0, self._grid[0] + 1.0))
        with style():
            self._layout()
            super().__init__(self._width, self._height, self.theme.background, dpi=_DPI)
            self._on_fig = self._place + Affine2D().scale(1 / _DPI) + self.fig.dpi_scale_trans
            self._px = Affine2D().scale(1 / _DPI) + self.fig.dpi_scale_trans
            matrix = np.array([[*SLANT[0], 0.0], [*SLANT[1], 0.0], [0.0, 0.0, 1.0]])
            self._t_in = Affine2D(matrix) + self._on_fig
            self._t_out = Affine2D(matrix).translate(*self._offset) + self._on_fig
            self._draw_static()
            self._make_moving()

    # -- geometry -------------------------------------------------------------------

    def _rc(self, index) -> tuple[int, int]:
        return (0, index[0]) if len(index) == 1 else (index[0], index[1])

    def _local(self, which: str, r: float, c: float) -> tuple[float, float]:
        """Grid units (x along a row, y up) of the top-left corner of cell (r, c)."""
        rows = self._grid[0] if which == "input" else self._out[0]
        return float(c), float(rows - r)

    def _layout(self) -> None:
        unit = self.cell_px
        text = _Text(max(12, round(0.42 * unit)))
        self._text = text
        lines = [ln for lines in self._lines_of for ln in lines] + self._footer
        rows, cols = self._grid
        orows, ocols = self._out
        pts = np.vstack([_square(0, 0, cols, rows) @ self._slant.T,
                         _square(0, 0, ocols, orows) @ self._slant.T + self._offset])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        margin = _MARGIN * unit
        n_below = max(len(ln) for ln in self._lines_of) + len(self._footer)
        text_h = n_below * text.line_px + (text.line_px // 2 if n_below else 0)
        drawing_w = (hi[0] - lo[0]) * unit
        width = max([drawing_w] + [text.width(s) for s in lines]) + 2 * margin
        height = (hi[1] - lo[1]) * unit + 2 * margin + text_h
        self._width, self._height = int(np.ceil(width / 2) * 2), int(np.ceil(height / 2) * 2)
        left = (self._width - drawing_w) / 2
        self._place = Affine2D().scale(unit).translate(left - lo[0] * unit, self._height - margin - hi[1] * unit)
        self._text_top = self._height - margin - (hi[1] - lo[1]) * unit - text.line_px // 2  # pixels, y up

    def _glyphs(self, label: str, x: float, y: float):
        """``label`` as a glyph path centred on grid point (x, y), ``_GLYPH`` cells high."""
        path = TextPath((0, 0), label, size=1.0, prop=FontProperties(family="DejaVu Sans"))
        box = _digit_box()
        ext = path.get_extents()
        scale = min(_GLYPH / box.height, 0.8 / max(ext.width, 1e-9))  # fits the cell's width too
        move = Affine2D().translate(-(ext.x0 + ext.x1) / 2, -(box.y0 + box.y1) / 2).scale(scale).translate(x, y)
        return move.transform_path(path)

    # -- static drawing -------------------------------------------------------------

    def _draw_static(self) -> None:
        theme, fig = self.theme, self.fig
        thick = _pt(_THICK * self.cell_px)
        rows, cols = self._grid
        fig.add_artist(Polygon(_square(0, 0, cols, rows), closed=True, facecolor=theme.padding, edgecolor="none",
                               transform=self._t_in, zorder=1))
        fig.add_artist(LineCollection(_grid_lines(0, 0, cols, rows), colors=theme.line, linewidths=thick,
                                      linestyles=[(0, (_DASH, _DASH))], transform=self._t_in, zorder=2))
        cells, colors, hatch = [], [], []
        self._hatch_of = {}
        for r in range(rows):
            for c in range(cols):
                x, y = self._local("input", r + 1, c)
                if (r, c) in self._hatch_cells:
                    lines = []
                    for a in (0.25, 0.5, 0.75, 1.0):  # diagonal hatch inside the cell
                        lines.append([(x + a, y), (x, y + a)])
                        if a < 1:
                            lines.append([(x + 1, y + a), (x + a, y + 1)])
                    self._hatch_of[r, c] = lines
                    hatch += lines
                elif self._fill[r, c] != theme.padding:
                    cells.append(_square(x, y))
                    colors.append(self._fill[r, c])
        fig.add_artist(PolyCollection(cells, facecolors=colors, edgecolors=theme.line, linewidths=thick,
                                      transform=self._t_in, zorder=3))
        if hatch:
            fig.add_artist(LineCollection(hatch, colors=theme.unread, linewidths=_pt(max(1.0, _THIN * self.cell_px)),
                                          transform=self._t_in, zorder=2))
        paths, inks = [], []
        if self._labels:  # digits _GLYPH cells high: the em is that over a digit's height
            self.glyph_text("0", _GLYPH / _digit_box().height * self.cell_px)
        for (r, c), (label, color) in self._labels.items():
            x, y = self._local("input", r + 0.5, c + 0.5)
            paths.append(self._glyphs(label, x, y))
            inks.append(color)
        fig.add_artist(PathCollection(paths, facecolors=inks, edgecolors="none", transform=self._t_in, zorder=3.5))
        orows, ocols = self._out
        outputs = [_square(c, r) for r in range(orows) for c in range(ocols)]
        fig.add_artist(PolyCollection(outputs, facecolors=theme.output, edgecolors=theme.line, linewidths=thick,
                                      transform=self._t_out, zorder=4))
        prop = self._text.prop
        for n, line in enumerate(self._footer):
            y = self._text_top - (self._n_window + n) * self._text.line_px
            fig.add_artist(Text(self._width / 2, y - self._text.ascent, line, ha="center", va="baseline",
                                color=theme.text, fontproperties=prop, transform=self._px))
        self._out_glyphs = [
            self._glyphs(cell_number(self.output[step.out]), *self._local("output", *np.add(self._rc(step.out), 0.5)))
            for step in self.steps
        ]

    @property
    def _n_window(self) -> int:
        return max(len(ln) for ln in self._lines_of)

    def _make_moving(self) -> None:
        theme, fig = self.theme, self.fig
        thick = _pt(_THICK * self.cell_px)
        self._taps = self.moving(fig.add_artist(PolyCollection([], edgecolors="none", transform=self._t_in,
                                                                zorder=5)))
        self._tap_hatch = self.moving(fig.add_artist(LineCollection(
            [], colors=theme.line, linewidths=_pt(max(1.0, _THIN * self.cell_px)), transform=self._t_in,
            zorder=5.2)))
        self._tap_glyphs = self.moving(fig.add_artist(PathCollection([], edgecolors="none", transform=self._t_in,
                                                                     zorder=5.5)))
        self._footprint = self.moving(fig.add_artist(LineCollection([], colors=theme.line, linewidths=thick,
                                                                    transform=self._t_in, zorder=6)))
        self._ring = self.moving(fig.add_artist(Polygon(_square(0, 0), closed=True, fill=False,
                                                        edgecolor=theme.accent, linewidth=2 * thick,
                                                        transform=self._t_in, zorder=6.5)))
        thin = _pt(max(1.0, _THIN * self.cell_px))
        self._rays = self.moving(fig.add_artist(LineCollection([], colors=theme.line, linewidths=thin,
                                                               transform=self._t_out, zorder=7)))
        self._current = self.moving(fig.add_artist(Polygon(_square(0, 0), closed=True,
                                                           facecolor=theme.over(theme.output), edgecolor=theme.line,
                                                           linewidth=thick, transform=self._t_out, zorder=8)))
        self._written = self.moving(fig.add_artist(PathCollection([], edgecolors="none", transform=self._t_out,
                                                                  zorder=9)))
        self._in_to_out = -np.linalg.solve(self._slant, self._offset)
        line_px, ascent = self._text.line_px, self._text.ascent
        self._line_artists = [
            self.moving(fig.add_artist(Text(self._width / 2, self._text_top - n * line_px - ascent, "", ha="center",
                                            va="baseline", color=theme.text, fontproperties=self._text.prop,
                                            transform=self._px)))
            for n in range(self._n_window)
        ]

    def __len__(self) -> int:
        return len(self.steps)

    def update(self, k: int) -> None:
        theme, spec, step = self.theme, self.spec, self.steps[k]
        taps = [(self._rc(t.cell), t) for t in step.taps]
        counted = [(rc, t) for rc, t in taps if PoolScene._counted(self, t)]
        self._taps.set_verts([_square(*self._local("input", r + 1, c)) for (r, c), _ in counted])
        self._taps.set_facecolors([theme.over(self._fill[rc]) for rc, _ in counted])
        glyphs, inks = [], []
        for rc, _ in counted:
            if rc in self._labels:
                x, y = self._local("input", rc[0] + 0.5, rc[1] + 0.5)
                glyphs.append(self._glyphs(self._labels[rc][0], x, y))
                inks.append(_ink(theme, theme.over(self._fill[rc])))
        self._tap_hatch.set_segments([seg for rc, _ in counted for seg in self._hatch_of.get(rc, [])])
        self._tap_glyphs.set_paths(glyphs)
        self._tap_glyphs.set_facecolors(inks)
        rs = [r for (r, _), _ in taps]
        cs = [c for (_, c), _ in taps]
        r0, r1, c0, c1 = min(rs), max(rs), min(cs), max(cs)
        rows = self._grid[0]
        self._footprint.set_segments(_grid_lines(c0, rows - r1 - 1, c1 + 1, rows - r0))
        if self.winners is not None:
            src = np.unravel_index(int(self.winners[step.out]), spec.input_size)
            r, c = self._rc(tuple(int(i) + p for i, p in zip(src, spec.padding)))
            x, y = self._local("input", r + 1, c)
            self._ring.set_xy(_square(x + 0.12, y + 0.12, 0.76, 0.76))
        else:
            self._ring.set_visible(False)
        orow, ocol = self._rc(step.out)
        ox, oy = self._local("output", orow + 1, ocol)
        self._current.set_xy(_square(ox, oy))
        foot = np.array([(c0, rows - r1 - 1), (c1 + 1, rows - r1 - 1), (c0, rows - r0), (c1 + 1, rows - r0)], float)
        cell = np.array([(ox, oy), (ox + 1, oy), (ox, oy + 1), (ox + 1, oy + 1)], float)
        out_rows, out_cols = self._out
        # each ray runs from where it leaves the input grid (behind its numbers, which it never strikes) to
        # where it meets the output grid
        rays = []
        for p, q in zip(foot, cell - self._in_to_out, strict=True):  # input coordinates
            start = p + _leaving(p, q, self._grid[1], rows) * (q - p)
            rays.append(_clip_before(start + self._in_to_out, q + self._in_to_out, out_cols, out_rows))
        self._rays.set_segments(rays)
        self._written.set_paths(self._out_glyphs[: k + 1])
        self._written.set_facecolors([_ink(theme, theme.output)] * k + [_ink(theme, theme.over(theme.output))])
        lines = self._lines_of[k]
        for n, artist in enumerate(self._line_artists):
            artist.set_text(lines[n] if n < len(lines) else "")

    def describe(self) -> str:
        return alt_text(self.spec) + " (slanted input grid with its values below, output above)"

