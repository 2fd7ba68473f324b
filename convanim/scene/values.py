"""The value view (conv-1.gif of the seed post): a 2-D convolution with every cell labelled.

The (padded) input grid shows ``a_{m,n}`` (the original input indices) or the
numbers, the kernel ``w_{m,n}`` sits beside it and the output fills in cell by
cell; under the grids the current output cell is written out as its sum of
products (`convanim.scene.sums`, which builds it without drawing anything).

The pieces are shared with the matrix view and others: `convanim.scene.board`
(`Board`, `GridPanel`) and `convanim.scene.text` (measuring, colouring and
drawing text); their names are importable from here too.
"""

from __future__ import annotations

import math

from ..explanation import alt_text, caption
from ..numtext import cell_number, number
from ..schedule import schedule
from ..spec import ConvSpec
from ..themes import get_theme
from ..values import Values
from .base import Scene, SceneOptions, style
from .board import Board, GridPanel
from .sums import check_values, sum_terms, sum_text, symbol
from .text import Label, contrast, fit_size, ink, kernel_shade, muted, text_extent, text_path, wrap_terms

__all__ = ["ValuesScene", "sum_text", "sum_terms", "number", "cell_number", "symbol", "check_values", "text_extent",
           "fit_size", "contrast", "ink", "muted", "kernel_shade", "wrap_terms", "text_path", "Label", "Board",
           "GridPanel", "DEFAULT_OPTIONS"]

#: The options a view gets when none are given (SceneOptions is frozen: safe to share).
DEFAULT_OPTIONS = SceneOptions()


# -- the scene -------------------------------------------------------------------------------


class ValuesScene(Scene):
    """conv-1.gif: a 2-D discrete convolution with every cell labelled and each sum written out.

    ``values=None`` labels the cells with symbols (``a_{m,n}``, ``w_{m,n}``,
    ``o_{i,j}``); with `Values` the numbers are shown and the output is
    `convolve`'s. One frame per output cell.
    """

    frame_ms = 1500

    def __init__(
        self, spec: ConvSpec, options: SceneOptions = DEFAULT_OPTIONS, *, values: Values | None = None
    ):
        # -- basic checks on arguments
        if spec.ndim != 2:
            raise ValueError(
                f"spec must have 2 axes for the values view, got {spec.ndim} "
                f"(input_size={spec.input_size}, kernel_size={spec.kernel_size})"
            )
        check_values(spec, values)
        if options.cell_px is not None and options.cell_px < 8:
            raise ValueError(f"cell_px must be >= 8 for the values view, got {options.cell_px}")

        self.spec, self.options, self.values = spec, options, values
        self.theme = theme = get_theme(options.theme)
        self.steps = schedule(spec)
        dpi = 100
        longest = max(spec.grid_shape)
        cell = options.cell_px or max(36, min(60, 480 // longest))
        margin = 24

        with style():
            panel = GridPanel(spec, theme, values, cell, dpi, detailed_headers=options.labels)
            self.sum_pt = 13.0
            to_px = dpi / 72
            self.caption_text = caption(spec) if options.caption else None
            cap_w = text_extent(self.caption_text, 10)[0] * to_px if self.caption_text else 0
            # Room for the sum's lines; laid out for a width, as much as there is (the sum wraps).
            least = 560 if options.width is None else min(560, options.width - 2 * margin)
            inner = max(panel.width, least, math.ceil(cap_w))
            self.lines = [
                wrap_terms(*sum_terms(spec, step, values), inner, self.sum_pt, dpi) for step in self.steps
            ]
            n_lines = max(len(lines) for lines in self.lines)
            line_h = math.ceil(self.sum_pt * to_px * 2.0)
            width = inner + 2 * margin
            sum_top = margin + panel.height + 18
            height = sum_top + n_lines * line_h + margin // 2
            if self.caption_text:
                height += math.ceil(10 * to_px * 2)
            super().__init__(width, height, theme.background, dpi)
            board = Board(self, width, height)
            panel.draw(board, margin + (inner - panel.width) / 2, margin)
            self.sum_texts = [
                board.label(
                    margin,
                    sum_top + (n + 0.65) * line_h,
                    "",
                    self.sum_pt,
                    theme.text,
                    ha="left",
                    va="baseline",
                    moving=True,
                )
                for n in range(n_lines)
            ]
            if self.caption_text:
                board.text(width / 2, height - margin // 2 - 10 * to_px, self.caption_text, 10, theme.text)
        self.panel = panel

    def __len__(self) -> int:
        return len(self.steps)

    def update(self, k: int) -> None:
        self.panel.update(self.steps[k])
        lines = self.lines[k]
        for n, text in enumerate(self.sum_texts):
            text.set_text(lines[n] if n < len(lines) else "")
            text.set_visible(n < len(lines))

    def describe(self) -> str:
        kind = "numbers" if self.values is not None else "symbols"
        return (
            f"{alt_text(self.spec)}, with every cell labelled by {kind} "
            "and each output cell written out as its sum"
        )

    def box(self, part: str, index) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in pixels of a cell of ``'input'``, ``'kernel'`` or ``'output'``."""
        return self.panel.box(part, index)
