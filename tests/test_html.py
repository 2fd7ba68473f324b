"""Interactive HTML pages: the data and the file (no browser), then the page driven in headless Chromium.

The browser tests need Debian's ``chromium`` (``.ci/run`` installs it) and the
``playwright`` Python package (the ``test`` extra); no browser is downloaded:
Playwright drives ``/usr/bin/chromium``. Where either is missing they skip,
saying so, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convanim import ConvSpec, animate, schedule
from convanim.cli import main
from convanim.gallery import run_gallery
from convanim.html import page_data, render_page
from convanim.pool import PoolSpec
from convanim.themes import THEMES, hex_to_rgb
from convanim.values import make_values

ROOT = Path(__file__).resolve().parent.parent

CONFIGS = {
    "plain": ConvSpec(4, 3),
    "strided": ConvSpec(5, 3, stride=2, padding=1),
    "dilated": ConvSpec(7, 3, dilation=2),
    "transposed": ConvSpec(3, 3, stride=2, padding=1, output_padding=1, transposed=True),
    "rect": ConvSpec((4, 6), (2, 3), stride=(1, 2), padding=((0, 1), (1, 0))),
}


# -- the file, without a browser ---------------------------------------------------


def test_page_is_self_contained_and_smaller_than_the_gif(tmp_path, capsys):
    assert main(["render", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "-o", str(tmp_path / "ps.html")]) == 0
    assert re.fullmatch(r"wrote .*ps\.html: an interactive page of 9 steps, \d+ KB\n", capsys.readouterr().err)
    page = (tmp_path / "ps.html").read_text(encoding="utf-8")
    # Nothing to fetch: no external script, style, font, image or link.
    assert not re.search(r"""\s(src|href)\s*=\s*["']""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert (tmp_path / "ps.html").stat().st_size < (ROOT / "gallery/classic/padding_strides.gif").stat().st_size
    # Deterministic.
    assert main(["render", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "-o", str(tmp_path / "again.html")]) == 0
    assert (tmp_path / "again.html").read_bytes() == (tmp_path / "ps.html").read_bytes()


def test_json_cannot_close_the_script_element():
    data = page_data(CONFIGS["plain"], alt="a </script><script>alert(1)</script> {{css}} <!--")
    page = render_page(data)
    assert page.count("</script>") == 2
    assert "alert(1)</script>" not in page
    # Text put into the template is not expanded again: title, description meta, description, caption and
    # JSON keep it, the stylesheet is in once.
    assert page.count("{{css}}") == 5 and page.count(".hint {") == 1
    blob = page.split('<script type="application/json">')[1].split("</script>")[0]
    import json

    assert json.loads(blob)["alt"] == data["alt"]


def test_data_follows_the_schedule():
    spec = CONFIGS["transposed"]
    data = page_data(spec)
    steps = schedule(spec)
    rows, cols = spec.grid_shape
    assert data["grid"] == [rows, cols] and data["out"] == list(spec.output_shape)
    assert len(data["steps"]) == len(steps)
    for (out, taps), step in zip(data["steps"], steps):
        assert divmod(out, spec.output_shape[1]) == step.out
        pairs = list(zip(taps[::2], taps[1::2]))
        assert [(divmod(k, 3), divmod(c, cols)) for k, c in pairs] == [(t.kernel, t.cell) for t in step.taps]
        for t, (_, c) in zip(step.taps, pairs):
            assert data["src"][c] == (-1 if t.source is None else t.source[0] * 3 + t.source[1])
    # Inserted zeros and the border: a 3x3 input with a zero between cells and a border of 1, 2 at the end.
    assert cols == 8 and data["kinds"][cols:2 * cols] == "pizizipp"


def test_every_built_in_view_writes_a_page(tmp_path, capsys):
    """No built-in view is refused a page (a view declared without one is: tests/test_views.py's toy view); the
    continuous view, which draws no spec, writes its page from the command line."""
    from convanim import views

    for name in views.names():
        assert views.check_page(name).page is not None
    target = tmp_path / "x.html"
    assert main(["render", "--view", "continuous", "-q", "-o", str(target)]) == 0
    assert '"view":"continuous"' in target.read_text(encoding="utf-8")


def test_specs_without_a_page_are_refused():
    with pytest.raises(ValueError, match="^a 3-D convolution's page is the grid view's flat layout "
                                         r"\(depth slices side by side\), got view='grid', layout='classic'$"):
        page_data(ConvSpec((4, 4, 4), 2))
    with pytest.raises(ValueError, match="^an interactive page draws 1-D and 2-D poolings, got 3 axes$"):
        page_data(PoolSpec("max", (4, 4, 4), 2))
    with pytest.raises(ValueError, match="^an interactive page needs a ConvSpec or a PoolSpec, got dict$"):
        page_data({"input_size": 5})


def test_save_html_from_python(tmp_path):
    anim = animate(input_size=5, kernel_size=3, view="values", values="random", seed=1)
    anim.save(tmp_path / "v.html")
    page = (tmp_path / "v.html").read_text(encoding="utf-8")
    assert '"view":"values"' in page and '"values":{"x":' in page
    with pytest.raises(ValueError, match="single step"):
        anim.save(tmp_path / "s.html", step=0)


def test_gallery_pages(tmp_path):
    """A page beside every GIF whose view has one; a case's own .html file; no page over another file."""
    (tmp_path / "g.toml").write_text("""
[defaults]
input_size = 3
kernel_size = 2
[[case]]
name = "grid"
[[case]]
name = "matrix"
view = "matrix"
[[case]]
name = "page"
file = "page.html"
layout = "flat"
[[case]]
name = "index"
[[case]]
name = "taken"
[[case]]
name = "other"
file = "taken.html"
""")
    out = tmp_path / "out"
    assert run_gallery(tmp_path / "g.toml", out, jobs=1) == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "README.md", "grid.gif", "grid.html", "index.gif", "index.html", "matrix.gif", "matrix.html", "page.html",
        "taken.gif", "taken.html"]
    assert '"layout":"flat"' in (out / "page.html").read_text() and "<svg" in (out / "taken.html").read_text()
    index = (out / "index.html").read_text()
    assert '<a class="play" href="grid.html"><img src="grid.gif"' in index
    assert '<a class="play" href="page.html">Open the page</a>' in index
    assert '<a class="play" href="matrix.html"><img src="matrix.gif"' in index  # every view but continuous has one
    assert run_gallery(tmp_path / "g.toml", out, jobs=1, check=True) == 0
    (out / "grid.html").write_text("stale")
    assert run_gallery(tmp_path / "g.toml", out, jobs=1, check=True) == 1


