"""The value view (conv-1.gif of the seed post): a 2-D convolution with every cell labelled.

The (padded) input grid shows ``a_{m,n}`` (the original input indices) or the
numbers, the kernel ``w_{m,n}`` sits beside it and the output fills in cell by
cell; under the grids the current output cell is written out as its sum of
products. `sum_text` builds that sum without drawing anything.

`Board`, `GridPanel` and the text helpers here are shared with the matrix view.
"""

from __future__ import annotations

import math
import re

import matplotlib
import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from ..explanation import alt_text, caption, input_label, output_label
from ..schedule import Step, cell_kind, cell_source, schedule
from ..spec import ConvSpec
from ..themes import Theme, blend, get_theme, hex_to_rgb
from ..values import Values, convolve
from .base import Scene, SceneOptions, pixel_axes, style

__all__ = ["ValuesScene", "sum_text", "sum_terms"]

#: The options a view gets when none are given (SceneOptions is frozen: safe to share).
DEFAULT_OPTIONS = SceneOptions()


# -- the sum, as text (pure) ---------------------------------------------------


def symbol(name: str, index) -> str:
    """``a_{0,1}`` (mathtext, without dollars) for ``name`` at ``index``."""
    return f"{name}_{{{','.join(str(int(i)) for i in index)}}}"


def number(value) -> str:
    """A value as it is printed in a cell: ``3``, ``-1``, ``0.25`` (integral floats as integers)."""
    value = np.asarray(value).item()
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, complex):
        return f"{value:.3g}"
    return f"{value:.3g}"


def cell_number(value) -> str:
    """`number` with a typographic minus, for plain-text cell labels."""
    return number(value).replace("-", "\u2212")


def _factor(value) -> str:
    text = number(value)
    return f"({text})" if text.startswith("-") else text


def _as_step(spec: ConvSpec, step) -> Step:
    if isinstance(step, Step):
        return step
    steps = schedule(spec)
    if not isinstance(step, (int, np.integer)) or not -len(steps) <= step < len(steps):
        raise ValueError(f"step must be a Step or an index between 0 and {len(steps) - 1}, got {step!r}")
    return steps[int(step)]


def check_values(spec: ConvSpec, values: Values | None) -> None:
    """ValueError unless ``values`` match the spec's input and kernel shapes."""
    if values is None:
        return
    for name, arr, shape in (("x", values.x, spec.input_size), ("w", values.w, spec.kernel_size)):
        if tuple(np.shape(arr)) != tuple(shape):
            raise ValueError(f"values.{name} must have shape {tuple(shape)}, got {tuple(np.shape(arr))}")


def sum_terms(spec: ConvSpec, step, values: Values | None = None) -> tuple[list[str], str]:
    """The products that make one output cell, and what they sum to (mathtext, no dollars).

    Taps on padding or inserted zeros contribute nothing and are left out. With
    ``values`` the products are numbers (``3\\cdot(-1)``) and the result is
    the output value `convolve` gives; without, symbols (``a_{0,0}w_{0,0}``,
    with the original input index) and ``o_{i,j}``.
    """
    step = _as_step(spec, step)
    check_values(spec, values)
    taps = [t for t in step.taps if t.source is not None]
    if values is None:
        terms = [symbol("a", t.source) + symbol("w", t.kernel) for t in taps]
        return terms, symbol("o", step.out)
    x, w = np.asarray(values.x), np.asarray(values.w)
    terms = [f"{_factor(x[t.source])}\\cdot{_factor(w[t.kernel])}" for t in taps]
    # The same sum, in the same order and dtype, as convolve() computes it.
    dtype = np.result_type(x, w)
    total = sum((w[t.kernel] * x[t.source] for t in taps), start=dtype.type(0))
    return terms, number(dtype.type(total))


