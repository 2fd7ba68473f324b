"""The both view: a transposed convolution computed two ways, in step, one frame per input cell.

Top row: the scatter view (`convanim.scene.scatter`), as PyTorch computes it:
input cell ``j`` times the kernel, added into the scattered region. Bottom
row: the direct convolution it equals (the flat layout's drawing): the input
with zeros inserted and a border, the kernel rotated 180°, and the output.

The frames step through the input cells, because that is the order in which
the scatter computes; the zero-insertion side then shows each output cell at
the moment it is *complete*, i.e. once every input cell feeding it has been
scattered (`convanim.scatter.finish_steps`). Complete cells are filled in the
bottom output grid with the same value (or the same symbols) as the kept cell
above; the last cell completed in the frame is outlined in the accent colour
in both rows, and its window on the zero-inserted input is shaded: the taps
of that window that fall on input cells are exactly the products the scatter
added into it. On the last frame both outputs are the same array,
``torch.nn.functional.conv_transpose*d`` (`BothScene.final_outputs`).

>>> from convanim import ConvSpec
>>> len(BothScene(ConvSpec(3, 3, stride=2, padding=1, output_padding=1, transposed=True)))
9
"""

from __future__ import annotations

import math

import numpy as np

from .. import explanation as explain
from ..scatter import finish_steps
from ..schedule import cell_kind, schedule
from ..spec import ConvSpec
from ..values import Values, convolve
from .base import SceneOptions
from .panels import Frame, PaintedScene, place_row, rc, shape2, sub
from .scatter import ScatterRow, _Measure, check_transposed, check_values
from .values import cell_number, ink, kernel_shade

__all__ = ["BothScene"]

DEFAULT_OPTIONS = SceneOptions()