# -- in the browser ------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing() -> str | None:
    if CHROMIUM is None:
        return "Chromium is not installed (apt-get install chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run under CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Pages written once per module: name -> file URL."""
    folder = tmp_path_factory.mktemp("pages")
    urls = {}
    for name, spec in CONFIGS.items():
        path = folder / f"{name}.html"
        path.write_text(render_page(page_data(spec, layout="flat")), encoding="utf-8")
        urls[name] = path.as_uri()
    path = folder / "classic.html"
    path.write_text(render_page(page_data(CONFIGS["strided"])), encoding="utf-8")
    urls["classic"] = path.as_uri()
    path = folder / "values.html"
    values = make_values(CONFIGS["strided"], "random", seed=1)
    path.write_text(render_page(page_data(CONFIGS["strided"], view="values", values=values)), encoding="utf-8")
    urls["values"] = path.as_uri()
    return urls


#: The player's shadow root (its ids are private to it; Playwright's selectors pierce it, page scripts do not).
PLAYER = "document.querySelector('convanim-player').shadowRoot"


class Page:
    """One browser tab on a page, with every request and console message recorded."""

    def __init__(self, context, url, allow: str | None = None):
        self.allow = allow or url  # requests outside this are aborted (and recorded)
        self.requests, self.errors = [], []
        self.page = context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = url
        self.page.goto(url)

    def _route(self, route):
        if route.request.url.startswith(self.allow):
            route.continue_()
        else:
            route.abort()

    def cells(self, grid: str, selector: str = "") -> list[tuple[int, int]]:
        return sorted(tuple(rc) for rc in self.page.eval_on_selector_all(
            f'#view g[aria-label^="{grid}"] rect.cell{selector}',
            "els => els.map(e => [+e.getAttribute('y'), +e.getAttribute('x')])"))

    def cell(self, grid: str, rc, cols: int):
        n = rc[0] * cols + rc[1]
        return self.page.locator(f'#view g[aria-label^="{grid}"] rect.cell').nth(n)

    def centres(self, grid: str) -> list[tuple[float, float]]:
        """Page coordinates of the centre of every cell of ``grid``, row-major."""
        return [tuple(xy) for xy in self.page.eval_on_selector_all(
            f'#view g[aria-label^="{grid}"] rect.cell',
            "els => els.map(e => { const b = e.getBoundingClientRect(); "
            "return [b.x + b.width / 2, b.y + b.height / 2]; })")]

    def lit(self) -> dict:
        """The highlighted cells: (row, col) of input and output cells, and how many kernel cells."""
        found = self.page.evaluate("""() => {
            const root = document.querySelector('convanim-player').shadowRoot;
            const rc = g => [...root.querySelectorAll(`#view g[aria-label^="${g}"] rect.cell[data-hl]`)]
                .map(e => [+e.getAttribute('y'), +e.getAttribute('x')]);
            return {input: rc('input'), output: rc('output'),
                    kernel: root.querySelectorAll('#kernel-box rect.cell[data-hl]').length};
        }""")
        return {"input": sorted(map(tuple, found["input"])), "output": sorted(map(tuple, found["output"])),
                "kernel": found["kernel"]}

    def step(self) -> int:
        return int(self.page.eval_on_selector("#slider", "e => e.value"))

    def close(self):
        self.page.close()


