"""Interactive pages: one self-contained HTML file per animation.

The page is a template, a stylesheet and a script shipped beside this module
(``player.html``, ``player.css``, ``player.js``); this module only turns a spec
into plain data (grid shapes, cell kinds, the schedule's taps, the texts and
the theme's colours), inlines it as JSON and fills the template. The script
draws the grids as SVG from that data: nothing is fetched, so the page works
from ``file://`` and offline.

>>> from convanim import ConvSpec
>>> data = page_data(ConvSpec(5, 3, stride=2, padding=1))
>>> data["grid"], data["out"], len(data["steps"])
([7, 7], [3, 3], 9)
>>> data["steps"][0][:2], data["kinds"][:8]
([0, [0, 0, 1, 1, 2, 2, 3, 7, 4, 8, 5, 9, 6, 14, 7, 15, 8, 16]], 'pppppppp')
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources

from ..explanation import alt_text, caption, input_label, output_label, pytorch_layer
from ..numtext import cell_number
from ..pool_text import alt_text as pool_alt
from ..pool_text import caption as pool_caption
from ..schedule import cell_kind, cell_source, schedule, unread_cells
from ..spec import ConvSpec
from ..themes import get_theme
from .hints import hint
from .pooling import pool_fields
from .scatter import theme_colours

__all__ = ["PLAYER_VIEWS", "check_spec", "page_data", "grid_data", "render_page", "render_fragment", "player_script"]

#: What the player (``player.js``) draws, and in which layout (None: the one asked for). Which view has a
#: page is the view's declaration (`convanim.views.View.page`), which calls `page_data` with its own name;
#: `convanim.Animation.save` writes `render_page` of it.
PLAYER_VIEWS = {"grid": None, "values": "flat", "1d": "rows", "scatter": "flat", "overlap": "flat", "both": "flat"}
LAYOUTS = ("classic", "flat")


def _check_player(view: str) -> None:
    if view not in PLAYER_VIEWS:
        raise ValueError(f"--view {view} has no interactive form yet; write .gif, .webp or .pdf")


def check_spec(spec) -> None:
    """ValueError unless a page can draw ``spec``: a 1-D, 2-D or 3-D convolution (3-D: the grid view's depth slices,
    `convanim.html.depth`) or a 1-D or 2-D pooling (`convanim.pool.PoolSpec`); which views draw a layer with
    channels is their declaration's (`convanim.views.View.page_kinds`)."""
    kind = getattr(spec, "kind", None)
    if kind not in ("conv", "pool"):
        raise ValueError(f"an interactive page needs a ConvSpec or a PoolSpec, got {type(spec).__name__}")
    if spec.ndim > (3 if kind == "conv" else 2):
        drawn = "1-D and 2-D poolings" if kind == "pool" else "1-D, 2-D and 3-D convolutions"
        raise ValueError(f"an interactive page draws {drawn}, got {spec.ndim} axes")


def _flat(index, shape) -> int:
    """Row-major position of ``index`` in an array of ``shape``."""
    pos = 0
    for i, n in zip(index, shape):
        pos = pos * n + i
    return pos


def _two_d(shape) -> list[int]:
    shape = list(shape)
    return [1, shape[0]] if len(shape) == 1 else shape


def _classic_matrices(spec: ConvSpec) -> dict:
    """SVG ``matrix(a b c d e f)`` of each grid in cell units: (col, row) of a corner -> page units.

    The classic scene's slant (TikZ ``yslant=0.5, xslant=-0.7``) with y
    pointing down, the output grid raised by the input's rows + 1 and nudged
    as in the scene.
    """
    from ..scene.classic import _NUDGE, SLANT

    (a, c), (b, d) = SLANT
    rows, out_rows = _two_d(spec.grid_shape)[0], _two_d(spec.output_shape)[0]

    def matrix(n_rows, dx, lift):
        # grid point (x, y up) = (col, n_rows - row) -> (a x + c y, b x + d y), y flipped for SVG.
        return [a, -b, -c, d, c * n_rows + dx, -d * n_rows - lift]

    return {"input": matrix(rows, 0.0, 0.0), "output": matrix(out_rows, _NUDGE, rows + 1.0)}