def sum_text(spec: ConvSpec, step, values: Values | None = None) -> str:
    """One output cell written out as a mathtext string, on one line.

    ``step`` is a `Step` of ``schedule(spec)`` or its index.

    >>> sum_text(ConvSpec(5, 3), 0)[:33]
    '$a_{0,0}w_{0,0} + a_{0,1}w_{0,1} '
    >>> sum_text(ConvSpec(3, 3, transposed=True), 0)
    '$a_{0,0}w_{0,0} = o_{0,0}$'
    """
    terms, result = sum_terms(spec, step, values)
    return "$" + (" + ".join(terms) or "0") + " = " + result + "$"


# -- measuring and colouring text ------------------------------------------------

_DIGITS = re.compile(r"[0-9]")


def _extent_10pt(text: str) -> tuple[float, float]:
    """(width, height) in points of ``text`` set at 10 pt in DejaVu Sans (mathtext between $)."""
    x0, y0, x1, y1 = text_path(text)[1]
    return x1 - x0, y1 - y0


def text_extent(text: str, size_pt: float) -> tuple[float, float]:
    """(width, height) of ``text`` at ``size_pt``, in points.

    Digits share one width in DejaVu Sans, so texts that differ only in their
    digits are measured once.
    """
    w, h = _extent_10pt(_DIGITS.sub("0", text))
    return w * size_pt / 10, h * size_pt / 10


def fit_size(texts, box_w_px: float, box_h_px: float, dpi: float, largest: float) -> float:
    """The largest font size (pt, at most ``largest``) at which every text fits the box."""
    size = largest
    pt_per_px = 72 / dpi
    for text in set(_DIGITS.sub("0", t) for t in texts):
        w, h = _extent_10pt(text)
        if w > 0:
            size = min(size, 10 * box_w_px * pt_per_px / w)
        if h > 0:
            size = min(size, 10 * box_h_px * pt_per_px / h)
    return size


