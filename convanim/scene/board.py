"""`Board` (one axes in pixel coordinates, y down) and `GridPanel` (input, kernel and output grids of one
step, with their labels): the pieces the values and matrix views are built from."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.patches import Rectangle

from ..explanation import input_label, output_label
from ..numtext import cell_number
from ..schedule import Step, cell_kind, cell_source
from ..spec import ConvSpec
from ..themes import Theme
from ..values import Values, convolve
from .base import Scene, pixel_axes
from .measure import MIN_TEXT_PX, SCRIPT
from .sums import symbol
from .text import Label, fit_size, ink, kernel_shade, muted, text_extent

__all__ = ["Board", "GridPanel"]


class Board:
    """One axes over the whole figure, in pixel coordinates with y growing downwards."""

    def __init__(self, scene: Scene, width: int, height: int):
        self.scene = scene
        self.pt = 72 / scene.dpi  # points per pixel
        self.ax = pixel_axes(scene.fig, width, height)

    def rect(self, x, y, w, h, face, edge=None, *, dashed=False, lw=1.0, moving=False, z=1.0):
        patch = Rectangle(
            (x, y),
            w,
            h,
            facecolor=face if face is not None else "none",
            edgecolor=edge if edge is not None else "none",
            linewidth=lw * self.pt,
            linestyle=(0, (4, 3)) if dashed else "solid",
            zorder=z,
        )
        self.ax.add_patch(patch)
        return self.scene.moving(patch) if moving else patch

    def label(self, x, y, s, size, color, *, ha="center", va="center", moving=False, z=3.0) -> Label:
        """A `Label` (text as a glyph outline); registered as moving if asked."""
        label = Label(self, x, y, s, size, color, ha, va, z)
        self.scene.glyph_text(lambda: (label.text, label.size / self.pt) if label.get_visible() else None)
        if moving:
            self.scene.moving(label.patch)
        return label

    def text(self, x, y, s, size, color, *, ha="center", va="center", moving=False, z=3.0):
        artist = self.ax.text(x, y, s, fontsize=size, color=color, ha=ha, va=va, zorder=z)
        return self.scene.moving(artist) if moving else artist


def _two_d(shape) -> tuple[int, int]:
    shape = tuple(shape)
    return (1, shape[0]) if len(shape) == 1 else shape


def _pos(index) -> tuple[int, int]:
    index = tuple(index)
    return (0, index[0]) if len(index) == 1 else index


def readable_pt(dpi: float, symbols: bool) -> float:
    """The smallest font size, in points, of a cell label that is `MIN_TEXT_PX` tall (``symbols``: subscripted)."""
    return MIN_TEXT_PX * 72 / dpi / (SCRIPT if symbols else 1.0)


class GridPanel:
    """The 2-D picture of one step: the drawn input grid with the kernel taps shaded,
    the kernel beside it, and the output grid with the current cell.

    1-D specs are drawn as one row. Lay out with the constructor (``width`` and
    ``height`` in pixels), then `draw` once and `update` per frame.
    """

    def __init__(
        self,
        spec: ConvSpec,
        theme: Theme,
        values: Values | None,
        cell: float,
        dpi: float,
        *,
        header_pt: float = 11.0,
        detailed_headers: bool = False,
        weights_on_taps: bool = True,
        vertical: bool = False,
    ):
        self.spec, self.theme, self.values, self.cell, self.dpi = spec, theme, values, cell, dpi
        self.grid = _two_d(spec.grid_shape)
        self.kshape = _two_d(spec.kernel_size)
        self.oshape = _two_d(spec.output_shape)
        self.weights_on_taps = weights_on_taps
        self.vertical = vertical
        self.header_pt = header_pt

        # Labels of every drawn cell.
        self.kind, self.labels = {}, {}
        for cell_ in np.ndindex(*spec.grid_shape):
            kind = cell_kind(spec, cell_)
            self.kind[_pos(cell_)] = kind
            source = cell_source(spec, cell_)
            if source is None:
                self.labels[_pos(cell_)] = "0"
            elif values is None:
                self.labels[_pos(cell_)] = f"${symbol('a', source)}$"
            else:
                self.labels[_pos(cell_)] = cell_number(values.x[source])
        # The kernel as it lies on the grid (rotated 180° for a transposed spec).
        windows = [ax.window(0) for ax in spec.axes]
        self.kernel_at = {}
        for j in np.ndindex(*spec.kernel_size):
            index = tuple(windows[a][j[a]][0] for a in range(spec.ndim))
            self.kernel_at[_pos(j)] = index
        if values is None:
            self.klabels = {p: f"${symbol('w', i)}$" for p, i in self.kernel_at.items()}
            self.olabels = {_pos(o): f"${symbol('o', o)}$" for o in np.ndindex(*spec.output_shape)}
        else:
            out = convolve(spec, values.x, values.w)
            self.klabels = {p: cell_number(values.w[i]) for p, i in self.kernel_at.items()}
            self.olabels = {_pos(o): cell_number(out[o]) for o in np.ndindex(*spec.output_shape)}
        self.wlabels = {
            i: (f"${symbol('w', i)}$" if values is None else cell_number(values.w[i]))
            for i in self.kernel_at.values()
        }

        labelled = list(self.labels.values()) + list(self.klabels.values()) + list(self.olabels.values())
        numbers = values is not None
        self.label_pt = fit_size(
            labelled, cell * 0.66, cell * (0.3 if numbers else 0.32), dpi, largest=cell * 0.26
        )
        self.zero_pt = self.label_pt * 0.75
        # A tap shows its label in the upper half and the weight under it, centred: the weight gets
        # most of the cell's width and 0.3 of its height (at 52 px cells, a glyph about 10 px high).
        self.small_pt = fit_size(
            self.wlabels.values(), cell * 0.9, cell * 0.3, dpi, largest=self.label_pt * 0.85
        )
        # Labels too small to read are left out, not shrunk (the kernel and the sum still name them):
        # symbols count at their subscripts' size.
        self.least_pt = readable_pt(dpi, symbols=not numbers)
        self.show_labels = self.label_pt >= self.least_pt
        self.show_weights = weights_on_taps and self.small_pt >= self.least_pt

        if detailed_headers:
            heads = [input_label(spec), "kernel", output_label(spec)]
        else:
            heads = ["input", "kernel", "output"]
        if spec.transposed:
            heads[1] = "kernel, rotated 180°"
        self.headers = heads
        to_px = dpi / 72
        head_w = [text_extent(h, header_pt)[0] * to_px for h in heads]
        sizes = [self.grid, self.kshape, self.oshape]
        grid_w = [c * cell for _, c in sizes]
        self.col_w = [max(g, h + 4) for g, h in zip(grid_w, head_w, strict=True)]
        self.gap = max(cell * 0.9, 28.0)
        self.head_h = math.ceil(header_pt * to_px * 1.9)
        if vertical:
            # Stacked: input, then "*" kernel, then "=" output, each under its header.
            self.row_h = [r * cell for r, _ in sizes]
            self.grid_h = 0
            self.width = math.ceil(max(self.col_w))
            self.height = math.ceil(sum(self.row_h) + 3 * self.head_h + 2 * self.gap * 0.5)
        else:
            self.grid_h = max(r for r, _ in sizes) * cell
            self.width = math.ceil(sum(self.col_w) + 2 * self.gap)
            self.height = math.ceil(self.head_h + self.grid_h)
        self.origins: dict[str, tuple[float, float]] = {}

    # -- geometry -------------------------------------------------------------------

    def box(self, part: str, index) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in pixels of cell ``index`` of ``'input'`` (the drawn grid),
        ``'kernel'`` (as it lies on the grid) or ``'output'``."""
        x, y = self.origins[part]
        r, c = _pos(index)
        return (x + c * self.cell, y + r * self.cell, x + (c + 1) * self.cell, y + (r + 1) * self.cell)

    def _centre(self, part, index):
        x0, y0, x1, y1 = self.box(part, index)
        return (x0 + x1) / 2, (y0 + y1) / 2

    # -- drawing ------------------------------------------------------------------------

    def draw(self, board: Board, x0: float, y0: float) -> None:
        theme, cell = self.theme, self.cell
        sizes = {"input": self.grid, "kernel": self.kshape, "output": self.oshape}
        x, y = x0, y0
        top = y0 + self.head_h
        for n, (part, (rows, cols)) in enumerate(sizes.items()):
            w, h = cols * cell, rows * cell
            sign = r"$\ast$" if n == 1 else "$=$"
            if self.vertical:
                gx = round(x0 + (self.width - w) / 2)
                gy = round(y + self.head_h)
                if n:
                    board.text(gx - 6, gy + h / 2, sign, self.header_pt * 1.4, theme.text, ha="right")
                y = gy + h + self.gap * 0.5
                head_x = x0 + self.width / 2
            else:
                gx = round(x + (self.col_w[n] - w) / 2)
                gy = round(top + (self.grid_h - h) / 2)
                if n:
                    board.text(
                        x - self.gap / 2, top + self.grid_h / 2, sign, self.header_pt * 1.4, theme.text
                    )
                head_x = x + self.col_w[n] / 2
                x += self.col_w[n] + self.gap
            self.origins[part] = (gx, gy)
            board.text(head_x, gy - 5, self.headers[n], self.header_pt, theme.text, va="bottom")

        # Input grid: input cells, padding and inserted zeros (dashed), every cell labelled.
        for pos, kind in self.kind.items():
            bx0, by0, _, _ = self.box("input", pos)
            face = theme.input if kind == "input" else theme.padding
            board.rect(bx0, by0, cell, cell, face, theme.line, dashed=kind != "input")
            if self.show_labels:
                color = ink(theme, face) if kind == "input" else muted(theme, face)
                size = self.label_pt if kind == "input" else self.zero_pt
                board.label(*self._centre("input", pos), self.labels[pos], size, color)
        # Kernel.
        shade = kernel_shade(theme)
        for pos, label in self.klabels.items():
            bx0, by0, _, _ = self.box("kernel", pos)
            board.rect(bx0, by0, cell, cell, shade, theme.line)
            if self.show_labels:
                board.label(*self._centre("kernel", pos), label, self.label_pt, ink(theme, shade))
        # Output cells (their labels appear as they are computed).
        for pos in self.olabels:
            bx0, by0, _, _ = self.box("output", pos)
            board.rect(bx0, by0, cell, cell, theme.output, theme.line)

        # Moving: the taps (shade, label, weight), the current output cell, the output labels.
        n_taps = math.prod(self.kshape)
        self.tap_rects = [board.rect(0, 0, cell, cell, shade, theme.line, moving=True) for _ in range(n_taps)]
        self.tap_texts = [
            board.label(0, 0, "", self.label_pt, theme.text, moving=True) for _ in range(n_taps)
        ]
        self.tap_weights = [
            board.label(0, 0, "", self.small_pt, theme.text, va="bottom", moving=True)
            for _ in range(n_taps)
        ]
        self.current = board.rect(0, 0, cell, cell, theme.over(theme.output), theme.line, moving=True)
        self.out_texts = {}
        for pos, label in self.olabels.items():
            self.out_texts[pos] = board.label(
                *self._centre("output", pos), label, self.label_pt, theme.text, moving=True
            )
        if not self.show_labels:
            for t in [*self.tap_texts, *self.out_texts.values()]:
                t.set_visible(False)

    def update(self, step: Step) -> None:
        theme = self.theme
        for n, tap in enumerate(step.taps):
            pos = _pos(tap.cell)
            kind = self.kind[pos]
            face = theme.over(theme.input if kind == "input" else theme.padding)
            bx0, by0, bx1, by1 = self.box("input", pos)
            rect = self.tap_rects[n]
            rect.set_xy((bx0, by0))
            rect.set_facecolor(face)
            rect.set_linestyle((0, (4, 3)) if kind != "input" else "solid")
            self.tap_texts[n].set(
                xy=((bx0 + bx1) / 2, by0 + self.cell * (0.37 if self.show_weights else 0.5)),
                text=self.labels[pos],
                color=ink(theme, face) if kind == "input" else muted(theme, face),
                size=self.label_pt if kind == "input" else self.zero_pt,
            )
            self.tap_weights[n].set(
                xy=((bx0 + bx1) / 2, by1 - self.cell * 0.05),
                text=self.wlabels[tap.kernel],
                color=ink(theme, face),
                visible=self.show_weights,
            )
        out = _pos(step.out)
        face = theme.over(theme.output)
        self.current.set_xy(self.box("output", out)[:2])
        for pos, text in self.out_texts.items():
            computed = (pos[0], pos[1]) <= (out[0], out[1])
            text.set(
                visible=self.show_labels and computed, color=ink(theme, face if pos == out else theme.output)
            )
