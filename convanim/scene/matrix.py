"""The matrix view (conv-flat.gif and conv-flat-transpose.gif of the seed post).

A convolution is a matrix-vector product: the kernel, unrolled into a sparse
matrix ``C`` of shape (output cells, input cells), times the input flattened
row by row, gives the flattened output. The matrix of a transposed
convolution is the transpose of the matrix of the direct convolution it
inverts. Each frame highlights one matrix row (one output cell), the input
entries it multiplies and the output entry it makes, beside the same step in
2-D. `conv_matrix` builds the matrix without drawing anything.
"""

from __future__ import annotations

import math

import numpy as np

from ..explanation import alt_text, caption, dims
from ..schedule import schedule
from ..spec import ConvSpec
from ..themes import blend, get_theme
from ..values import Values
from .base import Scene, SceneOptions, style
from .board import readable_pt
from .text import wrap_words
from .values import (
    DEFAULT_OPTIONS,
    Board,
    GridPanel,
    cell_number,
    check_values,
    fit_size,
    ink,
    kernel_shade,
    sum_terms,
    symbol,
    text_extent,
    wrap_terms,
)

__all__ = ["MatrixScene", "conv_matrix", "MAX_CELLS"]

#: Most input (matrix columns) and output (matrix rows) cells the matrix view draws.
MAX_CELLS = 100


def conv_matrix(spec: ConvSpec, w=None) -> np.ndarray:
    """The matrix of ``spec``: rows are output cells, columns input cells (both row-major).

    Without ``w``: an int array holding, at ``[step.index, ravel(tap.source)]``,
    the flat (row-major) index of the tap's kernel element, and -1 where the
    matrix is zero. With ``w`` (shape ``spec.kernel_size``): the numbers, so
    that ``conv_matrix(spec, w) @ x.ravel() == convolve(spec, x, w).ravel()``.
    For a transposed spec this is the transpose of the matrix of the direct
    convolution it inverts.

    >>> conv_matrix(ConvSpec((4,), 3))
    array([[ 0,  1,  2, -1],
           [-1,  0,  1,  2]])
    """
    rows, cols = math.prod(spec.output_shape), math.prod(spec.input_size)
    index = np.full((rows, cols), -1, dtype=np.int64)
    for step in schedule(spec):
        for tap in step.taps:
            if tap.source is None:
                continue
            col = np.ravel_multi_index(tap.source, spec.input_size)
            index[step.index, col] = np.ravel_multi_index(tap.kernel, spec.kernel_size)
    if w is None:
        return index
    w = np.asarray(w)
    if tuple(w.shape) != tuple(spec.kernel_size):
        raise ValueError(f"w must have shape {tuple(spec.kernel_size)}, got {tuple(w.shape)}")
    matrix = np.zeros((rows, cols), dtype=w.dtype)
    nonzero = index >= 0
    matrix[nonzero] = w.ravel()[index[nonzero]]
    return matrix