@pytest.fixture(scope="module")
def context(browser):
    ctx = browser.new_context(viewport={"width": 1000, "height": 900}, reduced_motion="reduce")
    yield ctx
    ctx.close()


@pytest.fixture
def open_page(context, pages):
    opened = []

    def open_(name):
        page = Page(context, pages[name] if name in pages else name)
        opened.append(page)
        return page

    yield open_
    for page in opened:
        page.close()


def test_loads_without_errors_or_network(open_page):
    for name in ("classic", "values", "transposed"):
        p = open_page(name)
        assert p.page.locator("#controls").is_visible()
        assert p.errors == []
        assert p.requests == [p.url]


def test_slider_range_and_keys(open_page):
    for name in ("classic", "rect"):
        p = open_page(name)
        n = len(schedule(CONFIGS["strided" if name == "classic" else name]))
        lo, hi = p.page.eval_on_selector("#slider", "e => [+e.min, +e.max]")
        assert hi - lo + 1 == n
    keys = p.page.keyboard
    keys.press("Home")
    assert p.step() == 0
    keys.press("ArrowRight")
    assert p.step() == 1
    assert p.page.text_content("#status").startswith(f"Step 2 of {n}")
    keys.press("End")
    assert p.step() == n - 1
    keys.press("ArrowRight")  # stays on the last step
    assert p.step() == n - 1
    keys.press("ArrowLeft")
    assert p.step() == n - 2
    keys.press(" ")
    assert p.page.get_attribute("#play", "aria-label") == "Pause"
    keys.press(" ")
    assert p.page.get_attribute("#play", "aria-label") == "Play"


def _windows_reading(spec: ConvSpec, cell):
    """Output cells whose window covers drawn grid ``cell``: an independent reference (not the schedule)."""
    outs = set()
    for o in np.ndindex(*spec.output_shape):
        ok = True
        for a, ax in enumerate(spec.axes):
            start = o[a] * (1 if spec.transposed else ax.stride)
            offset = cell[a] - start
            ok &= offset >= 0 and offset % ax.dilation == 0 and offset // ax.dilation < ax.kernel_size
        if ok:
            outs.add(o)
    return outs


def _scatter(spec: ConvSpec, source):
    """Output cells a transposed convolution's input ``source`` is scattered to: o = i*s - p + j*d."""
    outs = set()
    for j in np.ndindex(*spec.kernel_size):
        o = tuple(i * s - p + jj * d for i, s, (p, _), jj, d in
                  zip(source, spec.stride, spec.pads, j, spec.dilation))
        if all(0 <= v < n for v, n in zip(o, spec.output_shape)):
            outs.add(o)
    return outs