class BothScene(PaintedScene):
    """The scatter view above the zero-insertion view, in step (see the module docstring)."""

    frame_ms = 1500

    def __init__(self, spec: ConvSpec, options: SceneOptions = DEFAULT_OPTIONS, values: Values | None = None):
        spec = check_transposed(spec, "both")
        values = check_values(spec, values)
        if options.cell_px is not None and options.cell_px < 16:
            raise ValueError(f"cell_px must be >= 16 for the both view, got {options.cell_px}")
        cell = options.cell_px or (56 if values is None else 44)
        cell -= cell % 2
        self.spec, self.options, self.theme, self.values = spec, options, options.theme, values
        self.row = row = ScatterRow(spec, self.theme, cell, values)
        self.steps = schedule(spec)
        self.finish = finish_steps(spec)
        margin = round(0.5 * cell)
        row.place(margin, margin)
        font = row.font
        self.status_y = [margin + row.height + 1.4 * font]
        # The bottom row: zero-inserted grid, rotated kernel, output; under the top row's grids.
        top = math.ceil(self.status_y[0] + 1.4 * font)
        dims = explain.dims
        texts = [f"zeros inserted, drawn {dims(spec.grid_shape)}", "kernel rotated 180°",
                 f"output {dims(spec.output_shape)}"]
        shapes = [shape2(spec.grid_shape), shape2(spec.kernel_size), shape2(spec.output_shape)]
        measure = _Measure()
        panels, bottom_w, bottom_h, ops = place_row(margin, top, shapes, texts, cell, font,
                                                    lambda s: measure.width(s, font))
        self.grid, self.kernel, self.out = panels
        mid = top + bottom_h - max(p.height for p in panels) / 2
        self.status_y.append(top + bottom_h + 1.4 * font)
        titles = row.titles() + [(p.x + p.width / 2, p.y - 1.1 * font, s, font, "center")
                                 for p, s in zip(panels, texts)]
        titles += [(ops[0], mid, "∗", 1.6 * font, "center"), (ops[1], mid, "=", 1.6 * font, "center")]
        measure = _Measure()
        lines = [s for k in range(len(self)) for s in (row.status(k), self._status(k))]
        width = max(row.width, bottom_w, max(measure.width(s, font) for s in lines))
        width = 2 * margin + math.ceil(width)
        height = math.ceil(self.status_y[1] + font + margin)
        n_texts = row.max_texts + math.prod(spec.grid_shape) + 2 * math.prod(spec.kernel_size) \
            + math.prod(spec.output_shape) + 2
        self._setup(width + width % 2, height + height % 2, titles, n_texts)

    def __len__(self) -> int:
        return len(self.row.steps)

    def _featured(self, k: int):
        """The last output cell (row-major) completed by input step ``k``, or None."""
        done = np.argwhere(self.finish == k)
        return tuple(int(v) for v in done[-1]) if len(done) else None

    def _status(self, k: int) -> str:
        cell = self._featured(k)
        if cell is None:
            return "no output cell is complete yet: it still waits for input cells to come"
        step = self.steps[int(np.ravel_multi_index(cell, self.spec.output_shape))]
        n = sum(t.source is not None for t in step.taps)
        done = int((self.finish == k).sum())
        more = f" ({done} complete at this step)" if done > 1 else ""
        name = f"output ({', '.join(str(c) for c in cell)})"
        return f"{name} is complete{more}: its window reads the same {n} product{'s' * (n != 1)}"

    def paint_static(self, frame: Frame) -> None:
        """The scatter row's input and kernel, the zero-inserted grid and the rotated kernel."""
        theme, spec, row = self.theme, self.spec, self.row
        row.paint_static(frame)
        # The zero-inserted grid: input cells labelled, zeros blank with dashed edges.
        for idx in np.ndindex(*spec.grid_shape):
            r, c = rc(idx)
            kind = cell_kind(spec, idx)
            face = theme.input if kind == "input" else theme.padding
            frame.fill(self.grid.box(r, c), face)
            if kind == "input":
                j = tuple((i - ax.lo) // ax.step for i, ax in zip(idx, spec.axes))
                text = f"x{sub(j)}" if self.values is None else cell_number(self.values.x[j])
                frame.text(*self.grid.center(r, c), text, ink(theme, face), row.in_font)
                frame.outline(self.grid.box(r, c), theme.line, row.line_px)
            else:
                frame.outline(self.grid.box(r, c), theme.line, row.line_px, dashed=True)
        # The rotated kernel.
        face = kernel_shade(theme)
        ks = spec.kernel_size
        for t in np.ndindex(*ks):
            r, c = rc(t)
            flipped = tuple(n - 1 - v for n, v in zip(ks, t))
            frame.fill(self.kernel.box(r, c), face)
            text = f"w{sub(flipped)}" if self.values is None else cell_number(self.values.w[flipped])
            frame.text(*self.kernel.center(r, c), text, ink(theme, face), row.k_font)
        frame.grid(self.kernel, theme.line, row.line_px)

    def paint(self, k: int, frame: Frame) -> None:
        theme, spec, row = self.theme, self.spec, self.row
        row.paint(frame, k)
        featured = self._featured(k)
        if featured is not None:  # its window on the zero-inserted grid, shaded
            step = self.steps[int(np.ravel_multi_index(featured, spec.output_shape))]
            for tap in step.taps:
                frame.shade(self.grid.box(*rc(tap.cell)))
                if tap.source is not None:  # its label again, over the shade
                    text = f"x{sub(tap.source)}" if self.values is None else cell_number(self.values.x[tap.source])
                    frame.text(*self.grid.center(*rc(tap.cell)), text, ink(theme, theme.over(theme.input)),
                               row.in_font)
        current = row.steps[k].source
        cell = tuple(ax.lo + j * ax.step for j, ax in zip(current, spec.axes))
        if all(0 <= c < n for c, n in zip(cell, spec.grid_shape)):  # a padding > d*(k-1) crops it off the grid
            frame.outline(self.grid.box(*rc(cell)), theme.accent, row.bold_px, inset=row.bold_px / 2)
        # The output: complete cells filled with their final text.
        last = len(self) - 1
        for idx in np.ndindex(*spec.output_shape):
            if self.finish[idx] > k:
                continue
            r, c = rc(idx)
            frame.fill(self.out.box(r, c), theme.output)
            region = tuple(i + lo for i, (lo, _) in zip(idx, row.kept))
            lines, _ = row.cell_text(region, last)
            x, y = self.out.center(r, c)
            frame.text(x, y, "\n".join(lines or ["0"]), ink(theme, theme.output), row.cell_font)
        frame.grid(self.out, theme.line, row.line_px)
        if featured is not None:
            (r0, r1), (c0, c1) = [(0, 0)] * (2 - spec.ndim) + list(step.footprint)
            frame.outline(self.grid.box(r0, c0, r1, c1), theme.line, row.bold_px)
            frame.outline(self.out.box(*rc(featured)), theme.accent, row.bold_px, inset=row.bold_px / 2)
            frame.outline(row.out.box(*row.region_cell(featured)), theme.accent, row.bold_px)
        for y, text in zip(self.status_y, (row.status(k), self._status(k))):
            frame.text(row.input.x, y, text, theme.text, row.font, ha="left")

    def final_outputs(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(scatter, zero insertion): the kept output each row ends with (numbers only)."""
        if self.values is None:
            return None
        x, w = self.values.x, self.values.w
        top = np.zeros(self.spec.output_shape, dtype=np.result_type(x, w))
        for idx in np.ndindex(*self.spec.output_shape):
            region = tuple(i + lo for i, (lo, _) in zip(idx, self.row.kept))
            top[idx] = sum((v for _, _, v in self.row.received.get(region, [])), start=top.dtype.type(0))
        return top, convolve(self.spec, x, w)

    def describe(self) -> str:
        return (explain.alt_text(self.spec) + ", computed by scattering each input cell times the kernel (top) "
                "and as the direct convolution of the zero-inserted input (bottom), in step")
