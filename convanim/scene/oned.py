"""The seed post's conv-2.gif and conv-3.gif: a 1-D discrete convolution as rows of cells.

The input row f(m) = a_m, the kernel row g under the input at the current
position, the output row below it, and the products summed for the current
output written out. ``flip=False`` draws what deep-learning layers compute (a
cross-correlation); ``flip=True`` the mathematical convolution
``(f⋆g)(n) = Σ_m f(m) g(n-m)``, whose kernel reads reversed.

>>> from convanim import ConvSpec
>>> terms(ConvSpec((5,), 3), 0)
'$o_{0} = a_{0}\\\\cdot w_{0} + a_{1}\\\\cdot w_{1} + a_{2}\\\\cdot w_{2}$'
>>> terms(ConvSpec((5,), 3, padding="full"), 0, flip=True)
'$(f\\\\star g)(0) = a_{0}\\\\cdot w_{0}$'
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from ..explanation import alt_text, caption, input_label, output_label
from ..schedule import Step, schedule
from ..spec import ConvSpec
from ..themes import hex_to_rgb
from ..values import Values, convolve
from .base import Scene, SceneOptions, pixel_axes, style

__all__ = ["OneDScene", "terms", "outputs", "kernel_index", "output_index", "output_symbol", "is_causal"]

_DASHES = (0, (4, 3))


# SceneOptions is frozen: one shared default instance.
DEFAULT_OPTIONS = SceneOptions()

# -- pure helpers (no drawing) ------------------------------------------------


def _check_spec(spec) -> ConvSpec:
    if not isinstance(spec, ConvSpec):
        raise ValueError(f"spec must be a ConvSpec, got {type(spec).__name__}")
    if spec.ndim != 1:
        raise ValueError(
            f"spec must be 1-D for the 1-D view, got {spec.ndim} axes (input_size={spec.input_size!r})"
        )
    return spec


def _check_values(spec: ConvSpec, values) -> Values | None:
    if values is None:
        return None
    if not isinstance(values, Values):
        raise ValueError(f"values must be a Values or None, got {type(values).__name__}")
    for name, arr, shape in (("x", values.x, spec.input_size), ("w", values.w, spec.kernel_size)):
        if tuple(np.shape(arr)) != tuple(shape):
            raise ValueError(f"values.{name} must have shape {tuple(shape)}, got {tuple(np.shape(arr))}")
    return values


def is_causal(spec: ConvSpec) -> bool:
    """Whether ``spec`` is a causal 1-D convolution: stride 1, ``dilation*(kernel_size-1)`` zeros on the left only,
    so output n's newest input is a_n (``padding='causal'``, or the same numbers)."""
    ax = spec.axes[0]
    return (not spec.transposed and ax.stride == 1 and ax.hi == 0 and ax.lo > 0
            and ax.lo == ax.dilation * (ax.kernel_size - 1))


def kernel_index(spec: ConvSpec, kernel: int, flip: bool) -> int:
    """The weight shown at a tap whose (PyTorch) kernel index is ``kernel``: reversed when ``flip``."""
    return spec.kernel_size[0] - 1 - kernel if flip else kernel


def output_index(spec: ConvSpec, out: int, flip: bool) -> int:
    """The index n an output cell is named by.

    Without ``flip`` the output's own position (``o_n``). With ``flip`` the
    index of the mathematical convolution ``(f⋆g)(n) = Σ_m f(m) g(n-m)``,
    whose full support starts at n = 0: output ``out`` reads
    ``m = out*s + j*d - p_lo`` for tap j, so ``n = out*s + d*(k-1) - p_lo``.
    """
    if not flip or spec.transposed:
        return out
    ax = spec.axes[0]
    return out * ax.stride + ax.dilation * (ax.kernel_size - 1) - ax.lo


