"""The scatter view: a transposed convolution as frameworks compute it, one frame per input cell.

Input cell ``j`` (row-major) multiplies the whole kernel, not rotated, and the
product is added into the output window starting at ``j*stride`` (taps
``dilation`` apart). The right-hand grid is the whole scattered region,
``(i-1)*s + d*(k-1) + 1`` cells per axis; the output PyTorch returns is
outlined, and the cells it crops (``padding`` at the start, ``padding -
output_padding`` at the end) are greyed and hatched, with a line naming the
row ``output_padding`` keeps (`crop_note`); output_padding cells past the
padding, which only the bias reaches, are dashed. Each cell shows its running sum: numbers
with ``values``, else the products written out while short (``x₀₀w₁₁``, then
``+x₀₁w₁₀``, then ``+2 more``), or only how many products it has received
when even one product does not fit. The fill darkens with that count, so the
overlap pattern (`convanim.scatter.overlap_counts`) builds up frame by frame.

Every number comes from `convanim.scatter.scatter_schedule`.

>>> from convanim import ConvSpec
>>> scene = ScatterScene(ConvSpec(3, 3, stride=2, padding=1, output_padding=1, transposed=True))
>>> len(scene), scene.row.region, scene.row.drawn
(9, (8, 8), (7, 7))
"""

from __future__ import annotations

import bisect
import math

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

from .. import explanation as explain
from ..scatter import check_drawable, kept_slices, region_shape, scatter_schedule
from ..spec import ConvSpec
from ..themes import blend
from ..values import Values
from .base import MIN_TEXT_PX, SCRIPT, SceneOptions
from .panels import DPI, Frame, PaintedScene, place_row, pt, rc, sequential, shape2, sub
from .values import cell_number, ink, kernel_shade

__all__ = ["ScatterScene", "ScatterRow", "cell_lines", "check_transposed", "crop_note"]

DEFAULT_OPTIONS = SceneOptions()


def check_transposed(spec, view: str) -> ConvSpec:
    """See `convanim.scatter.check_drawable` (the limits module checks the same before drawing)."""
    return check_drawable(spec, view)


def check_values(spec: ConvSpec, values) -> Values | None:
    if values is None:
        return None
    if not isinstance(values, Values):
        raise ValueError(f"values must be a Values or None, got {type(values).__name__}")
    for name, arr, shape in (("input", values.x, spec.input_size), ("kernel", values.w, spec.kernel_size)):
        if tuple(np.shape(arr)) != tuple(shape):
            raise ValueError(f"values: {name} must have shape {tuple(shape)}, got {tuple(np.shape(arr))}")
    return values


def crop_note(spec: ConvSpec) -> str:
    """What ``output_padding`` changes in the crop, in one line ("" without it).

    PyTorch crops ``padding`` cells at the start of the scattered region and
    ``padding - output_padding`` at its end: output_padding keeps that many of
    the last scattered rows (or, past ``padding``, adds rows only the bias
    reaches): ``'crop 1 at the start, 1 − 1 = 0 at the end: output_padding 1
    keeps row and column 6 (output 5)'``.
    """
    if not any(spec.output_padding):
        return ""
    names = ("row", "column") if spec.ndim == 2 else ("cell",)
    templates = []  # with {n} for the axis's name, {ns} for its plural
    for a in range(spec.ndim):
        pad, op, o = spec.pads[a][0], spec.output_padding[a], spec.output_shape[a]
        if op > pad:
            first, more = region_shape(spec)[a] - op, op - pad
            which = f"{{n}} {first}" if more == 1 else f"{{ns}} {first}–{first + more - 1}"
            templates.append(f"crop {pad} at the start, none at the end: output_padding {op} adds {which} "
                             f"(only the bias reaches {'it' if more == 1 else 'them'})")
        else:
            last = pad + o - 1
            which = f"{{n}} {last}" if op == 1 else f"{{ns}} {last - op + 1}–{last}"
            templates.append(f"crop {pad} at the start, {pad} − {op} = {pad - op} at the end: "
                             f"output_padding {op} keeps {which} (output {o - 1})" if op else
                             f"crop {pad} at the start and at the end")
    if len(templates) == 2 and templates[0] == templates[1]:
        return templates[0].format(n="row and column", ns="rows and columns")
    return "; ".join(t.format(n=n, ns=n + "s") for t, n in zip(templates, names))


