"""Pooling drawn flat, with numbers: the window slides over the (padded) input, the output fills in.

The input grid on the left shows the input's values, padding cells (``−∞``
for max pooling, as PyTorch pads; ``0`` for average pooling) with a dashed
outline, and, with ``ceil_mode``, the cells a last window covers past the
padded input, hatched and labelled. Each frame shades the window's cells and
outlines it; max pooling rings the winning cell (PyTorch's ``return_indices``
choice); a line under the grids writes the window's result (``max of 9 input
cells = 7 at input [1, 2]`` or ``18 ÷ 4 = 4.5``, the divisor as PyTorch counts
it) and, for a window that only ``ceil_mode`` keeps, why it exists.

>>> from convanim.pool import PoolSpec
>>> import numpy as np
>>> scene = PoolScene(PoolSpec("max", 6, 3, stride=2, ceil_mode=True), values=np.arange(36).reshape(6, 6))
>>> len(scene), scene.size
(9, (878, 478))
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from ..pool import PoolSpec, pool_argmax, pool_evaluate
from ..pool_text import alt_text, caption, ceil_rule, describe_window
from ..schedule import schedule
from ..themes import hex_to_rgb
from .base import Scene, SceneOptions, boxes_path, pixel_axes, style
from .flat import _ceil_even, _even, _pt, _rect, _Text
from .values import cell_number

__all__ = ["PoolScene", "DEFAULT_CELL_PX"]

DEFAULT_CELL_PX = 48
_DPI = 100
_DEFAULTS = SceneOptions()


def _ink(theme, fill: str) -> str:
    """The theme's text or background colour, whichever stands out more on ``fill``."""
    def lum(color):
        r, g, b = hex_to_rgb(color)
        return 0.299 * r + 0.587 * g + 0.114 * b

    return max((theme.text, theme.background), key=lambda c: abs(lum(c) - lum(fill)))


def divisor_contrast(spec: PoolSpec, out: tuple, total) -> str:
    """The divisor average pooling uses at ``out`` beside the one the other ``count_include_pad`` would use:
    ``'÷ 4: its input cells (count_include_pad=False); True would give 18 ÷ 9 = 2'``, or, where both
    agree, ``'÷ 9 either way: this window holds no padding'``."""
    div = spec.divisor(out)
    other = math.prod(ax.divisor(o, not spec.count_include_pad) for ax, o in zip(spec.axes, out, strict=True))
    if other == div:
        return f"÷ {div} either way: no padding in this window, so count_include_pad changes nothing"
    if spec.count_include_pad:
        return (f"÷ {div}: its cells in the padded input (count_include_pad=True, padding counts as 0); "
                f"False would give {cell_number(total)} ÷ {other} = {cell_number(total / other)}")
    return (f"÷ {div}: its input cells only (count_include_pad=False); "
            f"True would give {cell_number(total)} ÷ {other} = {cell_number(total / other)}")