def output_symbol(spec: ConvSpec, out: int, flip: bool, cell: bool = False) -> str:
    """Mathtext naming output ``out``: ``o_{n}``, ``(f\\star g)(n)``, or ``y_{n}`` in a cell.

    In a cell the name must read at the post's printed size (200 px wide), so
    the flipped view names its outputs ``y_n`` and its output row ``y = f⋆g``.
    """
    n = output_index(spec, out, flip)
    if not flip:
        return f"o_{{{n}}}"
    return f"y_{{{n}}}" if cell else f"(f\\star g)({n})"


def number(value, paren: bool = False) -> str:
    """A value as mathtext: integers bare, others to 3 significant digits; ``(-1)`` when ``paren``."""
    v = np.asarray(value).item()
    v = float(v) if not isinstance(v, int) else v
    if isinstance(v, int) or (v.is_integer() and abs(v) < 1e15):
        text = str(int(v))
    else:
        text = f"{v:.3g}"
    if paren and text.startswith("-"):
        text = f"({text})"
    return text


def outputs(spec: ConvSpec, values: Values, flip: bool = False) -> np.ndarray:
    """The output row: `convolve` with the kernel as drawn (reversed when ``flip``).

    The mathematical convolution is the cross-correlation with the reversed
    kernel, so ``flip=True`` gives ``np.convolve(x, w)``'s values over the
    positions the spec covers.
    """
    _check_spec(spec)
    values = _check_values(spec, values)
    w = np.asarray(values.w)
    return convolve(spec, np.asarray(values.x), w[::-1] if flip else w)


def terms(spec: ConvSpec, step, flip: bool = False, values: Values | None = None) -> str:
    """The products summed for one output, as a mathtext string.

    ``step`` is a step index (frame) or a `Step`. Taps on padding or inserted
    zeros add nothing and are left out, except in a causal convolution
    (`is_causal`), where the zeros it reads before the sequence starts are the
    lesson and are written (``0\\cdot w_{0}``). With ``values`` the numbers are
    written, and the sum (from `convolve`) follows.

    >>> from convanim import ConvSpec
    >>> from convanim.values import Values
    >>> terms(ConvSpec((5,), 3), 0, values=Values(np.array([3, 1, 0, 2, 4]), np.array([-1, 2, 1])))
    '$o_{0} = 3\\\\cdot (-1) + 1\\\\cdot 2 + 0\\\\cdot 1 = -1$'
    """
    _check_spec(spec)
    values = _check_values(spec, values)
    steps = schedule(spec)
    if isinstance(step, Step):
        st = step
    else:
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < len(steps):
            raise ValueError(f"step must be an integer from 0 to {len(steps) - 1}, got {step!r}")
        st = steps[int(step)]
    out = st.out[0]
    lhs = output_symbol(spec, out, flip)
    parts = []
    zeros = is_causal(spec) and not flip
    for tap in st.taps:
        if tap.source is None:
            if zeros:
                j = kernel_index(spec, tap.kernel[0], flip)
                parts.append(f"0\\cdot w_{{{j}}}" if values is None else f"0\\cdot {number(values.w[j], True)}")
            continue
        m, j = tap.source[0], kernel_index(spec, tap.kernel[0], flip)
        if values is None:
            parts.append(f"a_{{{m}}}\\cdot w_{{{j}}}")
        else:
            parts.append(f"{number(values.x[m], True)}\\cdot {number(values.w[j], True)}")
    if not parts:
        return f"${lhs} = 0$"
    rhs = " + ".join(parts)
    if values is None:
        return f"${lhs} = {rhs}$"
    return f"${lhs} = {rhs} = {number(outputs(spec, values, flip)[out])}$"


def _luminance(color: str) -> float:
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in hex_to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# -- the scene ------------------------------------------------------------------


