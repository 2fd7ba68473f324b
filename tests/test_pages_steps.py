"""Steps count from 1 everywhere a person sees them: the command line's --step, frame files, contact sheet labels,
PDF pages and the page's "Step K of N" name the same step K. Python's own indexes (``anim.frame(k)``,
``anim.save(..., step=k)``) count from 0, as every Python sequence does.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

import convanim
from convanim.cli import main

ARGS = ["-i", "5", "-k", "3", "-s", "2", "-p", "1", "--layout", "flat"]


def test_step_k_on_the_command_line_is_the_kth_frame_and_file(tmp_path, capsys):
    anim = convanim.animate(input_size=5, kernel_size=3, stride=2, padding=1, layout="flat")
    assert main(["render", *ARGS, "--frames", str(tmp_path / "frames")]) == 0
    names = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert names == [".convanim-manifest.json", *(f"step_{k}.png" for k in range(1, 10))]
    for k in (1, 5, 9):
        out = tmp_path / f"s{k}.png"
        assert main(["render", *ARGS, "--step", str(k), "-o", str(out)]) == 0
        assert f"wrote {out}: step {k}, " in capsys.readouterr().err
        with Image.open(out) as single, Image.open(tmp_path / "frames" / f"step_{k}.png") as file:
            assert np.array_equal(np.asarray(single.convert("RGB")), np.asarray(file.convert("RGB")))
            assert np.array_equal(np.asarray(single.convert("RGB")), anim.array(k - 1))
    for bad in ("0", "10"):
        assert main(["render", *ARGS, "--step", bad, "-o", str(tmp_path / "x.png")]) == 2
        err = capsys.readouterr().err.strip()
        assert err.endswith(f"--step must be between 1 and 9 (steps count from 1, as on the page and in the PDF), "
                            f"got {bad}")
    assert not (tmp_path / "x.png").exists()


def test_a_sheet_labels_its_steps_from_one(tmp_path, monkeypatch):
    import matplotlib.figure

    labels = []
    original = matplotlib.figure.Figure.text
    monkeypatch.setattr(matplotlib.figure.Figure, "text",
                        lambda self, x, y, s, *a, **k: labels.append(s) or original(self, x, y, s, *a, **k))
    convanim.animate(input_size=5, kernel_size=3, stride=2, padding=1).save(tmp_path / "sheet.png", sheet=True)
    assert labels == [f"step {k}" for k in range(1, 10)]


def test_page_names_the_same_step(tmp_path):
    """The page's step K (1-based) is its Kth PDF page and its file step_K: 9 steps, numbered 1 to 9."""
    page = convanim.animate(input_size=5, kernel_size=3, stride=2, padding=1)
    page.save(tmp_path / "p.html")
    text = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert '"Step " + (s + 1) + " of " + n' in text  # the status line: Step 1 of 9 at the first frame
    page.save(tmp_path / "deck.pdf")
    assert len(re.findall(rb"/Type\s*/Page\b", (tmp_path / "deck.pdf").read_bytes())) == 9


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_vector_frames_count_from_one(tmp_path, fmt):
    paths = convanim.animate(input_size=4, kernel_size=3).save_frames(tmp_path / "f", fmt=fmt)
    assert [p.name for p in paths] == [f"step_{k}.{fmt}" for k in range(1, 5)]


@pytest.mark.parametrize("args", [dict(view="continuous", radius=0.5),
                                  dict(input_size=(3, 4, 4), kernel_size=3, padding=(0, 1, 1), layout="flat")])
def test_depth_and_continuous_pages_count_the_gifs_frames(tmp_path, args):
    """The 3-D and continuous pages step through the GIF's frames: as many steps, each held as long."""
    anim = convanim.animate(**args)
    anim.save(tmp_path / "p.html")
    text = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert f'max="{len(anim) - 1}"' in text and f"<p id=\"status\" aria-live=\"polite\">{len(anim)} steps</p>" in text
    data = anim._page_data()
    assert data["durations"] == list(anim.durations) and len(data["frames"] if "frames" in data
                                                              else data["steps"]) == len(anim)
    anim.save(tmp_path / "deck.gif")
    with Image.open(tmp_path / "deck.gif") as gif:
        assert gif.n_frames == len(anim)