def page_data(spec: ConvSpec, *, layout: str = "classic", view: str = "grid", theme="classic", values=None,
              durations=None, alt: str | None = None, labels: bool = True) -> dict:
    """Everything the page's script needs, as plain JSON-able values.

    Cells are numbered row-major: ``kinds[n]`` is the kind of drawn grid cell
    ``n`` (``i`` input, ``u`` input no window reads, ``p`` padding, ``z``
    inserted zero) and ``src[n]`` its input index (row-major) or -1; each step
    is ``[output cell, [kernel, grid cell, kernel, grid cell, ...]]`` from
    `convanim.schedule`, the kernel index being the weight's (PyTorch's).
    """
    _check_player(view)
    check_spec(spec)
    if getattr(spec, "multichannel", False):  # the grid view draws its slices (`convanim.html.layer`)
        raise ValueError(f"a layer with channels, groups or bias has no interactive form in the {view} view yet; "
                         "write .gif, .webp or .pdf, or use --view grid")
    if spec.ndim == 3:
        raise ValueError(f"a 3-D convolution's page is the grid view's flat layout (depth slices side by side), "
                         f"got view={view!r}, layout={layout!r}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    theme = get_theme(theme)
    data = grid_data(spec)
    steps = data.pop("scheduled")
    if spec.kind == "pool":
        formula, call, default_alt = pool_caption(spec), spec.pytorch_layer, pool_alt(spec)
    else:
        formula, call, default_alt = caption(spec), pytorch_layer(spec), None
    data.update({
        "view": view,
        "layout": PLAYER_VIEWS[view] or layout,
        "durations": list(durations) if durations is not None else [1000] * len(steps),
        "labels": [input_label(spec), output_label(spec)] if labels else None,
        "formula": formula,
        "pytorch": call,
        "alt": alt or default_alt or alt_text(spec),
        "transposed": spec.transposed,
        "values": None,
    })
    if spec.kind == "pool":
        data.update(pool_fields(spec, steps, values))
        values = None
    if values is not None:
        from ..values import convolve

        x, w = values.x, values.w
        o = convolve(spec, x, w)
        data["values"] = {
            "x": [cell_number(v) for v in x.reshape(-1)],
            "w": [cell_number(v) for v in w.reshape(-1)],
            "o": [cell_number(v) for v in o.reshape(-1)],
        }
    if data["layout"] == "classic":
        data["matrix"] = _classic_matrices(spec)
    data["theme"] = theme_colours(theme)
    return data


def grid_data(spec) -> dict:
    """The grids of any spec kind (`convanim.axes.PerAxis`) as plain values: shapes, cell kinds and sources, and
    the schedule's steps (``scheduled``: the `convanim.schedule.Step` list itself, for the caller)."""
    grid, out, kshape = spec.grid_shape, spec.output_shape, spec.kernel_size
    steps = schedule(spec)
    unread = set(unread_cells(spec))
    kinds, src = [], []
    for cell in _cells(grid):
        source = cell_source(spec, cell)
        kind = cell_kind(spec, cell)
        kinds.append("u" if source is not None and source in unread else kind[0])
        src.append(-1 if source is None else _flat(source, spec.input_size))
    return {
        "grid": _two_d(grid),
        "out": _two_d(out),
        "kernel": _two_d(kshape),
        "inputShape": list(spec.input_size),
        "kernelShape": list(kshape),
        "outShape": list(out),
        "kinds": "".join(kinds),
        "src": src,
        "steps": [
            [_flat(step.out, out), [v for tap in step.taps for v in (_flat(tap.kernel, kshape), _flat(tap.cell, grid))]]
            for step in steps
        ],
        "scheduled": steps,
    }


def _cells(shape):
    return [tuple(idx) for idx in _ndindex(shape)]


def _ndindex(shape):
    if not shape:
        yield ()
        return
    for i in range(shape[0]):
        for rest in _ndindex(shape[1:]):
            yield (i, *rest)


def _asset(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def _json(data: dict) -> str:
    """JSON safe inside a ``<script>`` element: no ``<`` at all (so no ``</script>``), no line separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def player_script(*parts: str, keep=()) -> str:
    """The player's script and ``parts`` (asset names after it), in one closure: nothing becomes a global name.

    ``keep``: the optional parts of the player this page uses (`needed_parts`): ``player_NAME.js``, spliced
    into ``mount`` where ``player.js`` says ``// @part NAME``; the others are left out.
    """
    body = "\n".join(_compact(_asset(name), keep) for name in ("player.js", *parts))
    return f'(function () {{\n"use strict";\n{body}}})();'


def needed_parts(data: dict) -> tuple[str, ...]:
    """The optional parts of the player a page's ``data`` uses: ``scatter``, ``layer``, ``matrix``."""
    parts = []
    if data.get("view") in ("scatter", "overlap", "both"):
        parts.append("scatter")
    if data.get("layout") == "layer":
        parts.append("layer")
    if data.get("product"):
        parts.append("matrix")
    if data.get("layout") == "depth":
        parts.append("depth")
    if data.get("view") == "continuous":
        parts.append("curve")
    return tuple(parts)


def _compact(script: str, keep=()) -> str:
    """``script`` without its indentation, blank lines and whole-line comments (the shipped scripts hold no
    multi-line strings), each ``// @include NAME`` line replaced by ``player_NAME.js`` and each ``// @part NAME``
    line too when NAME is in ``keep``:
    a page carries the code it runs, not its layout. Line breaks stay, so no statement changes."""
    out = []
    for line in (line.strip() for line in script.splitlines()):
        if line.startswith(("// @part ", "// @include ")):
            name = line.split()[2]
            if name in keep or line.startswith("// @include "):
                out.append(_compact(_asset(f"player_{name}.js"), keep).rstrip("\n"))
        elif line and not line.startswith("//"):
            out.append(line)
    return "\n".join(out) + "\n"


def render_fragment(data: dict, fallback: str | None = None) -> str:
    """The player alone, to paste into any HTML page: a ``<convanim-player>`` element and its script.

    Its styles and ids live in the element's shadow root and its names in a
    closure, so the host page's styles and scripts are untouched and several
    players share a page. ``fallback`` is HTML shown where scripts do not run
    (default: the description).
    """
    data = {**data, "hint": data.get("hint") or hint(data)}
    theme = data["theme"]
    style = ";".join(f"--{name.replace('_', '-')}:{value}" for name, value in theme.items())
    n = len(data.get("frames") or data["steps"])  # a layer's frames step through its channels too
    fields = {
        "alt": html.escape(data["alt"]),
        "vars": html.escape(style),
        "formula": html.escape(data["formula"]),
        "heading": html.escape(_heading(data)),
        "code": _code(data),
        "hint": html.escape(data["hint"]),
        "last": str(n - 1),
        "steps": str(n),
        "css": _asset("player.css"),
        "data": _json(data),
        "fallback": fallback if fallback is not None else f"<p>{html.escape(data['alt'])}</p>",
    }
    # One pass: text put in is never scanned again.
    player = re.sub(r"\{\{(\w+)\}\}", lambda m: fields[m.group(1)], _asset("player.html"))
    return f"{player}<script>\n{player_script('boot.js', keep=needed_parts(data))}\n</script>\n"


def _heading(data: dict) -> str:
    """The player's heading: the PyTorch call, or the title of a drawing without one (``heading``)."""
    return data.get("heading") or data["pytorch"]


def _code(data: dict) -> str:
    """The PyTorch call and its copy button; where the drawing has no layer (``pytorch`` None), ``note`` instead."""
    if not data.get("pytorch"):
        return f'<p class="note" id="note">{html.escape(data.get("note") or "")}</p>\n'
    return code_block(data["pytorch"])


def code_block(call: str) -> str:
    """The PyTorch ``call`` in a code box with its copy button (and the line that says it was copied)."""
    return (f'<div class="code"><pre><code id="code">{html.escape(call)}</code></pre>'
            '<button type="button" id="copy" aria-label="Copy the PyTorch call">Copy</button></div>\n'
            '<p id="copied" class="sr" aria-live="polite"></p>\n')


def render_page(data: dict, credit: str | None = None) -> str:
    """The page for ``data`` (from `page_data`) as one HTML string: a document holding `render_fragment`;
    ``credit`` goes in its ``<meta name="author">``."""
    fields = {
        "title": html.escape(f"{_heading(data)}: {data['alt']}"),
        "alt": html.escape(data["alt"]),
        "credit": f'\n<meta name="author" content="{html.escape(credit)}">' if credit else "",
        "player": render_fragment(data),
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: fields[m.group(1)], _asset("page.html"))

