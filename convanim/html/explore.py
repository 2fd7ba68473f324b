"""The explorer: one self-contained page whose controls change a layer's parameters and redraw it live.

The page is package data (``explorer.html``, ``explore.js``, ``explore_ui.js``,
``explorer.css``, and the player's files) fed plain JSON: the theme's colours,
the controls' starting values and bounds. Its arithmetic is `convanim.spec`,
`convanim.pool` and `convanim.schedule` ported to JavaScript;
tests/test_explore.py compares the two, cell by cell, in Chromium.

>>> page = explorer_page()
>>> page.count("<script"), "https://" in page
(2, False)
"""

from __future__ import annotations

import html
import re

from ..themes import get_theme
from . import _asset, _json, code_block, player_script
from .hints import hint

__all__ = ["explorer_data", "explorer_page", "write_explorer"]

#: The controls' upper bounds (each also >= 0): small enough that every config renders within the limits.
BOUNDS = {"input": 16, "kernel": 7, "stride": 5, "dilation": 4, "output_padding": 4, "pad": 6}
#: The controls' starting values, per axis (height, width): the classic padding-strides config.
START = {"input": [5, 5], "kernel": [3, 3], "stride": [2, 2], "dilation": [1, 1], "output_padding": [0, 0],
         "pad": [1, 1]}


def explorer_data(theme="classic") -> dict:
    """The JSON the explorer's script is fed."""
    theme = get_theme(theme)
    colours = {name: getattr(theme, name) for name in
               ("background", "input", "output", "line", "padding", "unread", "text", "accent")}
    colours.update({f"over_{name}": theme.over(getattr(theme, name)) for name in
                    ("input", "output", "padding", "unread")})
    return {"theme": colours, "max": BOUNDS, "start": START, "durationMs": 1000, "maxSteps": 400}


def explorer_page(theme="classic") -> str:
    """The explorer as one HTML string (nothing fetched: it works from ``file://`` and offline)."""
    data = explorer_data(theme)
    player = _asset("player.html")
    inner = player[player.index("<template>") + len("<template>"):player.index("</template>")]
    inner = re.sub(r"<style>.*?</style>\n?", "", inner, flags=re.S)
    filled = {"last": "0", "steps": "0", "code": code_block(""), "hint": html.escape(hint({"view": "grid"}))}
    inner = re.sub(r"\{\{(\w+)\}\}", lambda m: filled.get(m.group(1), ""), inner)
    fields = {
        "vars": html.escape(";".join(f"--{name.replace('_', '-')}:{value}" for name, value in data["theme"].items())),
        "css": _asset("player.css") + _asset("explorer.css"),
        "player": inner,
        "data": _json(data),
        "script": player_script("explore.js", "explore_ui.js", "explore_boot.js"),
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: fields[m.group(1)], _asset("explorer.html"))


def write_explorer(path, theme="classic") -> None:
    """Write the explorer to ``path``, atomically."""
    from ..encode import atomic_output

    with atomic_output(path) as fh:
        fh.write(explorer_page(theme).encode("utf-8"))