@pytest.mark.parametrize("name", ["plain", "strided", "dilated", "transposed"])
def test_hover_links_inputs_and_outputs(open_page, name):
    spec = CONFIGS[name]
    p = open_page(name)
    steps = schedule(spec)
    centres = {grid: p.centres(grid) for grid in ("input", "output")}
    out_cols, grid_cols = spec.output_shape[1], spec.grid_shape[1]
    for step in steps:
        p.page.mouse.move(*centres["output"][step.out[0] * out_cols + step.out[1]])
        lit = p.lit()
        assert lit["input"] == sorted(t.cell for t in step.taps)
        assert lit["output"] == [step.out]
        assert lit["kernel"] == sum(t.source is not None for t in step.taps)
    # Input cells: every output cell they feed, both ways for the transposed convolution.
    for cell in np.ndindex(*spec.grid_shape):
        source = tuple(ax.source(c) for ax, c in zip(spec.axes, cell))
        if None in source:
            continue
        p.page.mouse.move(*centres["input"][cell[0] * grid_cols + cell[1]])
        lit = p.lit()
        assert lit["input"] == [cell]
        assert lit["output"] == sorted(_windows_reading(spec, cell))
        if spec.transposed:
            assert lit["output"] == sorted(_scatter(spec, source))
        else:
            assert lit["output"] == sorted({s.out for s in steps if any(t.cell == cell for t in s.taps)})
    p.page.mouse.move(999, 899)
    assert p.lit() == {"input": [], "output": [], "kernel": 0}


def test_click_and_keyboard_on_cells(open_page):
    spec = CONFIGS["strided"]
    p = open_page("strided")
    p.cell("output", (2, 1), 3).click()
    assert p.step() == 7
    p.cell("input", (3, 4), 7).click()  # first read by the window of output (1, 1)
    assert p.step() == 4
    # Roving tabindex: one cell per grid in the tab order; arrows move focus, Enter jumps.
    assert p.page.locator('#view g[aria-label^="output"] rect[tabindex="0"]').count() == 1
    first = p.cell("output", (0, 0), 3)
    first.focus()
    assert p.cells("input", "[data-hl]") == sorted(t.cell for t in schedule(spec)[0].taps)
    p.page.keyboard.press("ArrowDown")
    p.page.keyboard.press("ArrowRight")
    assert p.page.evaluate(f"{PLAYER}.activeElement.getAttribute('aria-label')").startswith("output o₁,₁")
    p.page.keyboard.press("Enter")
    assert p.step() == 4
    labels = p.page.eval_on_selector_all("#controls button", "els => els.map(e => e.getAttribute('aria-label'))")
    assert all(labels) and p.page.locator("label[for=slider]").count() == 1
    assert p.page.get_attribute("#figure", "aria-describedby") == "desc"
    assert p.page.text_content("#desc") == page_data(spec)["alt"]


def test_copy_button(open_page):
    p = open_page("strided")
    p.page.click("#copy")
    p.page.wait_for_function(f"{PLAYER}.getElementById('copied').textContent !== ''")
    assert p.page.text_content("#copied") == \
        "Copied torch.nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1, bias=False)"


def _boxes(rgb: np.ndarray, theme) -> dict:
    """Bounding boxes (x0, y0, x1, y1) of the input cells, the kernel's taps and the current output cell."""
    def near(*colours):
        hit = np.zeros(rgb.shape[:2], bool)
        for c in colours:
            hit |= (np.abs(rgb.astype(int) - hex_to_rgb(c)).max(axis=2) <= 6)
        # Solid areas only: a pixel whose 5x5 neighbourhood all matches (thin lines and text anti-alias
        # into nearby shades), grown back by the 2 pixels taken off.
        solid = hit.copy()
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                solid &= np.roll(hit, (dy, dx), axis=(0, 1))
        ys, xs = np.nonzero(solid)
        ys, xs = np.r_[ys - 2, ys + 2], np.r_[xs - 2, xs + 2]
        return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], float)

    return {
        "input": near(theme.input, theme.over(theme.input)),
        "taps": near(theme.over(theme.input), theme.over(theme.padding)),
        "current": near(theme.over(theme.output)),
    }


