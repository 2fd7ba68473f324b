"""The flat layout of a 3-D convolution: input and output as rows of depth slices.

The drawn input grid (padding and inserted zeros included) is cut into its
depth slices, one 2-D grid per depth index, side by side; the output's slices
sit below. Each frame is one kernel position (`convanim.schedule.schedule`):
its taps are shaded on the ``kernel_size[0]`` slices it covers (a bar above
them spans those slices, each named by the kernel's depth slice on it,
``w[0, :, :]``, ``w[1, :, :]`` ...), its footprint is outlined on each, and
the output cell it writes is outlined in its slice, the cells written before
it filled. `FlatScene` hands 3-D specs to this scene.

>>> from convanim import ConvSpec
>>> len(Flat3DScene(ConvSpec((4, 4, 4), 3)))
8
"""

from __future__ import annotations

import math

from .. import explanation as explain
from ..schedule import cell_kind, schedule
from ..spec import ConvSpec
from .base import SceneOptions
from .panels import Frame, PaintedScene, Panel
from .scatter import _Measure

__all__ = ["Flat3DScene"]

DEFAULT_OPTIONS = SceneOptions()


class Flat3DScene(PaintedScene):
    """A 3-D convolution, flat: rows of depth slices (see the module docstring)."""

    frame_ms = 1000

    def __init__(self, spec: ConvSpec, options: SceneOptions = DEFAULT_OPTIONS):
        if not isinstance(spec, ConvSpec):
            raise ValueError(f"spec must be a ConvSpec, got {type(spec).__name__}")
        if spec.ndim != 3:
            raise ValueError(f"the 3-D flat layout draws 3-D convolutions, got {spec.ndim} axes")
        if max(spec.grid_shape) > 48:
            raise ValueError(
                f"the 3-D flat layout draws at most 48 cells per axis, got {'x'.join(map(str, spec.grid_shape))}")
        if options.cell_px is not None and options.cell_px < 8:
            raise ValueError(f"cell_px must be an integer >= 8, got {options.cell_px!r}")
        cell = options.cell_px or 28
        cell -= cell % 2
        self.spec, self.options, self.theme = spec, options, options.theme
        self.steps = schedule(spec)
        self.cell = cell
        font = max(9.0, min(0.45 * cell, 15.0))
        self.font = font
        margin = round(max(12, cell / 2))
        gap = round(max(cell, 16))
        title_h = round(2.0 * font)
        bar_h = round(1.6 * font)
        (gd, gh, gw), (od, oh, ow) = spec.grid_shape, spec.output_shape
        self.label_y = margin + title_h + 0.6 * font
        self.bar_y = self.label_y + 1.0 * font
        y_in = round(self.bar_y + bar_h)
        self.inputs = [Panel(margin + d * (gw * cell + gap), y_in, gh, gw, cell) for d in range(gd)]
        y_out = y_in + gh * cell + round(1.6 * font) + title_h + round(1.4 * font)
        self.outputs = [Panel(margin + d * (ow * cell + gap), y_out, oh, ow, cell) for d in range(od)]
        dims = explain.dims
        in_title = explain.input_label(spec) + " (one grid per depth index)"
        titles = [(margin, margin + title_h / 2, in_title, font, "left"),
                  (margin, y_out - round(1.4 * font) - title_h / 2,
                   f"output {dims(spec.output_shape)}, kernel {dims(spec.kernel_size)}", font, "left")]
        small = 0.85 * font
        for panels, y in ((self.inputs, y_in), (self.outputs, y_out)):
            for d, p in enumerate(panels):
                titles.append((p.x + p.width / 2, y - 0.8 * small, f"depth {d}", small, "center"))
        measure = _Measure()
        right = max(p.x + p.width for p in self.inputs + self.outputs)
        width = max(right + margin, math.ceil(max(measure.width(t[2], t[3]) for t in titles[:2])) + 2 * margin)
        height = y_out + oh * cell + margin
        if options.caption:
            titles.append((margin, height + font / 2, explain.caption(spec), font, "left"))
            height += round(2 * font)
        self.line_px = max(1, round(cell / 40))
        self.bold_px = max(3, round(cell / 10))
        self.kinds = {idx: cell_kind(spec, idx) for idx in self._cells(spec.grid_shape)}
        self._setup(width + width % 2, height + height % 2, titles, spec.kernel_size[0] + 1)

    @staticmethod
    def _cells(shape):
        return [(d, r, c) for d in range(shape[0]) for r in range(shape[1]) for c in range(shape[2])]

    def __len__(self) -> int:
        return len(self.steps)

    def _face(self, idx) -> str:
        kind = self.kinds[idx]
        return self.theme.input if kind == "input" else self.theme.padding

    def paint(self, k: int, frame: Frame) -> None:
        theme, step = self.theme, self.steps[k]
        taps = {t.cell for t in step.taps}
        for idx in self._cells(self.spec.grid_shape):
            face = self._face(idx)
            box = self.inputs[idx[0]].box(idx[1], idx[2])
            frame.fill(box, theme.over(face) if idx in taps else face)
            if self.kinds[idx] != "input":
                frame.outline(box, theme.line, self.line_px, dashed=True)
        for p, d in zip(self.inputs, range(self.spec.grid_shape[0])):
            if all(self.kinds[(d, r, c)] != "input" for r, c in p.cells()):
                continue
            # solid lines around the input cells only: the padding keeps its dashes
            for r, c in p.cells():
                if self.kinds[(d, r, c)] == "input":
                    frame.outline(p.box(r, c), theme.line, self.line_px)
        (d0, d1), (r0, r1), (c0, c1) = step.footprint
        for d in range(d0, d1 + 1):
            frame.outline(self.inputs[d].box(r0, c0, r1, c1), theme.line, self.bold_px)
        # The bar over the covered slices.
        x0, x1 = self.inputs[d0].x, self.inputs[d1].x + self.inputs[d1].width
        frame.fill((x0, self.bar_y - self.bold_px / 2, x1, self.bar_y + self.bold_px / 2), theme.accent)
        # Which of the kernel's depth slices lies on which input slice: a different 2-D kernel on each.
        for d, j in sorted({(t.cell[0], t.kernel[0]) for t in step.taps}):
            p = self.inputs[d]
            frame.text(p.x + p.width / 2, self.label_y, f"w[{j}, :, :]", theme.text, max(11.0, 0.85 * self.font))
        od, oh, ow = self.spec.output_shape
        for n, idx in enumerate(self._cells(self.spec.output_shape)):
            box = self.outputs[idx[0]].box(idx[1], idx[2])
            if n < k:
                frame.fill(box, theme.output)
            elif n == k:
                frame.fill(box, theme.over(theme.output))
        for p in self.outputs:
            frame.grid(p, theme.line, self.line_px)
        frame.outline(self.outputs[step.out[0]].box(step.out[1], step.out[2]), theme.line, self.bold_px)

    def describe(self) -> str:
        return explain.alt_text(self.spec) + (" (depth slices side by side, input above, output below; each input "
                                              "slice read by its own depth slice of the kernel)")
