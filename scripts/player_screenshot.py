"""The README's screenshot of the interactive page: `python scripts/player_screenshot.py [OUT.png]`.

Writes the page of ``convanim render -i 5 -k 3 -s 2 -p 1 -o ps.html`` to a
temporary folder, opens it in headless Chromium (Debian's ``chromium``, driven
by Playwright; no browser download), steps to step 5 of 9, hovers output cell
(2, 1) and saves the page as a palette PNG (default
``assets/readme/player.png``).
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image

from convanim.cli import main as convanim

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def screenshot(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "ps.html"
        convanim(["render", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "-o", str(page_file)])
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 720, "height": 600}, reduced_motion="reduce")
            page.goto(page_file.as_uri())
            for _ in range(4):
                page.keyboard.press("ArrowRight")
            page.locator('#view g[aria-label^="output"] rect.cell').nth(7).hover()
            png = page.screenshot(full_page=True)
            browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(64, method=Image.Quantize.MEDIANCUT, dither=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, optimize=True)
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "assets/readme/player.png"))
