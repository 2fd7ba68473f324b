"""The index pages of a folder of animations: ``README.md`` (a table GitHub renders) and ``index.html``.

`convanim gallery` and `convanim network` write them; each page's first line
names the command that wrote it. Text from the user (titles, descriptions)
is HTML-escaped in both pages, as Markdown passes HTML through.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Entry", "PAGES", "FRAMES_NOTE", "marker", "rendered_by", "write_pages", "markdown_text", "card_px",
           "card_span", "CARD_WINDOW_PX"]

#: What a frame of a gallery animation is, as the pages say it.
FRAMES_NOTE = "one frame per step: a kernel position, or an input cell in the scatter views"
PAGES = ("README.md", "index.html")


# The index page's grid of cards (its CSS is written from these): columns at least _COLUMN_PX wide,
# _GAP_PX apart, inside the body's margins; a card has padding and a border inside its column(s).
_MARGIN_PX, _COLUMN_PX, _GAP_PX, _PAD_PX, _BORDER_PX = 32, 320, 24, 16, 1
_MAX_SPAN = 3
#: The window width the cards are sized for: a laptop screen, where the grid has three columns.
CARD_WINDOW_PX = 1280
_SCROLLBAR_PX = 20  # a window this much narrower still has the columns a card's span needs


def _columns(window: int) -> tuple[int, float]:
    """(columns, column width in px) of the index grid in a window ``window`` px wide (wider than a phone)."""
    main = window - 2 * _MARGIN_PX
    n = max(1, (main + _GAP_PX) // (_COLUMN_PX + _GAP_PX))
    return n, (main - _GAP_PX * (n - 1)) / n


def card_px(span: int = 1, window: int = CARD_WINDOW_PX) -> int:
    """The content width of a card spanning ``span`` columns of the index page in a ``window`` px window.

    What a figure in that card is shown at, at most (it is never enlarged):
    355 px for one column at 1280 px, 768 for two, 1182 for three.
    """
    n, column = _columns(window)
    span = min(span, n)
    return int(span * column + (span - 1) * _GAP_PX - 2 * (_PAD_PX + _BORDER_PX))


def card_span(width: int) -> int:
    """How many columns the card of a figure ``width`` px wide spans: the fewest that show it at its size.

    One for a figure laid out for a card (e.g. ``width = 355`` in a gallery
    file); at most three (a wider figure is shrunk to fit). Narrower windows
    have fewer columns: a card then spans what there is (on a phone, one).
    """
    return next((s for s in range(1, _MAX_SPAN + 1) if card_px(s) >= width), _MAX_SPAN)


def _span_css() -> str:
    """CSS rules giving ``figure.span2`` and ``figure.span3`` cards their columns where the window has them."""
    rules = []
    for columns in range(2, _MAX_SPAN + 1):
        window = 2 * _MARGIN_PX + columns * _COLUMN_PX + (columns - 1) * _GAP_PX + _SCROLLBAR_PX
        spans = ", ".join(f"figure.span{s}" for s in range(columns, _MAX_SPAN + 1))
        rules.append(f"@media (min-width: {window}px) {{ {spans} {{ grid-column: span {columns}; }} }}")
    return "\n".join(rules)


@dataclass(frozen=True)
class Entry:
    """One animation on the pages: its name (the HTML anchor), file and description."""

    name: str
    file: str
    description: str = ""


def marker(command: str) -> str:
    """The first line of the pages ``convanim COMMAND`` writes (a comment, for people reading the source)."""
    return f"<!-- written by convanim {command}: it rewrites this page -->"


def markdown_text(text: str) -> str:
    """``text`` safe inside a Markdown table cell or heading: HTML escaped, ``|`` escaped, one line."""
    return re.sub(r"\s*[\r\n]+\s*", " ", html.escape(text, quote=False)).replace("|", "\\|")


def rendered_by() -> str:
    """``convanim 0.2.0 (matplotlib 3.11.2, Pillow 13.0.0, numpy 2.4.6)``: what the bytes depend on.

    The same config and these versions give byte-identical files; another
    matplotlib may anti-alias differently.
    """
    from importlib.metadata import version

    from .version import __version__

    deps = ", ".join(f"{name} {version(name)}" for name in ("matplotlib", "Pillow", "numpy"))
    return f"convanim {__version__} ({deps})"


def write_pages(directory: Path, title: str, cases: list, infos: list[dict], intro: str = "",
                command: str = "gallery", links=(), lead: str = "") -> None:
    """``README.md`` (a table GitHub renders) and ``index.html`` (self-contained) in ``directory``.

    ``cases`` have a ``name``, ``file`` and ``description`` (an `Entry`, or a
    gallery's `Case`); ``lead`` (a paragraph, e.g. a network's description) and
    ``intro`` (preformatted text, e.g. a network's summary) go above the table;
    ``command`` is named on the pages' first line; ``links`` are (file, text) pairs
    listed under the first paragraph (e.g. a network's interactive page).
    """
    from .encode import atomic_output

    fence = "```" + "`" * max((len(run) - 2 for run in re.findall("`{3,}", intro)), default=0)
    md = [
        marker(command),
        f"# {markdown_text(title)}",
        "",
        f"Rendered by {rendered_by()}. Each file loops forever; {FRAMES_NOTE}.",
        "",
        *([markdown_text(lead), ""] if lead else []),
        *[f"- [{markdown_text(text)}]({href})" for href, text in links],
        *([""] if links else []),
        *([f"{fence}\n{intro}\n{fence}", ""] if intro else []),
        "| animation | name | parameters | output size |",
        "|:---:|---|---|---|",
    ]
    for case, info in zip(cases, infos):
        alt = info["alt"].replace("|", "\\|").replace("[", "(").replace("]", ")")
        formula = f"`{info['formula']}`" if info["formula"] else ""
        text = f"<br>{markdown_text(case.description)}" if case.description else ""
        md.append(
            f"| ![{alt}]({case.file}) | `{case.file}`{text} | {info['params']} | {formula} |"
        )
    md.append("")
    with atomic_output(directory / "README.md") as fh:
        fh.write("\n".join(md).encode("utf-8"))

    cards = []
    for case, info in zip(cases, infos):
        w, h = info["size"]
        code = f"<pre><code>{html.escape(info['pytorch'])}</code></pre>" if info["pytorch"] else ""
        desc = f"<p>{html.escape(case.description)}</p>" if case.description else ""
        image = f'<img src="{html.escape(case.file)}" width="{w}" height="{h}" alt="{html.escape(info["alt"])}">'
        page = html.escape(info.get("page", ""))
        if page:  # the GIF opens the interactive player; a page alone is a link
            image = f'<a class="play" href="{page}">{image if page != html.escape(case.file) else "Open the page"}</a>'
            desc += f'<p><a href="{page}">Step through it: the interactive player</a></p>'
        span = card_span(w)
        wide = f' class="span{span}"' if span > 1 else ""
        cards.append(
            f"""<figure id="{html.escape(case.name)}"{wide}>
  {image}
  <figcaption><strong>{html.escape(case.file)}</strong> ({html.escape(info['params'])})
  {desc}<p class="formula">{html.escape(info['formula'])}</p>{code}</figcaption>
</figure>"""
        )
    link_html = "".join(f'<p><a href="{html.escape(href)}">{html.escape(text)}</a></p>\n' for href, text in links)
    lead_html = f"<p>{html.escape(lead)}</p>\n" if lead else ""
    page = f"""<!DOCTYPE html>
{marker(command)}
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: {_MARGIN_PX}px; color: #073642; background: #fdfdfd; }}
body {{ overflow-wrap: anywhere; }}
main {{ display: grid; gap: {_GAP_PX}px;
       grid-template-columns: repeat(auto-fill, minmax(min({_COLUMN_PX}px, 100%), 1fr)); }}
figure {{ margin: 0; padding: {_PAD_PX}px; border: {_BORDER_PX}px solid #ddd; border-radius: 6px; background: #fff;
         min-width: 0; }}
@media (max-width: 600px) {{ body {{ margin: 1rem .75rem; }} figure {{ padding: .75rem; }} }}
img {{ max-width: 100%; height: auto; }}
.formula {{ font-family: ui-monospace, monospace; font-size: 0.9rem; }}
{_span_css()}
a.play {{ display: block; }}
a.play:hover img, a.play:focus img {{ outline: 3px solid #268bd2; }}
pre {{ background: #f4f4f4; padding: 0.5rem; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.8rem; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>Rendered by {html.escape(rendered_by())}. Each animation loops; {FRAMES_NOTE}.</p>
{lead_html}{link_html}{f"<pre>{html.escape(intro)}</pre>" if intro else ""}<main>
{chr(10).join(cards)}
</main>
</body>
</html>
"""
    with atomic_output(directory / "index.html") as fh:
        fh.write(page.encode("utf-8"))