@pytest.mark.parametrize("name, k", [("dilated", 7), ("rect", 5)])
def test_screenshot_matches_the_flat_frame(open_page, name, k):
    """Step K in the page and in the flat layout's PNG: the same cells in the same places, in cell units."""
    spec, theme = CONFIGS[name], THEMES["classic"]
    p = open_page(name)
    p.page.keyboard.press("Home")
    for _ in range(k):
        p.page.keyboard.press("ArrowRight")
    p.page.mouse.move(999, 899)
    shot = np.asarray(Image.open(io.BytesIO(p.page.locator("#view").screenshot())).convert("RGB"))
    frame = animate(spec, layout="flat").array(k)
    spans = [(n - 1) * ax.step + 1 for n, ax in zip(spec.input_size, spec.axes)]  # input cells, in grid cells
    found = []
    for image in (shot, frame):
        b = _boxes(image, theme)
        cell = np.array([(b["input"][2] - b["input"][0]) / spans[1], (b["input"][3] - b["input"][1]) / spans[0]])
        origin = b["input"][:2]
        found.append({key: np.concatenate([(box[:2] - origin) / cell, (box[2:] - origin) / cell])
                      for key, box in b.items()})
    for key in found[0]:
        assert np.allclose(found[0][key], found[1][key], atol=0.1), (key, found[0][key], found[1][key])


def test_gallery_index_opens_players(context):
    """The committed classic gallery: its index shows the GIFs and opens each case's player."""
    folder = ROOT / "gallery" / "classic"
    index = folder / "index.html"
    page = Page(context, index.as_uri(), allow=folder.as_uri() + "/")
    try:
        assert page.errors == []
        assert all(url.startswith(folder.as_uri() + "/") for url in page.requests)
        links = page.page.locator("figure a.play")
        assert links.count() == 15 == page.page.locator("figure a.play img").count()
        links.nth(5).click()
        page.page.wait_for_url("**/padding_strides.html")
        lo, hi = page.page.eval_on_selector("#slider", "e => [+e.min, +e.max]")
        assert hi - lo + 1 == len(schedule(CONFIGS["strided"]))
        assert page.page.text_content("#code") == \
            "torch.nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1, bias=False)"
        assert page.errors == []
    finally:
        page.close()


def test_classic_page_has_the_classic_scenes_slant(open_page):
    """Every cell centre of the classic page is the classic scene's, up to one scale and one shift."""
    from convanim.scene.classic import ClassicScene

    spec = CONFIGS["strided"]
    p = open_page("classic")
    scene = ClassicScene(spec)
    page, drawn = [], []
    for grid, shape in (("input", spec.grid_shape), ("output", spec.output_shape)):
        page += p.centres(grid)
        drawn += [scene.cell_center(grid, cell) for cell in np.ndindex(*shape)]
    page, drawn = np.array(page), np.array(drawn)
    # Least squares: page = s * drawn + t.
    a = np.zeros((2 * len(drawn), 3))
    a[0::2, 0], a[1::2, 0] = drawn[:, 0], drawn[:, 1]
    a[0::2, 1], a[1::2, 2] = 1, 1
    (s, tx, ty), *_ = np.linalg.lstsq(a, page.reshape(-1), rcond=None)
    error = np.abs(page - (s * drawn + (tx, ty))).max()
    assert 1.2 < s < 1.5  # 40 px cells in the page, 29.5 in the scene
    assert error < 0.5, error  # pixels


def test_values_page_writes_the_sum(open_page):
    """The values view's numbers: step 4 of the strided config, against a numpy cross-correlation."""
    spec = CONFIGS["strided"]
    values = make_values(spec, "random", seed=1)
    xpad = np.pad(values.x, 1)
    expected = int((xpad[2:5, 2:5] * values.w).sum())  # output (1, 1): rows and columns 2..4 of the padded input
    p = open_page("values")
    p.page.keyboard.press("Home")
    for _ in range(4):
        p.page.keyboard.press("ArrowRight")
    text = p.page.text_content("#sum")
    assert text.startswith("o₁,₁ = ") and text.endswith(" = " + str(expected).replace("-", "−"))
    assert text.count("·") == 9
