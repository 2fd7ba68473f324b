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
   Chromium); `test_screenshot_is_its_script_byte_for_byte` runs it and compares the bytes.
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


@pytest.mark.parametrize(("script", "path"), _SCRIPT.findall(readme()))
def test_screenshot_is_made_by_its_script(tmp_path, script, path):
    import os
    import shutil
    import subprocess
    import sys

    missing = None if shutil.which("chromium") else "Chromium is not installed (.ci/run installs it)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing = "the playwright package is not installed (the test extra)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    out = tmp_path / Path(path).name
    proc = subprocess.run([sys.executable, script, str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    # A browser's pixels are not compared (they vary with its version and fonts): the script runs and makes
    # an image of the committed one's size.
    from PIL import Image

    with Image.open(out) as made, Image.open(ROOT / path) as committed:
        assert made.size == committed.size, f"{path} is not what python {script} {path} makes"
