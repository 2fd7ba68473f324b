"""MP4 output: the file is decoded and its frames counted and compared with the drawn frames.

MP4 needs imageio-ffmpeg, which the test extra installs (``pip install -e '.[test]'``); the message for
a missing imageio-ffmpeg is tested everywhere by hiding the package.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import convanim

SPEC = {"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1}  # 9 steps, 395x381 px


def test_mp4_decodes_to_the_drawn_frames_for_their_durations(tmp_path):
    pytest.importorskip("imageio_ffmpeg", reason="MP4 needs imageio-ffmpeg: pip install -e '.[test]'")
    import imageio.v3 as iio

    # 8 steps of 200 ms and a last one of 200 + 300 ms: the video runs at 10 fps (100 ms frames),
    # so each step is 2 video frames and the last 5: 8 * 2 + 5 = 21 frames.
    anim = convanim.animate(**SPEC, duration_ms=200, hold_last_ms=300)
    path = anim.save(tmp_path / "a.mp4")
    video = iio.imread(path, plugin="FFMPEG")
    assert video.shape == (21, 382, 396, 3)  # H.264 needs even sizes: one edge row and column added
    starts = [0, 2, 4, 6, 8, 10, 12, 14, 16]
    for k, start in enumerate(starts):
        drawn = anim.array(k).astype(int)
        for shown in video[start : start + (5 if k == 8 else 2)]:
            error = np.abs(shown[:381, :395].astype(int) - drawn).mean()
            assert error < 4, (k, error)  # lossy, but this step ...
        other = anim.array((k + 1) % 9).astype(int)
        assert np.abs(video[start][:381, :395].astype(int) - other).mean() > error  # ... and not the next
    again = anim.save(tmp_path / "b.mp4")
    assert again.read_bytes() == path.read_bytes()  # bit-exact encoder flags: deterministic


def test_mp4_without_imageio_ffmpeg_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # `import imageio_ffmpeg` raises ImportError
    anim = convanim.animate(**SPEC)
    with pytest.raises(ValueError, match=r"^MP4 output needs imageio-ffmpeg: pip install 'convanim\[mp4\]'$"):
        anim.save(tmp_path / "a.mp4")
    assert list(tmp_path.iterdir()) == []
