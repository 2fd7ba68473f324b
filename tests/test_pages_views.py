"""Every view's page shows, at every step, what frame k of the GIF from the same arguments shows.

For each view with a page (and each kind of spec it draws) the page is written by ``anim.save("x.html")`` and
opened in Chromium; at every step the DOM is read (not pixels): the input cells under the window, the output
cell being written and the ones written before it, the numbers in the cells and, for max pooling, the winner.
These are compared with the animation's own scene (the steps, numbers and winners frame k draws), and hovering
a cell must outline what it is linked to in both directions. Skips without Chromium or Playwright, except under
CI (as tests/test_html.py's browser tests do).
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

import convanim
from convanim.numtext import cell_number
from convanim.pool import PoolSpec
from tests.test_html import browser  # noqa: F401 (the fixture: skips, or fails under CI)

#: name -> animate's arguments. Every page-drawing view and spec kind has a case here.
CASES = {
    "pool-max-flat": dict(spec=PoolSpec("max", 5, 2, stride=2, padding=1, ceil_mode=True), view="grid",
                          layout="flat"),
    "pool-avg-classic": dict(spec=PoolSpec("avg", 5, 2, stride=2, padding=1, ceil_mode=True), view="grid"),
    "pool-avg-nopad": dict(spec=PoolSpec("avg", (4, 5), (2, 3), stride=(2, 1), padding=(1, 1),
                                         count_include_pad=False), view="values", values="random", seed=3),
    "pool-max-values": dict(spec=PoolSpec("max", 6, 3, stride=2, padding=1), view="values", values="random",
                            seed=2),
    "pool-max-1d": dict(spec=PoolSpec("max", (9,), (3,), stride=(2,), padding=(1,), ceil_mode=True), view="values"),
    "grid-flat": dict(input_size=5, kernel_size=3, stride=2, padding=1, layout="flat"),
    "grid-classic": dict(input_size=(4, 5), kernel_size=(2, 3), dilation=(2, 1), padding=(1, 0)),
    "grid-transposed": dict(input_size=3, kernel_size=3, stride=2, padding=1, transposed=True, layout="flat"),
    "values": dict(input_size=5, kernel_size=3, stride=2, padding=1, view="values", values="random", seed=1),
    "values-transposed": dict(input_size=3, kernel_size=2, stride=2, transposed=True, view="values", values="random",
                              seed=5),
    "matrix": dict(input_size=4, kernel_size=3, stride=2, padding=1, view="matrix"),
    "matrix-transposed": dict(input_size=3, kernel_size=2, stride=2, transposed=True, view="matrix", values="random",
                              seed=1),
    "1d": dict(input_size=(7,), kernel_size=3, view="1d"),
    "1d-numbers": dict(input_size=(8,), kernel_size=3, stride=2, padding=1, view="1d", values="random", seed=4),
    "1d-flip-causal": dict(input_size=(6,), kernel_size=3, padding="causal", view="1d", values="random", seed=1,
                           flip=True),
    "1d-flip-dilated": dict(input_size=(9,), kernel_size=3, dilation=2, padding="full", view="1d", flip=True),
    # 3-D: the depth slices side by side, cells numbered (depth, row, column) as the schedule numbers them
    "depth-dilated": dict(input_size=(4, 3, 4), kernel_size=(2, 2, 3), dilation=(2, 1, 1), padding=(0, 1, 0),
                          layout="flat"),
    "depth-transposed": dict(input_size=(2, 2, 2), kernel_size=2, stride=2, transposed=True, layout="flat"),
}

SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def _sentence(mathtext: str) -> str:
    """The scene's written sum (mathtext) as the page writes it: subscripts, ·, ⋆."""
    text = re.sub(r"_\{(-?\d+)\}", lambda m: m.group(1).translate(SUB), mathtext.strip("$"))
    return text.replace("\\cdot ", "·").replace("\\star ", "⋆")


def _numbers(anim):
    """What the scene writes in the cells: input labels by input index, output labels by output index (None where
    the test reads them elsewhere)."""
    scene = anim.scene
    if anim.spec.kind == "pool":
        return ([cell_number(v) for v in np.asarray(scene.values).reshape(-1)],
                [cell_number(v) for v in np.asarray(scene.output).reshape(-1)])
    from convanim.scene.oned import number

    if anim.options["view"] != "1d":  # grid and values views of one channel
        if getattr(scene, "values", None) is None:
            return None, None
        from convanim.values import convolve

        out = convolve(anim.spec, scene.values.x, scene.values.w)
        return ([cell_number(v) for v in scene.values.x.reshape(-1)], [cell_number(v) for v in out.reshape(-1)])
    if scene.values is None:
        return [f"a{str(m).translate(SUB)}" for m in range(anim.spec.input_size[0])], None
    return [number(v) for v in scene.values.x], [_sentence(t).rsplit(" = ", 1)[1] for t in scene.terms]

