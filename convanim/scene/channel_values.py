"""The values view of a layer with channels: the flat channel drawing with numbers.

It writes the inputs, the weights on the kernel's taps, the biases and the outputs.

Every number comes from a `convanim.layer_values.LayerValues`: the output
cells show ``evaluate(spec, x, w, b)``, the Σ node its sum, the bias it adds and the output (``Σ=1, +1 → 2``).

>>> from convanim import ConvSpec
>>> from convanim.layer_values import make_layer_values
>>> spec = ConvSpec(4, 3, in_channels=2, out_channels=2, bias=True)
>>> scene = ChannelValuesScene(spec, values=make_layer_values(spec, "random"))
>>> len(scene), scene.output_text(1, (0, 0)) == str(int(make_layer_values(spec, "random").y[1, 0, 0]))
(8, True)
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from ..layer_values import LayerValues
from ..schedule import cell_source, schedule
from ..spec import ConvSpec
from .base import SceneOptions, style
from .channels import ChannelScene
from .text import text_extent
from .values import cell_number, ink

__all__ = ["ChannelValuesScene"]

_DEFAULTS = SceneOptions()


def _node_sums(spec: ConvSpec, values: LayerValues) -> dict[tuple[int, int], str]:
    """What each Σ node writes, by (output channel, step): ``'Σ=1, +1 → 2'`` (the products' sum, the bias,
    the output), or ``'Σ=1'`` without a bias."""
    g = spec.groups
    cin_g, cout_g = spec.in_channels // g, spec.out_channels // g
    texts = {}
    for s, step in enumerate(schedule(spec)):
        for o in range(spec.out_channels):
            grp = o // cout_g
            total = 0
            for j, n in enumerate(range(grp * cin_g, (grp + 1) * cin_g)):
                w = values.w[(n, o - grp * cout_g) if spec.transposed else (o, j)]
                total += sum(w[t.kernel] * values.x[(n, *t.source)] for t in step.taps if t.source is not None)
            text = f"Σ={cell_number(total)}"
            if values.b is not None:
                b, y = values.b[o], values.y[(o, *step.out)]
                text += f", {'−' if b < 0 else '+'}{cell_number(abs(b))} → {cell_number(y)}"
            texts[(o, s)] = text.replace("-", "−")
    return texts


class ChannelValuesScene(ChannelScene):
    """`ChannelScene` in the flat layout, with the numbers written in the cells.

    Input cells show ``x``; each tap of the current kernel slices shows its
    weight (``×w``) in its corner; the Σ node shows the products' sum, the bias and the
    output (``Σ=1, +1 → 2``); output
    cells show their value once written (the current one included).
    """

    def __init__(self, spec: ConvSpec, options: SceneOptions = _DEFAULTS, *, values: LayerValues,
                 order: str = "channel"):
        if not isinstance(values, LayerValues):
            raise ValueError(f"values must be LayerValues, got {type(values).__name__}")
        self.values = values
        self._sums = _node_sums(spec, values)
        super().__init__(spec, options, layout="flat", order=order)
        # the wires run behind the cells, so no wire strikes a number on its way to the window's edge
        # (moving artists are drawn in the order they were registered: the wires go first)
        self._wires.set_zorder(2.5)
        self._moving.remove(self._wires)
        self._moving.insert(self._moving.index(self._in_cells), self._wires)
        with style():
            self._add_numbers()

    def _node_gap(self) -> float:
        """Wide enough for the widest Σ label, with half a cell either side."""
        widest = max(text_extent(t, self._font_px * 72 / 100)[0] * 100 / 72 for t in self._sums.values())
        return max(5.0, widest / self.cell_px + 2.0)

    def _node_box(self, at, text: str):
        half = text_extent(text, self._font_px * 72 / 100)[0] * 100 / 72 / self.cell_px / 2 + 0.25
        return np.array([(-half, -0.42), (half, -0.42), (half, 0.42), (-half, 0.42)]) + at

    def _glyphs(self, strings, anchors, size_px: float, corner: bool = False) -> list:
        """Each string as one glyph outline in drawing units: centred on its anchor, or (``corner``)
        ending at it, its baseline on it. Cached: a frame only picks outlines."""
        paths = []
        for text, (x, y) in zip(strings, anchors, strict=True):
            key = (text, round(x, 6), round(y, 6), size_px, corner)
            if key not in self._glyph_cache:
                size = size_px / self.cell_px
                path = TextPath((0, 0), text, size=size, prop=self._glyph_font)
                ext = path.get_extents()
                if corner:
                    dx, dy = -ext.x1, 0.0
                else:
                    dx, dy = -(ext.x0 + ext.x1) / 2, -self._digit_height * size / 2
                self._glyph_cache[key] = path.transformed(Affine2D().translate(x + dx, y + dy))
            paths.append(self._glyph_cache[key])
        return paths

    def _add_numbers(self) -> None:
        fig, tr = self.fig, self._tr
        self._glyph_font = FontProperties(family="DejaVu Sans")
        self._digit_height = TextPath((0, 0), "0", size=1, prop=self._glyph_font).get_extents().height
        self._glyph_cache = {}
        self._big, self._small = max(12.0, 0.36 * self.cell_px), max(12.0, 0.24 * self.cell_px)  # readable (issue 18)
        self.glyph_text("0", self._big)  # the inputs' and outputs' numbers
        self.glyph_text(lambda: ("w", self._small) if getattr(self, "_shown", {}).get("w") else None)

        def glyphs():
            return self.moving(fig.add_artist(PathCollection([], edgecolors="none", linewidths=0, transform=tr,
                                                             zorder=9.5)))

        self._x_strings = [
            cell_number(self.values.x[(n, *cell_source(self.spec, self._spec_cell(*rc)))])
            for n, rc in self._input_cells
        ]
        self._x_glyphs = glyphs()
        self._x_glyphs.set_paths(self._glyphs(
            self._x_strings, [self._inputs[n].centre(*rc) for n, rc in self._input_cells], self._big))
        self._y_strings = [self.output_text(o, (r, c)) for o, r, c in self._out_index]
        self._y_anchors = [self._outputs[o].centre(r, c) for o, r, c in self._out_index]
        self._y_glyphs = glyphs()
        self._w_glyphs = glyphs()
        self._shown = {}

    def output_text(self, o: int, pos: tuple[int, int]) -> str:
        """The number written in output cell ``pos`` (row, col) of channel ``o``."""
        y = self.values.y[o]
        return cell_number(y[pos[1]] if self.spec.ndim == 1 else y[pos])

    def shown_numbers(self) -> dict[str, list[str]]:
        """The numbers the last updated frame shows: ``'x'`` (inputs), ``'w'`` (weights on the taps),
        ``'y'`` (outputs written), ``'b'`` (the bias in each Σ node), ``'sum'`` (what each Σ node writes),
        each in drawing order."""
        return {key: list(value) for key, value in self._shown.items()}

    def update(self, k: int) -> None:
        super().update(k)
        theme, spec = self.theme, self.spec
        outs, s = self.frame_content(k)
        step = self.steps[s]
        groups = {self._group_of_output(o) for o in outs}
        cells = {self._rc(t.cell): t.kernel for t in step.taps}
        colours = []
        for n, rc in self._input_cells:
            active = self._group_of_input(n) in groups
            face = theme.input if active else theme.unread
            colours.append(ink(theme, theme.over(face) if active and rc in cells else face))
        self._x_glyphs.set_facecolor(colours)
        # Weights: one output channel's kernel slices (channel order), in the corner of each tap.
        weights, corners, w_colours = [], [], []
        if len(outs) == 1:
            o = outs[0]
            grp = self._group_of_output(o)
            for j, n in enumerate(range(grp * self._cin_g, (grp + 1) * self._cin_g)):
                for rc, kernel in cells.items():
                    w = self.values.w[(n, o - grp * self._cout_g) if spec.transposed else (o, j)][kernel]
                    weights.append(f"×{cell_number(w)}")
                    sl = self._inputs[n]
                    corners.append(sl.to_drawing((rc[1] + 0.93, sl.rows - 1 - rc[0] + 0.08)))
                    face = theme.input if self._kind[rc] == "input" else theme.padding
                    w_colours.append(ink(theme, theme.over(face)))
        self._w_glyphs.set_paths(self._glyphs(weights, corners, self._small, corner=True))
        self._w_glyphs.set_facecolor(w_colours or "none")
        written = self._written(outs[-1], s)
        current = {(o, self._rc(step.out)) for o in outs}
        shown = [i for i, (o, r, c) in enumerate(self._out_index) if written(o, r * self._out[1] + c)]
        self._y_glyphs.set_paths(self._glyphs([self._y_strings[i] for i in shown],
                                              [self._y_anchors[i] for i in shown], self._big))
        self._y_glyphs.set_facecolor([
            ink(theme, theme.over(theme.output) if (o, (r, c)) in current else theme.output)
            for o, r, c in (self._out_index[i] for i in shown)] or "none")
        biases, sums, nodes = [], [], []
        for label, o in zip(self._node_texts, outs, strict=False):
            if spec.bias:
                biases.append(cell_number(self.values.b[o]))
            sums.append(self._sums[(o, s)])
            label.set_text(sums[-1])
            nodes.append(self._node_box(self._node(o), sums[-1]))
        self._nodes.set_verts(nodes)
        self._shown = {"x": self._x_strings, "w": weights, "y": [self._y_strings[i] for i in shown], "b": biases,
                       "sum": sums}
