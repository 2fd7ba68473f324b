"""Pages that paste anywhere: two players pasted into one host page, and one in an iframe, leave the host alone.

The host has its own styled heading, stylesheet and script. Whole page files are pasted as they are (the worst
case: their <html>, <head> and <body> tags end up inside the host's body), and the fragment `render_fragment`
gives is pasted too. Skips where Chromium or Playwright is missing (as tests/test_html.py's browser tests do).
"""

from __future__ import annotations

import html

import pytest

from convanim import ConvSpec
from convanim.html import page_data, render_fragment, render_page
from convanim.values import make_values
from tests.test_html import ARGS, CHROMIUM, _missing

HOST = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>A course page</title>
<style>h1 {{ font: 700 40px Georgia, serif; color: rgb(120, 20, 20); margin: 12px 0; }}
p {{ color: rgb(0, 90, 0); }} button {{ background: rgb(255, 200, 0); }}</style>
<script>var hostClicks = 0;</script></head>
<body><h1 id="title">Strided convolutions</h1><p id="intro">Two figures follow.</p>
<button id="host-button" onclick="hostClicks += 1">Host button</button>
{players}
</body></html>"""

STYLE = ("() => { const s = getComputedStyle(document.getElementById('title')); "
         "return [s.fontSize, s.fontFamily, s.fontWeight, s.color, s.marginTop, s.lineHeight,"
         " getComputedStyle(document.getElementById('intro')).color,"
         " getComputedStyle(document.getElementById('host-button')).backgroundColor]; }")
ROOTS = "[...document.querySelectorAll('convanim-player')].map(e => e.shadowRoot)"


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


def _pages():
    strided = ConvSpec(5, 3, stride=2, padding=1)
    values = make_values(strided, "random", seed=3)
    return (render_page(page_data(strided)),
            render_page(page_data(ConvSpec(7, 3, dilation=2), layout="flat", theme="dark")),
            render_fragment(page_data(strided, view="values", values=values)))


def _state(page):
    """Per player: its step (the slider), how many cells it drew, and its output grid's first cell colour."""
    return page.evaluate(f"""() => {ROOTS}.map(r => [+r.getElementById('slider').value,
        r.querySelectorAll('rect.cell').length, r.querySelector('#view rect.cell').getAttribute('fill'),
        getComputedStyle(r.host).backgroundColor])""")


def test_two_pasted_players_and_an_iframe_leave_the_host_alone(browser, tmp_path):
    first, second, fragment = _pages()
    frame = render_page(page_data(ConvSpec(4, 3), layout="flat"))
    iframe = f'<iframe title="figure" width="600" height="500" srcdoc="{html.escape(frame)}"></iframe>'
    (tmp_path / "bare.html").write_text(HOST.format(players=""), encoding="utf-8")
    (tmp_path / "host.html").write_text(HOST.format(players=first + second + fragment + iframe), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1000, "height": 900}, reduced_motion="reduce")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((tmp_path / "bare.html").as_uri())
        bare_style = page.evaluate(STYLE)
        bare_globals = set(page.evaluate("Object.keys(window)"))
        assert bare_style[0] == "40px"

        page.goto((tmp_path / "host.html").as_uri())
        # The host's styles, stylesheets, ids, global names and script are as they were.
        assert page.evaluate(STYLE) == bare_style
        assert page.evaluate("document.styleSheets.length") == 1
        assert page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)") == [
            "title", "intro", "host-button"]
        added = set(page.evaluate("Object.keys(window)")) - bare_globals
        assert added == {"0"}  # window[0]: the iframe's window, nothing else
        assert page.evaluate("document.title") == "A course page"
        page.click("#host-button")
        assert page.evaluate("hostClicks") == 1
        assert page.evaluate("document.documentElement.getAttribute('style')") is None
        assert page.evaluate("document.body.getAttribute('style')") is None

        # Three players, each drawn with its own theme.
        state = _state(page)
        assert [s[0] for s in state] == [0, 0, 0]
        assert all(s[1] >= 20 for s in state)
        assert state[0][3] != state[1][3]  # classic and dark backgrounds
        # Stepping one leaves the others where they were: buttons, then keys in the focused player.
        page.locator("convanim-player").nth(1).locator("#next").click()
        page.locator("convanim-player").nth(1).locator("#next").click()
        assert [s[0] for s in _state(page)] == [0, 2, 0]
        page.locator("convanim-player").nth(0).locator("#last").click()
        page.keyboard.press("ArrowLeft")
        assert [s[0] for s in _state(page)] == [7, 2, 0]
        page.locator("convanim-player").nth(2).locator("#view rect.cell").nth(30).click()  # input cell (4, 2)
        assert [s[0] for s in _state(page)][:2] == [7, 2] and _state(page)[2][0] > 0
        # Keys pressed outside every player move none of them (the host page keeps its arrows).
        page.locator("#intro").click()
        page.keyboard.press("End")
        assert [s[0] for s in _state(page)][:2] == [7, 2]
        assert page.evaluate(STYLE) == bare_style

        # In the iframe: drawn and stepping, the host untouched.
        inner = page.frame_locator("iframe")
        assert inner.locator("#view rect.cell").count() == 16 + 4
        inner.locator("#next").click()
        assert inner.locator("#slider").input_value() == "1"
        assert [s[0] for s in _state(page)][:2] == [7, 2]
        assert errors == []
    finally:
        context.close()


