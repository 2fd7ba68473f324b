"""The receptive field of one output cell, walked back layer by layer to the input.

Frame 0 lights the chosen output cell of the last layer; each next frame
lights the cells of the grid before it that the lit cells read, until the
input: the receptive field. A 2-D network is drawn as grids side by side
(input on the left); a 1-D network as rows, input at the bottom, each cell
placed at its centre on the input (start + index * jump), with a line from
every lit cell to each cell it reads: the WaveNet picture.

The scene gets plain values only (masks, names, positions, edges): the
network arithmetic is done by `convanim.network`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath

from ..themes import blend
from .base import EMPTY, Scene, SceneOptions, boxes_path, pixel_axes, style

__all__ = ["ReceptiveScene", "field_label", "layer_title"]

_DPI = 100
_DEFAULTS = SceneOptions()


def _pt(px: float) -> float:
    return px * 72 / _DPI


def _dims(values) -> str:
    return "×".join(str(v) for v in values)


def field_label(mask: np.ndarray) -> str:
    """``7×7 (49 cells)``, with holes ``13×13 box, 49 of its 169 cells``; in 1-D ``16 cells``,
    ``2 of the 9 cells it spans``."""
    if not mask.any():
        return "no cells (only padding)"
    where = np.nonzero(mask)
    size = [int(w.max() - w.min() + 1) for w in where]
    cells, box = int(mask.sum()), int(np.prod(size))
    plural = "s" if box != 1 else ""
    if len(size) == 1:
        return f"{box} cell{plural}" if cells == box else f"{cells} of the {box} cells it spans"
    return f"{_dims(size)} ({cells} cell{plural})" if cells == box else f"{_dims(size)} box, {cells} of its {box} cells"


def layer_title(name: str) -> str:
    """A grid's name as its label: ``'input'``, or ``'layer 1: nn.Conv2d(1, 1, 3)'`` for ``'1 nn.Conv2d(1, 1, 3)'``."""
    first, _, rest = name.partition(" ")
    if first == "input":
        return name
    first = f"layer {first}" if first.isdigit() else first
    return f"{first}: {rest}" if rest else first