def cell_lines(terms: list[str], mode: str) -> list[str]:
    """What a cell of the scattered region says after receiving ``terms`` (in order).

    ``mode`` 'symbols': the sum written out while short; 'count': how many.
    """
    n = len(terms)
    if n == 0:
        return []
    if mode == "count":
        return [str(n)]
    if n == 1:
        return [terms[0]]
    if n == 2:
        return [terms[0], "+" + terms[1]]
    return [terms[0], f"+{n - 1} more"]


class _Measure:
    """Text widths in pixels at 10 px, scaled (DejaVu Sans, Agg: what the frames use)."""

    def __init__(self):
        self.renderer = RendererAgg(8, 8, DPI)

    def width(self, text: str, size_px: float) -> float:
        prop = FontProperties(family="DejaVu Sans", size=pt(size_px))
        w, _, _ = self.renderer.get_text_width_height_descent(text, prop, ismath=False)
        return w

    def fit(self, texts, box_px: float, largest: float) -> float:
        widest = max((self.width(t, 10) for t in texts), default=0)
        return largest if widest == 0 else min(largest, 10 * box_px / widest)


class ScatterRow:
    """Input grid, kernel grid and scattered region side by side, drawn into a `Frame` at (x, y).

    Used alone by `ScatterScene` and as the top row of the both view.
    """

    def __init__(self, spec: ConvSpec, theme, cell: int, values: Values | None):
        self.spec, self.theme, self.cell, self.values = spec, theme, cell, values
        self.steps = scatter_schedule(spec)
        self.region = region_shape(spec)
        self.kept = kept_slices(spec)
        self.scattered = tuple(r - a for r, a in zip(self.region, spec.output_padding))
        # Drawn: the scattered cells, and output_padding cells only where the crop keeps them (past padding):
        # the crop is padding at the start and padding - output_padding at the end.
        self.drawn = tuple(n + max(0, a - p) for n, a, (p, _) in zip(self.scattered, spec.output_padding, spec.pads))
        self.note = crop_note(spec)
        # Per region cell: (step index, term text, value) of every product it receives, in order.
        self.received: dict = {}
        for step in self.steps:
            for wr in step.writes:
                if values is None:
                    term, value = f"x{sub(step.source)}w{sub(wr.kernel)}", None
                else:
                    term, value = None, values.x[step.source] * values.w[wr.kernel]
                self.received.setdefault(wr.cell, []).append((step.index, term, value))
        self.top = max((len(v) for v in self.received.values()), default=1)
        measure = _Measure()
        self.font = max(MIN_TEXT_PX / SCRIPT, min(0.34 * cell, 16.0))  # its lines name x₀₀: readable subscripts
        if values is None:
            self.mode = "symbols"
            longest = [t for v in self.received.values() for _, t, _ in v[:2]]
            self.cell_font = measure.fit([*longest, *("+" + t for t in longest), "+00 more"], cell - 6, cell * 0.26)
            if self.cell_font * SCRIPT < MIN_TEXT_PX:  # products too small to read: counts instead
                self.mode = "count"
                self.cell_font = measure.fit([str(self.top)], cell - 6, cell * 0.4)
            in_texts = [f"x{sub(j)}" for j in np.ndindex(*spec.input_size)]
            k_texts = [f"w{sub(t)}" for t in np.ndindex(*spec.kernel_size)]
        else:
            self.mode = "numbers"
            sums = [cell_number(sum(v for _, _, v in items)) for items in self.received.values()]
            sums += [cell_number(v) for items in self.received.values() for _, _, v in items]
            self.cell_font = measure.fit(sums or ["0"], cell - 6, cell * 0.4)
            in_texts = [cell_number(v) for v in np.ravel(values.x)]
            k_texts = [cell_number(v) for v in np.ravel(values.w)]
        self.in_font = measure.fit(in_texts, cell - 6, cell * 0.4)
        self.k_font = measure.fit(k_texts, cell - 6, cell * 0.4)
        least = MIN_TEXT_PX / SCRIPT if values is None else MIN_TEXT_PX
        # Names too small to read are left out (the status line names the input read): fewer, not smaller.
        # So are counts and sums too small to read: the cell's shade still says how many products it has.
        self.cell_font = self.cell_font if self.cell_font >= MIN_TEXT_PX else 0.0
        self.in_font = self.in_font if self.in_font >= least else 0.0
        self.k_font = self.k_font if self.k_font >= least else 0.0
        self.line_px = max(1, round(cell / 40))
        self.bold_px = max(3, round(cell / 12))

    # -- geometry ------------------------------------------------------------------

    def place(self, x: int, y: int) -> None:
        """Put the row's top-left corner at (x, y): titles first, then the grids."""
        spec, f = self.spec, self.font
        dims = explain.dims
        self.title_texts = [f"input {dims(spec.input_size)}", f"kernel {dims(spec.kernel_size)}, not rotated",
                            f"scattered {dims(self.scattered)}, kept {dims(spec.output_shape)}"]
        shapes = [shape2(spec.input_size), shape2(spec.kernel_size), shape2(self.drawn)]
        measure = _Measure()
        panels, self.width, self.height, ops = place_row(
            x, y, shapes, self.title_texts, self.cell, f, lambda s: measure.width(s, f))
        self.input, self.kernel, self.out = panels
        mid = y + self.height - max(p.height for p in panels) / 2
        self.ops = [(ops[0], mid, "×"), (ops[1], mid, "→")]
        if self.note:  # a line under the grids
            self.note_at = (x, y + self.height + 1.2 * f)
            self.width = max(self.width, math.ceil(measure.width(self.note, f)))
            self.height += round(2 * f)

    def titles(self) -> list:
        f = self.font
        panels = (self.input, self.kernel, self.out)
        out = [(p.x + p.width / 2, p.y - 1.1 * f, text, f, "center") for p, text in zip(panels, self.title_texts)]
        out += [(x, y, op, 1.6 * f, "center") for x, y, op in self.ops]
        if self.note:
            out.append((*self.note_at, self.note, f, "left"))
        return out

    @property
    def max_texts(self) -> int:
        n_in, n_k = math.prod(self.spec.input_size), math.prod(self.spec.kernel_size)
        return n_in + n_k + 2 * math.prod(self.drawn)

    # -- painting ------------------------------------------------------------------

    def kept_box(self) -> tuple[int, int, int, int]:
        (r0, r1), (c0, c1) = [(0, 1)] * (2 - self.spec.ndim) + list(self.kept)
        return self.out.box(r0, c0, r1 - 1, c1 - 1)

    def region_cell(self, out_index) -> tuple[int, int]:
        """(row, col) in the region panel of a kept output index."""
        return rc(tuple(o + lo for o, (lo, _) in zip(out_index, self.kept)))

    def cell_text(self, index, k: int) -> tuple[list[str], int]:
        """(lines, count) of region cell ``index`` after step ``k``."""
        items = self.received.get(tuple(index), [])
        n = bisect.bisect_right([s for s, _, _ in items], k)
        if self.mode == "numbers":
            return ([cell_number(sum(v for _, _, v in items[:n]))] if n else []), n
        return cell_lines([t for _, t, _ in items[:n]], self.mode), n

    def paint_static(self, frame: Frame) -> None:
        """Input and kernel: they never change (the current input cell is shaded over them)."""
        theme, spec = self.theme, self.spec
        for j in np.ndindex(*spec.input_size):
            r, c = rc(j)
            face = theme.input
            frame.fill(self.input.box(r, c), face)
            text = f"x{sub(j)}" if self.values is None else cell_number(self.values.x[j])
            frame.text(*self.input.center(r, c), text, ink(theme, face), self.in_font)
        # Kernel: every tap, multiplied by the current input cell.
        face = kernel_shade(theme)
        for t in np.ndindex(*spec.kernel_size):
            r, c = rc(t)
            frame.fill(self.kernel.box(r, c), face)
            text = f"w{sub(t)}" if self.values is None else cell_number(self.values.w[t])
            frame.text(*self.kernel.center(r, c), text, ink(theme, face), self.k_font)
        for panel in (self.input, self.kernel):
            frame.grid(panel, theme.line, self.line_px)

    def paint(self, frame: Frame, k: int) -> None:
        theme, spec = self.theme, self.spec
        step = self.steps[k]
        cur = rc(step.source)
        frame.shade(self.input.box(*cur))
        text = f"x{sub(step.source)}" if self.values is None else cell_number(self.values.x[step.source])
        frame.text(*self.input.center(*cur), text, ink(theme, theme.over(theme.input)), self.in_font)
        # The scattered region.
        kept_cells = [range(lo, hi) for lo, hi in self.kept]
        written = {wr.cell for wr in step.writes}
        for idx in np.ndindex(*self.drawn):
            r, c = rc(idx)
            box = self.out.box(r, c)
            lines, n = self.cell_text(idx, k)
            kept = all(i in rng for i, rng in zip(idx, kept_cells))
            extra = any(i >= s for i, s in zip(idx, self.scattered))  # an output_padding cell (kept: bias only)
            face = sequential(theme, n, self.top) if not extra else theme.padding
            if not kept:
                face = blend(face, theme.unread, 0.55)
            frame.fill(box, face)
            if not kept:
                frame.hatch(box, blend(face, theme.line, 0.35), self.line_px)
            if extra:
                frame.outline(box, theme.line, self.line_px, dashed=True)
            if idx in written:
                frame.outline(box, theme.accent, self.bold_px / 1.5, inset=self.bold_px / 1.5)
            colour = ink(theme, face) if kept else blend(face, ink(theme, face), 0.6)
            x, y = self.out.center(r, c)
            if lines:  # one text of one or two lines (one layout, not two)
                frame.text(x, y, "\n".join(lines), colour, self.cell_font)
        # Region grid lines (dashed around output_padding cells, drawn above), the kept output, the window.
        frame.grid(self.out, theme.line, self.line_px)
        frame.outline(self.input.box(*cur), theme.accent, self.bold_px, inset=self.bold_px / 2)
        frame.outline(self.kernel.box(0, 0, *rc(tuple(k - 1 for k in spec.kernel_size))), theme.accent,
                      self.bold_px, inset=self.bold_px / 2)
        frame.outline(self.kept_box(), theme.line, self.bold_px)
        (r0, r1), (c0, c1) = [(0, 0)] * (2 - spec.ndim) + list(step.footprint)
        frame.outline(self.out.box(r0, c0, r1, c1), theme.accent, self.bold_px, inset=self.bold_px / 2)

    def status(self, k: int) -> str:
        step, spec = self.steps[k], self.spec
        name = f"x{sub(step.source)}"
        if self.values is not None:
            name += f" = {cell_number(self.values.x[step.source])}"
        lo = [j * s for j, s in zip(step.source, spec.stride)]
        where = ", ".join(f"{a} {f}–{f + e - 1}" for a, f, e in zip(
            ("rows", "columns")[2 - spec.ndim:], lo, spec.extent))
        kept = sum(wr.out is not None for wr in step.writes)
        return (f"input {k + 1} of {len(self.steps)}: {name} times the kernel, added into {where} "
                f"({kept} of {len(step.writes)} products kept)")


