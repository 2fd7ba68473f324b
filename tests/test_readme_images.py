"""Every image the README shows is made, byte for byte, by the command written next to it.

The convention (apply it to every image added to README.md):

1. An image ``![alt](PATH)`` (or ``<img src="PATH">``) is made by a ``convanim render ... -o PATH``
   command written somewhere in the README as inline code or in a code block, with ``-o`` naming
   exactly PATH (the table header above it, a caption under it, or a code line before it). This
   test runs that command from the repository root, writing to a temporary folder instead of PATH,
   and compares the bytes with the committed file.
2. Otherwise PATH is ``gallery/PRESET/FILE`` of a bundled preset, FILE is one of the files that
   preset renders, and the README writes ``convanim gallery PRESET -o gallery/PRESET``. Those bytes
   are compared by ``tests/test_gallery.py::test_committed_gallery_is_up_to_date`` (the
   ``convanim gallery PRESET --check`` of each preset), which CI runs for real.
3. Otherwise the README writes ``python scripts/SCRIPT.py PATH`` (a screenshot of a page in headless
   Chromium). A browser's pixels change with its build, so they are never compared: the tests run the
   script (it writes a PNG) and read from the page's DOM that it shows what the README says it shows.
4. Or PATH is ``gallery/networks/NETWORK/receptive_field.gif`` of a bundled network and the README
   writes ``convanim network NETWORK -o gallery/networks/NETWORK``; its bytes are compared by
   ``tests/test_network.py::test_committed_network_presets_are_fresh``.

An image under none of these rules fails `test_every_image_has_its_command`.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)\)|<img\s[^>]*src=\"([^\"]+)\"")  # alt may hold [a, b]
# a command runs to the end of its inline code span or its line; a trailing shell comment is dropped
_RENDER = re.compile(r"convanim render ([^`\n]*)")
_GALLERY = re.compile(r"convanim gallery (\S+) -o (\S+)")
_SCRIPT = re.compile(r"python (scripts/\w+\.py) ([^`\s]+\.(?:png|gif|webp|svg))")


def readme() -> str:
    return README.read_text(encoding="utf-8")


def images(text: str) -> list[str]:
    found = [a or b for a, b in _IMAGE.findall(text)]
    return [p for p in dict.fromkeys(found) if not re.match(r"[a-z]+:", p)]  # local files, in order


def render_commands(text: str) -> dict[str, list[str]]:
    """Output path -> the arguments after ``convanim render`` of each command that writes one."""
    commands = {}
    for match in _RENDER.finditer(text):
        words = shlex.split(match.group(1).split(" #")[0])
        if "-o" in words and words.index("-o") + 1 < len(words):
            commands.setdefault(words[words.index("-o") + 1], words)
    return commands


def gallery_commands(text: str) -> set[tuple[str, str]]:
    return set(_GALLERY.findall(text))


def rendered_by_command(text: str) -> list[tuple[str, list[str]]]:
    commands = render_commands(text)
    return [(path, commands[path]) for path in images(text) if path in commands]


def test_the_readme_shows_images_and_names_their_commands():
    text = readme()
    shown = images(text)
    assert len(shown) >= 20
    assert len(rendered_by_command(text)) >= 4  # the convention's rule 1 is in use


def test_every_image_has_its_command():
    from convanim.gallery import PRESETS, load_gallery
    from convanim.netpages import RF_FILE
    from convanim.network import NETWORK_PRESETS

    text = readme()
    commands = render_commands(text)
    galleries = gallery_commands(text)
    orphans = []
    for path in images(text):
        assert (ROOT / path).is_file(), f"README shows {path}, which is not committed"
        if path in commands or path in dict((out, script) for script, out in _SCRIPT.findall(text)):
            continue
        parts = Path(path).parts
        if len(parts) == 3 and parts[0] == "gallery" and parts[1] in PRESETS:
            files = {case.file for case in load_gallery(parts[1])[1]}
            if parts[2] in files and (parts[1], f"gallery/{parts[1]}") in galleries:
                continue
        # rule 3: gallery/networks/PRESET/receptive_field.gif of a bundled network, written by
        # `convanim network PRESET -o gallery/networks/PRESET` (bytes: test_network's freshness check)
        made_by = f"convanim network {parts[2]} -o gallery/networks/{parts[2]}" if len(parts) == 4 else None
        if len(parts) == 4 and parts[:2] == ("gallery", "networks") and parts[3] == RF_FILE \
                and parts[2] in NETWORK_PRESETS and made_by in text:
            continue
        orphans.append(path)
    assert not orphans, f"README images without the command that makes them: {orphans}"


def _versions_differ(path: str) -> str | None:
    """Why the bytes of ``path`` cannot be expected here, or None.

    README images are rendered with the library versions the gallery pages record (``Rendered by
    ...`` in gallery/PRESET/README.md: the image's own gallery, else the classic one); under other
    versions matplotlib may anti-alias differently. Locally that is a skip, saying so; in CI (CI set)
    a failure, as for the committed galleries (tests/test_gallery.py).
    """
    from convanim.gallery import rendered_by

    parts = Path(path).parts
    folder = ROOT / "gallery" / (parts[1] if len(parts) == 3 and parts[0] == "gallery" else "classic")
    page = (folder / "README.md").read_text(encoding="utf-8")
    if f"Rendered by {rendered_by()}." in page:
        return None
    recorded = re.search(r"Rendered by (.*?)\.(?:\s|$)", page)
    return (
        f"{path} was rendered by {recorded.group(1) if recorded else 'an unknown version'}, this is "
        f"{rendered_by()}: re-render the README's images and galleries under these versions, or install those"
    )


@pytest.mark.parametrize(
    ("path", "words"), rendered_by_command(readme()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_image_is_its_command_byte_for_byte(tmp_path, monkeypatch, path, words):
    import os

    from convanim.cli import main

    differ = _versions_differ(path)
    if differ:
        if os.environ.get("CI"):
            pytest.fail(differ)
        pytest.skip(differ)

    out = tmp_path / Path(path).name
    argv = list(words)
    argv[argv.index("-o") + 1] = str(out)
    monkeypatch.chdir(ROOT)  # as written: run from the repository root
    assert main(["render", *argv]) == 0
    committed = (ROOT / path).read_bytes()
    assert out.read_bytes() == committed, (
        f"{path} is not what its README command makes; re-run: convanim render {shlex.join(words)}"
    )


def test_parsing_rules_on_a_small_example():
    text = (
        "| `convanim render -i 5 -k 3 --labels -o gallery/x/a.gif` | b |\n"
        "|:-:|:-:|\n"
        "| ![a](gallery/x/a.gif) | ![b on [0, 1]](gallery/classic/b.gif) |\n"
        "```sh\nconvanim render -i 4 -k 2 -o c.gif       # a comment\n```\n"
        '<img src="c.gif" width="200">\n'
        "convanim gallery classic -o gallery/classic\n"
    )
    assert images(text) == ["gallery/x/a.gif", "gallery/classic/b.gif", "c.gif"]
    assert render_commands(text) == {
        "gallery/x/a.gif": ["-i", "5", "-k", "3", "--labels", "-o", "gallery/x/a.gif"],
        "c.gif": ["-i", "4", "-k", "2", "-o", "c.gif"],
    }
    assert gallery_commands(text) == {("classic", "gallery/classic")}


# -- rule 3: screenshots, checked by behaviour --------------------------------------------------


def _browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None. Under CI (``CI`` set) they must: a failure."""
    import os
    import shutil

    missing = None
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        missing = "Chromium is not installed (apt-get install chromium; .ci/run installs it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright package is not installed (pip install -e '.[test]')"
    if missing and os.environ.get("CI"):
        pytest.fail(f"browser tests must run under CI: {missing}")
    return missing


def _script(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"readme_script_{Path(name).stem}", ROOT / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("script", "path"), _SCRIPT.findall(readme()))
def test_screenshot_script_writes_its_image(tmp_path, script, path):
    import subprocess
    import sys

    from PIL import Image

    missing = _browser_missing()
    if missing:
        pytest.skip(missing)
    out = tmp_path / Path(path).name
    proc = subprocess.run([sys.executable, script, str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote {out} ({out.stat().st_size} bytes)"
    committed = Image.open(ROOT / path)
    with Image.open(out) as image:
        assert image.format == committed.format == "PNG"
        # the viewport's width, the whole page's height; the committed image was made the same way
        assert image.width == committed.width == _script(script).VIEWPORT["width"]
        assert image.height >= _script(script).VIEWPORT["height"] - 100
        colours = image.convert("RGB").getcolors(1 << 16)
        assert colours is not None and len(colours) > 8  # a drawn page, not a blank one
    assert list(tmp_path.iterdir()) == [out]  # its temporary page is gone


_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def test_the_player_screenshot_shows_what_the_readme_says(tmp_path):
    """The page the script photographs, read from its DOM: the step, the hovered cell and its outlines
    where `schedule()` puts them, and the counts the README's alt text gives."""
    from playwright.sync_api import sync_playwright

    from convanim import ConvSpec, schedule
    from convanim.cli import build_parser, spec_from_args

    missing = _browser_missing()
    if missing:
        pytest.skip(missing)
    shot = _script("scripts/player_screenshot.py")
    spec = spec_from_args(build_parser().parse_args(["render", *shot.RENDER, "-o", "x.html"]))
    assert spec == ConvSpec(5, 3, stride=2, padding=1)
    steps = schedule(spec)
    hovered = steps[shot.HOVER[0] * spec.output_shape[1] + shot.HOVER[1]]
    assert hovered.out == shot.HOVER
    page_file = shot.write_page(tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shot.chromium(), args=shot.ARGS)
        try:
            page = browser.new_page(viewport=shot.VIEWPORT, reduced_motion="reduce")
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            shot.show(page, page_file)
            state = page.evaluate("""() => {
                const root = document.querySelector('convanim-player').shadowRoot;  // the player's own tree
                const rc = g => [...root.querySelectorAll(`#view g[aria-label^="${g}"] rect.cell[data-hl]`)]
                    .map(e => [+e.getAttribute('y'), +e.getAttribute('x')]);
                return {input: rc('input'), output: rc('output'), slider: +root.getElementById('slider').value,
                        kernel: root.querySelectorAll('#kernel-box rect.cell[data-hl]').length,
                        status: root.getElementById('status').textContent};
            }""")
        finally:
            browser.close()
    assert errors == []
    # the step shown: STEP (0-based) of the schedule's steps
    assert state["slider"] == shot.STEP and state["status"].startswith(f"Step {shot.STEP + 1} of {len(steps)}")
    # the hovered output cell's outlines: its window's cells and the taps that read an input cell
    assert sorted(map(tuple, state["output"])) == [hovered.out]
    assert sorted(map(tuple, state["input"])) == sorted(t.cell for t in hovered.taps)
    reads = [t for t in hovered.taps if t.source is not None]
    assert state["kernel"] == len(reads)
    # the README's alt text and caption say the same
    alt = re.search(r"!\[(the page of [^\]]+)\]\(assets/readme/player\.png\)", readme()).group(1)
    said = re.search(r"step (\d+) of (\d+), output cell \((\d+), (\d+)\) hovered: its (\w+) input cells, "
                     r"(\w+) padding cells and (\w+) kernel taps outlined", alt)
    assert said, alt
    assert (int(said[1]), int(said[2])) == (shot.STEP + 1, len(steps))
    assert (int(said[3]), int(said[4])) == shot.HOVER
    assert (_WORDS[said[5]], _WORDS[said[6]], _WORDS[said[7]]) == \
        (len(reads), len(hovered.taps) - len(reads), len(reads))
