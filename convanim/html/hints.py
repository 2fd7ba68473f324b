"""The player's hint under the code: what hovering a cell shows, worded for the page's view.

A page's JSON carries its ``hint`` (`convanim.html.render_fragment` adds it where the builder left none), and the
template writes it: a pooling speaks of windows and winners, the scatter view of the cells an input cell adds
into, the continuous view of no cells at all.

>>> hint({"view": "grid", "pool": "max"}).split(": ")[1].split(",")[0]
'an output cell shows its pooling window and the winner outlined'
>>> hint({"view": "continuous"}).startswith("Step through t")
True
"""

from __future__ import annotations

__all__ = ["hint", "KEYS"]

KEYS = "Keys: Space plays, arrows step, Home and End jump."
_HOVER = "Hover, focus or click a cell: "


def _cells(data: dict) -> str:
    """What hovering does in ``data``'s drawing (one sentence without its keys)."""
    view = data.get("view")
    if view == "continuous":
        return ("Step through t: g(t − τ) slides over f(τ), the shaded overlap's area is (f⋆g)(t), traced below; "
                "the drawing has no cells to hover.")
    if data.get("pool") == "max":
        return (_HOVER + "an output cell shows its pooling window and the winner outlined, an input cell the "
                "windows holding it and the outputs it wins.")
    if data.get("pool"):
        return (_HOVER + "an output cell shows its pooling window (the cells averaged), an input cell the windows "
                "holding it.")
    if view == "overlap":
        return (_HOVER + "a scattered cell shows the input cells adding into it (their count is written in it) "
                "and the kernel taps they add through, an input cell the scattered cells it adds into.")
    if view in ("scatter", "both"):
        return (_HOVER + "an input cell shows the scattered cells it adds into, times the whole kernel; a scattered "
                "cell the input cells adding into it and through which kernel taps"
                + ("; below, an output cell of the zero insertion shows its window." if view == "both" else "."))
    if data.get("layout") == "layer":
        return (_HOVER + "an output cell shows the input slices of its group and the filter slices it reads, an "
                "input cell the output cells of its group reading it.")
    if data.get("layout") == "depth":
        return (_HOVER + "an output cell shows the input cells it reads in every depth slice its kernel covers "
                "and the kernel taps, an input cell the output cells it feeds, in their own depth slices.")
    if data.get("product"):
        return (_HOVER + "an output cell shows the input cells and kernel taps it reads and its row of C, an input "
                "cell the output cells it feeds and its column of C.")
    return (_HOVER + "an output cell shows the input cells and kernel taps it reads, an input cell the output cells "
            "it feeds.")


def hint(data: dict) -> str:
    """The hint for ``data`` (a page's JSON): what hovering shows in its view, then the keys."""
    return f"{_cells(data)} {KEYS}"
