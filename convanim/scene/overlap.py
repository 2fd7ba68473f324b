"""The overlap view: how many input cells feed each output cell of a transposed convolution, as a heat map.

One frame: the scattered region (`convanim.scatter.region_shape`) with every
cell's count written in it and filled from one scale shared by every overlap
figure (`count_shade`: a count has the same colour whatever the maximum), the kept
output outlined and the cropped border hatched, as in the scatter view. The
per-axis counts run along the top and the left: each cell's count is their
product. When ``kernel_size`` is not a multiple of ``stride`` the counts
alternate, and the checkerboard appears by itself; the sentence of
`convanim.scatter.uneven_sentence` is written underneath.

>>> from convanim import ConvSpec
>>> len(OverlapScene(ConvSpec(3, 3, stride=2, transposed=True)))
1
"""

from __future__ import annotations

import math

import numpy as np

from .. import explanation as explain
from ..scatter import kept_slices, region_shape, uneven_sentence
from ..spec import ConvSpec
from ..themes import blend
from .base import SceneOptions
from .measure import MIN_TEXT_PX
from .panels import Frame, PaintedScene, Panel
from .scatter import _Measure, check_transposed
from .values import ink

__all__ = ["OverlapScene", "region_counts", "count_shade"]

DEFAULT_OPTIONS = SceneOptions()
_AXIS = 0.9  # the per-axis counts' size, of the titles'


def count_shade(theme, n: int) -> str:
    """The fill of a cell fed by ``n`` input cells, on one scale for every overlap figure: the background at 0,
    then ``n / (n + 2)`` of the way to the theme's output colour (1 a third, 4 two thirds), never saturating,
    so that a count reads the same in the kernel-2 figure as in the kernel-4 one."""
    if n <= 0:
        return theme.background
    return blend(theme.background, theme.output, 0.2 + 0.8 * n / (n + 2))


def region_counts(spec: ConvSpec, axis: int) -> np.ndarray:
    """Per cell of the scattered region on ``axis``: how many input indices land there."""
    i, k, s, d = spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis]
    q = np.arange(region_shape(spec)[axis])[:, None] - np.arange(k)[None, :] * d
    return ((q >= 0) & (q % s == 0) & (q // s < i)).sum(axis=1)


class OverlapScene(PaintedScene):
    """One frame: the overlap counts of a transposed convolution as a heat map (see the module docstring)."""

    frame_ms = 1000

    def __init__(self, spec: ConvSpec, options: SceneOptions = DEFAULT_OPTIONS, values=None):
        spec = check_transposed(spec, "overlap")
        if options.cell_px is not None and options.cell_px < 16:
            raise ValueError(f"cell_px must be >= 16 for the overlap view, got {options.cell_px}")
        cell = options.cell_px or 40
        cell -= cell % 2
        self.spec, self.options, self.theme = spec, options, options.theme
        self.cell = cell
        per_axis = [region_counts(spec, a) for a in range(spec.ndim)]
        self.rows_counts, self.cols_counts = ([np.ones(1, int)] * (2 - spec.ndim) + per_axis)[:2]
        self.counts = np.outer(self.rows_counts, self.cols_counts)
        self.top = int(self.counts.max())
        measure = _Measure()
        font = max(MIN_TEXT_PX / _AXIS, min(0.34 * cell, 16.0))  # the per-axis counts, at 0.9 of it, readable
        self.font, self.cell_font = font, measure.fit([str(self.top)], cell - 8, cell * 0.42)
        if self.cell_font < MIN_TEXT_PX:  # counts too small to read are left out: the shade says them
            self.cell_font = 0.0
        margin = round(0.5 * cell)
        kept = explain.dims(spec.output_shape)
        title = f"overlap: input cells feeding each cell (kept {kept} outlined)"
        # Laid out for a width, the title and sentence wrap to it (they keep their size).
        room = None if options.width is None else options.width - 2 * margin
        titles = self._wrap(measure, title, font, room) if room else [title]
        title_h = round((2.4 + 1.3 * (len(titles) - 1)) * font)
        side = cell if spec.ndim == 2 else 0  # the row counts' column
        rows, cols = self.counts.shape
        self.panel = Panel(margin + side, margin + title_h + cell, rows, cols, cell)
        width = self.panel.x + self.panel.width + margin
        sentence = uneven_sentence(spec) or (
            "Even overlap: kernel_size is a multiple of stride on every axis, so every cell away from the edges "
            f"receives the same number of products, {self.top}.")
        lines = self._wrap(measure, sentence, font, max(width - 2 * margin, 360 if room is None else min(360, room)))
        width = max(width, math.ceil(max(measure.width(t, font) for t in [*titles, *lines])) + 2 * margin)
        self.panel = Panel((width - self.panel.width + side) // 2, self.panel.y, rows, cols, cell)
        y_text = self.panel.y + self.panel.height + 1.4 * font
        titles = [(width / 2, margin + font + n * 1.3 * font, line, font, "center") for n, line in enumerate(titles)]
        titles += [(width / 2, y_text + n * 1.3 * font, line, font, "center") for n, line in enumerate(lines)]
        height = math.ceil(y_text + len(lines) * 1.3 * font + margin)
        self.line_px = max(1, round(cell / 40))
        self.bold_px = max(3, round(cell / 12))
        self._setup(width + width % 2, height + height % 2, titles, rows * cols + rows + cols)

    @staticmethod
    def _wrap(measure, text: str, font: float, limit: float) -> list[str]:
        lines = [""]
        for word in text.split(" "):
            joined = f"{lines[-1]} {word}".strip()
            if lines[-1] and measure.width(joined, font) > limit:
                lines.append(word)
            else:
                lines[-1] = joined
        return lines

    def __len__(self) -> int:
        return 1

    def paint(self, k: int, frame: Frame) -> None:
        theme, spec, panel = self.theme, self.spec, self.panel
        kept = [range(lo, hi) for lo, hi in kept_slices(spec)]
        kept = [range(0, 1)] * (2 - spec.ndim) + kept
        for r, c in panel.cells():
            n = int(self.counts[r, c])
            face = count_shade(theme, n)
            inside = r in kept[0] and c in kept[1]
            if not inside:
                face = blend(face, theme.unread, 0.55)
            box = panel.box(r, c)
            frame.fill(box, face)
            if not inside:
                frame.hatch(box, blend(face, theme.line, 0.35), self.line_px)
            colour = ink(theme, face) if inside else blend(face, ink(theme, face), 0.6)
            frame.text(*panel.center(r, c), str(n), colour, self.cell_font, bold=inside)
        frame.grid(panel, theme.line, self.line_px)
        rows, cols = kept
        frame.outline(panel.box(rows.start, cols.start, rows.stop - 1, cols.stop - 1), theme.line, self.bold_px)
        # The per-axis counts: columns above, rows on the left (2-D).
        small = self.font * _AXIS
        for c, n in enumerate(self.cols_counts):
            x, _ = panel.center(0, c)
            frame.text(x, panel.y - self.cell / 2, str(int(n)), theme.text, small)
        if spec.ndim == 2:
            for r, n in enumerate(self.rows_counts):
                _, y = panel.center(r, 0)
                frame.text(panel.x - self.cell / 2, y, str(int(n)), theme.text, small)

    def describe(self) -> str:
        kept = self.counts[tuple(slice(lo, hi) for lo, hi in ([(0, 1)] * (2 - self.spec.ndim)
                                                              + list(kept_slices(self.spec))))]
        return (explain.alt_text(self.spec) + f": how many input cells feed each output cell, "
                f"{int(kept.min())} to {int(kept.max())}")