def test_fragment_falls_back_to_its_description_without_scripts(browser, tmp_path):
    first = _pages()[0]
    (tmp_path / "host.html").write_text(HOST.format(players=first), encoding="utf-8")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((tmp_path / "host.html").as_uri())
        shown = page.evaluate("document.querySelector('convanim-player > p').innerText")
        assert shown == page_data(ConvSpec(5, 3, stride=2, padding=1))["alt"]
        assert page.evaluate("getComputedStyle(document.getElementById('title')).fontSize") == "40px"
    finally:
        context.close()


def test_notebook_repr_is_the_player_with_the_gif_inside():
    from convanim import animate

    anim = animate(input_size=4, kernel_size=3, layout="flat")
    shown = anim._repr_html_()
    assert shown.startswith("<convanim-player ") and shown.count("<script") == 2
    player, script = shown.split("</convanim-player>")
    assert '<img src="data:image/gif;base64,' in player and "<img" not in script
    assert '"layout":"flat"' in player
    curve = animate(view="continuous")._repr_html_()  # a view without a spec: its page, no PyTorch call to copy
    assert curve.startswith("<convanim-player ") and '"view":"continuous"' in curve and 'id="copy"' not in curve
    assert '<img src="data:image/gif;base64,' in curve.split("</convanim-player>")[0]


def test_depth_and_curve_players_pasted_beside_another(browser, tmp_path):
    """A 3-D convolution's player and the continuous view's, pasted with a 2-D one: the host is untouched and
    each player steps on its own."""
    from convanim import animate

    players = (render_fragment(animate(input_size=(3, 3, 3), kernel_size=2, layout="flat")._page_data())
               + render_fragment(animate(view="continuous")._page_data()) + _pages()[0])
    (tmp_path / "bare.html").write_text(HOST.format(players=""), encoding="utf-8")
    (tmp_path / "host.html").write_text(HOST.format(players=players), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1000, "height": 900}, reduced_motion="reduce")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((tmp_path / "bare.html").as_uri())
        bare_style, bare_globals = page.evaluate(STYLE), set(page.evaluate("Object.keys(window)"))
        page.goto((tmp_path / "host.html").as_uri())
        assert page.evaluate(STYLE) == bare_style and set(page.evaluate("Object.keys(window)")) == bare_globals
        assert page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)") == [
            "title", "intro", "host-button"]
        steps = f"() => {ROOTS}.map(r => +r.getElementById('slider').value)"
        assert page.evaluate(steps) == [0, 0, 0]
        page.locator("convanim-player").nth(1).locator("#last").click()
        page.locator("convanim-player").nth(0).locator("#next").click()
        assert page.evaluate(steps) == [1, 59, 0]
        page.keyboard.press("ArrowLeft")  # in the focused (3-D) player only
        assert page.evaluate(steps) == [0, 59, 0]
        assert errors == []
    finally:
        context.close()
