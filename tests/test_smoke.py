"""A smoke run of every view, every format and the classic gallery: what CI runs again under the
lowest dependency versions pyproject.toml allows (.ci/floors.txt), where the rest of the suite's
tools may be missing. It needs only pytest, numpy, matplotlib, Pillow, imageio and tqdm.

    python -m pytest -q tests/test_smoke.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

import convanim
from convanim.cli import main

pytestmark = pytest.mark.smoke

SPEC = {"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1}  # 9 steps
VIEWS = [
    ("grid-classic", {"layout": "classic", **SPEC}, 9),
    ("grid-flat", {"layout": "flat", "labels": True, "caption": True, **SPEC}, 9),
    ("transposed", {"input_size": 3, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1,
                    "transposed": True}, 36),
    ("1d", {"view": "1d", "input_size": (5,), "kernel_size": (3,), "padding": "full", "flip": True}, 7),
    ("continuous", {"view": "continuous"}, 60),
    ("values", {"view": "values", "input_size": 5, "kernel_size": 3, "values": "random"}, 9),
    ("matrix", {"view": "matrix", "input_size": 4, "kernel_size": 3}, 4),
]


def count_frames(path: Path) -> int:
    with Image.open(path) as im:
        return sum(1 for _ in ImageSequence.Iterator(im))


@pytest.mark.parametrize(("name", "options", "steps"), VIEWS, ids=[v[0] for v in VIEWS])
def test_every_view_renders_and_is_deterministic(tmp_path, name, options, steps):
    anim = convanim.animate(**options)
    assert len(anim) == steps
    first = anim.save(tmp_path / "a.gif")
    assert count_frames(first) == steps
    again = convanim.animate(**options).save(tmp_path / "b.gif")
    assert first.read_bytes() == again.read_bytes()


@pytest.mark.parametrize("ext", [".gif", ".png", ".apng", ".webp", ".pdf"])
def test_every_animation_format(tmp_path, ext):
    anim = convanim.animate(**SPEC)
    path = anim.save(tmp_path / f"anim{ext}")
    data = path.read_bytes()
    if ext == ".pdf":
        assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 9
        return
    assert count_frames(path) == 9
    with Image.open(path) as im:
        assert im.size == anim.size
        got = np.asarray(im.convert("RGB")).astype(int)
    drawn = anim.array(0).astype(int)
    if ext == ".gif":  # a palette of the theme's colours and the commonest shades between them
        assert np.abs(got - drawn).mean() < 1
    else:  # lossless
        assert np.array_equal(got, drawn)


def test_mp4(tmp_path):
    pytest.importorskip("imageio_ffmpeg", reason="MP4 needs imageio-ffmpeg (the mp4 extra)")
    import imageio.v3 as iio

    anim = convanim.animate(**SPEC, duration_ms=100)  # 10 fps: one video frame per step
    video = iio.imread(anim.save(tmp_path / "a.mp4"), plugin="FFMPEG")
    assert video.shape == (9, 382, 396, 3)  # even sizes for H.264
    assert np.abs(video[4, :381, :395].astype(int) - anim.array(4).astype(int)).mean() < 4


@pytest.mark.parametrize("ext", [".png", ".svg", ".pdf", ".gif", ".webp"])
def test_every_step_format(tmp_path, ext):
    path = convanim.animate(**SPEC, layout="flat").save(tmp_path / f"step{ext}", step=4)
    again = convanim.animate(**SPEC, layout="flat").save(tmp_path / f"again{ext}", step=4)
    assert path.stat().st_size > 500
    assert path.read_bytes() == again.read_bytes()  # SVG and PDF too: no dates, no random ids


def test_frames_sheet_and_alt(tmp_path, capsys):
    args = ["render", "-i", "5", "-k", "3", "-s", "2", "-p", "1"]
    assert main([*args, "--frames", str(tmp_path / "f"), "--frame-format", "svg"]) == 0
    assert len(list((tmp_path / "f").glob("step_*.svg"))) == 9
    assert main([*args, "--sheet", "-o", str(tmp_path / "sheet.png")]) == 0
    assert main([*args, "--sheet", "-o", str(tmp_path / "sheet.pdf")]) == 0
    assert main([*args, "--alt"]) == 0
    assert "3×3 kernel" in capsys.readouterr().out


def test_the_issues_command_and_the_classic_gallery(tmp_path, monkeypatch):
    # the two commands that ended in a traceback under matplotlib 3.7
    monkeypatch.chdir(tmp_path)
    assert main(["render", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "-o", "ps.gif"]) == 0
    assert count_frames(tmp_path / "ps.gif") == 9
    assert main(["gallery", "classic", "-o", "out", "--jobs", "1"]) == 0
    gifs = sorted((tmp_path / "out").glob("*.gif"))
    assert len(gifs) == 15 and (tmp_path / "out" / "index.html").is_file()
    assert count_frames(tmp_path / "out" / "padding_strides.gif") == 9


def test_the_fast_draw_and_its_fallback_give_the_same_pixels(monkeypatch):
    # Scenes draw plain collections through a shortcut into matplotlib's renderer; where matplotlib
    # lacks what it relies on, `Collection.draw` is used instead. Both must give the same frames.
    import convanim.scene.base as base

    scenes = [convanim.animate(**SPEC), convanim.animate(**SPEC, layout="flat", labels=True)]
    fast = [[a.array(k).copy() for k in range(len(a))] for a in scenes]
    monkeypatch.setattr(base, "_FAST", False)
    scenes = [convanim.animate(**SPEC), convanim.animate(**SPEC, layout="flat", labels=True)]
    slow = [[a.array(k).copy() for k in range(len(a))] for a in scenes]
    for a, b in zip(fast, slow):
        for x, y in zip(a, b):
            assert np.array_equal(x, y)


def test_a_collection_whose_private_api_fails_falls_back(monkeypatch):
    # matplotlib 3.7: Collection.get_joinstyle() raises AttributeError while the style is unset
    from matplotlib.collections import Collection

    import convanim.scene.base as base

    expected = convanim.animate(**SPEC).array(3).copy()

    def broken(self):
        raise AttributeError("'NoneType' object has no attribute 'name'")

    monkeypatch.setattr(Collection, "get_joinstyle", broken)
    monkeypatch.setattr(base, "_FAST", True)
    assert np.array_equal(convanim.animate(**SPEC).array(3), expected)
    assert base._FAST is False
