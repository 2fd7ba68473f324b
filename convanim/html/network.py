"""A network's interactive page: its summary table and every node's grid, where a cell lights what it reads.

``network.html`` is one self-contained file (``network.html``, ``network.css``
and ``network.js`` shipped beside this module, fed plain JSON). The JSON holds,
per node, its grid's spatial shape and, per axis, the table of which of its
input's cells each of its cells reads (`convanim.fields.axis_relation`: a
layer's taps are the product of its per-axis windows; a join or a pass-through
layer reads each cell itself). The script composes those tables back through
the graph, from a hovered or focused cell to every earlier node and the
input: the same walk as `convanim.fields.node_counts`, whose masks
tests/test_network_page.py compares it with. The element answers, without a
global name: ``element.litCells()`` (per node, the cells lit now),
``element.field(node, row, column)`` and ``element.chosen()``.

>>> from convanim.graph import Network
>>> data = network_data(Network(5, ["nn.Conv1d(1, 1, 3)"]))
>>> [node["shape"] for node in data["nodes"]], data["nodes"][1]["axes"], data["tables"]
([[1, 5], [1, 3]], [-1, 0], [{'ap': [0, 1, 3, 1, 1, 3, 2, 1, 3]}])
>>> reads(data["tables"][0], 2)
[2, 3, 4]
"""

from __future__ import annotations

import html
import math
import re

import numpy as np

from ..fields import axis_relation, path_recurrences
from ..fields import output_index as _output_index
from ..graphspec import JoinSpec, PassSpec
from ..numtext import size_text, table_number
from ..themes import blend, get_theme
from . import _asset, _compact, _json
from .scatter import theme_colours

__all__ = ["NETWORK_PAGE", "MAX_PAGE_CELLS", "check_network", "network_data", "network_fragment", "network_page",
           "write_network_page", "compose", "reads"]

#: The file `convanim.netpages.write_network` writes the page to.
NETWORK_PAGE = "network.html"
#: The most cells the page holds over all its grids (the input and every node): its script keeps a mask of each.
MAX_PAGE_CELLS = 4_000_000


def check_network(network) -> None:
    """ValueError unless the page can draw ``network``: 1-D or 2-D, at most `MAX_PAGE_CELLS` cells over its grids."""
    if network.ndim not in (1, 2):
        raise ValueError(f"the network page draws 1-D and 2-D networks, got {network.ndim} axes")
    cells = sum(math.prod(shape[1:]) for shape in network.shapes)
    if cells > MAX_PAGE_CELLS:
        raise ValueError(f"the network page draws at most {MAX_PAGE_CELLS:,} cells over its grids, got {cells:,}")


def _axes(values) -> str:
    """``'7×7'``, ``'7'`` (1-D); ``'—'`` for None."""
    if values is None:
        return "—"
    return "×".join(values)


def _field(size, size_min) -> str:
    """``'5×5'``; ``'1×1 to 5×5'`` where paths of different fields meet; ``'—'`` where it varies from cell to cell."""
    if size is None:
        return "—"
    largest = _axes([table_number(v) for v in size])
    if size_min is None or list(size_min) == list(size):
        return largest
    return f"{_axes([table_number(v) for v in size_min])} to {largest}"


def _table(rel: np.ndarray) -> dict:
    """Per output cell, the input cells it reads: ``{"ap": [first, step, count, ...]}`` (three numbers a cell) when
    each cell reads an arithmetic progression, as a layer's window does (its dilation the step; padding, inserted
    zeros and uneven adaptive windows only shorten it), else ``{"lists": [[cells], ...]}``."""
    lists = [np.flatnonzero(rel[:, o]).tolist() for o in range(rel.shape[1])]
    flat = []
    for cells in lists:
        step = cells[1] - cells[0] if len(cells) > 1 else 1
        if cells and cells != list(range(cells[0], cells[0] + step * len(cells), step)):
            return {"lists": lists}
        flat += [cells[0] if cells else 0, step, len(cells)]
    return {"ap": flat}


def reads(table: dict, o: int) -> list[int]:
    """The input cells output cell ``o`` reads, from a table of `network_data`."""
    if "lists" in table:
        return table["lists"][o]
    first, step, n = table["ap"][3 * o:3 * o + 3]
    return [first + k * step for k in range(n)]


def network_data(network, output_index=None, *, theme="classic", title: str = "Network") -> dict:
    """Everything the page's script reads, as plain JSON-able values.

    ``nodes[0]`` is the input. Every node has ``shape`` (rows, columns: a 1-D
    grid is one row) and ``axes``: per axis, an index into ``tables`` or -1
    where the node reads each cell itself (a join, a pass-through layer, the
    added row axis of a 1-D grid). ``reads(tables[t], o)`` lists the cells of
    the node's inputs that its cell ``o`` reads along that axis; a node reads
    the product of its axes' lists, in each of its ``inputs``.
    """
    check_network(network)
    cell = _output_index(network, output_index)
    stats = path_recurrences(network)
    tables: list = []
    known: dict = {}

    def table(rel) -> int:
        key = (rel.shape, rel.astype(bool).tobytes())
        if key not in known:
            known[key] = len(tables)
            tables.append(_table(rel))
        return known[key]

    def grid(shape) -> list[int]:
        spatial = list(shape[1:])
        return [1, *spatial] if len(spatial) == 1 else spatial

    nodes = [{"name": "input", "call": "", "shape": grid(network.shapes[0]), "inputs": [], "axes": [-1, -1],
              "size": size_text(network.shapes[0]), "rf": "1", "jump": "1", "params": "", "macs": ""}]
    for node, shape, st in zip(network.nodes, network.shapes[1:], stats[1:]):
        if isinstance(node.spec, (PassSpec, JoinSpec)):
            axes = [-1] * network.ndim
        else:
            axes = [table(axis_relation(node.spec, a)) for a in range(network.ndim)]
        nodes.append({
            "name": node.name,
            "call": node.text,
            "shape": grid(shape),
            "inputs": list(node.inputs),
            "axes": [-1, *axes] if network.ndim == 1 else axes,
            "size": size_text(shape),
            "rf": _field(st["size"], st["size_min"]),
            "jump": _axes([table_number(v) for v in st["jump"]]),
            "params": f"{node.parameters:,}",
            "macs": f"{int(getattr(node.spec, 'macs', 0)):,}",
            "pass": isinstance(node.spec, PassSpec),
        })
    colours = theme_colours(theme)
    t = get_theme(theme)
    colours.update({"cell": blend(t.background, t.input, 0.35), "lit": t.accent, "here": t.line})
    return {
        "title": title,
        "ndim": network.ndim,
        "chain": network.is_chain,
        "nodes": nodes,
        "tables": tables,
        "total": {"params": f"{sum(node.parameters for node in network.nodes):,}",
                  "macs": f"{sum(int(getattr(node.spec, 'macs', 0)) for node in network.nodes):,}"},
        "cell": [0, *cell] if network.ndim == 1 else list(cell),
        "theme": colours,
    }