class ScatterScene(PaintedScene):
    """One frame per input cell: ``x[j] * w`` added into the scattered region (see the module docstring)."""

    frame_ms = 1200

    def __init__(self, spec: ConvSpec, options: SceneOptions = DEFAULT_OPTIONS, values: Values | None = None):
        spec = check_transposed(spec, "scatter")
        values = check_values(spec, values)
        if options.cell_px is not None and options.cell_px < 16:
            raise ValueError(f"cell_px must be >= 16 for the scatter view, got {options.cell_px}")
        cell = options.cell_px or (56 if values is None else 44)
        cell -= cell % 2
        self.spec, self.options, self.theme = spec, options, options.theme
        self.row = ScatterRow(spec, self.theme, cell, values)
        margin = round(0.5 * cell)
        self.row.place(margin, margin)
        font = self.row.font
        self.status_y = margin + self.row.height + 1.4 * font
        lines = [self.row.status(k) for k in range(len(self))]
        measure = _Measure()
        texts = []
        height = self.status_y + font
        if options.caption:
            cap = explain.caption(spec, rotated=False)
            texts.append((margin, height + 1.2 * font, cap, font, "left"))
            height += 2 * font
        width = max(self.row.width, max(measure.width(s, font) for s in lines + [t[2] for t in texts]))
        width = 2 * margin + math.ceil(width)
        height = math.ceil(height + margin)
        self._setup(width + width % 2, height + height % 2, self.row.titles() + texts, self.row.max_texts + 1)
        self._margin = margin

    def __len__(self) -> int:
        return len(self.row.steps)

    def paint_static(self, frame: Frame) -> None:
        self.row.paint_static(frame)

    def paint(self, k: int, frame: Frame) -> None:
        self.row.paint(frame, k)
        frame.text(self._margin, self.status_y, self.row.status(k), self.theme.text, self.row.font, ha="left")

    def final_output(self) -> np.ndarray | None:
        """The kept output the last frame shows (numbers only)."""
        if self.row.values is None:
            return None
        out = np.zeros(self.spec.output_shape, dtype=np.result_type(self.row.values.x, self.row.values.w))
        lo = [a for a, _ in self.row.kept]
        for cell, items in self.row.received.items():
            idx = tuple(c - a for c, a in zip(cell, lo))
            if all(0 <= i < n for i, n in zip(idx, out.shape)):
                out[idx] = sum(v for _, _, v in items)
        return out

    def describe(self) -> str:
        return (explain.alt_text(self.spec) + ", computed as PyTorch does: each input cell times the kernel "
                "added into the output, the cropped border greyed")