class OneDScene(Scene):
    """Rows of cells: input f(m), the kernel g at the current position, the output.

    One frame per output cell. Cells under the kernel are shaded as in the
    grid views (the kernel overlay over input or padding), the current output
    cell likewise; outputs already computed show their symbol or value, and
    the products being summed are written under the rows.
    """

    frame_ms = 1000

    def __init__(
        self,
        spec: ConvSpec,
        options: SceneOptions = DEFAULT_OPTIONS,
        *,
        flip: bool = False,
        values: Values | None = None,
    ):
        # -- basic checks on arguments
        self.spec = _check_spec(spec)
        if not isinstance(flip, bool):
            raise ValueError(f"flip must be True or False, got {flip!r}")
        self.flip = flip
        self.values = _check_values(spec, values)
        self.options = options
        self.steps = schedule(spec)
        theme = self.theme = options.theme
        ax = spec.axes[0]
        k = ax.kernel_size
        grid = ax.grid_size
        n_out = ax.output_size
        c = options.cell_px if options.cell_px is not None else int(min(64, max(36, round(400 / grid))))
        self.cell = c
        self.terms = [terms(spec, st, flip, self.values) for st in self.steps]
        out_values = outputs(spec, self.values, flip) if self.values is not None else None

        # -- colours: flat, opaque (the kernel overlay pre-blended)
        self.colors = {
            "input": theme.input,
            "padding": theme.padding,
            "input_under": theme.over(theme.input),
            "padding_under": theme.over(theme.padding),
            "kernel": theme.over(theme.background),
            "output": theme.output,
            "output_current": theme.over(theme.output),
            "output_empty": theme.background,
        }
        self.in_ink = self._ink(self.colors["input"], self.colors["input_under"])
        self.w_ink = self._ink(self.colors["kernel"])
        self.out_ink = self._ink(self.colors["output"], self.colors["output_current"])

        # -- texts of the cells (mathtext)
        if self.values is None:
            in_text = [f"$a_{{{m}}}$" for m in range(ax.input_size)]
            w_text = [f"$w_{{{j}}}$" for j in range(k)]
            out_text = [f"${output_symbol(spec, o, flip, cell=True)}$" for o in range(n_out)]
        else:
            in_text = [f"${number(v)}$" for v in np.asarray(self.values.x)]
            w_text = [f"${number(v)}$" for v in np.asarray(self.values.w)]
            out_text = [f"${number(v)}$" for v in out_values]
        if flip:
            row_names = (r"$f(m)$", r"$g(n-m)$", r"$y = f\star g$")
        else:
            row_names = (r"$f(m)$", r"$g$", r"$o(n)$")

        with style():
            # The size depends on text extents: measure on a provisional figure, then resize.
            super().__init__(100, 100, theme.background)
            fig = self.fig
            renderer = fig.canvas.get_renderer()
            px = 72 / self.dpi  # points per pixel

            def width(text: str, size: float) -> float:
                w, _, _ = renderer.get_text_width_height_descent(text, _prop(size), ismath=True)
                return w

            def fit(texts, size: float, room: float) -> float:
                """The largest font size up to ``size`` at which every text fits in ``room`` px."""
                widest = max((width(t, size) for t in texts), default=0.0)
                return size if widest <= room else max(6.0, size * room / widest)

            # Every text is as large as a cell label: the post prints conv-2 (nine cells) 200 px wide,
            # where a font of 0.6 cell comes out about 10 px high.
            cell_pt = min(24.0, 0.6 * c * px)
            room = c - 4
            self.in_pt = fit(in_text, cell_pt, room)
            self.w_pt = fit(w_text, cell_pt, room)
            self.out_pt = fit(out_text, cell_pt, room)
            self.eq_pt = max(10.0, cell_pt)
            name_pt = max(10.0, cell_pt)
            small_pt = 10.0
            names_w = max(width(t, name_pt) for t in row_names)
            eq_w = max(width(t, self.eq_pt) for t in self.terms)
            extra = []
            if options.labels:
                extra += [input_label(spec), output_label(spec)]
            if options.caption:
                extra.append(caption(spec))
            extra_w = max((renderer.get_text_width_height_descent(t, _prop(small_pt), ismath=False)[0]
                           for t in extra), default=0.0)

            margin = 12
            x0 = int(round(margin + names_w + 14))  # left edge of the grid
            grid_w = grid * c
            width_px = max(x0 + grid_w + margin, int(eq_w) + 2 * margin, int(extra_w) + 2 * margin + x0)
            line_small = int(round(small_pt / px * 1.6))
            line_eq = int(round(self.eq_pt / px * 1.7))
            y = margin
            if options.labels:
                self.input_label_y = y + line_small / 2
                y += line_small
            self.rows_y = {}
            self.rows_y["input"] = y
            y += c + int(round(0.3 * c))
            self.rows_y["kernel"] = y
            y += c + int(round(0.9 * c))
            self.rows_y["output"] = y
            y += c + int(round(0.25 * c))
            if options.labels:
                self.output_label_y = y + line_small / 2
                y += line_small
            self.eq_y = y + line_eq / 2
            y += line_eq
            if options.caption:
                self.caption_y = y + line_small / 2
                y += line_small
            height_px = y + margin
            fig.set_size_inches(width_px / self.dpi, height_px / self.dpi)
            self.width_px, self.height_px = width_px, height_px
            self.x0 = x0

            axes = self.axes = pixel_axes(fig, width_px, height_px)

            def rect(box, face, dashed=False, edge=theme.line):
                x_a, y_a, x_b, y_b = box
                patch = Rectangle((x_a, y_a), x_b - x_a, y_b - y_a, facecolor=face, edgecolor=edge,
                                  lw=1.0, ls=_DASHES if dashed else "solid")
                axes.add_patch(patch)
                return patch

            def label(xy, text, size, color):
                return axes.text(xy[0], xy[1], text, ha="center", va="center_baseline", fontsize=size,
                                 color=color)

            # -- static: row names, input row, empty output row, labels, caption
            for row, name in zip(("input", "kernel", "output"), row_names, strict=True):
                axes.text(x0 - 12, self.rows_y[row] + c / 2, name, ha="right", va="center_baseline",
                          fontsize=name_pt, color=theme.text)
            self.kinds = [ax.kind(cell) for cell in range(grid)]
            self.sources = [ax.source(cell) for cell in range(grid)]
            for cell in range(grid):
                box = self.cell_box("input", cell)
                if self.kinds[cell] == "input":
                    rect(box, self.colors["input"])
                    label(_centre(box), in_text[self.sources[cell]], self.in_pt, self.in_ink)
                else:
                    rect(box, self.colors["padding"], dashed=True)
            for o in range(n_out):
                rect(self.cell_box("output", o), self.colors["output_empty"])
            if options.labels:
                axes.text(x0, self.input_label_y, input_label(spec), ha="left", va="center_baseline",
                          fontsize=small_pt, color=theme.text)
                axes.text(x0, self.output_label_y, output_label(spec), ha="left", va="center_baseline",
                          fontsize=small_pt, color=theme.text)
            if options.caption:
                axes.text(width_px / 2, self.caption_y, caption(spec), ha="center", va="center_baseline",
                          fontsize=small_pt, color=theme.text)

            # -- moving: the cells under the kernel, the kernel, projection lines, outputs, the sum
            self.under = []
            self.kernel = []
            for _ in range(k):
                patch = self.moving(rect((0, 0, 1, 1), self.colors["input_under"]))
                text = self.moving(label((0, 0), "", self.in_pt, self.in_ink))
                self.under.append((patch, text))
            for _ in range(k):
                patch = self.moving(rect((0, 0, 1, 1), self.colors["kernel"]))
                text = self.moving(label((0, 0), "", self.w_pt, self.w_ink))
                self.kernel.append((patch, text))
            self.rays = [
                self.moving(axes.add_line(Line2D([0, 0], [0, 0], color=theme.line, lw=0.8)))
                for _ in range(2)
            ]
            self.outs = []
            for o in range(n_out):
                box = self.cell_box("output", o)
                patch = self.moving(rect(box, self.colors["output"]))
                text = self.moving(label(_centre(box), out_text[o], self.out_pt, self.out_ink))
                self.outs.append((patch, text))
            self.equation = self.moving(
                axes.text(width_px / 2, self.eq_y, "", ha="center", va="center_baseline",
                          fontsize=self.eq_pt, color=theme.text)
            )
            self._in_text = in_text
            self._w_text = w_text

    # -- geometry ---------------------------------------------------------------

    def cell_box(self, row: str, index: int) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) in pixels of cell ``index`` of ``row``.

        ``row`` is ``'input'`` or ``'kernel'`` (``index`` a grid cell) or
        ``'output'`` (``index`` an output position: centred under the kernel
        footprint that writes it; in a causal convolution under its newest
        input, o_n under a_n, as WaveNet's figure draws it).
        """
        c = self.cell
        top = self.rows_y[row]
        if row == "output":
            first, last = self.steps[index].footprint[0]
            if is_causal(self.spec):
                first = last
            centre = self.x0 + (first + last + 1) / 2 * c
            return centre - c / 2, top, centre + c / 2, top + c
        left = self.x0 + index * c
        return left, top, left + c, top + c

    def _ink(self, *fills: str) -> str:
        """The theme's text or background colour, whichever reads better on all of ``fills``.

        One ink per row (plain and shaded fills alike), so a label keeps its
        colour when the kernel passes over it.
        """
        t = self.theme
        inks = (t.text, t.background)
        return max(inks, key=lambda ink: min(_contrast(f, ink) for f in fills))

    # -- frames -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.steps)

    def describe(self) -> str:
        kind = (
            "1-D convolution (kernel reversed, as in mathematics)"
            if self.flip
            else "1-D cross-correlation (what deep-learning layers compute)"
        )
        return f"{kind}: {alt_text(self.spec)}"

    def update(self, k: int) -> None:
        step = self.steps[k]
        for tap, (patch, text), (kpatch, ktext) in zip(step.taps, self.under, self.kernel, strict=True):
            cell = tap.cell[0]
            box = self.cell_box("input", cell)
            _place(patch, box)
            kind = self.kinds[cell]
            if kind == "input":
                patch.set_facecolor(self.colors["input_under"])
                patch.set_linestyle("solid")
                text.set_text(self._in_text[self.sources[cell]])
            else:
                patch.set_facecolor(self.colors["padding_under"])
                patch.set_linestyle(_DASHES)
                text.set_text("")
            text.set_position(_centre(box))
            kbox = self.cell_box("kernel", cell)
            _place(kpatch, kbox)
            ktext.set_text(self._w_text[kernel_index(self.spec, tap.kernel[0], self.flip)])
            ktext.set_position(_centre(kbox))
        first, last = step.footprint[0]
        left = self.cell_box("kernel", first)
        right = self.cell_box("kernel", last)
        obox = self.cell_box("output", k)
        self.rays[0].set_data([left[0], obox[0]], [left[3], obox[1]])
        self.rays[1].set_data([right[2], obox[2]], [right[3], obox[1]])
        for o, (patch, text) in enumerate(self.outs):
            patch.set_visible(o <= k)
            text.set_visible(o <= k)
            patch.set_facecolor(self.colors["output_current"] if o == k else self.colors["output"])
        self.equation.set_text(self.terms[k])


def _prop(size: float):
    from matplotlib.font_manager import FontProperties

    return FontProperties(family="DejaVu Sans", size=size)


def _centre(box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _place(patch: Rectangle, box) -> None:
    patch.set_xy((box[0], box[1]))
    patch.set_width(box[2] - box[0])
    patch.set_height(box[3] - box[1])