class MatrixScene(Scene):
    """Convolution as ``y = C x``, one matrix row per frame, beside the same step in 2-D.

    The input vector is drawn as a row above the matrix (entry ``j`` over
    column ``j``), the output vector as a column right of it (entry ``i``
    beside row ``i``). Thin darker lines split the matrix into blocks of one
    input row (columns) and one output row (rows).
    """

    frame_ms = 1500

    def __init__(
        self, spec: ConvSpec, options: SceneOptions = DEFAULT_OPTIONS, *, values: Values | None = None
    ):
        # -- basic checks on arguments
        if spec.ndim not in (1, 2):
            raise ValueError(
                f"spec must have 1 or 2 axes for the matrix view, got {spec.ndim} "
                f"(input_size={spec.input_size})"
            )
        n_in, n_out = math.prod(spec.input_size), math.prod(spec.output_shape)
        for name, shape, n in (("input", spec.input_size, n_in), ("output", spec.output_shape, n_out)):
            if n > MAX_CELLS:
                raise ValueError(
                    f"the matrix view draws at most {MAX_CELLS} {name} cells, got {name} {dims(shape)} = {n}"
                )
        check_values(spec, values)
        if options.cell_px is not None and options.cell_px < 6:
            raise ValueError(f"cell_px must be >= 6 for the matrix view, got {options.cell_px}")

        self.spec, self.options, self.values = spec, options, values
        self.theme = theme = get_theme(options.theme)
        self.steps = schedule(spec)
        self.index = conv_matrix(spec)
        rows, cols = self.index.shape
        dpi = 100
        to_px = dpi / 72
        cw = options.cell_px or int(np.clip(950 // cols, 10, 44))
        rh = options.cell_px or int(np.clip(min(cw, 720 // rows), 10, 34))
        self.cw, self.rh = cw, rh

        # Labels: the weight at every non-zero matrix entry, the input and output entries.
        kernel_cells = list(np.ndindex(*spec.kernel_size))
        in_cells = list(np.ndindex(*spec.input_size))
        out_cells = list(np.ndindex(*spec.output_shape))
        if values is None:
            self.wtext = [f"${symbol('w', k)}$" for k in kernel_cells]
            self.xtext = [f"${symbol('a', i)}$" for i in in_cells]
            self.ytext = [f"${symbol('o', o)}$" for o in out_cells]
        else:
            out = values.output(spec)
            self.wtext = [cell_number(values.w[k]) for k in kernel_cells]
            self.xtext = [cell_number(values.x[i]) for i in in_cells]
            self.ytext = [cell_number(out[o]) for o in out_cells]

        margin = 20
        title_pt, sum_pt = 12.0, 11.5
        transposed = spec.transposed
        name = r"C^{\mathsf{T}}" if transposed else "C"
        if transposed:
            self.title = (
                f"$y = {name}x$:  ${name}$ ({rows}×{cols}) is the transpose of $C$ ({cols}×{rows}), "
                f"the matrix of a {dims(spec.output_shape)} → {dims(spec.input_size)} convolution"
            )
        else:
            flat = " flattened row by row" if spec.ndim > 1 else ""
            self.title = (
                f"$y = Cx$:  $C$ is {rows}×{cols}, $x$ the {dims(spec.input_size)} input{flat}, "
                f"$y$ the {dims(spec.output_shape)} output"
            )

        with style():
            label_pt = fit_size(self.wtext + self.xtext + self.ytext, cw * 0.86, rh * 0.42, dpi, largest=12.0)
            self.label_pt = label_pt
            self.show_labels = label_pt >= readable_pt(dpi, symbols=values is None)  # fewer, not smaller
            m_w, m_h = cols * cw, rows * rh
            below = m_w >= m_h  # the 2-D view goes under a wide matrix, beside a tall one
            # cells of 50 px keep the small grids' labels about 10 px high
            panel_cell = options.cell_px or int(np.clip(300 // max(spec.grid_shape), 20, 50))

            def grids(cell: int) -> GridPanel:
                return GridPanel(spec, theme, values, cell, dpi, header_pt=10.0, detailed_headers=options.labels,
                                 vertical=not below, weights_on_taps=False)  # the matrix row shows the weights

            panel = grids(panel_cell)
            if below and not panel.show_labels:  # under the matrix: cells big enough to label, if they fit under it
                bigger = grids(math.ceil(panel_cell * panel.least_pt / panel.label_pt))
                if bigger.show_labels and bigger.width <= 44 + m_w + 14 + cw:
                    panel = bigger
            self.panel = panel

            left = margin + 44  # room for the names x, C, y
            if options.width is not None:  # laid out for a width: the title wraps to it (not smaller)
                self.title = wrap_words(self.title, options.width - 2 * margin, title_pt, dpi)
            title_lines = self.title.count("\n") + 1
            title_h = math.ceil(title_pt * to_px * (2.4 + 1.3 * (title_lines - 1)))
            x_top = margin + title_h
            m_top = x_top + rh + 10
            y_left = left + m_w + 14
            right = y_left + cw
            if below:
                p_x, p_y = margin, m_top + m_h + 24
                s_x = p_x + panel.width + 36
                s_w = max(right, 0) - s_x
                if s_w >= 320:
                    s_y = p_y + panel.head_h
                else:
                    least = 360 if options.width is None else min(360, options.width - 2 * margin)
                    s_x, s_y, s_w = margin, p_y + panel.height + 20, max(right - margin, least)
            else:
                p_x, p_y = right + 40, x_top
                s_x, s_y, s_w = p_x, p_y + panel.height + 16, max(panel.width, 300)
                if options.width is not None and s_x + s_w + margin > options.width:  # no room: under it all
                    s_x, s_y = margin, max(m_top + m_h, p_y + panel.height) + 20
                    s_w = max(p_x + panel.width - margin, min(360, options.width - 2 * margin))
            title_w = max(text_extent(line, title_pt)[0] for line in self.title.split("\n")) * to_px
            width = math.ceil(max(right, p_x + panel.width, s_x + s_w, margin + title_w) + margin)
            self.lines = [wrap_terms(*sum_terms(spec, step, values), s_w, sum_pt, dpi) for step in self.steps]
            n_lines = max(len(lines) for lines in self.lines)
            line_h = math.ceil(sum_pt * to_px * 2.0)
            height = math.ceil(max(m_top + m_h, p_y + panel.height, s_y + n_lines * line_h) + margin)
            self.caption_text = caption(spec) if options.caption else None
            if self.caption_text:
                cap_y = height - margin / 2
                height += math.ceil(10 * to_px * 2)
                width = max(width, math.ceil(2 * margin + text_extent(self.caption_text, 10)[0] * to_px))
            super().__init__(width, height, theme.background, dpi)
            board = Board(self, width, height)
            self.geometry = {"left": left, "x_top": x_top, "m_top": m_top, "y_left": y_left}

            if title_lines == 1:
                board.text(margin, margin + title_h * 0.35, self.title, title_pt, theme.text, ha="left")
            else:
                board.text(margin, margin, self.title, title_pt, theme.text, ha="left", va="top")
            self._draw_matrix(board, name)
            panel.draw(board, p_x, p_y)
            self.sum_texts = [
                board.label(
                    s_x,
                    s_y + (n + 0.65) * line_h,
                    "",
                    sum_pt,
                    theme.text,
                    ha="left",
                    va="baseline",
                    moving=True,
                )
                for n in range(n_lines)
            ]
            if self.caption_text:
                board.text(margin, cap_y + 10 * to_px, self.caption_text, 10, theme.text, ha="left")

    # -- geometry -------------------------------------------------------------------

    def box(self, part: str, index) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in pixels of a cell.

        ``part`` is ``'matrix'`` (index ``(row, column)``), ``'x'`` or ``'y'``
        (flat index into the vectors), or a part of the 2-D view (``'input'``,
        ``'kernel'``, ``'output'``, indexed as in `GridPanel.box`).
        """
        g, cw, rh = self.geometry, self.cw, self.rh
        if part == "matrix":
            r, c = index
            x0, y0 = g["left"] + c * cw, g["m_top"] + r * rh
        elif part == "x":
            x0, y0 = g["left"] + index * cw, g["x_top"]
        elif part == "y":
            x0, y0 = g["y_left"], g["m_top"] + index * rh
        else:
            return self.panel.box(part, index)
        return (x0, y0, x0 + cw, y0 + rh)

    def _centre(self, part, index):
        x0, y0, x1, y1 = self.box(part, index)
        return (x0 + x1) / 2, (y0 + y1) / 2

    # -- drawing ------------------------------------------------------------------------

    def _draw_matrix(self, board: Board, name: str) -> None:
        theme, spec, cw, rh = self.theme, self.spec, self.cw, self.rh
        rows, cols = self.index.shape
        g = self.geometry
        left, m_top = g["left"], g["m_top"]
        faint = blend(theme.background, theme.line, 0.16)
        block = blend(theme.background, theme.line, 0.55)
        light = blend(theme.padding, theme.overlay, theme.overlay_alpha * 0.4)
        self.light = light
        pt = self.label_pt

        # Matrix: zeros blank, the weights lightly shaded and labelled.
        board.rect(left, m_top, cols * cw, rows * rh, theme.padding, None)
        for r, c in zip(*np.nonzero(self.index >= 0), strict=True):
            x0, y0, _, _ = self.box("matrix", (r, c))
            board.rect(x0, y0, cw, rh, light, None)
            if self.show_labels:
                board.label(
                    *self._centre("matrix", (r, c)), self.wtext[self.index[r, c]], pt, ink(theme, light)
                )
        in_w = spec.input_size[-1]
        out_w = spec.output_shape[-1]
        ax = board.ax
        xs = [left + c * cw for c in range(1, cols)]
        ys = [m_top + r * rh for r in range(1, rows)]
        # Thin lines between cells, darker ones between blocks (one input row / output row each).
        for block_lines, color, z in ((False, faint, 1.5), (True, block, 1.6)):
            ax.vlines([x for c, x in enumerate(xs, 1) if (c % in_w == 0) == block_lines],
                      m_top, m_top + rows * rh, colors=color, linewidth=board.pt, zorder=z)
            ax.hlines([y for r, y in enumerate(ys, 1) if (r % out_w == 0) == block_lines],
                      left, left + cols * cw, colors=color, linewidth=board.pt, zorder=z)
        board.rect(left, m_top, cols * cw, rows * rh, None, theme.line, z=1.7)

        # The input vector (a row over the columns) and the output vector (a column beside the rows).
        for c in range(cols):
            x0, y0, _, _ = self.box("x", c)
            edge_lw = 1.0
            board.rect(x0, y0, cw, rh, theme.input, theme.line, lw=edge_lw)
            if self.show_labels:
                board.label(*self._centre("x", c), self.xtext[c], pt, ink(theme, theme.input))
        for r in range(rows):
            x0, y0, _, _ = self.box("y", r)
            board.rect(x0, y0, cw, rh, theme.output, theme.line)
        # Names.
        name_pt = min(14.0, max(rh * 0.45, 9.0))
        board.text(left - 10, self._centre("x", 0)[1], "$x$", name_pt, theme.text, ha="right")
        board.text(left - 10, m_top + rows * rh / 2, f"${name}$", name_pt * 1.2, theme.text, ha="right")
        board.text(g["y_left"] + cw / 2, self._centre("x", 0)[1], "$y$", name_pt, theme.text)

        # Moving: the current row, its weights, the input entries it reads, the output entry.
        n_taps = math.prod(spec.kernel_size)
        accent = theme.accent
        self.band = board.rect(left, 0, cols * cw, rh, blend(theme.padding, accent, 0.12), None, moving=True)
        shade = kernel_shade(theme)
        self.row_rects = [board.rect(0, 0, cw, rh, shade, None, moving=True) for _ in range(n_taps)]
        self.row_texts = [board.label(0, 0, "", pt, ink(theme, shade), moving=True) for _ in range(n_taps)]
        self.outline = board.rect(left, 0, cols * cw, rh, None, accent, lw=2.0, moving=True)
        tapped = theme.over(theme.input)
        self.x_rects = [board.rect(0, 0, cw, rh, tapped, theme.line, moving=True) for _ in range(n_taps)]
        self.x_texts = [board.label(0, 0, "", pt, ink(theme, tapped), moving=True) for _ in range(n_taps)]
        current = theme.over(theme.output)
        self.y_rect = board.rect(g["y_left"], 0, cw, rh, current, accent, lw=2.0, moving=True)
        self.y_texts = [
            board.label(*self._centre("y", r), self.ytext[r], pt, ink(theme, theme.output), moving=True)
            for r in range(rows)
        ]
        for t in [*self.row_texts, *self.x_texts, *self.y_texts]:
            t.set_visible(self.show_labels)

    def __len__(self) -> int:
        return len(self.steps)

    def update(self, k: int) -> None:
        theme = self.theme
        step = self.steps[k]
        cols = np.nonzero(self.index[k] >= 0)[0]
        y0 = self.box("matrix", (k, 0))[1]
        self.band.set_y(y0)
        self.outline.set_y(y0)
        for n, rect in enumerate(self.row_rects):
            used = n < len(cols)
            rect.set_visible(used)
            self.row_texts[n].set_visible(used and self.show_labels)
            self.x_rects[n].set_visible(used)
            self.x_texts[n].set_visible(used and self.show_labels)
            if not used:
                continue
            c = cols[n]
            rect.set_xy(self.box("matrix", (k, c))[:2])
            self.row_texts[n].set(xy=self._centre("matrix", (k, c)), text=self.wtext[self.index[k, c]])
            self.x_rects[n].set_xy(self.box("x", c)[:2])
            self.x_texts[n].set(xy=self._centre("x", c), text=self.xtext[c])
        self.y_rect.set_y(self.box("y", k)[1])
        for r, text in enumerate(self.y_texts):
            face = theme.over(theme.output) if r == k else theme.output
            text.set(visible=self.show_labels and r <= k, color=ink(theme, face))
        self.panel.update(step)
        lines = self.lines[k]
        for n, text in enumerate(self.sum_texts):
            text.set_text(lines[n] if n < len(lines) else "")
            text.set_visible(n < len(lines))

    def describe(self) -> str:
        rows, cols = self.index.shape
        name = "the transposed matrix" if self.spec.transposed else "the matrix"
        return (
            f"{alt_text(self.spec)}, drawn as {name} ({rows}×{cols}) times the flattened input, "
            "one matrix row per frame"
        )
