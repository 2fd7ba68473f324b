"""Text on a figure: measured, coloured for contrast, and drawn as glyph outlines (`Label`).

Shared by the values, matrix, scatter and pool views: `text_extent` and `fit_size` measure without a
figure, `ink` picks the readable text colour on a face, `text_path` caches each string's outline.
"""

from __future__ import annotations

import re

import matplotlib
import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from ..themes import Theme, blend, hex_to_rgb

__all__ = ["text_extent", "fit_size", "contrast", "ink", "muted", "kernel_shade", "wrap_terms",
           "text_path", "Label"]


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


def wrap_words(text: str, width_px: float, size_pt: float, dpi: float) -> str:
    """``text`` with greedy line breaks between words to fit ``width_px``; a ``$...$`` part is not split."""
    to_px = dpi / 72
    words = re.findall(r"(?:\$[^$]*\$|[^\s$])+", text)
    lines: list[str] = []
    for word in words:
        if lines and text_extent(f"{lines[-1]} {word}", size_pt)[0] * to_px <= width_px:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return text if len(lines) < 2 or text_extent(text, size_pt)[0] * to_px <= width_px else "\n".join(lines)


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

    def __init__(self, board, x, y, text, size, color, ha="center", va="center", z=3.0):  # board: a `Board`
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