class PoolScene(Scene):
    """A 1-D or 2-D one-channel `PoolSpec` drawn flat, with the input's numbers.

    ``values`` is the input plane (shape ``spec.input_size``); the output and
    the winners are computed from the schedule (`pool_evaluate`,
    `pool_argmax`). ``options.cell_px`` (default 48) is rounded down to an even
    number; ``labels`` names the grids, ``caption`` writes the output-size
    formula and the ceil_mode rule.
    """

    free_colours = True  # text in many colours: the GIF gets a free palette, not the theme's flat colours

    def __init__(self, spec: PoolSpec, options: SceneOptions = _DEFAULTS, *, values):
        if not isinstance(spec, PoolSpec):
            raise ValueError(f"spec must be a PoolSpec, got {type(spec).__name__}")
        if spec.ndim not in (1, 2):
            raise ValueError(f"a pooling is drawn in 1-D and 2-D, got {spec.ndim} axes")
        if spec.channels != 1:
            raise ValueError(
                f"a pooling is drawn one channel at a time (each is pooled alone), got channels={spec.channels}"
            )
        cell = DEFAULT_CELL_PX if options.cell_px is None else options.cell_px
        if not isinstance(cell, int) or isinstance(cell, bool) or cell < 16:
            raise ValueError(
                f"cell_px must be an integer >= 16 for a pooling (cells hold numbers), got {options.cell_px!r}"
            )
        values = np.asarray(values)
        if values.shape != spec.input_size:
            raise ValueError(f"values must have the input's shape {spec.input_size}, got {values.shape}")
        cell -= cell % 2
        self.spec, self.options, self.theme, self.cell_px = spec, options, options.theme, cell
        self.steps = schedule(spec)
        self.values = values
        self.output = pool_evaluate(spec, values[None])[0]
        self.winners = pool_argmax(spec, values[None])[0] if spec.mode == "max" else None
        self._grid = (1,) * (2 - spec.ndim) + tuple(spec.grid_shape)
        self._out = (1,) * (2 - spec.ndim) + tuple(spec.output_shape)
        self._line_px = max(1, round(cell / 40))
        self._bold_px = 3 * self._line_px
        with style():
            self._layout()
            super().__init__(self._width, self._height, self.theme.background, dpi=_DPI)
            self.ax = pixel_axes(self.fig, self._width, self._height)
            self._draw_static()
            self._make_moving()

    # -- geometry ---------------------------------------------------------------

    def _rc(self, index) -> tuple[int, int]:
        return (0, index[0]) if len(index) == 1 else (index[0], index[1])

    def _corner(self, which: str, r: int, c: int) -> tuple[int, int]:
        x0, y0 = self._origin[which]
        return x0 + c * self.cell_px, y0 + r * self.cell_px

    def _window_lines(self, k: int) -> list[str]:
        """The lines written under the grids at step ``k``: the result, and why a ceil_mode window exists."""
        spec, step = self.spec, self.steps[k]
        read = [t.source for t in step.taps if t.source is not None]
        nums = [self.values[s].item() for s in read]
        winner = None
        if self.winners is not None:
            winner = np.unravel_index(int(self.winners[step.out]), spec.input_size)
        lines = [describe_window(spec, step, nums, self.output[step.out].item(), winner)]
        if spec.mode == "max" and winner is not None and sum(v == self.values[winner] for v in nums) > 1:
            lines.append(f"{cell_number(self.values[winner])} appears more than once: the first in the window wins")
        if spec.mode == "avg":
            lines.append(divisor_contrast(spec, step.out, sum(nums)))
        if any(spec.cell_kind(t.cell) == "beyond" for t in step.taps):
            if self.options.caption and spec.ceil_mode:  # the caption says the rule: say it once
                lines.append("ceil_mode keeps this window (the rule is below)")
            else:
                over = max(ax.beyond for ax in spec.axes)
                lines.append(
                    f"ceil_mode keeps this window: it starts before the input ends but runs {over} "
                    f"cell{'s' if over > 1 else ''} past the padded input (floor would drop it)"
                )
        return lines

    def _layout(self) -> None:
        spec, opts, cell = self.spec, self.options, self.cell_px
        (gr, gc), (orow, ocol) = self._grid, self._out
        in_w, in_h, out_w, out_h = gc * cell, gr * cell, ocol * cell, orow * cell
        margin = _even(max(12, cell / 2))
        gap = _even(1.5 * cell)
        pad = _even(max(6, cell / 4))
        text = _Text(_even(max(12, 0.3 * cell)))
        self._text = text
        self._value_font = _Text(_even(max(10, 0.36 * cell)))
        self._value_font.font_px = _even(max(10, 0.36 * cell))
        in_lines, out_lines = [], []
        if opts.labels:
            padded = "×".join(str(v) for v in spec.padded_shape)
            label = f"input {'×'.join(str(v) for v in spec.input_size)}"
            if any(spec.padding):
                label += f", padded {padded}"
            in_lines = [label]
            out_lines = [f"output {'×'.join(str(v) for v in spec.output_shape)}"]
        legend = []
        if any(spec.beyond):
            legend.append("hatched: past the padded input, read only by the window ceil_mode adds")
        if any(spec.padding):
            if spec.mode == "max":
                legend.append("dashed: padding (−∞, as PyTorch pads: it never wins)")
            elif spec.count_include_pad:
                legend.append("dashed: padding (0, counted in the divisor: count_include_pad=True)")
            else:
                legend.append("dashed: padding (0, not counted: count_include_pad=False); "
                              "shaded: what the divisor counts")
        read = {t.source for step in self.steps for t in step.taps}
        if any(idx not in read for idx in np.ndindex(*spec.input_size)):
            legend.append("grey: input cells no window reads")
        cap_lines = []
        if opts.caption:
            cap_lines = [ln.strip() for ln in caption(spec).split("; ")]
            cap_lines += [r for n in range(spec.ndim) if (r := ceil_rule(spec, n))][:1]
        self._lines_of = window = [self._window_lines(k) for k in range(len(self.steps))]
        body = legend + cap_lines + [ln for lines in window for ln in lines]

        def block(lines):
            return len(lines) * text.line_px + pad if lines else 0

        col_in = max([in_w] + [text.width(s) for s in in_lines])
        col_out = max([out_w] + [text.width(s) for s in out_lines])
        drawing_w = col_in + gap + col_out
        content_w = max([drawing_w] + [text.width(s) for s in body])
        width = _ceil_even(content_w + 2 * margin)
        mid = margin + max(in_h // 2 + block(in_lines), out_h // 2 + block(out_lines))
        bottom = mid + max(in_h, out_h) // 2
        top = bottom + 2 * pad
        self._window_top = top
        self._n_lines = max(len(lines) for lines in window)
        rows_below = self._n_lines + len(legend) + len(cap_lines)
        height = _ceil_even(top + rows_below * text.line_px + margin)
        left = (width - drawing_w) // 2
        self._left_text = margin
        self._origin = {
            "input": (left + (col_in - in_w) // 2, mid - in_h // 2),
            "output": (left + col_in + gap + (col_out - out_w) // 2, mid - out_h // 2),
        }
        self._texts = []
        for lines, which, w in ((in_lines, "input", in_w), (out_lines, "output", out_w)):
            x0, y0 = self._origin[which]
            for n, line in enumerate(lines):
                self._texts.append((x0 + w / 2, y0 - pad - (len(lines) - n) * text.line_px + text.ascent, line))
        for n, line in enumerate(legend + cap_lines):
            self._texts.append((width / 2, top + (self._n_lines + n) * text.line_px + text.ascent, line))
        self._width, self._height = width, height

    # -- static drawing -----------------------------------------------------------

    def _draw_static(self) -> None:
        spec, theme, cell, ax = self.spec, self.theme, self.cell_px, self.ax
        rows, cols = self._grid
        read = {t.cell for step in self.steps for t in step.taps}
        self._fill, self._hatch = {}, {}
        polys, colors, hatch, labels = [], [], [], []
        for r in range(rows):
            for c in range(cols):
                index = (c,) if spec.ndim == 1 else (r, c)
                kind = spec.cell_kind(index)
                if kind == "input":
                    fill = theme.input if index in read else theme.unread
                    src = tuple(i - p for i, p in zip(index, spec.padding))
                    labels.append((r, c, cell_number(self.values[src]), _ink(theme, fill)))
                elif kind == "padding":
                    fill = theme.padding
                    labels.append((r, c, "−∞" if spec.mode == "max" else "0", theme.unread))
                else:
                    fill = theme.background
                    x0, y0 = self._corner("input", r, c)
                    q = cell // 3
                    lines = []
                    for a in range(0, cell, q):  # diagonal hatch, clipped to the cell
                        lines.append([(x0 + a, y0 + cell), (x0 + cell, y0 + a)])
                        if a:
                            lines.append([(x0, y0 + cell - a), (x0 + cell - a, y0)])
                    self._hatch[r, c] = lines
                    hatch += lines
                self._fill[r, c] = fill
                polys.append(_rect(*self._corner("input", r, c), cell))
                colors.append(fill)
        ax.add_collection(PolyCollection(polys, facecolors=colors, edgecolors="none", linewidths=0))
        if hatch:
            ax.add_collection(LineCollection(hatch, colors=theme.unread, linewidths=_pt(self._line_px)))
        solid, dashed = [], []
        for r in range(rows):
            for c in range(cols):
                index = (c,) if spec.ndim == 1 else (r, c)
                x0, y0 = self._corner("input", r, c)
                box = [[(x0, y0), (x0 + cell, y0)], [(x0 + cell, y0), (x0 + cell, y0 + cell)],
                       [(x0, y0 + cell), (x0 + cell, y0 + cell)], [(x0, y0), (x0, y0 + cell)]]
                (solid if spec.cell_kind(index) == "input" else dashed).extend(box)
        lw = _pt(self._line_px)
        ax.add_collection(LineCollection(dashed, colors=theme.line, linewidths=lw, linestyles=(0, (3, 3))))
        ax.add_collection(LineCollection(solid, colors=theme.line, linewidths=lw, capstyle="projecting"))
        orow, ocol = self._out
        ox, oy = self._origin["output"]
        grid = [[(ox, oy + r * cell), (ox + ocol * cell, oy + r * cell)] for r in range(orow + 1)]
        grid += [[(ox + c * cell, oy), (ox + c * cell, oy + orow * cell)] for c in range(ocol + 1)]
        self._out_grid = grid
        ax.add_collection(LineCollection(grid, colors=theme.line, linewidths=lw, capstyle="projecting"))
        prop = self._value_font.prop
        self._labels = {(r, c): (label, color) for r, c, label, color in labels}
        for r, c, label, color in labels:
            x0, y0 = self._corner("input", r, c)
            ax.text(x0 + cell / 2, y0 + cell / 2, label, ha="center", va="center_baseline", color=color,
                    fontproperties=prop, parse_math=False, zorder=4)
        for x, y, line in self._texts:
            ax.text(x, y, line, ha="center", va="baseline", color=theme.text, fontproperties=self._text.prop,
                    parse_math=False)

    # -- moving artists --------------------------------------------------------------

    def _make_moving(self) -> None:
        theme, ax, cell = self.theme, self.ax, self.cell_px
        lw = _pt(self._line_px)
        # The written outputs: every cell filled, its number, the grid lines, as one artist revealed cell
        # by cell (a frame copies the part written so far from one cached render: no cost per written cell).
        orow, ocol = self._out
        x0, y0 = self._origin["output"]
        everything = np.array([[x0, y0, x0 + ocol * cell, y0 + orow * cell]], float)
        ink = _ink(theme, theme.output)
        numbers = [self._number_path(step.out) for step in self.steps]
        grid = Path(np.array(self._out_grid, float).reshape(-1, 2), np.tile([Path.MOVETO, Path.LINETO],
                                                                             len(self._out_grid)))
        self._written = self.revealed(ax.add_collection(PathCollection(
            [boxes_path(everything), *numbers, grid], facecolors=[theme.output] + [ink] * len(numbers) + ["none"],
            edgecolors=["none"] * (1 + len(numbers)) + [theme.line], linewidths=[0] * (1 + len(numbers)) + [lw],
            capstyle="projecting", zorder=2.5), autolim=False))
        self._current = self.moving(ax.add_collection(PolyCollection(
            [], facecolors=theme.over(theme.output), edgecolors="none", linewidths=0, zorder=2.5)))
        self._current_text = self.moving(ax.text(
            0, 0, "", ha="center", va="center_baseline", color=_ink(theme, theme.over(theme.output)),
            fontproperties=self._value_font.prop, parse_math=False, zorder=4))
        self._shade = self.moving(ax.add_collection(PolyCollection(
            [], edgecolors="none", linewidths=0, zorder=2.5)))
        self._tap_solid = self.moving(ax.add_collection(LineCollection(
            [], colors=theme.line, linewidths=lw, capstyle="projecting", zorder=2.6)))
        self._tap_dashed = self.moving(ax.add_collection(LineCollection(
            [], colors=theme.line, linewidths=lw, linestyles=(0, (3, 3)), zorder=2.6)))
        self._tap_hatch = self.moving(ax.add_collection(LineCollection(
            [], colors=theme.line, linewidths=lw, zorder=2.6)))
        self._tap_text = [
            self.moving(ax.text(0, 0, "", ha="center", va="center_baseline", fontproperties=self._value_font.prop,
                                parse_math=False, zorder=4))
            for _ in self.steps[0].taps
        ]
        self._frame_boxes = self.moving(ax.add_collection(PolyCollection(
            [], facecolors="none", edgecolors=theme.line, linewidths=_pt(self._bold_px), joinstyle="miter",
            zorder=3)))
        self._ring = self.moving(ax.add_patch(Rectangle(
            (0, 0), cell, cell, fill=False, edgecolor=theme.accent, linewidth=_pt(self._bold_px),
            joinstyle="miter", zorder=3.5)))
        y = self._window_top + self._text.ascent
        self._lines = [
            self.moving(ax.text(self._width / 2, y + n * self._text.line_px, "", ha="center", va="baseline",
                                color=theme.text, fontproperties=self._text.prop, parse_math=False))
            for n in range(self._n_lines)
        ]

    def _number_path(self, out) -> Path:
        """The output value at ``out`` as a filled glyph path, centred in its cell (pixel coordinates, y down)."""
        r, c = self._rc(out)
        x0, y0 = self._corner("output", r, c)
        glyphs = TextPath((0, 0), cell_number(self.output[out]), size=self._value_font.font_px,
                          prop=FontProperties(family="DejaVu Sans"))
        box = glyphs.get_extents()
        move = Affine2D().translate(-(box.x0 + box.x1) / 2, -(box.y0 + box.y1) / 2).scale(1, -1)
        return move.translate(x0 + self.cell_px / 2, y0 + self.cell_px / 2).transform_path(glyphs)

    def __len__(self) -> int:
        return len(self.steps)

    def update(self, k: int) -> None:
        spec, theme, cell, step = self.spec, self.theme, self.cell_px, self.steps[k]
        r_out, c_out = self._rc(step.out)
        # Output cells written before this step: the full rows above, then the row's start.
        x0, y0 = self._origin["output"]
        written = []
        if r_out:
            written.append((x0, y0, x0 + self._out[1] * cell, y0 + r_out * cell))
        if c_out:
            written.append((x0, y0 + r_out * cell, x0 + c_out * cell, y0 + (r_out + 1) * cell))
        self.show(self._written, written)
        current = _rect(*self._corner("output", r_out, c_out), cell)
        self._current.set_verts([current])
        self._current_text.set_text(cell_number(self.output[step.out]))
        self._current_text.set_position((current[0][0] + cell / 2, current[0][1] + cell / 2))
        taps = [self._rc(t.cell) for t in step.taps]
        shaded = [self._rc(t.cell) for t in step.taps if self._counted(t)]
        self._shade.set_verts([_rect(*self._corner("input", r, c), cell) for r, c in shaded])
        self._shade.set_facecolors([theme.over(self._fill[r, c]) for r, c in shaded])
        solid, dashed = [], []
        for (r, c), tap, text in zip(taps, step.taps, self._tap_text):
            x, y = self._corner("input", r, c)
            box = [[(x, y), (x + cell, y)], [(x + cell, y), (x + cell, y + cell)],
                   [(x, y + cell), (x + cell, y + cell)], [(x, y), (x, y + cell)]]
            (solid if tap.source is not None else dashed).extend(box)
            label, color = self._labels.get((r, c), ("", theme.text))
            text.set_text(label)
            text.set_position((x + cell / 2, y + cell / 2))
            text.set_color(_ink(theme, theme.over(self._fill[r, c])) if self._counted(tap) else color)
        self._tap_hatch.set_segments([seg for rc in taps for seg in self._hatch.get(rc, [])])
        self._tap_solid.set_segments(solid)
        self._tap_dashed.set_segments(dashed)
        rows = [r for r, _ in taps]
        cols = [c for _, c in taps]
        x0, y0 = self._corner("input", min(rows), min(cols))
        x1, y1 = self._corner("input", max(rows) + 1, max(cols) + 1)
        footprint = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        self._frame_boxes.set_verts([footprint, current])
        if self.winners is not None:
            src = np.unravel_index(int(self.winners[step.out]), spec.input_size)
            r, c = self._rc(tuple(int(i) + p for i, p in zip(src, spec.padding)))
            inset = self._bold_px
            x, y = self._corner("input", r, c)
            self._ring.set_bounds(x + inset, y + inset, cell - 2 * inset, cell - 2 * inset)
        else:
            self._ring.set_visible(False)
        lines = self._lines_of[k]
        for n, artist in enumerate(self._lines):
            artist.set_text(lines[n] if n < len(lines) else "")

    def _counted(self, tap) -> bool:
        """Whether the window shades ``tap``: every tap for max pooling, the divisor's cells for average pooling."""
        if self.spec.mode == "max":
            return True
        if self.spec.count_include_pad:
            return self.spec.cell_kind(tap.cell) != "beyond"
        return tap.source is not None

    def describe(self) -> str:
        return alt_text(self.spec) + " (input grid with its values on the left, output on the right)"
