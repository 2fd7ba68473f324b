"""The flat channel drawing with numbers: inputs, the weights on the kernel's taps, biases and outputs.

Every number comes from a `convanim.layer_values.LayerValues`: the output
cells show ``evaluate(spec, x, w, b)``, the Σ node the bias it adds.

>>> from convanim import ConvSpec
>>> from convanim.layer_values import make_layer_values
>>> spec = ConvSpec(4, 3, in_channels=2, out_channels=2, bias=True)
>>> scene = ChannelValuesScene(spec, values=make_layer_values(spec, "random"))
>>> len(scene), scene.output_text(1, (0, 0)) == str(int(make_layer_values(spec, "random").y[1, 0, 0]))
(8, True)
"""

from __future__ import annotations

from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

from ..layer_values import LayerValues
from ..schedule import cell_source
from ..spec import ConvSpec
from .base import SceneOptions, style
from .channels import ChannelScene, _pt
from .values import cell_number, ink

__all__ = ["ChannelValuesScene"]

_DEFAULTS = SceneOptions()


class ChannelValuesScene(ChannelScene):
    """`ChannelScene` in the flat layout, with the numbers written in the cells.

    Input cells show ``x``; each tap of the current kernel slices shows its
    weight (``×w``) in its corner; the Σ node shows the bias added; output
    cells show their value once written (the current one included).
    """

    numbers = True  # frames hold text in any colour: not only the theme's flat colours

    def __init__(self, spec: ConvSpec, options: SceneOptions = _DEFAULTS, *, values: LayerValues,
                 order: str = "channel"):
        if not isinstance(values, LayerValues):
            raise ValueError(f"values must be LayerValues, got {type(values).__name__}")
        super().__init__(spec, options, layout="flat", order=order)
        self.values = values
        with style():
            self._add_numbers()

    def _add_numbers(self) -> None:
        theme, fig, tr = self.theme, self.fig, self._tr
        big = FontProperties(size=_pt(max(9.0, 0.36 * self.cell_px)))
        small = FontProperties(size=_pt(max(7.0, 0.24 * self.cell_px)))

        def text(prop, **kw):
            return self.moving(fig.add_artist(Text(0, 0, "", fontproperties=prop, transform=tr, zorder=9.5,
                                                   ha="center", va="center_baseline", **kw)))

        self._x_texts = []
        for n, rc in self._input_cells:
            source = cell_source(self.spec, self._spec_cell(*rc))
            t = text(big)
            t.set_position(self._inputs[n].centre(*rc))
            t.set_text(cell_number(self.values.x[(n, *source)]))
            self._x_texts.append(t)
        taps = len(self.steps[0].taps) * self.spec.in_channels
        self._w_texts = [text(small, color=theme.text) for _ in range(taps)]
        for t in self._w_texts:
            t.set_horizontalalignment("right")
            t.set_verticalalignment("bottom")
        self._y_texts = []
        for o, r, c in self._out_index:
            t = text(big)
            t.set_position(self._outputs[o].centre(r, c))
            t.set_text(self.output_text(o, (r, c)))
            self._y_texts.append(t)

    def output_text(self, o: int, pos: tuple[int, int]) -> str:
        """The number written in output cell ``pos`` (row, col) of channel ``o``."""
        y = self.values.y[o]
        return cell_number(y[pos[1]] if self.spec.ndim == 1 else y[pos])

    def update(self, k: int) -> None:
        super().update(k)
        theme, spec = self.theme, self.spec
        outs, s = self.frame_content(k)
        step = self.steps[s]
        groups = {self._group_of_output(o) for o in outs}
        cells = {self._rc(t.cell): t.kernel for t in step.taps}
        for (n, rc), t in zip(self._input_cells, self._x_texts, strict=True):
            active = self._group_of_input(n) in groups
            face = theme.input if active else theme.unread
            t.set_color(ink(theme, theme.over(face) if active and rc in cells else face))
        # Weights: one output channel's kernel slices (channel order), in the corner of each tap.
        used = 0
        if len(outs) == 1:
            o = outs[0]
            grp = self._group_of_output(o)
            for j, n in enumerate(range(grp * self._cin_g, (grp + 1) * self._cin_g)):
                for rc, kernel in cells.items():
                    w = self.values.w[(n, o - grp * self._cout_g) if spec.transposed else (o, j)][kernel]
                    corner = self._inputs[n].to_drawing((rc[1] + 0.95, self._inputs[n].rows - 1 - rc[0] + 0.05))
                    label = self._w_texts[used]
                    label.set_position(corner)
                    label.set_text(f"×{cell_number(w)}")
                    label.set_color(ink(theme, theme.over(theme.input if self._kind[rc] == "input"
                                                          else theme.padding)))
                    used += 1
        for n, t in enumerate(self._w_texts):
            t.set_visible(n < used)
        written = self._written(outs[-1], s)
        current = {(o, self._rc(step.out)) for o in outs}
        for (o, r, c), t in zip(self._out_index, self._y_texts, strict=True):
            t.set_visible(written(o, r * self._out[1] + c))
            t.set_color(ink(theme, theme.over(theme.output) if (o, (r, c)) in current else theme.output))
        if spec.bias:
            for label, o in zip(self._node_texts, outs, strict=False):
                b = self.values.b[o]
                sign = "-" if b < 0 else "+"
                label.set_text(f"$\\Sigma{{{sign}}}{cell_number(abs(b))}$")
