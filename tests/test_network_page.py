"""A network's interactive page (``network.html``): its JSON against `receptive_fields`, and the page in Chromium.

The page's JSON holds per node and axis which input cells each cell reads;
`convanim.html.network.compose` walks it back as the page's script does, and
must give `convanim.fields.receptive_fields`' masks for every output cell of
the presets and of graphs with strides, dilation, transposed layers, adaptive
pooling, joins and 1-D axes. In Chromium (skipped, and counted, where Playwright
or Chromium is missing, as tests/test_html.py's browser tests are): hovering a
cell of the last layer lights exactly its receptive field in the input and
every node, the script's walk equals `compose` for every cell of every node,
the arrow keys move the cell, clicking a table row shows that layer, and at
390 px nothing scrolls sideways.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from convanim.graph import Network
from convanim.graphspec import AdaptiveSpec
from convanim.html.network import NETWORK_PAGE, check_network, compose, network_data, reads, write_network_page
from convanim.netfile import NETWORK_PRESETS, load_network
from convanim.network import receptive_fields
from tests.test_html import ARGS, CHROMIUM, _missing

GRAPHS = {
    "strided_dilated": (13, ["nn.Conv2d(1, 2, 3, stride=2, padding=1)", "nn.Conv2d(2, 2, 3, dilation=2, padding=2)",
                             "nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)"]),
    "transposed": (6, ["nn.Conv2d(1, 1, 3, stride=2, padding=1)",
                       "nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1)",
                       {"name": "sum", "join": "add", "inputs": ["input", "2"]}]),
    "adaptive": ((9, 7), ["nn.Conv2d(1, 1, (3, 1))", AdaptiveSpec((1, 1), (3, 4))]),
    "oned": (20, ["nn.Conv1d(1, 1, 3, padding=1)", "nn.Conv1d(1, 1, 3, dilation=2, padding=2)",
                  {"name": "skip", "join": "add", "inputs": ["1", "2"]}, "nn.MaxPool1d(2)",
                  "nn.ConvTranspose1d(1, 1, 3, stride=2, padding=1, output_padding=1)"]),
    "uneven": ((8, 5), ["nn.Conv2d(1, 1, (3, 2), stride=(2, 1))",
                        {"name": "b", "layer": "nn.Conv2d(1, 1, (1, 3), padding=(0, 1))", "inputs": ["1"]},
                        {"name": "c", "join": "cat", "inputs": ["1", "b"]}]),
}


LONG = ["nn.Conv1d(1, 1, 9, dilation=4)", "nn.Conv1d(1, 1, 9, stride=4)"]  # 10,000 cells: 3 to a pixel


def _graph(name):
    size, layers = GRAPHS[name]
    return Network(size, layers)


def _expected(network, cell):
    """`receptive_fields` of output cell ``cell`` as sets of (row, column), a 1-D grid being one row."""
    masks = receptive_fields(network, cell)
    out = []
    for m in masks:
        where = np.argwhere(m)
        out.append({(0, int(i[0])) for i in where} if m.ndim == 1 else {(int(r), int(c)) for r, c in where})
    return out


def _cells(shape):
    return list(itertools.product(*(range(n) for n in shape)))


@pytest.mark.parametrize("name", sorted(GRAPHS) + [p for p in NETWORK_PRESETS if p != "vgg16"])
def test_the_json_composes_to_the_receptive_field_of_every_output_cell(name):
    network = _graph(name) if name in GRAPHS else load_network(name, None)[1]
    data = network_data(network)
    last = len(data["nodes"]) - 1
    assert [node["shape"] for node in data["nodes"]] == [
        [1, *s[1:]] if len(s) == 2 else list(s[1:]) for s in network.shapes]
    for cell in _cells(network.output_shape[1:]):
        got = compose(data, last, (0, *cell) if network.ndim == 1 else cell)
        assert got == _expected(network, cell), (name, cell)


@pytest.mark.parametrize("name", ["strided_dilated", "wavenet", "three_3x3"])
def test_a_cell_of_any_layer_of_a_stack_composes_to_the_field_of_the_stack_cut_there(name):
    network = _graph(name) if name in GRAPHS else load_network(name, None)[1]
    data = network_data(network)
    for n in range(1, len(network.nodes) + 1):
        cut = Network(network.input_size, network.layers[:n])
        for cell in _cells(cut.output_shape[1:]):
            got = compose(data, n, (0, *cell) if network.ndim == 1 else cell)
            assert got[:n + 1] == _expected(cut, cell), (name, n, cell)
            assert not any(got[n + 1:]), "nothing after the chosen node is lit"


def test_the_page_is_the_same_bytes_every_time(tmp_path):
    title, network = load_network("unet", None)
    write_network_page(tmp_path / "a.html", network, title=title)
    write_network_page(tmp_path / "b.html", load_network("unet", None)[1], title=title)
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_vgg16_json_composes_to_the_receptive_field_of_corner_and_centre_cells():
    _, network = load_network("vgg16", None)
    data = network_data(network)
    for cell in [(0, 0), (1, 1), (3, 5), (6, 6)]:
        assert compose(data, len(data["nodes"]) - 1, cell) == _expected(network, cell), cell


def test_tables_are_shared_and_a_pass_through_node_reads_itself():
    _, network = load_network("vgg16", None)
    data = network_data(network)
    relu = data["nodes"][2]
    assert relu["call"].startswith("nn.ReLU") and relu["axes"] == [-1, -1]
    convs = [n for n in data["nodes"][1:] if n["call"].startswith("nn.Conv2d")]
    assert len(convs) == 13 and len({tuple(n["axes"]) for n in convs}) == 5  # one table per grid size
    table = data["tables"][convs[0]["axes"][0]]
    assert reads(table, 0) == [0, 1] and reads(table, 5) == [4, 5, 6]  # a padded 3x3: cell 0 reads input cells 0, 1


def test_a_table_is_three_numbers_a_cell_unless_a_cell_reads_cells_unevenly_spaced():
    from convanim.html.network import _table

    rel = np.zeros((6, 3))
    rel[[0, 2, 4], 0] = 1
    rel[[5], 1] = 2  # read by two taps: still one cell
    assert _table(rel) == {"ap": [0, 2, 3, 5, 1, 1, 0, 1, 0]}
    rel[1, 2] = rel[2, 2] = rel[4, 2] = 1
    table = _table(rel)
    assert table == {"lists": [[0, 2, 4], [5], [1, 2, 4]]} and reads(table, 2) == [1, 2, 4]


def test_page_is_self_contained_and_has_no_global_names(tmp_path):
    _, network = load_network("residual", None)
    path = tmp_path / "residual.html"
    write_network_page(path, network, title="A <residual> block")
    text = path.read_text(encoding="utf-8")
    assert "http://" not in text.replace("http://www.w3.org", "") and "https://" not in text
    assert "<residual>" not in text and "&lt;residual&gt;" in text
    script = text[text.rindex("<script>"):]
    assert script.startswith("<script>\n(function () {\n\"use strict\";")  # every name in one closure
    head = text[:text.index("<convanim-network")]
    assert "<style" not in head and "id=" not in head  # styles and ids live in the shadow root
    payload = re.search(r'<script type="application/json">(.*?)</script>', text, re.S).group(1)
    assert json.loads(payload)["cell"] == [5, 5]


def test_a_network_the_page_cannot_draw_is_refused_in_one_sentence():
    with pytest.raises(ValueError, match="draws 1-D and 2-D networks, got 3 axes"):
        check_network(Network(6, ["nn.Conv3d(1, 1, 3)"]))
    with pytest.raises(ValueError, match=r"at most 4,000,000 cells over its grids, got 8,388,608"):
        check_network(Network(2048, ["nn.Conv2d(1, 1, 1)"]))


def test_write_network_writes_the_page_and_links_it(tmp_path):
    from convanim.netpages import write_network

    title, network = load_network("three_3x3", None)
    written = write_network(network, tmp_path, title=title)
    assert NETWORK_PAGE in written and (tmp_path / NETWORK_PAGE).is_file()
    assert f'href="{NETWORK_PAGE}"' in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f"]({NETWORK_PAGE})" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_write_network_lists_a_page_it_cannot_write(tmp_path):
    from convanim.netpages import write_network

    written = write_network(Network(4, ["nn.Conv3d(1, 1, 1)"]), tmp_path)
    assert NETWORK_PAGE not in written and not (tmp_path / NETWORK_PAGE).exists()
    assert "interactive page: not written (the network page draws 1-D and 2-D networks, got 3 axes)" in \
        (tmp_path / "README.md").read_text(encoding="utf-8")


# -- in the browser ------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def urls(tmp_path_factory):
    folder = tmp_path_factory.mktemp("network_pages")
    out = {}
    for name in ("three_3x3", "residual", "unet", "wavenet", "vgg16"):
        title, network = load_network(name, None)
        write_network_page(folder / f"{name}.html", network, title=title)
        out[name] = (folder / f"{name}.html").as_uri()
    write_network_page(folder / "long.html", Network(10000, LONG))
    out["long"] = (folder / "long.html").as_uri()
    for name in ("oned", "uneven"):
        write_network_page(folder / f"{name}.html", _graph(name))
        out[name] = (folder / f"{name}.html").as_uri()
    return out


def _open(browser, url, width=1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    assert page.evaluate("!!document.querySelector('convanim-network').shadowRoot")
    return page, errors


CANVAS = "document.querySelector('convanim-network').shadowRoot.querySelectorAll('canvas')[{n}]"


def _hover(page, n, shape, cell):
    box = page.evaluate(f"(() => {{ const c = {CANVAS.format(n=n)}; c.scrollIntoView({{block: 'center'}}); "
                        "const b = c.getBoundingClientRect(); return [b.left, b.top, b.width, b.height]; })()")
    x = box[0] + (cell[1] + 0.5) * box[2] / shape[1]
    y = box[1] + (cell[0] + 0.5) * box[3] / shape[0]
    page.mouse.move(x, y)


# The colour class of the middle pixel of every cell of canvas n: 'lit', 'cell' or 'here' (nearest colour).
COLOURS = """([n, shape, theme]) => {
  const c = CANVAS, ctx = c.getContext('2d'), out = [];
  const rgb = h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16));
  const names = ['cell', 'lit', 'here'], refs = names.map(k => rgb(theme[k]));
  for (let r = 0; r < shape[0]; r++) for (let col = 0; col < shape[1]; col++) {
    const x = Math.floor((col + 0.5) * c.width / shape[1]), y = Math.floor((r + 0.5) * c.height / shape[0]);
    const p = ctx.getImageData(x, y, 1, 1).data;
    const d = refs.map(q => Math.abs(q[0] - p[0]) + Math.abs(q[1] - p[1]) + Math.abs(q[2] - p[2]));
    out.push(names[d.indexOf(Math.min(...d))]);
  }
  return out;
}"""


@pytest.mark.parametrize("name, width", [("three_3x3", 1280), ("residual", 1280), ("residual", 390)])
def test_hovering_a_last_layer_cell_lights_its_receptive_field(browser, urls, name, width):
    _, network = load_network(name, None)
    data = network_data(network)
    last = len(data["nodes"]) - 1
    page, errors = _open(browser, urls[name], width)
    shape = data["nodes"][last]["shape"]
    for cell in [(0, 0), (1, 2), (shape[0] - 1, shape[1] // 2)]:
        _hover(page, last, shape, cell)
        assert page.evaluate("document.querySelector('convanim-network').chosen()") == [last, *cell]
        lit = page.evaluate("document.querySelector('convanim-network').litCells()")
        expected = _expected(network, cell)
        assert [{tuple(c) for c in node} for node in lit] == expected, (name, cell)
        # the input's drawing shows it: lit cells in the lit colour, the others not
        drawn = page.evaluate(COLOURS.replace("CANVAS", CANVAS.format(n=0)), [0, data["nodes"][0]["shape"],
                                                                              data["theme"]])
        rows, cols = data["nodes"][0]["shape"]
        assert {(k // cols, k % cols) for k, c in enumerate(drawn) if c == "lit"} == expected[0]
        status = page.evaluate("document.querySelector('convanim-network').shadowRoot.querySelector('.status')"
                               ".textContent")
        assert f"depends on {len(expected[0])} input cells: rows " in status
    assert errors == []
    page.close()


@pytest.mark.parametrize("name", ["unet", "residual", "oned", "uneven"])
def test_the_scripts_walk_equals_compose_for_every_cell_of_every_node(browser, urls, name):
    network = _graph(name) if name in GRAPHS else load_network(name, None)[1]
    data = network_data(network)
    page, errors = _open(browser, urls[name])
    asks = [(n, r, c) for n, node in enumerate(data["nodes"]) for r, c in _cells(node["shape"])]
    got = page.evaluate("asks => asks.map(a => document.querySelector('convanim-network').field(...a))", asks)
    for (n, r, c), lit in zip(asks, got):
        assert [{tuple(x) for x in node} for node in lit] == compose(data, n, (r, c)), (name, n, r, c)
    assert errors == []
    page.close()


def test_arrow_keys_move_the_cell_and_light_its_field(browser, urls):
    _, network = load_network("three_3x3", None)
    page, errors = _open(browser, urls["three_3x3"])
    page.evaluate(f"{CANVAS.format(n=3)}.focus()")
    host = "document.querySelector('convanim-network')"
    assert page.evaluate(f"{host}.chosen()") == [3, 4, 4]  # the network's output cell (the centre of 9×9)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(f"{host}.chosen()") == [3, 3, 3]
    for _ in range(3):
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowLeft")
    assert page.evaluate(f"{host}.chosen()") == [3, 0, 0]
    page.keyboard.press("ArrowUp")  # stays on the grid
    assert page.evaluate(f"{host}.chosen()") == [3, 0, 0]
    page.keyboard.press("End")
    assert page.evaluate(f"{host}.chosen()") == [3, 0, 8]
    lit = page.evaluate(f"{host}.litCells()")
    assert [{tuple(c) for c in node} for node in lit] == _expected(network, (0, 8))
    label = page.evaluate(f"{CANVAS.format(n=3)}.getAttribute('aria-label')")
    assert "9 by 9 cells" in label and "Arrow keys" in label
    assert errors == []
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_clicking_a_table_row_shows_that_layer(browser, urls, width):
    page, errors = _open(browser, urls["vgg16"], width)
    root = "document.querySelector('convanim-network').shadowRoot"
    for n in (17, 0, 31):
        page.evaluate(f"{root}.querySelector('tbody tr[data-node=\"{n}\"]').scrollIntoView()")
        page.locator(f"convanim-network tbody tr[data-node='{n}'] td").first.click()
        state = page.evaluate(f"""(() => {{
          const root = {root}, section = root.querySelectorAll('section.layer')[{n}];
          const b = section.getBoundingClientRect();
          return {{top: b.top, height: innerHeight, focused: root.activeElement === section.querySelector('canvas'),
                   current: root.querySelector('tr[aria-current="true"]').dataset.node,
                   chosen: document.querySelector('convanim-network').chosen()[0]}};
        }})()""")
        assert 0 <= state["top"] < state["height"] - 100, (n, state)  # its heading and grid are in view
        assert state["focused"] and state["current"] == str(n) and state["chosen"] == n, (n, state)
    page.locator("convanim-network button.show[data-node='5']").focus()  # by keyboard: the row's button
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('convanim-network').chosen()")[0] == 5
    assert errors == []
    page.close()


def test_pass_through_layers_can_be_hidden_and_a_row_shows_one_again(browser, urls):
    page, errors = _open(browser, urls["vgg16"])
    root = "document.querySelector('convanim-network').shadowRoot"
    shown = f"[...{root}.querySelectorAll('section.layer')].map(s => s.getClientRects().length > 0)"
    assert all(page.evaluate(shown))
    page.locator("convanim-network input.passes").uncheck()
    visible = page.evaluate(shown)
    calls = [n["call"] for n in network_data(load_network("vgg16", None)[1])["nodes"]]
    assert [not v for v in visible] == [c.startswith("nn.ReLU") for c in calls]  # 13 ReLUs hidden, the rest not
    page.locator("convanim-network tbody tr[data-node='4'] td").first.click()  # a ReLU
    assert page.evaluate(shown)[4] and page.locator("convanim-network input.passes").is_checked()
    assert errors == []
    page.close()


def test_a_grid_too_long_for_its_box_bins_its_cells_and_scrolls_to_the_lit_ones(browser, urls):
    page, errors = _open(browser, urls["long"])
    network = Network(10000, LONG)
    lit = page.evaluate("document.querySelector('convanim-network').litCells()")
    assert [{tuple(c) for c in node} for node in lit] == _expected(network, (1245,))
    state = page.evaluate("""(() => {
      const root = document.querySelector('convanim-network').shadowRoot, c = root.querySelector('canvas');
      const box = c.parentNode, notes = [...root.querySelectorAll('section.layer')].map(s => s.textContent);
      return {width: c.width, left: box.scrollLeft, seen: box.clientWidth, shown: c.offsetWidth, note: notes[0]};
    })()""")
    assert state["width"] == 3334 and "Drawn 1×3 cells to a pixel" in state["note"]
    per_cell = state["shown"] / 10000
    first, last = 4980 * per_cell, 5021 * per_cell  # the field: input cells 4980..5020
    assert state["left"] <= first and last <= state["left"] + state["seen"], state
    assert errors == []
    page.close()


@pytest.mark.parametrize("name", ["vgg16", "wavenet", "residual", "oned"])
def test_at_390_px_nothing_scrolls_sideways_and_text_is_readable(browser, urls, name):
    page, errors = _open(browser, urls[name], 390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    smallest = page.evaluate("""(() => {
      const root = document.querySelector('convanim-network').shadowRoot, walker = document.createTreeWalker(root, 4);
      let px = Infinity;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (n.textContent.trim() && !el.closest('style') && el.getClientRects().length)
          px = Math.min(px, parseFloat(getComputedStyle(el).fontSize));
      }
      return px;
    })()""")
    assert smallest >= 11
    assert errors == []
    page.close()


def test_a_field_that_varies_from_cell_to_cell_is_said_so_under_the_table():
    from convanim.html.network import network_fragment

    unet, stack = (network_data(load_network(name, None)[1]) for name in ("unet", "three_3x3"))
    assert [node["rf"] for node in unet["nodes"]][-3:] == ["—", "—", "—"]
    assert "receptive field —: it varies from cell to cell" in network_fragment(unet)
    assert "receptive field —" not in network_fragment(stack) and "pass-through" not in network_fragment(stack)


def test_write_network_refuses_a_network_html_it_did_not_write(tmp_path):
    from convanim.netpages import write_network

    (tmp_path / NETWORK_PAGE).write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match=NETWORK_PAGE):
        write_network(Network(5, ["nn.Conv2d(1, 1, 3)"]), tmp_path)
    assert (tmp_path / NETWORK_PAGE).read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [NETWORK_PAGE]  # refused before anything was drawn
