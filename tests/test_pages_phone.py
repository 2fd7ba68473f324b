"""Pages on a phone: at 390 px no committed page scrolls sideways, and a player's text stays at least 11 px.

Every .html file under gallery/ (players, gallery indexes and network pages) and the explorer are opened at a
390 px viewport. In a player, a flat layout's grids stack (the output under the input) and no text, in the SVG
drawing or around it, is smaller than 11 px; a drawing wider than the screen at that size scrolls in its own box.
Skips where Chromium or Playwright is missing (as tests/test_html.py's browser tests do).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from convanim.cli import main
from tests.test_html import ARGS, CHROMIUM, _missing

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "gallery").rglob("*.html"))
PHONE = 390
MIN_PX = 11

# Per player on the page: the smallest SVG text in pixels as shown, the smallest other text, and the grids' boxes.
MEASURE = """() => [...document.querySelectorAll('convanim-player, convanim-explorer')].map(host => {
  const root = host.shadowRoot;
  let svgText = Infinity, htmlText = Infinity;
  for (const svg of root.querySelectorAll('svg')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim() || getComputedStyle(t).visibility === 'hidden') continue;
      svgText = Math.min(svgText, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
  }
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || el.closest('svg, style, template, .sr') || !el.getClientRects().length) continue;
    htmlText = Math.min(htmlText, parseFloat(getComputedStyle(el).fontSize));
  }
  const box = g => { const e = root.querySelector(`#view g[aria-label^="${g}"]`);
                     if (!e) return null; const b = e.getBoundingClientRect(); return [b.top, b.bottom]; };
  return {svgText, htmlText, input: box('input'), output: box('output'),
          layout: root.querySelector('#view') && host.localName === 'convanim-player'
            ? JSON.parse(host.querySelector('script[type="application/json"]').textContent).layout : null};
})"""


@pytest.fixture(scope="module")
def phone():
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": PHONE, "height": 800}, reduced_motion="reduce")
        page = context.new_page()
        yield page
        browser.close()


def _check(page, url: str) -> list:
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"{url} is {width} px wide at {PHONE} px"
    players = page.evaluate(MEASURE)
    for p in players:
        assert p["svgText"] is None or p["svgText"] >= MIN_PX - 0.01, (url, p)
        assert p["htmlText"] >= MIN_PX - 0.01, (url, p)
        if p["layout"] == "flat" and p["input"] and p["output"]:
            assert p["output"][0] >= p["input"][1], (url, "grids not stacked", p)
    return players


def test_every_committed_page_fits_a_phone(phone):
    assert len(PAGES) >= 40
    kinds = {"player": 0, "index": 0}
    for path in PAGES:
        players = _check(phone, path.as_uri())
        kinds["player" if players else "index"] += 1
    assert kinds["player"] >= 30 and kinds["index"] >= 8, kinds


def test_explorer_fits_a_phone(phone, tmp_path):
    assert main(["explore", "-o", str(tmp_path / "explore.html"), "-q"]) == 0
    players = _check(phone, (tmp_path / "explore.html").as_uri())
    assert len(players) == 1 and players[0]["input"] and players[0]["output"][0] >= players[0]["input"][1]


@pytest.mark.parametrize("args", [["--view", "continuous"],
                                  ["-i", "4x4x4", "-k", "3", "-p", "0,1,1", "--layout", "flat"],
                                  ["-i", "2x2x2", "-k", "2", "-s", "2", "--transposed", "--layout", "flat"]])
def test_depth_and_continuous_pages_fit_a_phone(phone, tmp_path, args):
    """The 3-D page wraps its depth slices into rows and the continuous page's plots shrink: neither the page nor
    the drawing scrolls sideways at 390 px, and no text is under 11 px."""
    assert main(["render", *args, "-q", "-o", str(tmp_path / "x.html")]) == 0
    players = _check(phone, (tmp_path / "x.html").as_uri())
    assert len(players) == 1
    box = phone.evaluate("() => { const b = document.querySelector('convanim-player').shadowRoot"
                         ".getElementById('view-box'); return [b.scrollWidth, b.clientWidth]; }")
    assert box[0] <= box[1], box
