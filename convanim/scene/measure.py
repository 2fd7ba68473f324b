"""Sizes of a figure: the text it shows (`text_sizes`), and the cells that fit it to a width (`fit_width`)."""

from __future__ import annotations

import functools
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .mpl import MATPLOTLIB_LOCK, style

__all__ = ["text_sizes", "MIN_TEXT_PX", "SCRIPT", "fit_width", "check_width", "DEFAULT_MAX_WIDTH",
           "DEFAULT_MAX_HEIGHT", "WIDTH_RANGE"]


#: Without ``width`` (or ``cell_px``), a frame wider than this gets smaller cells (a page shows no more).
DEFAULT_MAX_WIDTH = 960
#: ... and so does a frame taller than this (a screen shows no more of a page at once; issue 18).
DEFAULT_MAX_HEIGHT = 800
#: Narrowest and widest ``width`` accepted, in pixels.
WIDTH_RANGE = (120, 8000)
_CELL_RANGE = (8, 400)  # `animate`'s cell_px


def check_width(width) -> None:
    """ValueError unless ``width`` is a whole number of pixels in `WIDTH_RANGE`."""
    lo, hi = WIDTH_RANGE
    if not isinstance(width, int) or isinstance(width, bool) or not lo <= width <= hi:
        raise ValueError(f"width must be an integer from {lo} to {hi} (pixels), got {width!r}")


def fit_width(scene, build, width: int | None, cell_px: int | None):
    """(scene, cell_px): the scene rebuilt with the largest cells whose frame is at most ``width`` wide.

    ``build(cell_px)`` makes the scene; ``scene`` is the one built with
    ``cell_px`` already. Without ``width``, a frame wider than
    `DEFAULT_MAX_WIDTH` or taller than `DEFAULT_MAX_HEIGHT` is fitted to them
    (unless ``cell_px`` was given): a page shows it whole, and a large input's
    hundreds of frames are not drawn and encoded at sizes no one sees. Text
    keeps its size (each view's fonts have a floor): only cells and gaps shrink,
    and a view writes fewer, bigger items where its text no longer fits.
    """
    if width is None:
        if cell_px is not None or (scene.size[0] <= DEFAULT_MAX_WIDTH and scene.size[1] <= DEFAULT_MAX_HEIGHT):
            return scene, cell_px
        target, tallest = DEFAULT_MAX_WIDTH, DEFAULT_MAX_HEIGHT
    else:
        if cell_px is not None:
            raise ValueError(f"give width or cell_px, not both (got width={width}, cell_px={cell_px})")
        target, tallest = width, math.inf
    widths: dict[int, int] = {}
    heights: dict[int, int] = {}
    best = {}

    def fits(c: int) -> bool:
        if c not in widths:
            try:
                built = build(c)
            except ValueError:  # cells too small for this view (it sets its own least size)
                widths[c] = heights[c] = math.inf
                return False
            widths[c], heights[c] = built.size
            if widths[c] <= target and heights[c] <= tallest and (not best or c > best["c"]):
                best.update(c=c, scene=built)
        return widths[c] <= target and heights[c] <= tallest

    lo, hi = _CELL_RANGE
    lo = next((c for c in (8, 12, 16, 20, 24, 32, 48, 64) if fits(c) or widths[c] < math.inf), 64)
    if not fits(lo):
        if width is None:  # the default frame: as small as it gets
            return best.get("scene") or build(lo), lo
        least = "a wider frame" if widths[lo] == math.inf else f"{widths[lo]} px"
        raise ValueError(f"width must be at least {least} for this figure (its smallest cells, "
                         f"{lo} px, and its text), got {width}")
    # A first guess from two sizes (the frame grows about linearly with the cells), then bisection.
    probe = min(hi, max(lo + 1, 2 * lo))
    fits(probe)
    slope = (widths[probe] - widths[lo]) / (probe - lo)
    guess = lo if slope <= 0 else int(lo + (target - widths[lo]) / slope)
    slope = (heights[probe] - heights[lo]) / (probe - lo)
    if tallest < math.inf and 0 < slope < math.inf:
        guess = min(guess, int(lo + (tallest - heights[lo]) / slope))
    guess = min(hi, max(lo, guess))
    if fits(guess):
        lo = guess
        if guess < hi and not fits(guess + 1):
            hi = guess
    else:
        hi = guess - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return best["scene"], best["c"]


#: The smallest text, in pixels of the font's em, a figure may show where it is shown (issue 18).
MIN_TEXT_PX = 11
#: Sub- and superscripts are drawn at about this fraction of their text's size.
SCRIPT = 0.7

_SCRIPTS = set("₀₁₂₃₄₅₆₇₈₉₊₋ₙₘᵢⱼₖₒₚₛₜ⁰¹²³⁴⁵⁶⁷⁸⁹")


@functools.cache
def _measured_line_ratio() -> float:
    with style():
        fig = Figure(figsize=(4, 1), dpi=100)
        canvas = FigureCanvasAgg(fig)
        text = fig.text(0, 0, "Ag", fontsize=72)  # 100 px em
        return text.get_window_extent(canvas.get_renderer()).height / 100.0


def _scripted(text: str) -> bool:
    """Whether ``text`` has sub- or superscripts (drawn at about 0.7 of its size)."""
    if any(ch in _SCRIPTS for ch in text):
        return True
    return text.count("$") >= 2 and ("_" in text or "^" in text)


def text_sizes(scene, k: int = 0) -> list[tuple[str, float]]:
    """(text, em size in frame pixels) of every text frame ``k`` of ``scene`` shows.

    Measured from the drawing: a matplotlib text's window extent per line
    (over the font's line height, so the result is the em), and the glyph
    texts scenes draw as outlines (registered with `Scene.glyph_text`) at
    their size. Sub- and superscripts count at 0.7 of their text's size.
    """
    from matplotlib.text import Text

    with MATPLOTLIB_LOCK:
        k = scene._check(k)
        scene.update(k)
        renderer = scene.fig.canvas.get_renderer()
        ratio = _measured_line_ratio()
        out = []
        for t in scene.fig.findobj(Text):
            text = t.get_text()
            if not text.strip() or not t.get_visible() or not _shown(t):
                continue
            box = t.get_window_extent(renderer)
            lines = text.count("\n") + 1
            tall = box.width if 45 <= (t.get_rotation() % 180) <= 135 else box.height
            if "$" in text:  # mathtext: its extent is the ink, about the em
                em = tall / lines
            else:
                em = tall / lines / ratio
            out.append((text, em * (SCRIPT if _scripted(text) else 1.0)))
        for item in getattr(scene, "_glyph_texts", []):
            if callable(item):  # a live label: (text, px) now, or None while hidden
                item = item()
                if item is None or not item[0].strip():
                    continue
            text, px = item
            out.append((text, px * (SCRIPT if _scripted(text) else 1.0)))
    for part, step in getattr(scene, "part_frames", lambda k: ())(k):  # two layers in one figure
        out += text_sizes(part, step)
    return out


def _shown(artist) -> bool:
    """Whether ``artist`` and every artist holding it are visible."""
    while artist is not None:
        if not artist.get_visible():
            return False
        artist = getattr(artist, "axes", None) if artist is not getattr(artist, "axes", None) else None
    return True