class ReceptiveScene(Scene):
    """Frames lighting the receptive field of one output cell, from the last layer back to the input.

    Parameters
    ----------
    masks : list of bool arrays
        The cells the chosen output cell depends on: over the input, then over
        every layer's output (the last holds the one chosen cell). All 1-D or
        all 2-D.
    names : list of str
        One per grid: ``"input"``, ``"1 nn.Conv2d(1, 1, 3)"``, ...
    centres : list of float arrays, optional (1-D only)
        Each cell's centre on the input axis; default: side by side.
    widths : list of float, optional (1-D only)
        Each row's cell width in input cells (its jump, at most 1).
    edges : list of int arrays, optional (1-D only)
        For layer l (1..L): rows (source cell in grid l-1, cell in grid l) of
        the taps between lit cells.
    parameters : int, optional
        The stack's learned numbers, written in every caption (``27 parameters in the stack``).
    """

    frame_ms = 1200

    def __init__(self, masks, names, *, centres=None, widths=None, edges=None, parameters: int | None = None,
                 options: SceneOptions = _DEFAULTS):
        masks = [np.asarray(m, bool) for m in masks]
        ndims = {m.ndim for m in masks}
        if len(masks) < 2 or len(names) != len(masks) or len(ndims) != 1 or ndims.pop() not in (1, 2):
            raise ValueError("the receptive-field animation draws 1-D and 2-D networks: "
                             f"one mask and one name per grid, got {len(masks)} masks and {len(names)} names")
        self.masks, self.names, self.options, self.parameters = masks, list(names), options, parameters
        self.theme = options.theme
        self.oned = masks[0].ndim == 1
        n = len(masks)
        if self.oned:
            self.centres = [np.asarray(c, float) for c in centres] if centres is not None else \
                [np.arange(len(m), dtype=float) for m in masks]
            self.widths = list(widths) if widths is not None else [1.0] * n
            self.edges = [np.asarray(e, int).reshape(-1, 2) for e in edges] if edges is not None else \
                [np.zeros((0, 2), int)] * (n - 1)
        with style():
            self._layout()
            super().__init__(self._width, self._height, self.theme.background, dpi=_DPI)
            self.ax = pixel_axes(self.fig, self._width, self._height)
            self._draw()

    # -- geometry -------------------------------------------------------------

    def _text_width(self, text: str) -> float:
        if not text:
            return 0.0
        path = TextPath((0, 0), text, prop=FontProperties(family="DejaVu Sans", size=_pt(self.font_px)))
        return path.get_extents().width * _DPI / 72

    def _layout(self) -> None:
        cell_px = self.options.cell_px
        self.font_px = 13
        self.line_h = 18
        margin = 16
        if self.oned:
            lo = min(float((c - w / 2).min()) for c, w in zip(self.centres, self.widths))
            hi = max(float((c + w / 2).max()) for c, w in zip(self.centres, self.widths))
            span = hi - lo
            cell = cell_px or int(max(8, min(36, 560 // max(span, 1))))
            label_w = max(max(self._text_width(layer_title(name)), self._text_width(field_label(m)))
                          for name, m in zip(self.names, self.masks))
            self.cell = cell
            row_gap = 2.2 * cell + 10
            self._x0 = margin - lo * cell
            n = len(self.masks)
            # row y: input at the bottom
            top = margin + self.line_h
            self._row_y = [top + (n - 1 - g) * (cell + row_gap) for g in range(n)]
            self._label_x = margin + span * cell + 16
            self._width = int(self._label_x + label_w + margin)
            self._height = int(top + n * cell + (n - 1) * row_gap + self.line_h * 2 + margin)
        else:
            shapes = [m.shape for m in self.masks]
            total_w = sum(s[1] for s in shapes)
            gaps = len(shapes) - 1
            cell = cell_px or int(max(4, min(32, 880 // (total_w + 2 * gaps))))
            gap = max(24, 2 * cell)
            self.cell = cell
            heads = [self._head(g) for g in range(len(shapes))]
            cols = [max(s[1] * cell, *(self._text_width(h) for h in head)) for s, head in zip(shapes, heads)]
            max_h = max(s[0] for s in shapes) * cell
            top = margin + 2 * self.line_h + 6
            self._origins = []
            x = margin
            for s, w in zip(shapes, cols):
                self._origins.append((x + (w - s[1] * cell) // 2, top + (max_h - s[0] * cell) // 2))
                x += w + gap
            self._heads = heads
            self._col_w = cols
            self._width = int(x - gap + margin)
            self._height = int(top + max_h + 8 + self.line_h + 8 + self.line_h + margin)
            self._bottom = top + max_h
        widest = max(self._text_width(self.caption_text(k)) for k in range(len(self.masks)))
        self._width = max(self._width, int(16 + widest + margin))
        self._width += self._width % 2
        self._height += self._height % 2

    def _head(self, g: int) -> list[str]:
        """The two label lines above grid ``g``: its name (split before the layer text) and its size."""
        name = self.names[g]
        first, _, rest = name.partition(" ")
        shape = _dims(self.masks[g].shape)
        if first == "input":
            return [f"input {shape}", rest]
        return [f"{'layer ' + first if first.isdigit() else first} output {shape}", rest]

    def _boxes(self, g: int, mask: np.ndarray) -> np.ndarray:
        """(x0, y0, x1, y1) of the cells of ``mask`` in grid ``g``."""
        c = self.cell
        if self.oned:
            idx = np.flatnonzero(mask)
            w = self.widths[g] * c
            x = self._x0 + self.centres[g][idx] * c
            inset = min(2.0, w / 6)
            y = self._row_y[g]
            return np.stack([x - w / 2 + inset, np.full(len(idx), y + inset),
                             x + w / 2 - inset, np.full(len(idx), y + c - inset)], axis=1).astype(float)
        r, col = np.nonzero(mask)
        x0, y0 = self._origins[g]
        return np.stack([x0 + col * c, y0 + r * c, x0 + (col + 1) * c, y0 + (r + 1) * c], axis=1).astype(float)

    def _grid_lines(self, g: int) -> list:
        if self.oned or self.cell < 6:  # smaller cells would be all line
            return []
        rows, cols = self.masks[g].shape
        x0, y0, c = *self._origins[g], self.cell
        segs = [[(x0, y0 + r * c), (x0 + cols * c, y0 + r * c)] for r in range(rows + 1)]
        segs += [[(x0 + k * c, y0), (x0 + k * c, y0 + rows * c)] for k in range(cols + 1)]
        return segs

    def _edge(self, layer: int, src: int, dst: int) -> list[tuple[float, float]]:
        """From the top of cell ``src`` of grid ``layer - 1`` to the bottom of cell ``dst`` of grid ``layer``."""
        c = self.cell
        return [(self._x0 + self.centres[layer - 1][src] * c, self._row_y[layer - 1]),
                (self._x0 + self.centres[layer][dst] * c, self._row_y[layer] + c)]

    # -- drawing --------------------------------------------------------------

    def _draw(self) -> None:
        theme, ax = self.theme, self.ax
        n = len(self.masks)
        font = {"family": "DejaVu Sans", "size": _pt(self.font_px), "color": theme.text}
        self.fill_of = [theme.input] + [theme.output] * (n - 1)
        pale = [blend(theme.background, f, 0.3) for f in self.fill_of]
        for g, mask in enumerate(self.masks):
            ax.add_collection(PathCollection([boxes_path(self._boxes(g, np.ones_like(mask)))], facecolors=[pale[g]],
                                             edgecolors="none", linewidths=0))
        lines = [seg for g in range(n) for seg in self._grid_lines(g)]
        width = 1.0 if self.cell >= 8 else 0.5
        def add(artist):
            return self.moving(ax.add_collection(artist, autolim=False))

        self.old_fill = add(PathCollection([EMPTY], edgecolors="none", linewidths=0))
        self.new_fill = add(PathCollection([EMPTY], facecolors=[theme.accent], edgecolors="none", linewidths=0))
        if lines:
            add(LineCollection(lines, colors=theme.line, linewidths=_pt(width)))
        if self.oned:
            self.old_edges = add(LineCollection([], colors=theme.line, linewidths=_pt(1.5)))
            self.new_edges = add(LineCollection([], colors=theme.accent, linewidths=_pt(2)))
            for g in range(n):
                ax.text(self._label_x, self._row_y[g] + self.cell / 2, layer_title(self.names[g]), va="center",
                        ha="left", fontdict=font)
            self.counts = [self.moving(ax.text(self._label_x, self._row_y[g] + self.cell / 2 + self.line_h,
                                               "", va="center", ha="left", fontdict={**font, "color": theme.accent}))
                           for g in range(n)]
            caption_y = self._height - 16 - self.line_h / 2
        else:
            for g, head in enumerate(self._heads):
                x = self._origins[g][0] + self.masks[g].shape[1] * self.cell / 2
                for k, line in enumerate(head):
                    ax.text(x, 16 + (k + 0.5) * self.line_h, line, ha="center", va="center", fontdict=font)
            self.counts = [self.moving(ax.text(self._origins[g][0] + self.masks[g].shape[1] * self.cell / 2,
                                               self._bottom + 8 + self.line_h / 2, "", ha="center", va="center",
                                               fontdict={**font, "color": theme.accent}))
                           for g in range(n)]
            caption_y = self._bottom + 16 + 1.5 * self.line_h
        self.caption = self.moving(ax.text(16, caption_y, "", ha="left", va="center", fontdict=font))

    def __len__(self) -> int:
        return len(self.masks)

    def current(self, k: int) -> int:
        """The grid lit for the first time in frame ``k``."""
        return len(self.masks) - 1 - k

    def caption_text(self, k: int) -> str:
        text = self._caption(k)
        if self.parameters is not None:
            text += f"; {self.parameters:,} parameter{'s' if self.parameters != 1 else ''} in the stack"
        return text

    def _caption(self, k: int) -> str:
        g = self.current(k)
        mask = self.masks[g]
        if k == 0:
            cell = tuple(int(i[0]) for i in np.nonzero(mask))
            return f"output cell {cell if len(cell) > 1 else cell[0]} of {layer_title(self.names[g]).split(':')[0]}"
        if g == 0:
            shape = f"{mask.shape[0]}-cell" if mask.ndim == 1 else _dims(mask.shape)
            return f"receptive field {field_label(mask)} on the {shape} input"
        return f"{layer_title(self.names[g]).split(':')[0]} output: {field_label(mask)} feed it"

    def update(self, k: int) -> None:
        g_now = self.current(k)
        old = [self._boxes(g, self.masks[g]) for g in range(g_now + 1, len(self.masks))]
        colours = [self.fill_of[g] for g in range(g_now + 1, len(self.masks))]
        self.old_fill.set_paths([boxes_path(b) for b in old] or [EMPTY])
        self.old_fill.set_facecolors(colours or ["none"])
        self.new_fill.set_paths([boxes_path(self._boxes(g_now, self.masks[g_now]))])
        for g, text in enumerate(self.counts):
            text.set_text(field_label(self.masks[g]) if g >= g_now and g < len(self.masks) - 1 else "")
        if self.oned:
            def segments(layer):
                return [self._edge(layer, s, d) for s, d in self.edges[layer - 1]]

            self.old_edges.set_segments([s for layer in range(g_now + 2, len(self.masks)) for s in segments(layer)])
            self.new_edges.set_segments(segments(g_now + 1) if g_now + 1 < len(self.masks) else [])
        self.caption.set_text(self.caption_text(k))

    def describe(self) -> str:
        layers = [name.partition(" ")[2] or name for name in self.names[1:]]
        stack = " → ".join(layers) if len(layers) <= 4 else f"{layers[0]} → … → {layers[-1]} ({len(layers)} layers)"
        learned = "" if self.parameters is None else f" ({self.parameters:,} parameters)"
        return (f"the receptive field of one output cell of {stack}{learned}, walked back to the input: "
                f"{field_label(self.masks[0])}")