#: The player's state, read from its shadow root: per grid, the cells' flags and the labels of each cell.
STATE = """host => {
  const root = host.shadowRoot;
  const grid = g => [...root.querySelectorAll(`#view g[aria-label^="${g}"] rect.cell`)].map(r => ({
    tap: r.classList.contains('tap'), winner: r.hasAttribute('data-winner'), hl: r.hasAttribute('data-hl'),
    win: r.hasAttribute('data-win'), fill: r.getAttribute('fill')}));
  const labels = {};
  for (const t of root.querySelectorAll('#view text[data-of]')) {
    labels[t.getAttribute('data-of')] = getComputedStyle(t).visibility === 'hidden' ? null : t.textContent;
  }
  const data = JSON.parse(host.querySelector('script[type="application/json"]').textContent);
  return {input: grid('input'), output: grid('output'), labels, slider: +root.querySelector('#slider').value,
          last: +root.querySelector('#slider').max, status: root.querySelector('#status').textContent,
          sum: root.querySelector('#sum').textContent, theme: data.theme};
}"""

GO = """(host, k) => { const s = host.shadowRoot.querySelector('#slider');
  s.value = k; s.dispatchEvent(new Event('input')); }"""


def _flat(index, shape) -> int:
    return int(np.ravel_multi_index(tuple(index), tuple(shape)))


def _grid_cell(spec, source) -> int:
    """The drawn grid cell of input index ``source`` (the axes' own offset and step: padding, inserted zeros)."""
    return _flat([ax.lo + s * getattr(ax, "step", 1) for s, ax in zip(source, spec.axes)], spec.grid_shape)


def _expected(anim):
    """Per frame k: what the scene draws (its own steps, numbers and winners), in the page's cell numbering."""
    spec, scene = anim.spec, anim.scene
    steps = scene.steps
    frames = []
    for k, step in enumerate(steps):
        frame = {
            "taps": sorted(_flat(t.cell, spec.grid_shape) for t in step.taps),
            "out": _flat(step.out, spec.output_shape),
            "written": sorted(_flat(s.out, spec.output_shape) for s in steps[: k + 1]),
            "winner": None,
        }
        if getattr(scene, "winners", None) is not None:
            frame["winner"] = _grid_cell(spec, np.unravel_index(int(scene.winners[step.out]), spec.input_size))
        frames.append(frame)
    return frames


