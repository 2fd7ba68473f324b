"""The README's screenshot of the explorer: `python scripts/explorer_screenshot.py [OUT.png]`.

Writes ``convanim explore -o explore.html`` to a temporary folder, opens it in headless Chromium
(Debian's ``chromium``, driven by Playwright; no browser download), sets a 2-D max pooling with
a 3×3 window, stride 2 and ceil_mode over a 6×6 input, steps to its last window, hovers that
output cell and saves the page as a palette PNG (default ``assets/readme/explorer.png``).
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image

from convanim.cli import main as convanim

VIEWPORT = {"width": 760, "height": 900}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def screenshot(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "explore.html"
        convanim(["explore", "-o", str(page_file), "-q"])
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport=VIEWPORT, reduced_motion="reduce")
            page.goto(page_file.as_uri())
            page.select_option("#kind", "max")
            for name, value in (("input", "6"), ("pad", "0")):
                for box in page.locator(f'.row[data-name="{name}"] input').all():
                    box.fill(value)
            page.check("#ceil")
            page.locator("#last").click()
            page.locator('#view g[aria-label^="output"] rect.cell').nth(8).hover()
            png = page.screenshot(full_page=True)
            browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(64, method=Image.Quantize.MEDIANCUT, dither=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, optimize=True)
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "assets/readme/explorer.png"))