def compose(data: dict, node: int, cell) -> list[set]:
    """The cells (row, column) of every node that cell ``cell`` of node ``node`` reads, from ``data`` alone.

    What the page's script does on a hover, in Python: each node's lit cells
    map back through its tables to each of its inputs. Tests compare it with
    `convanim.fields.receptive_fields`.
    """
    nodes, tables = data["nodes"], data["tables"]
    lit = [set() for _ in nodes]
    lit[node].add(tuple(cell))
    for n in range(node, 0, -1):
        if not lit[n]:
            continue
        rows_t, cols_t = (None if a < 0 else tables[a] for a in nodes[n]["axes"])
        read = {(i, j) for r, c in lit[n]
                for i in (reads(rows_t, r) if rows_t else [r]) for j in (reads(cols_t, c) if cols_t else [c])}
        for i in nodes[n]["inputs"]:
            lit[i] |= read
    return lit


def network_fragment(data: dict) -> str:
    """The page's element alone: a ``<convanim-network>`` element and its script (styles and ids in its shadow
    root, names in a closure), to paste into any HTML page."""
    theme = data["theme"]
    chain = data["chain"]  # a stack: its layers are numbered, so the number is the name
    head = ["layer"] if chain else ["#", "name"]
    head += ["PyTorch call", "output size", "receptive field", "jump", "params", "MACs"]
    rows = []
    for n, node in enumerate(data["nodes"]):
        name = html.escape(node["name"] if not chain or n == 0 else str(n))
        show = (f'<td><button type="button" class="show" data-node="{n}" aria-label="Show {name}">{name}</button></td>')
        rows.append(
            f'<tr data-node="{n}">{show if chain else f"<td>{n if n else str()}</td>{show}"}'
            f'<td><code>{html.escape(node["call"])}</code></td><td>{html.escape(node["size"])}</td>'
            f'<td>{html.escape(node["rf"])}</td><td>{html.escape(node["jump"])}</td>'
            f'<td class="num">{node["params"]}</td><td class="num">{node["macs"]}</td></tr>')
    total = f'{"" if chain else "<td></td>"}<th scope="row">total</th>{"<td></td>" * 4}' \
            f'<td class="num">{data["total"]["params"]}</td><td class="num">{data["total"]["macs"]}</td>'
    fields = {
        "vars": html.escape(";".join(f"--{name.replace('_', '-')}:{value}" for name, value in theme.items())),
        "title": html.escape(data["title"]),
        "css": _asset("network.css"),
        "head": "".join(f'<th scope="col">{h}</th>' for h in head),
        "rows": "\n".join(rows),
        "total": total,
        "notes": '<p class="hint">receptive field —: it varies from cell to cell (after a transposed layer or '
                 'adaptive pooling of uneven windows); hover a cell to see its own.</p>'
                 if any(node["rf"] == "—" for node in data["nodes"]) else "",
        "toggle": '<p><label><input type="checkbox" class="passes" checked> Draw the pass-through layers '
                  '(activations, BatchNorm, Dropout: each of their cells reads the same cell before)</label></p>'
                  if any(node.get("pass") for node in data["nodes"]) else "",
        "data": _json(data),
    }
    element = re.sub(r"\{\{(\w+)\}\}", lambda m: fields[m.group(1)], _asset("network.html"))
    script = _compact(_asset("network.js"))
    return f'{element}<script>\n(function () {{\n"use strict";\n{script}}})();\n</script>\n'


def network_page(network, output_index=None, *, theme="classic", title: str = "Network") -> str:
    """The page as one HTML string: nothing is fetched, so it works from ``file://`` and offline."""
    data = network_data(network, output_index, theme=theme, title=title)
    about = f"{title}: the receptive field of any cell of any layer, through every earlier layer to the input"
    fields = {"title": html.escape(title), "alt": html.escape(about), "credit": "",
              "player": network_fragment(data)}
    return re.sub(r"\{\{(\w+)\}\}", lambda m: fields[m.group(1)], _asset("page.html"))


def write_network_page(path, network, output_index=None, *, theme="classic", title: str = "Network") -> None:
    """Write `network_page` to ``path``, atomically."""
    from ..encode import atomic_output

    text = network_page(network, output_index, theme=theme, title=title)
    with atomic_output(path) as fh:
        fh.write(text.encode("utf-8"))