@pytest.fixture(scope="module")
def tab(browser):  # noqa: F811 (the imported fixture)
    context = browser.new_context(viewport={"width": 1000, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.errors = errors
    yield page
    context.close()


@pytest.mark.parametrize("name", CASES)
def test_every_step_shows_the_frame(tab, tmp_path, name):
    args = dict(CASES[name])
    anim = convanim.animate(args.pop("spec", None), **args)
    anim.save(tmp_path / "x.html")
    tab.goto((tmp_path / "x.html").as_uri())
    host = tab.locator("convanim-player")
    frames = _expected(anim)
    spec, scene = anim.spec, anim.scene
    state = host.evaluate(STATE)
    assert state["last"] + 1 == len(frames) == len(anim.durations)
    x, o = _numbers(anim)
    data_src = {_grid_cell(spec, idx): _flat(idx, spec.input_size) for idx in np.ndindex(*spec.input_size)}
    for k, frame in enumerate(frames):
        host.evaluate(GO, k)
        state = host.evaluate(STATE)
        assert state["slider"] == k and state["status"].startswith(f"Step {k + 1} of {len(frames)}")
        assert [j for j, c in enumerate(state["input"]) if c["tap"]] == frame["taps"]
        assert [j for j, c in enumerate(state["input"]) if c["winner"]] == ([] if frame["winner"] is None
                                                                            else [frame["winner"]])
        if x is not None or anim.options["view"] == "1d":  # the numbers (or names) written in the cells
            shown = sorted(int(key.split()[1]) for key, v in state["labels"].items()
                           if key.startswith("output") and v is not None)
            assert shown == frame["written"]
            for cell, src in data_src.items():
                assert state["labels"][f"input {cell}"] == x[src]
        if anim.options["layout"] == "flat" or anim.options["view"] != "grid":  # classic: every output drawn
            assert _on(c["fill"] != state["theme"]["background"] for c in state["output"]) == frame["written"]
        assert state["output"][frame["out"]]["fill"] == state["theme"]["over_output"]
        if o is not None:
            for j in frame["written"]:
                assert state["labels"][f"output {j}"] == o[j]
            assert state["sum"].endswith(f"= {o[frame['out']]}")  # the written sum ends in the frame's result
        if hasattr(scene, "terms"):  # the sum the frame writes, term by term
            assert state["sum"] == _sentence(scene.terms[k])
    assert tab.errors == []


@pytest.mark.parametrize("name", ["pool-max-flat", "pool-avg-nopad", "pool-max-values", "1d-flip-dilated",
                                  "depth-dilated"])
def test_hover_links_both_ways(tab, tmp_path, name):
    args = dict(CASES[name])
    anim = convanim.animate(args.pop("spec", None), **args)
    anim.save(tmp_path / "x.html")
    tab.goto((tmp_path / "x.html").as_uri())
    host = tab.locator("convanim-player")
    frames = _expected(anim)
    for frame in frames:  # an output cell: its window, and the winner
        tab.locator('#view g[aria-label^="output"] rect.cell').nth(frame["out"]).hover()
        state = host.evaluate(STATE)
        assert [j for j, c in enumerate(state["input"]) if c["hl"]] == frame["taps"]
        assert [j for j, c in enumerate(state["input"]) if c["win"]] == ([] if frame["winner"] is None
                                                                         else [frame["winner"]])
        assert [j for j, c in enumerate(state["output"]) if c["hl"]] == [frame["out"]]
    cells = len(host.evaluate(STATE)["input"])
    for j in range(cells):  # an input cell: the outputs whose window holds it, and those it wins
        tab.locator('#view g[aria-label^="input"] rect.cell').nth(j).hover()
        state = host.evaluate(STATE)
        assert [o for o, c in enumerate(state["output"]) if c["hl"]] == sorted(
            f["out"] for f in frames if j in f["taps"])
        assert [o for o, c in enumerate(state["output"]) if c["win"]] == sorted(
            f["out"] for f in frames if f["winner"] == j)
    assert tab.errors == []


def test_command_line_and_gallery_write_pool_pages(tmp_path):
    """``render -o x.html`` writes a pooling's page; a gallery writes one beside each pooling case's GIF."""
    from convanim.cli import main
    from convanim.gallery import run_gallery

    assert main(["render", "--pool", "max", "-i", "5", "-k", "2", "-o", str(tmp_path / "x.html")]) == 0
    assert '"pool":"max"' in (tmp_path / "x.html").read_text(encoding="utf-8")
    (tmp_path / "g.toml").write_text("""[defaults]
input_size = 4
kernel_size = 2
[[case]]
name = "m"
pool = "max"
[[case]]
name = "a"
pool = "avg"
view = "values"
[[case]]
name = "row"
input_size = [6]
view = "1d"
flip = true
[[case]]
name = "sc"
transposed = true
stride = 2
view = "scatter"
[[case]]
name = "both"
transposed = true
stride = 2
view = "both"
[[case]]
name = "ov"
transposed = true
stride = 2
view = "overlap"
[[case]]
name = "layer"
in_channels = 2
out_channels = 2
[[case]]
name = "layervalues"
in_channels = 2
out_channels = 2
view = "values"
values = "random"
[[case]]
name = "matrix"
view = "matrix"
""")
    out = tmp_path / "out"
    assert run_gallery(tmp_path / "g.toml", out, jobs=1, quiet=True) == 0
    for name, key in (("m", '"pool":"max"'), ("a", '"pool":"avg"'), ("row", '"flip":true'), ("sc", '"view":"scatter"'),
                      ("both", '"view":"both"'), ("ov", '"view":"overlap"'), ("layer", '"layout":"layer"'),
                      ("layervalues", '"y":[[')):
        assert key in (out / f"{name}.html").read_text(encoding="utf-8")
    assert '"product":{"rows":9,"cols":16' in (out / "matrix.html").read_text(encoding="utf-8")


def test_gallery_writes_depth_and_continuous_pages(tmp_path):
    """A 3-D case (flat layout) and a continuous case get a page beside their GIF, as the other views' cases do."""
    from convanim.gallery import run_gallery

    (tmp_path / "g.toml").write_text("""[[case]]
name = "curve"
view = "continuous"
radius = 0.5
[[case]]
name = "depth"
input_size = [3, 3, 3]
kernel_size = 2
layout = "flat"
""")
    out = tmp_path / "out"
    assert run_gallery(tmp_path / "g.toml", out, jobs=1, quiet=True) == 0
    assert '"view":"continuous"' in (out / "curve.html").read_text(encoding="utf-8")
    assert '"layout":"depth"' in (out / "depth.html").read_text(encoding="utf-8")
    assert (out / "curve.gif").is_file() and (out / "depth.gif").is_file()


def test_command_line_writes_a_1d_page(tmp_path):
    from convanim.cli import main

    assert main(["render", "-i", "7", "-k", "3", "--view", "1d", "--flip", "-p", "causal",
                 "-o", str(tmp_path / "x.html")]) == 0
    text = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert '"view":"1d"' in text and '"flip":true' in text and "ZeroPad1d((2, 0))" in text


#: The scatter view: one step per input cell (its own frames), the region's cells as the scene writes them.
SCATTER = {
    "scatter-numbers": dict(input_size=3, kernel_size=3, stride=2, padding=1, transposed=True, view="scatter",
                            values="random", seed=1),
    "scatter-symbols": dict(input_size=(3, 2), kernel_size=(2, 3), stride=(2, 1), padding=(1, 0), output_padding=(1, 0),
                            transposed=True, view="scatter"),
    "scatter-1d": dict(input_size=(4,), kernel_size=3, stride=2, dilation=2, transposed=True, view="scatter",
                       values="random", seed=2),
    "both": dict(input_size=3, kernel_size=3, stride=2, padding=1, output_padding=1, transposed=True, view="both"),
    "both-numbers": dict(input_size=(2, 3), kernel_size=2, stride=2, transposed=True, view="both", values="random",
                         seed=2),
}

SCATTER_STATE = """host => {
  const root = host.shadowRoot;
  const grid = g => [...root.querySelectorAll(`#view g[aria-label^="${g}"] rect.cell`)].map(r => ({
    tap: r.classList.contains('tap'), hl: r.hasAttribute('data-hl')}));
  const said = [...root.querySelectorAll('#view text[data-of^="output"]')].map(
    t => [...t.querySelectorAll('tspan')].map(s => s.textContent).join('\\n'));
  const zsaid = [...root.querySelectorAll('#view text[data-of^="zout"]')].map(t =>
    getComputedStyle(t).visibility === 'hidden' ? null
      : [...t.querySelectorAll('tspan')].map(s => s.textContent).join('\\n'));
  return {input: grid('input'), kernel: grid('kernel'), output: grid('output'), said, zsaid,
          zin: grid('zin'), zk: grid('zk'), zout: grid('zout'),
          last: +root.querySelector('#slider').max, sum: root.querySelector('#sum').textContent};
}"""


def _on(cells) -> list[int]:
    return [j for j, c in enumerate(cells) if c]


@pytest.mark.parametrize("name", SCATTER)
def test_scatter_steps_and_hover(tab, tmp_path, name):
    anim = convanim.animate(**SCATTER[name])
    anim.save(tmp_path / "x.html")
    tab.goto((tmp_path / "x.html").as_uri())
    host = tab.locator("convanim-player")
    spec, row = anim.spec, anim.scene.row
    region = row.region
    steps = row.steps
    assert host.evaluate(SCATTER_STATE)["last"] + 1 == len(steps) == len(anim.durations)
    for k, step in enumerate(steps):
        host.evaluate(GO, k)
        state = host.evaluate(SCATTER_STATE)
        assert _on(c["tap"] for c in state["input"]) == [_flat(step.source, spec.input_size)]
        assert _on(c["tap"] for c in state["output"]) == sorted(_flat(w.cell, region) for w in step.writes)
        assert state["said"] == ["\n".join(row.cell_text(idx, k)[0]) for idx in np.ndindex(*region)]
        assert state["sum"].startswith(row.status(k))
    for step in steps:  # an input cell: the region cells it adds into, the whole kernel
        tab.locator('#view g[aria-label^="input"] rect.cell').nth(_flat(step.source, spec.input_size)).hover()
        state = host.evaluate(SCATTER_STATE)
        assert _on(c["hl"] for c in state["output"]) == sorted(_flat(w.cell, region) for w in step.writes)
        assert _on(c["hl"] for c in state["kernel"]) == list(range(int(np.prod(spec.kernel_size))))
    for idx in np.ndindex(*region):  # a region cell: the input cells adding into it, through which taps
        tab.locator('#view g[aria-label^="output"] rect.cell').nth(_flat(idx, region)).hover()
        state = host.evaluate(SCATTER_STATE)
        writes = [(s, w) for s in steps for w in s.writes if w.cell == idx]
        assert _on(c["hl"] for c in state["input"]) == sorted(_flat(s.source, spec.input_size) for s, _ in writes)
        assert _on(c["hl"] for c in state["kernel"]) == sorted(_flat(w.kernel, spec.kernel_size) for _, w in writes)
    assert tab.errors == []


@pytest.mark.parametrize("args", [dict(input_size=3, kernel_size=3, stride=2, padding=1),
                                  dict(input_size=(5,), kernel_size=4, stride=3, output_padding=1)])
def test_overlap_counts_and_hover(tab, tmp_path, args):
    """The overlap view: one step, each region cell saying the scene's count; hover follows the scatter schedule."""
    from convanim.scatter import region_shape, scatter_schedule

    anim = convanim.animate(**args, transposed=True, view="overlap")
    anim.save(tmp_path / "x.html")
    tab.goto((tmp_path / "x.html").as_uri())
    host = tab.locator("convanim-player")
    spec = anim.spec
    region, steps = region_shape(spec), scatter_schedule(spec)
    state = host.evaluate(SCATTER_STATE)
    assert state["last"] + 1 == len(anim.durations) == 1
    assert state["said"] == [str(int(n)) for n in anim.scene.counts.reshape(-1)]
    for idx in np.ndindex(*region):
        tab.locator('#view g[aria-label^="output"] rect.cell').nth(_flat(idx, region)).hover()
        state = host.evaluate(SCATTER_STATE)
        writes = [(s, w) for s in steps for w in s.writes if w.cell == idx]
        assert len(_on(c["hl"] for c in state["input"])) == anim.scene.counts.reshape(-1)[_flat(idx, region)]
        assert _on(c["hl"] for c in state["input"]) == sorted(_flat(s.source, spec.input_size) for s, _ in writes)
        assert _on(c["hl"] for c in state["kernel"]) == sorted(_flat(w.kernel, spec.kernel_size) for _, w in writes)
    for step in steps:
        tab.locator('#view g[aria-label^="input"] rect.cell').nth(_flat(step.source, spec.input_size)).hover()
        state = host.evaluate(SCATTER_STATE)
        assert _on(c["hl"] for c in state["output"]) == sorted(_flat(w.cell, region) for w in step.writes)
    assert tab.errors == []


@pytest.mark.parametrize("name", ["both", "both-numbers"])
def test_both_zero_insertion_side(tab, tmp_path, name):
    """The both view's lower row: at step k the outputs complete by then (`finish_steps`) say their final text,
    the featured one's window is lit on the zero-inserted grid, and hovering links its cells, as the scene draws."""
    from convanim.schedule import schedule

    anim = convanim.animate(**SCATTER[name])
    anim.save(tmp_path / "x.html")
    tab.goto((tmp_path / "x.html").as_uri())
    host = tab.locator("convanim-player")
    spec, scene = anim.spec, anim.scene
    row, conv = scene.row, schedule(spec)
    lo = [a for a, _ in row.kept]
    final = ["\n".join(row.cell_text(tuple(i + a for i, a in zip(idx, lo)), len(row.steps) - 1)[0] or ["0"])
             for idx in np.ndindex(*spec.output_shape)]
    finish = scene.finish.reshape(-1)
    for k in range(len(row.steps)):
        host.evaluate(GO, k)
        state = host.evaluate(SCATTER_STATE)
        assert state["zsaid"] == [final[o] if 0 <= finish[o] <= k else None for o in range(len(final))]
        featured = scene._featured(k)
        lit = [] if featured is None else sorted(_flat(t.cell, spec.grid_shape)
                                                 for t in conv[_flat(featured, spec.output_shape)].taps)
        assert _on(c["tap"] for c in state["zin"]) == lit
        assert _on(c["tap"] for c in state["zout"]) == ([] if featured is None
                                                        else [_flat(featured, spec.output_shape)])
    for step in conv:
        o = _flat(step.out, spec.output_shape)
        tab.locator('#view g[aria-label^="zout"] rect.cell').nth(o).hover()
        state = host.evaluate(SCATTER_STATE)
        assert _on(c["hl"] for c in state["zin"]) == sorted(_flat(t.cell, spec.grid_shape) for t in step.taps)
        assert _on(c["hl"] for c in state["zk"]) == list(range(len(step.taps)))
    assert tab.errors == []


#: Layers with channels, groups or bias (the grid view draws them slice by slice).
LAYERS = {
    "groups": dict(input_size=4, kernel_size=3, in_channels=2, out_channels=4, groups=2, layout="flat"),
    "bias-position": dict(input_size=5, kernel_size=3, stride=2, padding=1, in_channels=3, out_channels=2, bias=True,
                          channel_order="position"),
    "1d-groups": dict(input_size=(6,), kernel_size=2, dilation=2, in_channels=4, out_channels=2, groups=2),
    "values-bias": dict(input_size=4, kernel_size=3, padding=1, in_channels=2, out_channels=2, bias=True,
                        view="values", values="random", seed=1),
    "values-groups-transposed": dict(input_size=3, kernel_size=2, stride=2, transposed=True, in_channels=2,
                                     out_channels=4, groups=2, view="values", values="random", seed=3),
}

LAYER_STATE = """host => {
  const root = host.shadowRoot;
  const grids = {};
  for (const g of root.querySelectorAll('g[aria-label*=" grid,"], g[aria-label^="filter slice"]')) {
    grids[g.getAttribute('aria-label').split(' grid')[0]] = [...g.querySelectorAll(':scope > rect.cell')].map(r => ({
      tap: r.classList.contains('tap'), hl: r.hasAttribute('data-hl'), fill: r.getAttribute('fill')}));
  }
  const said = {};
  for (const t of root.querySelectorAll('#view text[data-of]')) {
    said[t.getAttribute('data-of')] = getComputedStyle(t).visibility === 'hidden' ? null : t.textContent;
  }
  const data = JSON.parse(host.querySelector('script[type="application/json"]').textContent);
  return {grids, said, theme: data.theme, last: +root.querySelector('#slider').max,
          sum: root.querySelector('#sum').textContent};
}"""


@pytest.mark.parametrize("name", LAYERS)
def test_layer_frames_and_hover(tab, tmp_path, name):
    """Every frame: the input slices of the frame's groups under the window, the output cells written (the scene's
    own `frame_content` and `_written`); hovering an output cell outlines the input slices and filter slices it
    reads, an input cell the output cells of its group reading it."""
    anim = convanim.animate(**LAYERS[name])
    anim.save(tmp_path / "x.html")
    tab.goto((tmp_path / "x.html").as_uri())
    host = tab.locator("convanim-player")
    spec, scene = anim.spec, anim.scene
    steps = scene.steps
    cin, cout = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    n_out = int(np.prod(spec.output_shape))
    assert host.evaluate(LAYER_STATE)["last"] + 1 == len(scene) == len(anim.durations)
    for k in range(len(scene)):
        host.evaluate(GO, k)
        state = host.evaluate(LAYER_STATE)
        g = state["grids"]
        outs, s = scene.frame_content(k)
        taps = sorted(_flat(t.cell, spec.grid_shape) for t in steps[s].taps)
        groups = {o // cout for o in outs}
        for c in range(spec.in_channels):
            assert _on(x["tap"] for x in g[f"input channel {c}"]) == (taps if c // cin in groups else [])
        if anim.options["view"] == "values":  # the numbers the frame writes (the scene's own shown_numbers)
            scene.update(k)
            shown = scene.shown_numbers()
            n_grid = int(np.prod(spec.grid_shape))
            src = host.evaluate("h => JSON.parse(h.querySelector('script[type=\"application/json\"]').textContent).src")
            assert [state["said"][f"in{c} {j}"] for c in range(spec.in_channels) for j in range(n_grid)
                    if src[j] >= 0] == shown["x"]
            assert [v for o in range(spec.out_channels) for f in range(n_out)
                    if (v := state["said"][f"out{o} {f}"]) is not None] == shown["y"]
            for b in shown["b"]:
                assert f"({b})" in state["sum"]
        written = scene._written(outs[-1], s)
        for o in range(spec.out_channels):
            cells = g[f"output channel {o}"]
            assert _on(x["tap"] for x in cells) == ([_flat(steps[s].out, spec.output_shape)] if o in outs else [])
            assert _on(x["fill"] != state["theme"]["background"] for x in cells) == [
                f for f in range(n_out) if written(o, f)]
    for o in range(spec.out_channels):
        for step in steps:
            tab.locator(f'#view g[aria-label^="output channel {o} "] rect.cell').nth(
                _flat(step.out, spec.output_shape)).hover()
            g = host.evaluate(LAYER_STATE)["grids"]
            taps = sorted(_flat(t.cell, spec.grid_shape) for t in step.taps)
            for c in range(spec.in_channels):
                assert _on(x["hl"] for x in g[f"input channel {c}"]) == (taps if c // cin == o // cout else [])
            for f in range(spec.out_channels):
                for i in range(cin):
                    lit = _on(x["hl"] for x in g[f"filter slice {f}, {i}"])
                    assert lit == (sorted(_flat(t.kernel, spec.kernel_size) for t in step.taps if t.source)
                                   if f == o else [])
    for c in range(spec.in_channels):
        for j in range(int(np.prod(spec.grid_shape))):
            tab.locator(f'#view g[aria-label^="input channel {c} "] rect.cell').nth(j).hover()
            g = host.evaluate(LAYER_STATE)["grids"]
            reading = sorted(_flat(st.out, spec.output_shape) for st in steps
                             if any(_flat(t.cell, spec.grid_shape) == j for t in st.taps))
            for o in range(spec.out_channels):
                assert _on(x["hl"] for x in g[f"output channel {o}"]) == (reading if o // cout == c // cin else [])
    assert tab.errors == []


MATRIX_STATE = """host => {
  const root = host.shadowRoot, grids = {};
  for (const name of ['x', 'C', 'y']) {
    grids[name] = [...root.querySelectorAll(`#view-box g[aria-label="${name}"] > rect.cell`)].map(r => ({
      tap: r.classList.contains('tap'), hl: r.hasAttribute('data-hl')}));
  }
  grids.y_said = [...root.querySelectorAll('#view-box text[data-of^="y "]')].map(
    t => getComputedStyle(t).visibility === 'hidden' ? null : t.textContent);
  return grids;
}"""


@pytest.mark.parametrize("name", ["matrix", "matrix-transposed"])
def test_matrix_rows_follow_the_frames(tab, tmp_path, name):
    """The matrix above the grids: frame k lights matrix row k's entries (the scene's `conv_matrix` index), the
    input entries they multiply and output k; hovering an output cell lights its row, an input cell its column."""
    args = dict(CASES[name])
    anim = convanim.animate(**args)
    anim.save(tmp_path / "x.html")
    tab.goto((tmp_path / "x.html").as_uri())
    host = tab.locator("convanim-player")
    index = anim.scene.index
    rows, cols = index.shape
    y_text = [None] * rows
    for k, step in enumerate(anim.scene.steps):
        host.evaluate(GO, k)
        m = host.evaluate(MATRIX_STATE)
        row = int(np.ravel_multi_index(step.out, anim.spec.output_shape))
        assert row == k
        used = [int(i) for i in np.nonzero(index[row] >= 0)[0]]
        assert _on(c["tap"] for c in m["C"]) == [row * cols + i for i in used]
        assert _on(c["tap"] for c in m["x"]) == used
        assert _on(c["tap"] for c in m["y"]) == [row]
        # outputs written so far (the scene's numbers; names where it writes symbols), and none after
        y_text[row] = anim.scene.ytext[row] if anim.scene.values is not None else m["y_said"][row]
        assert m["y_said"] == y_text
    for o in range(rows):
        tab.locator('#view g[aria-label^="output"] rect.cell').nth(o).hover()
        m = host.evaluate(MATRIX_STATE)
        used = [int(i) for i in np.nonzero(index[o] >= 0)[0]]
        assert _on(c["hl"] for c in m["C"]) == [o * cols + i for i in used] and _on(c["hl"] for c in m["y"]) == [o]
    spec = anim.spec
    for idx in np.ndindex(*spec.input_size):
        tab.locator('#view g[aria-label^="input"] rect.cell').nth(_grid_cell(spec, idx)).hover()
        m = host.evaluate(MATRIX_STATE)
        i = _flat(idx, spec.input_size)
        assert _on(c["hl"] for c in m["x"]) == [i]
        assert _on(c["hl"] for c in m["y"]) == [int(r) for r in np.nonzero(index[:, i] >= 0)[0]]
    assert tab.errors == []


DEPTH_STATE = """host => {
  const root = host.shadowRoot;
  const bold = kind => [...root.querySelectorAll(`#view g[aria-label^="${kind} depth"]`)].map(g => {
    const b = g.querySelector('rect.bold');
    return b ? ['x', 'y', 'width', 'height'].map(a => +b.getAttribute(a)) : null; });
  const names = {};
  for (const t of root.querySelectorAll('#view text[data-w]')) names[t.getAttribute('data-w')] = t.textContent;
  const kernel = [...root.querySelectorAll('#kernel-box g[aria-label^="kernel depth"] rect.cell')].map(
    r => r.hasAttribute('data-hl'));
  return {input: bold('input'), output: bold('output'), names, kernel,
          bars: root.querySelectorAll('#view rect.depth-bar').length};
}"""


@pytest.mark.parametrize("name", ["depth-dilated", "depth-transposed"])
def test_depth_slices_mark_what_the_frame_marks(tab, tmp_path, name):
    """A 3-D convolution's page at every step: the footprint outlined on every input slice it spans (the scene's
    ``step.footprint``), each covered slice named by the kernel slice on it (``w[j, :, :]``, as the scene writes
    it), the output cell outlined in its slice; hovering an output cell lights the kernel taps it reads."""
    args = dict(CASES[name])
    anim = convanim.animate(**args)
    anim.save(tmp_path / "x.html")
    tab.goto((tmp_path / "x.html").as_uri())
    host = tab.locator("convanim-player")
    spec, steps = anim.spec, anim.scene.steps
    assert len(steps) == len(anim) == int(np.prod(spec.output_shape))
    for k, step in enumerate(steps):
        host.evaluate(GO, k)
        state = host.evaluate(DEPTH_STATE)
        (d0, d1), (r0, r1), (c0, c1) = step.footprint
        assert state["input"] == [[c0, r0, c1 - c0 + 1, r1 - r0 + 1] if d0 <= d <= d1 else None
                                  for d in range(spec.grid_shape[0])]
        assert state["output"] == [[step.out[2], step.out[1], 1, 1] if d == step.out[0] else None
                                   for d in range(spec.output_shape[0])]
        assert state["names"] == {str(d): f"w[{j}, :, :]" for d, j in {(t.cell[0], t.kernel[0]) for t in step.taps}}
        assert state["bars"] >= 1
    for step in steps:
        tab.locator('#view g[aria-label^="output"] rect.cell').nth(_flat(step.out, spec.output_shape)).hover()
        state = host.evaluate(DEPTH_STATE)
        assert _on(state["kernel"]) == sorted(_flat(t.kernel, spec.kernel_size) for t in step.taps
                                              if t.source is not None)
    assert tab.errors == []


CURVE_STATE = """host => {
  const root = host.shadowRoot;
  const pts = e => (e.getAttribute('points') || '').trim().split(/\\s+/).filter(Boolean)
    .map(p => p.split(',').map(Number));
  const g = root.querySelector('#view polyline[data-of="g"]');
  return {shift: g.parentNode.getAttribute('transform'), g: pts(g),
          shade: pts(root.querySelector('#view polygon.shade')),
          trace: pts(root.querySelector('#view polyline[data-of="trace"]')),
          dot: pts(root.querySelector('#view polyline.dot')),
          marks: [...root.querySelectorAll('#view line.mark')].map(l => [+l.getAttribute('x1'), +l.getAttribute('x2')]),
          cells: root.querySelectorAll('#view rect.cell').length, copy: !!root.querySelector('#copy'),
          note: root.querySelector('#note').textContent, hint: root.querySelector('#hint').textContent,
          last: +root.querySelector('#slider').max, sum: root.querySelector('#sum').textContent,
          status: root.querySelector('#status').textContent};
}"""


@pytest.mark.parametrize("radius", [1.0, 0.3])
def test_continuous_steps_follow_the_frames(tab, tmp_path, radius):
    """The continuous view's page at every step k: g shifted to the frame's t, the shaded overlap on the curve
    f(τ) g(t − τ) over [max(−0.5, t − r), min(0.5, t + r)], the trace drawn as far as the GIF's (the scene's fine
    curve, up to frame k), the dot at (t, (f⋆g)(t)) and the readout frame k writes. No cells, no PyTorch call."""
    from convanim.scene.continuous import f_box, g_disc

    anim = convanim.animate(view="continuous", radius=radius)
    anim.save(tmp_path / "x.html")
    tab.goto((tmp_path / "x.html").as_uri())
    host = tab.locator("convanim-player")
    scene = anim.scene
    state = host.evaluate(CURVE_STATE)
    assert state["last"] + 1 == len(scene) == len(anim.durations) == 60
    assert state["cells"] == 0 and not state["copy"] and "PyTorch" in state["note"] and "no cells" in state["hint"]
    g = np.array(state["g"])
    assert np.allclose(g[:, 1], g_disc(g[:, 0], radius), atol=1e-3) and np.isclose(g[:, 0].min(), -radius)
    fine = np.column_stack([scene.fine_t, scene.fine_y])
    for k in range(len(scene)):
        host.evaluate(GO, k)
        state = host.evaluate(CURVE_STATE)
        t = float(scene.ts[k])
        assert state["shift"] == f"translate({round(t, 6):g} 0)" or np.isclose(
            float(state["shift"][10:].split()[0]), t, atol=1e-6)
        assert all(np.isclose(a, t, atol=1e-6) for m in state["marks"] for a in m)
        lo, hi = max(-0.5, t - radius), min(0.5, t + radius)
        shade = np.array(state["shade"]).reshape(-1, 2)
        if hi > lo:
            assert np.isclose(shade[0, 0], lo, atol=1e-4) and np.isclose(shade[-1, 0], hi, atol=1e-4)
            inner = shade[1:-1]  # on the curve f(τ) g(t − τ) (squared: g is steep where it meets the τ axis)
            assert np.allclose(inner[:, 1] ** 2, (f_box(inner[:, 0]) * g_disc(t - inner[:, 0], radius)) ** 2,
                               atol=2e-3)
        else:
            assert len(shade) == 0
        trace = np.array(state["trace"])
        assert len(trace) == k * scene.sub + 1 and np.allclose(trace, fine[: len(trace)], atol=1e-4)
        assert np.allclose(state["dot"], [[t, scene.values[k]]] * 2, atol=1e-5)
        scene.update(k)  # the readout the GIF's frame k writes
        said = scene.t_text.get_text().strip("$").replace("\\ ", "").replace("\\star ", "⋆")
        assert state["sum"].replace(" ", "").replace("−", "-") == said
        assert state["status"].startswith(f"Step {k + 1} of 60: t = ")
    assert tab.errors == []


def test_hints_say_what_each_view_links(tmp_path):
    """The hint under the code is the page JSON's own, worded for its view."""
    from convanim.html import render_page

    said = {}
    for name, args in (("conv", dict(input_size=4, kernel_size=3)), ("pool", dict(spec=PoolSpec("max", 4, 2))),
                       ("scatter", dict(input_size=3, kernel_size=3, stride=2, transposed=True, view="scatter")),
                       ("depth", dict(CASES["depth-dilated"])), ("continuous", dict(view="continuous"))):
        args = dict(args)
        anim = convanim.animate(args.pop("spec", None), **args)
        page = render_page(anim._page_data())
        data = re.search(r'<script type="application/json">(.*?)</script>', page).group(1)
        hint = re.search(r'<p class="hint" id="hint">(.*?)</p>', page).group(1)
        assert f'"hint":"{html.unescape(hint)}"' in data
        said[name] = hint
    assert len(set(said.values())) == len(said)
    assert "pooling window" in said["pool"] and "winner" in said["pool"]
    assert "adds into" in said["scatter"] and "no cells" in said["continuous"]
    assert "depth slice" in said["depth"] and "kernel taps" in said["conv"]
