"""Channels, groups and bias: a real layer drawn slice by slice, in the classic or the flat layout.

The input is drawn as its channel slices side by side (classic: slanted, in a
row under the output; flat: top-down, in a column left of the output), the
output channels likewise. Each frame shows one output cell of one output
channel (``order='channel'``, PyTorch's memory order: output channel, then
row-major position) or that cell of every output channel at once
(``order='position'``): the kernel slices of that output channel shaded on the
input slices of its group, wires from each of them to a Σ node (``Σ+b`` with
a bias) and from there to the output cell. Slices of other groups are drawn in
the theme's ``unread`` grey, and a bracket names each group, so a reader sees
which input channels feed which outputs.

>>> from convanim import ConvSpec
>>> scene = ChannelScene(ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2))
>>> len(scene), len(ChannelScene(ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2), order="position"))
(36, 9)
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.transforms import Affine2D

from .. import explanation as explain
from ..schedule import cell_kind, schedule
from ..spec import ConvSpec
from ..themes import blend, get_theme
from . import classic, flat
from .base import Scene, SceneOptions, style
from .filterbank import FADE, bank_layout, filter_colour, swatch, weight_caption
from .slices import Slice
from .text import text_extent

__all__ = ["ChannelScene", "CHANNEL_ORDERS"]

#: Frame orders: one output channel at a time (PyTorch's memory order), or every channel per position.
CHANNEL_ORDERS = ("channel", "position")

_DPI = 100
_DEFAULTS = SceneOptions()
_GAP = 1.0  # between slices, in cells
_GROUP_GAP = 2.0  # between slices of different groups
_CIRCLE = [(math.cos(a), math.sin(a)) for a in np.linspace(0, 2 * math.pi, 33)[:-1]]


def _pt(px: float) -> float:
    return px * 72 / _DPI


def _default_cell_px(spec: ConvSpec, layout: str, default: float) -> float:
    """The layout's cell size, smaller for wide layers: about 1100 px of slices, at least 16 px a cell."""
    rows, cols = ((1,) * (2 - spec.ndim) + tuple(spec.grid_shape))[-2:]
    if layout == "classic":
        across = max(spec.in_channels, spec.out_channels) * (cols + 0.7 * rows + _GAP) + spec.groups * _GROUP_GAP
    else:
        across = max(spec.in_channels, spec.out_channels) * (rows + _GAP) + spec.groups * _GROUP_GAP
    fitted = min(default, 1100 / across)
    return float(max(16, round(fitted))) if fitted < default else default


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class ChannelScene(Scene):
    """A multi-channel, grouped or biased `ConvSpec` (1-D or 2-D), in the ``classic`` or ``flat`` layout.

    One frame per output cell per output channel (``order='channel'``) or per
    output position (``order='position'``). Colours come from the theme:
    input cells ``input`` (``unread`` for channels outside the current group),
    padding ``padding`` with a dashed grid, the kernel's taps ``theme.over``
    of their cell, output cells ``output`` (classic: all of them; flat: those
    written so far), the current one ``theme.over(output)``, wires and the Σ
    node ``line`` and ``text``.
    """

    #: The filter bank's colours are not the theme's: a GIF needs free colours, not the theme's palette alone.
    free_colours = True  # one colour per output channel: the GIF gets a free palette, not the theme's flat colours

    def __init__(self, spec: ConvSpec, options: SceneOptions = _DEFAULTS, *, layout: str = "classic",
                 order: str = "channel"):
        # -- basic checks on arguments
        if not isinstance(spec, ConvSpec):
            raise ValueError(f"spec must be a ConvSpec, got {type(spec).__name__}")
        if layout not in ("classic", "flat"):
            raise ValueError(f"layout must be 'classic' or 'flat' for a layer with channels, got {layout!r}")
        if spec.ndim not in (1, 2):
            raise ValueError(f"layout {layout!r} draws 1-D and 2-D convolutions, got {spec.ndim} axes")
        if order not in CHANNEL_ORDERS:
            raise ValueError(f"channel_order must be one of {', '.join(CHANNEL_ORDERS)}, got {order!r}")
        default = classic.DEFAULT_CELL_PX if layout == "classic" else flat.DEFAULT_CELL_PX
        unit = _default_cell_px(spec, layout, default) if options.cell_px is None else options.cell_px
        if isinstance(unit, bool) or not isinstance(unit, (int, float)) or not unit >= 8:
            raise ValueError(f"cell_px must be a number >= 8, got {options.cell_px!r}")

        self.spec, self.options, self.layout, self.order = spec, options, layout, order
        self.theme = get_theme(options.theme)
        self.steps = schedule(spec)
        self.cell_px = float(unit)
        g = spec.groups
        self._cin_g, self._cout_g = spec.in_channels // g, spec.out_channels // g
        self._grid = (1,) * (2 - spec.ndim) + tuple(spec.grid_shape)
        self._out = (1,) * (2 - spec.ndim) + tuple(spec.output_shape)
        self._sum_node = True  # always: one wire per input channel of the group, Σ+b only with a bias
        if layout == "classic":
            self._thick = _pt(classic._THICK * self.cell_px)
            self._thin = _pt(max(1.0, classic._THIN * self.cell_px))
            self._font_px = max(classic._FONT * self.cell_px, classic._FONT_MIN_PX)
        else:
            self._thick = _pt(2 * max(1, round(self.cell_px / 40)))
            self._thin = _pt(max(1, round(self.cell_px / 40)))
            self._font_px = max(12.0, 0.4 * self.cell_px)
        self._place()
        with style():
            super().__init__(100, 100, self.theme.background, dpi=_DPI)
            self._to_px = Affine2D().scale(self.cell_px)
            self._tr = self._to_px + Affine2D().scale(1 / _DPI) + self.fig.dpi_scale_trans
            texts = self._make_texts()
            lo, hi = self._extent(texts)
            margin = classic._MARGIN * self.cell_px
            width = round((hi[0] - lo[0]) * self.cell_px + 2 * margin)
            height = round((hi[1] - lo[1]) * self.cell_px + 2 * margin)
            self.fig.set_size_inches(width / _DPI, height / _DPI)
            self._to_px.translate(round(margin - lo[0] * self.cell_px), round(margin - lo[1] * self.cell_px))
            self._draw_static()
            self._make_moving()

    # -- layout ---------------------------------------------------------------------

    def _rows(self, w_in: float, w_out: float) -> tuple[list[float], list[float]]:
        """Offsets of the input and the output slices along their rows (or columns).

        Each group gets a band as wide as the wider of its input and output
        slices, with both centred in it, so a group's outputs sit across from
        its inputs; bands are `_GROUP_GAP` apart, slices within one `_GAP`.
        """
        spec = self.spec
        xs, xo, start = [], [], 0.0
        for _ in range(spec.groups):
            band_in = self._cin_g * w_in + (self._cin_g - 1) * _GAP
            band_out = self._cout_g * w_out + (self._cout_g - 1) * _GAP
            band = max(band_in, band_out)
            xs += [start + (band - band_in) / 2 + n * (w_in + _GAP) for n in range(self._cin_g)]
            xo += [start + (band - band_out) / 2 + n * (w_out + _GAP) for n in range(self._cout_g)]
            start += band + _GROUP_GAP
        return xs, xo

    def _place(self) -> None:
        """Place every input and output slice and the Σ nodes' line, in drawing units."""
        (rows, cols), (orows, ocols) = self._grid, self._out
        if self.layout == "classic":
            m = np.array(classic.SLANT, float)
            xs, xo = self._rows(cols + 0.7 * rows, ocols + 0.7 * orows)
            lift = 0.5 * cols + 0.65 * rows + (3.0 if self._sum_node else 2.5)
            self._inputs = [Slice(rows, cols, (x + 0.7 * rows, 0.0), m) for x in xs]
            self._outputs = [Slice(orows, ocols, (x + 0.7 * orows, lift), m) for x in xo]
            self._node_y = 0.5 * cols + 0.65 * rows + 1.5
        else:
            m = np.eye(2)
            ys, yo = self._rows(rows, orows)
            gap = self._node_gap()
            self._inputs = [Slice(rows, cols, (0.0, -y - rows), m) for y in ys]
            self._outputs = [Slice(orows, ocols, (cols + gap, -y - orows), m) for y in yo]
            self._node_x = cols + gap / 2

    def _node_gap(self) -> float:
        """The flat layout's gap between the input and output columns, the Σ nodes in its middle (cells)."""
        return 5.0

    def _group_of_input(self, c: int) -> int:
        return c // self._cin_g

    def _group_of_output(self, o: int) -> int:
        return o // self._cout_g

    def _node(self, o: int) -> np.ndarray:
        """Where output channel ``o``'s Σ node sits: under (classic) or beside (flat) the middle of its slice."""
        sl = self._outputs[o]
        centre = sl.centre((sl.rows - 1) / 2, (sl.cols - 1) / 2)
        if self.layout == "classic":
            return np.array((centre[0], self._node_y))
        return np.array((self._node_x, centre[1]))

    def _node_shape(self, at: np.ndarray) -> np.ndarray:
        r = 0.42
        if not self.spec.bias:
            return np.array(_CIRCLE) * r + at
        return np.array([(-1.0, -r), (1.0, -r), (1.0, r), (-1.0, r)]) + at

    def _make_texts(self) -> list[Text]:
        """Channel names, group brackets (as text only here; their lines are static artists) and labels."""
        spec, theme = self.spec, self.theme
        self._prop = FontProperties(size=_pt(self._font_px))
        small = self._font_px / self.cell_px
        texts: list[Text] = []

        def text(x, y, s, **kw):
            t = Text(x, y, s, color=theme.text, fontproperties=self._prop, transform=self._tr, zorder=9, **kw)
            texts.append(self.fig.add_artist(t))
            return t

        self._brackets = []
        classic_ = self.layout == "classic"
        for which, slices, per in (("in", self._inputs, self._cin_g), ("out", self._outputs, self._cout_g)):
            below = which == "in"
            for n, s in enumerate(slices):
                pts = s.corners()
                if classic_:
                    x, y = (pts[0] if below else pts[2]) + (0, -0.3 if below else 0.3)
                    text(x, y, f"{which} {n}", ha="center", va="top" if below else "bottom")
                else:
                    text(pts[3][0] + s.cols / 2, pts[3][1] + 0.15, f"{which} {n}", ha="center", va="bottom")
            if spec.groups == 1:
                continue
            for grp in range(spec.groups):
                members = [s.corners() for s in slices[grp * per:(grp + 1) * per]]
                pts = np.vstack(members)
                if classic_:
                    y = pts[:, 1].min() - 0.6 - 1.3 * small if below else pts[:, 1].max() + 0.6 + 1.3 * small
                    x0, x1 = pts[:, 0].min() + 0.3, pts[:, 0].max() - 0.3
                    tick = -0.25 if below else 0.25
                    self._brackets += [[(x0, y - tick), (x0, y), (x1, y), (x1, y - tick)]]
                    text((x0 + x1) / 2, y + (-0.1 if below else 0.1), f"group {grp}", ha="center",
                         va="top" if below else "bottom")
                else:
                    y0, y1 = pts[:, 1].min(), pts[:, 1].max()
                    x = pts[:, 0].min() - 0.4 if below else pts[:, 0].max() + 0.4
                    tick = 0.25 if below else -0.25
                    self._brackets += [[(x + tick, y0), (x, y0), (x, y1), (x + tick, y1)]]
                    text(x - 0.15 if below else x + 0.15, (y0 + y1) / 2, f"group {grp}", rotation=90,
                         ha="right" if below else "left", va="center")
        if self.options.labels:
            pts = np.vstack([s.corners() for s in self._inputs])
            lo = pts[:, 1].min() - (2.2 if classic_ and spec.groups > 1 else 1.0) - 1.3 * small
            label = (f"{explain.input_label(spec)}, {_count(spec.in_channels, 'channel')} → "
                     f"{explain.output_label(spec)}, {_count(spec.out_channels, 'channel')}")
            text(pts[:, 0].mean(), lo, label, ha="center", va="top")
        self._swatches = self._place_swatches(texts)
        self._place_bank(texts, text, small)
        if self.options.caption:
            everything = np.vstack([s.corners() for s in self._inputs + self._outputs] + self._bank_cells)
            low = min([everything[:, 1].min() - 1.0] + [t.get_position()[1] - 1.3 * small for t in texts])
            text(everything[:, 0].mean(), low - 0.5, explain.caption(spec).replace("; ", "\n"),
                 ha="center", va="top", multialignment="center")
        return texts

    def _place_swatches(self, texts: list[Text]) -> list[np.ndarray]:
        """A square of each output channel's filter colour left of its ``out n`` name."""
        renderer = self.fig.canvas.get_renderer()
        first = len(self._inputs) + (self.spec.groups if self.spec.groups > 1 else 0)  # after the inputs' names
        boxes = [t.get_window_extent(renderer) for t in texts[first:first + len(self._outputs)]]
        return [swatch(b.x0 / self.cell_px, b.y0 / self.cell_px, b.y1 / self.cell_px) for b in boxes]

    def _place_bank(self, texts: list[Text], text, small: float) -> None:
        """The filter bank (`convanim.scene.filterbank`) under everything drawn so far, under its title."""
        spec, renderer = self.spec, self.fig.canvas.get_renderer()
        everything = np.vstack([s.corners() for s in self._inputs + self._outputs])
        bottom = min([everything[:, 1].min() - 0.5] + [t.get_window_extent(renderer).y0 / self.cell_px
                                                       for t in texts])
        left, width = everything[:, 0].min(), max(np.ptp(everything[:, 0]), 1.0)
        title = text(left + width / 2, bottom - 0.4, weight_caption(spec), ha="center", va="top")
        name_w = text_extent(f"w[{spec.out_channels - 1}]", _pt(self._font_px))[0] * _DPI / 72 / self.cell_px
        bank = bank_layout(spec, left, width, title.get_window_extent(renderer).y0 / self.cell_px - 0.3, name_w,
                           small)
        self._bank_cells, self._bank_owner, self._bank_outline = bank.cells, bank.owners, bank.outlines
        for o, (x, y) in enumerate(bank.names):
            text(x, y, f"w[{o}]", ha="center", va="top")

    def _extent(self, texts: list[Text]) -> tuple[np.ndarray, np.ndarray]:
        pts = [s.corners() for s in self._inputs + self._outputs] + self._bank_cells + self._swatches
        for o in range(self.spec.out_channels):
            pts.append(self._node_shape(self._node(o)))
        if self._brackets:
            pts.append(np.vstack(self._brackets))
        pts = np.vstack(pts)
        lo, hi = pts.min(axis=0) - 0.1, pts.max(axis=0) + 0.1
        renderer = self.fig.canvas.get_renderer()
        for t in texts:
            box = t.get_window_extent(renderer)
            lo = np.minimum(lo, np.array([box.x0, box.y0]) / self.cell_px)
            hi = np.maximum(hi, np.array([box.x1, box.y1]) / self.cell_px)
        return lo, hi

    # -- drawing ----------------------------------------------------------------------

    def _spec_cell(self, r: int, c: int) -> tuple[int, ...]:
        return (c,) if self.spec.ndim == 1 else (r, c)

    def _draw_static(self) -> None:
        theme, fig, tr = self.theme, self.fig, self._tr
        rows, cols = self._grid
        dash = [(0, (classic._DASH, classic._DASH))]
        for s in self._inputs:
            fig.add_artist(PolyCollection([s.corners()], facecolors=theme.padding, edgecolors="none",
                                          transform=tr, zorder=1))
            fig.add_artist(LineCollection(s.lines(), colors=theme.line, linewidths=self._thick, linestyles=dash,
                                          transform=tr, zorder=2))
        if self._brackets:
            fig.add_artist(LineCollection(self._brackets, colors=theme.line, linewidths=self._thin, transform=tr,
                                          zorder=2))
        if self._swatches:
            fig.add_artist(PolyCollection(self._swatches, facecolors=[filter_colour(o) for o in
                                                                      range(len(self._swatches))],
                                          edgecolors=theme.line, linewidths=self._thin, transform=tr, zorder=2))
        kinds = {(r, c): cell_kind(self.spec, self._spec_cell(r, c)) for r in range(rows) for c in range(cols)}
        self._input_cells = [(n, rc) for n in range(len(self._inputs)) for rc, k in kinds.items() if k == "input"]
        self._kind = kinds

    def _make_moving(self) -> None:
        theme, fig, tr = self.theme, self.fig, self._tr
        self._in_cells = self.moving(fig.add_artist(PolyCollection(
            [self._inputs[n].cell(*rc) for n, rc in self._input_cells], edgecolors=theme.line,
            linewidths=self._thick, transform=tr, zorder=3)))
        orows, ocols = self._out
        self._out_index = [(o, r, c) for o in range(len(self._outputs)) for r in range(orows) for c in range(ocols)]
        self._out_cells = self.moving(fig.add_artist(PolyCollection(
            [self._outputs[o].cell(r, c) for o, r, c in self._out_index], edgecolors=theme.line,
            linewidths=self._thick, transform=tr, zorder=3)))
        self._taps = self.moving(fig.add_artist(PolyCollection([], edgecolors=theme.line, linewidths=self._thick,
                                                               transform=tr, zorder=5)))
        bold = self._thick * (1 if self.layout == "classic" else 2)
        self._feet = self.moving(fig.add_artist(LineCollection([], colors=theme.line, linewidths=bold,
                                                               transform=tr, zorder=6)))
        self._wires = self.moving(fig.add_artist(LineCollection([], colors=theme.line, linewidths=self._thin,
                                                                transform=tr, zorder=7)))
        self._current = self.moving(fig.add_artist(PolyCollection(
            [], facecolors=theme.over(theme.output), edgecolors=theme.line, linewidths=bold, transform=tr,
            zorder=8)))
        self._bank = self.moving(fig.add_artist(PolyCollection(
            self._bank_cells, edgecolors=theme.line, linewidths=self._thin, transform=tr, zorder=3)))
        self._bank_ring = self.moving(fig.add_artist(LineCollection([], colors=theme.line, linewidths=2 * self._thick,
                                                                    transform=tr, zorder=4)))
        self._nodes = self.moving(fig.add_artist(PolyCollection(
            [], facecolors=theme.background, edgecolors=theme.line, linewidths=self._thick, transform=tr, zorder=9)))
        width = 1 if self.order == "channel" else self.spec.out_channels
        self._node_texts = [
            self.moving(fig.add_artist(Text(0, 0, "", color=theme.text, fontproperties=self._prop, transform=tr,
                                            ha="center", va="center_baseline", zorder=10)))
            for _ in range(width if self._sum_node else 0)
        ]

    # -- frames ---------------------------------------------------------------------------

    def __len__(self) -> int:
        n = len(self.steps)
        return n * self.spec.out_channels if self.order == "channel" else n

    def frame_content(self, k: int) -> tuple[list[int], int]:
        """(output channels, step index) frame ``k`` shows."""
        n = len(self.steps)
        if self.order == "channel":
            return [k // n], k % n
        return list(range(self.spec.out_channels)), k

    def update(self, k: int) -> None:
        theme, spec = self.theme, self.spec
        outs, s = self.frame_content(k)
        step = self.steps[s]
        pos = self._rc(step.out)
        groups = {self._group_of_output(o) for o in outs}
        self._in_cells.set_facecolor([
            theme.input if self._group_of_input(n) in groups else theme.unread for n, _ in self._input_cells])
        classic_ = self.layout == "classic"
        written = self._written(outs[-1], s)
        colours = []
        for o, r, c in self._out_index:
            if classic_:
                colours.append(theme.output if self._group_of_output(o) in groups else theme.unread)
            else:
                colours.append(theme.output if written(o, r * self._out[1] + c) else theme.background)
        self._out_cells.set_facecolor(colours)

        taps, tap_colours, feet, wires, current, nodes = [], [], [], [], [], []
        (r0, r1), (c0, c1) = self._span(step)
        cells = [self._rc(t.cell) for t in step.taps]
        for grp in sorted(groups):
            for n in range(grp * self._cin_g, (grp + 1) * self._cin_g):
                sl = self._inputs[n]
                for rc in cells:
                    taps.append(sl.cell(*rc))
                    base = theme.input if self._kind[rc] == "input" else theme.padding
                    tap_colours.append(theme.over(base))
                if classic_:
                    feet += sl.lines(r0, c0, r1 - r0 + 1, c1 - c0 + 1)
                else:  # flat: the footprint's outline, as the flat layout draws it
                    bl, br, tl, tr_ = self._footprint_corners(sl, r0, r1, c0, c1)
                    feet.append(np.array([bl, br, tr_, tl, bl]))
        for j, o in enumerate(outs):
            out_slice = self._outputs[o]
            current.append(out_slice.cell(*pos))
            grp = self._group_of_output(o)
            sources = [self._inputs[n] for n in range(grp * self._cin_g, (grp + 1) * self._cin_g)]
            if self._sum_node:
                at = self._node(o)
                nodes.append(self._node_shape(at))
                for sl in sources:
                    wires.append(np.array([self._wire_start(sl, r0, r1, c0, c1), at]))
                wires += self._rays([at] * 4, out_slice, pos)
                label = self._node_texts[j]
                label.set_position(at)
                label.set_text("Σ+b" if spec.bias else "Σ")  # plain text: a subscript would be too small to read
            elif classic_:
                wires += self._rays(self._footprint_corners(sources[0], r0, r1, c0, c1), out_slice, pos)
            else:
                wires += self._rays([self._wire_start(sources[0], r0, r1, c0, c1)], out_slice, pos)
        faded = {o: blend(filter_colour(o), theme.background, FADE) for o in range(spec.out_channels)}
        self._bank.set_facecolor([filter_colour(o) if o in outs else faded[o] for o in self._bank_owner])
        self._bank_ring.set_segments([self._bank_outline[o] for o in outs])
        self._taps.set_verts(taps)
        self._taps.set_facecolor(tap_colours)
        self._feet.set_segments(feet)
        self._wires.set_segments(wires)
        self._current.set_verts(current)
        self._nodes.set_verts(nodes)

    def _written(self, last: int, s: int):
        """Whether output cell ``flat`` of channel ``o`` is written by frame (``last`` channel, step ``s``)."""
        if self.order == "channel":
            return lambda o, flat_: o < last or (o == last and flat_ <= s)
        return lambda o, flat_: flat_ <= s

    def _rc(self, index: tuple) -> tuple[int, int]:
        return (0, index[0]) if len(index) == 1 else (index[0], index[1])

    def _span(self, step) -> tuple[tuple[int, int], tuple[int, int]]:
        return ((0, 0),) * (2 - self.spec.ndim) + step.footprint

    def _wire_start(self, sl: Slice, r0, r1, c0, c1) -> np.ndarray:
        """Where a wire leaves a footprint: the middle of its far edge (classic), of its right edge (flat).

        At the window's edge, not its centre, so no wire crosses the cells read (or their numbers)."""
        if self.layout == "classic":
            return sl.to_drawing([((c0 + c1 + 1) / 2, sl.rows - r0)])[0]
        return sl.to_drawing((c1 + 1, sl.rows - (r0 + r1 + 1) / 2))

    def _footprint_corners(self, sl: Slice, r0, r1, c0, c1) -> list[np.ndarray]:
        """Bottom-left, bottom-right, top-left, top-right corner of the footprint (drawing units)."""
        top, bottom = sl.rows - r0, sl.rows - r1 - 1
        return list(sl.to_drawing([(c0, bottom), (c1 + 1, bottom), (c0, top), (c1 + 1, top)]))

    def _rays(self, starts, out_slice: Slice, pos) -> list[np.ndarray]:
        """Lines from ``starts`` to the output cell: classic, to its four corners, stopped where they pass
        under the output grid; flat, one line to the cell's centre."""
        if self.layout == "flat":
            return [np.array([starts[0], out_slice.centre(*pos)])]
        r, c = pos
        y = out_slice.rows - 1 - r
        cell = [(c, y), (c + 1, y), (c, y + 1), (c + 1, y + 1)]
        rays = []
        for p, q in zip(starts, cell, strict=True):
            local = classic._clip_before(out_slice.to_local(p), np.array(q, float), out_slice.cols, out_slice.rows)
            rays.append(out_slice.to_drawing(local))
        return rays

    # -- for tests and alt text ------------------------------------------------------------

    def cell_center(self, which: str, channel: int, cell: tuple) -> tuple[float, float]:
        """Pixel (x, y) from the frame's top-left corner of the centre of ``cell`` of input or output ``channel``.

        ``cell`` indexes `ConvSpec.grid_shape` ('input', the drawn grid) or `ConvSpec.output_shape` ('output').
        """
        slices = {"input": self._inputs, "output": self._outputs}.get(which)
        if slices is None:
            raise ValueError(f"which must be 'input' or 'output', got {which!r}")
        if not 0 <= channel < len(slices):
            raise ValueError(f"channel must be between 0 and {len(slices) - 1}, got {channel}")
        x, y = self._tr.transform(slices[channel].centre(*self._rc(tuple(cell))))
        return float(x), float(self.size[1] - y)

    def filter_cells(self, o: int) -> list[tuple[float, float]]:
        """Pixel (x, y) from the frame's top-left corner of the centre of each cell of output channel ``o``'s
        filter in the bank: slice by slice, row-major."""
        if not 0 <= o < self.spec.out_channels:
            raise ValueError(f"o must be between 0 and {self.spec.out_channels - 1}, got {o}")
        centres = [self._tr.transform(cell.mean(axis=0)) for cell, owner in zip(self._bank_cells, self._bank_owner,
                                                                                  strict=True) if owner == o]
        return [(float(x), float(self.size[1] - y)) for x, y in centres]

    def describe(self) -> str:
        spec = self.spec
        parts = [f"{_count(spec.in_channels, 'input channel')} to {_count(spec.out_channels, 'output channel')}"]
        if spec.groups > 1:
            parts.append(f"in {spec.groups} groups")
        kinds = [k for k, on in (("depthwise", spec.depthwise and spec.in_channels > 1),
                                 ("pointwise", spec.pointwise)) if on]
        if kinds:
            parts.append(f"({', '.join(kinds)})")
        if spec.bias:
            parts.append("with bias")
        return f"{' '.join(parts)}: {explain.alt_text(spec)}"
