"""The README's screenshot of the interactive page: `python scripts/player_screenshot.py [OUT.png]`.

Writes the page of ``convanim render -i 5 -k 3 -s 2 -p 1 -o ps.html`` to a
temporary folder, opens it in headless Chromium (Debian's ``chromium``, driven
by Playwright; no browser download), steps to step 5 of 9, hovers output cell
(2, 1) and saves the page as a palette PNG (default
``assets/readme/player.png``).

The pixels depend on the Chromium build (fonts, anti-aliasing, layout by a
pixel or two), so nothing compares them: tests/test_readme_images.py runs this
script and reads the state `show` leaves the page in from its DOM.
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image

from convanim.cli import main as convanim

#: The page's layer, the step shown (0-based: "Step 5 of 9") and the output cell hovered (row, column).
RENDER = ["-i", "5", "-k", "3", "-s", "2", "-p", "1"]
STEP = 4
HOVER = (2, 1)
VIEWPORT = {"width": 720, "height": 600}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str | None:
    """The system's Chromium (Playwright drives it; it never downloads one), or None."""
    return shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def write_page(folder: Path) -> Path:
    page_file = Path(folder) / "ps.html"
    if convanim(["render", *RENDER, "-q", "-o", str(page_file)]) != 0:
        raise SystemExit("convanim render failed")
    return page_file


def show(page, page_file: Path) -> None:
    """Open the page, step to STEP and hover output cell HOVER."""
    page.goto(Path(page_file).as_uri())
    for _ in range(STEP):
        page.keyboard.press("ArrowRight")
    cols = int(page.eval_on_selector_all('#view g[aria-label^="output"] rect.cell',
                                         "els => new Set(els.map(e => e.getAttribute('x'))).size"))
    page.locator('#view g[aria-label^="output"] rect.cell').nth(HOVER[0] * cols + HOVER[1]).hover()


def screenshot(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium()
    if executable is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        page_file = write_page(Path(tmp))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=ARGS)
            page = browser.new_page(viewport=VIEWPORT, reduced_motion="reduce")
            show(page, page_file)
            png = page.screenshot(full_page=True)
            browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(64, method=Image.Quantize.MEDIANCUT, dither=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, optimize=True)
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "assets/readme/player.png"))