def _luminance(color: str) -> float:
    def lin(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in hex_to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two hex colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink(theme: Theme, face: str) -> str:
    """The theme's text or background colour, whichever reads better on ``face``."""
    return max((theme.text, theme.background), key=lambda c: contrast(c, face))


def muted(theme: Theme, face: str) -> str:
    """A quiet text colour on ``face`` (for the zeros of padding)."""
    return blend(face, ink(theme, face), 0.42)


def kernel_shade(theme: Theme) -> str:
    """The colour of the kernel itself: the overlay over the padding colour."""
    return theme.over(theme.padding)


def wrap_terms(terms: list[str], result: str, width_px: float, size_pt: float, dpi: float) -> list[str]:
    """Greedy line breaks of ``t1 + t2 + ... = result`` within ``width_px``; mathtext lines."""
    to_px = dpi / 72

    def width(text: str) -> float:
        return text_extent(f"${text}$", size_pt)[0] * to_px

    plus = width("a + a") - 2 * width("a")
    equals = width("a = a") - 2 * width("a")
    pieces = [(t, width(t)) for t in terms] or [("0", width("0"))]
    lines: list[list[str]] = []
    current: list[str] = []
    used = 0.0
    for text, w in pieces:
        cost = w + (plus if current or lines else 0.0)
        if current and used + cost > width_px:
            lines.append(current)
            current, used = [text], plus + w  # a continuation line starts with "+ "
        else:
            current.append(text)
            used += cost
    lines.append(current)
    # "{}" before a leading sign keeps it binary (spaced) in mathtext.
    out = [("{}+ " if n else "") + " + ".join(line) for n, line in enumerate(lines)]
    if used + equals + width(result) > width_px:
        out.append("{}= " + result)
    else:
        out[-1] += " = " + result
    return [f"${line}$" for line in out]


# -- drawing in pixels -------------------------------------------------------------

_PATHS: dict[str, tuple[Path, tuple[float, float, float, float]]] = {}

# The rcParams that shape mathtext, at matplotlib's defaults with convanim's font set.
_MATH_RC = {k: v for k, v in matplotlib.rcParamsDefault.items() if k.startswith("mathtext.")}
_MATH_RC["mathtext.fontset"] = "dejavusans"
# Every font property spelled out, so that a user's rcParams cannot change the labels.
_FONT = FontProperties(
    family="DejaVu Sans", style="normal", variant="normal", weight="normal", stretch="normal"
)


def text_path(text: str) -> tuple[Path, tuple[float, float, float, float]]:
    """``text`` (mathtext between $) as a glyph outline at 10 pt, in points, and its box (x0, y0, x1, y1).

    Cached for the whole process: mathtext is parsed once per string, not once
    per frame and size (matplotlib's own cache holds only 50 strings). The box
    is that of the outline's points, close to the ink.
    """
    hit = _PATHS.get(text)
    if hit is None:
        with matplotlib.rc_context(_MATH_RC):
            glyphs = TextPath((0, 0), text, size=10, prop=_FONT)
        vertices = np.array(glyphs.vertices, dtype=float)
        path = Path(vertices, None if glyphs.codes is None else np.array(glyphs.codes))
        if len(vertices):
            (x0, y0), (x1, y1) = vertices.min(axis=0), vertices.max(axis=0)
        else:
            x0 = y0 = x1 = y1 = 0.0
        if len(_PATHS) >= 20000:
            _PATHS.clear()
        hit = _PATHS[text] = (path, (float(x0), float(y0), float(x1), float(y1)))
    return hit


class Label:
    """A text drawn as a filled glyph outline (see `text_path`): cheap to redraw every frame.

    Mimics the few `matplotlib.text.Text` setters the scenes use. ``va`` is
    ``'center'`` (of the ink), ``'baseline'``, ``'bottom'`` or ``'top'`` (of the ink).
    """

    def __init__(self, board: Board, x, y, text, size, color, ha="center", va="center", z=3.0):
        self.board, self.x, self.y, self.text, self.size = board, x, y, text, size
        self.ha, self.va = ha, va
        self._shown = True
        self._place = Affine2D()
        self.patch = PathPatch(
            Path(np.zeros((1, 2))), facecolor=color, edgecolor="none", linewidth=0, zorder=z
        )
        self.patch.set_transform(self._place + board.ax.transData)
        board.ax.add_patch(self.patch)
        self._apply()

    def _apply(self) -> None:
        empty = not self.text
        self.patch.set_visible(self._shown and not empty)
        if empty:
            return
        path, (x0, y0, x1, y1) = text_path(self.text)
        dx = {"left": 0.0, "center": -(x0 + x1) / 2, "right": -x1}[self.ha]
        dy = {"baseline": 0.0, "center": -(y0 + y1) / 2, "bottom": -y0, "top": -y1}[self.va]
        k = self.size / 10 / self.board.pt  # 10-pt points -> pixels
        self._place.clear().translate(dx, dy).scale(k, -k).translate(self.x, self.y)
        self.patch.set_path(path)

    def set(self, *, text=None, xy=None, size=None, color=None, visible=None) -> None:
        """Change several things at once (one re-layout)."""
        if text is not None:
            self.text = text
        if xy is not None:
            self.x, self.y = xy
        if size is not None:
            self.size = size
        if visible is not None:
            self._shown = bool(visible)
        if color is not None:
            self.patch.set_facecolor(color)
        self._apply()

    def set_text(self, text: str) -> None:
        self.set(text=text)

    def set_position(self, xy) -> None:
        self.set(xy=xy)

    def set_fontsize(self, size: float) -> None:
        self.set(size=size)

    def set_color(self, color: str) -> None:
        self.patch.set_facecolor(color)

    def set_visible(self, visible: bool) -> None:
        self.set(visible=visible)

    def get_visible(self) -> bool:
        return self.patch.get_visible()


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
        self.show_labels = self.label_pt >= 6.0
        self.show_weights = weights_on_taps and self.small_pt >= 6.0

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
            inner = max(panel.width, 560, math.ceil(cap_w))
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
