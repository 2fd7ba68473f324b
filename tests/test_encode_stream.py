"""Frames stream to the encoder: bounded memory, the same bytes from every kind of source, nothing left on a kill.

Expected values come from independent paths: Pillow's own APNG writer, the
palette rule recomputed here with numpy, decoders (Pillow, ffmpeg).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import tracemalloc
import weakref
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convanim
from convanim.encode import encode_gif_bytes, owned, write_animation, write_files, write_frames, write_mp4
from convanim.encode.files import remove_stale
from convanim.encode.owned import MANIFEST

ROOT = Path(__file__).resolve().parents[1]


def square_frames(n, h=24, w=30, seed=0):
    """``n`` frames: a flat background and two squares moving (every frame differs from the previous)."""
    rng = np.random.default_rng(seed)
    colours = rng.integers(0, 256, (2, 3))
    for k in range(n):
        frame = np.full((h, w, 3), (250, 248, 240), np.uint8)
        frame[2:8, k % (w - 6) : k % (w - 6) + 6] = colours[0]
        frame[12:20, (3 * k + 5) % (w - 8) : (3 * k + 5) % (w - 8) + 8] = colours[1]
        yield frame


class Counted:
    """A re-iterable frame source that records the most frames alive at once (tracked by weak references)."""

    def __init__(self, n, make=square_frames):
        self.n, self.make = n, make
        self.alive = 0
        self.most_alive = 0
        self.passes = 0

    def _gone(self):
        self.alive -= 1

    def __iter__(self):
        self.passes += 1
        for frame in self.make(self.n):
            self.alive += 1
            self.most_alive = max(self.most_alive, self.alive)
            weakref.finalize(frame, self._gone)
            yield frame


class CountedPatches(Counted):
    """`Counted` for a source of patches: (box, pixels) or None, the pixels tracked."""

    def __iter__(self):
        self.passes += 1
        for patch in self.make(self.n):
            if patch is not None:
                self.alive += 1
                self.most_alive = max(self.most_alive, self.alive)
                weakref.finalize(patch[1], self._gone)
            yield patch


WRITERS = {
    "gif": lambda path, frames, d: write_animation(path.with_suffix(".gif"), frames, d, palette=[(0, 0, 0)]),
    "gif palette_only": lambda path, frames, d: write_animation(
        path.with_suffix(".gif"), frames, d, palette=[(250, 248, 240), (0, 0, 0)], palette_only=True),
    "apng": lambda path, frames, d: write_animation(path.with_suffix(".png"), frames, d),
    "webp": lambda path, frames, d: write_animation(path.with_suffix(".webp"), frames, d),
    "png files": lambda path, frames, d: write_frames(path, frames),
    "webp files": lambda path, frames, d: write_frames(path, frames, ext=".webp"),
    "mp4": lambda path, frames, d: write_mp4(path.with_suffix(".mp4"), frames, d),
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_writers_hold_a_few_frames_at_a_time(tmp_path, name):
    source = Counted(60)
    WRITERS[name](tmp_path / "out", source, [40] * 60)
    assert source.most_alive <= 2  # the frame in hand and the previous one
    assert source.passes == (1 if name in ("gif palette_only", "webp", "webp files", "mp4") else 2)


def test_animation_renders_frames_one_at_a_time(tmp_path, monkeypatch):
    anim = convanim.animate(input_size=5, kernel_size=3)
    source = Counted(len(anim), make=lambda n: (anim.scene.frame(k) for k in range(n)))
    drawn = anim.scene.patches
    patches = CountedPatches(len(anim), make=lambda n: drawn())
    monkeypatch.setattr(anim.scene, "frames", source.__iter__)
    monkeypatch.setattr(anim.scene, "patches", patches.__iter__)
    anim.save(tmp_path / "a.gif")
    anim.save(tmp_path / "a.webp")
    anim.save_frames(tmp_path / "steps")
    assert source.most_alive <= 2 and patches.most_alive <= 2
    # grid GIF: one pass of patches (known palette); WebP: one of frames; PNG files: one of patches, stopped at
    # the 257th colour (anti-aliased, so RGB files), then one of frames
    assert (source.passes, patches.passes) == (1 + 1, 1 + 1)


@pytest.mark.parametrize("ext", [".gif", ".png", ".webp"])
def test_peak_memory_is_far_below_all_frames(tmp_path, ext):
    n, h, w = 500, 60, 80
    all_frames = n * h * w * 3  # 7.2 MB
    write_animation(tmp_path / f"warm{ext}", lambda: square_frames(3, h, w), 40)  # per-thread colour table
    tracemalloc.start()
    try:
        write_animation(tmp_path / f"a{ext}", lambda: square_frames(n, h, w), 40)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < all_frames / 8, peak


def test_gif_bytes_are_the_same_from_every_kind_of_source():
    frames = list(square_frames(30))
    for options in ({}, {"palette": [(0, 0, 0)]}, {"palette": [(250, 248, 240), (9, 9, 9)], "palette_only": True}):
        expected = encode_gif_bytes(frames, 30, **options)
        assert encode_gif_bytes(lambda: iter(frames), 30, **options) == expected
        assert encode_gif_bytes(iter(frames), 30, **options) == expected  # a one-shot iterator: read into a list
        assert encode_gif_bytes(tuple(frames), [30] * 30, **options) == expected
        assert encode_gif_bytes(np.stack(frames), 30, **options) == expected


def many_colour_frames(n=5, h=40, w=50):
    """Frames with far more than 256 colours, some much more frequent than others."""
    rng = np.random.default_rng(7)
    frames = []
    for k in range(n):
        frame = np.zeros((h, w, 3), np.uint8)
        frame[:] = (k * 3, 100, 200)  # a frequent colour per frame
        noise = rng.integers(0, 64, (h // 2, w, 3), dtype=np.uint8) * 4
        frame[h // 2 :] = noise
        frames.append(frame)
    return frames


def test_gif_palette_past_256_colours_is_the_most_frequent_over_all_frames():
    frames = many_colour_frames()
    required = [(255, 0, 0), (0, 255, 0)]
    data = encode_gif_bytes(lambda: iter(frames), 50, palette=required)
    # The rule, recomputed here: required first, then the most frequent colours over all frames
    # (ties to the smaller r << 16 | g << 8 | b), 255 colours in all.
    values = np.concatenate([(f[..., 0].astype(np.int64) << 16 | f[..., 1].astype(np.int64) << 8 | f[..., 2]).ravel()
                             for f in frames])
    colours, counts = np.unique(values, return_counts=True)
    assert len(colours) > 256
    order = np.lexsort((colours, -counts))
    others = [int(c) for c in colours[order] if (int(c) >> 16, int(c) >> 8 & 255, int(c) & 255) not in required]
    expected = [(r << 16 | g << 8 | b) for r, g, b in required] + others[: 255 - len(required)]
    with Image.open(io.BytesIO(data)) as im:
        table = np.array(im.getpalette()[: 3 * 255]).reshape(-1, 3)
        got = [int(r) << 16 | int(g) << 8 | int(b) for r, g, b in table]
        assert got == expected
        palette_rgb = table.astype(np.int64)
        for k, frame in enumerate(frames):  # every pixel drawn as its nearest palette colour
            im.seek(k)
            shown = np.asarray(im.convert("RGB")).reshape(-1, 3).astype(np.int64)
            pixels = frame.reshape(-1, 3).astype(np.int64)
            d2 = ((pixels[:, None, :] - palette_rgb[None]) ** 2).sum(axis=2)
            assert np.array_equal(shown, palette_rgb[d2.argmin(axis=1)])


@pytest.mark.parametrize("many_colours", [False, True])
def test_apng_is_byte_identical_to_pillows_writer(tmp_path, many_colours):
    frames = many_colour_frames(4) if many_colours else list(square_frames(8))
    frames.insert(2, frames[1].copy())  # a repeated frame: merged into the previous one's delay
    durations = [40, 50, 60, 70, 80, 90, 100, 110, 120][: len(frames)]
    write_animation(tmp_path / "a.png", lambda: iter(frames), durations, comment="streamed")
    # Pillow's own writer, given every frame at once (the palette image when <= 256 colours, as ours)
    images = [Image.fromarray(f) for f in frames]
    level = 6
    colours = np.unique(np.concatenate([f.reshape(-1, 3) for f in frames]), axis=0)
    if len(colours) <= 256:
        # palette order: colours in order of first appearance, by value within a frame (changed boxes only)
        seen: dict = {}
        previous = None
        for f in frames:
            rows = f.reshape(-1, 3) if previous is None else f[(f != previous).any(axis=2)]
            if previous is None or not np.array_equal(f, previous):
                previous = f
            for c in sorted({tuple(map(int, p)) for p in rows}, key=lambda c: c[0] << 16 | c[1] << 8 | c[2]):
                seen.setdefault(c, len(seen))
        lookup = {c: i for c, i in seen.items()}
        palette = bytes(v for c in seen for v in c)
        images = []
        for f in frames:
            index = np.array([lookup[tuple(map(int, p))] for p in f.reshape(-1, 3)], np.uint8).reshape(f.shape[:2])
            im = Image.fromarray(index)
            im.putpalette(palette)
            images.append(im)
        level = 9
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "streamed")
    buffer = io.BytesIO()
    images[0].save(buffer, format="PNG", save_all=True, append_images=images[1:], duration=durations, loop=0,
                   pnginfo=info, compress_level=level)
    assert (tmp_path / "a.png").read_bytes() == buffer.getvalue()


def test_apng_and_webp_round_trip_from_a_stream(tmp_path):
    frames = list(square_frames(12))
    durations = [30 + 10 * k for k in range(12)]
    for ext in (".png", ".webp"):
        write_animation(tmp_path / f"a{ext}", lambda: iter(frames), durations)
        with Image.open(tmp_path / f"a{ext}") as im:
            assert im.n_frames == 12
            for k in range(12):
                im.seek(k)
                im.load()
                assert im.info["duration"] == durations[k]
                assert np.array_equal(np.asarray(im.convert("RGB")), frames[k])


def test_mp4_decodes_to_every_frame_repeated_for_its_duration(tmp_path):
    iio = pytest.importorskip("imageio.v3")
    pytest.importorskip("imageio_ffmpeg")
    frames = list(square_frames(5, h=31, w=45))  # odd sizes are padded to even
    durations = [40, 80, 40, 120, 40]  # 25 fps: each frame shown 1, 2, 1, 3, 1 times
    write_mp4(tmp_path / "a.mp4", lambda: iter(frames), durations)
    video = iio.imread(tmp_path / "a.mp4", plugin="FFMPEG")
    assert video.shape == (8, 32, 46, 3)
    shown = [0, 1, 1, 2, 3, 3, 3, 4]
    for decoded, k in zip(video, shown, strict=True):  # lossy: close to its frame, far from the others
        error = np.abs(decoded[:31, :45].astype(int) - frames[k]).mean()
        assert error < 4, (k, error)


# ---------------------------------------------------------------------------
# nothing left behind


def test_failing_frame_k_leaves_no_frames(tmp_path):
    def write(k, fh):
        if k == 3:
            raise RuntimeError("render failed at step 3")
        fh.write(b"frame %d" % k)

    with pytest.raises(RuntimeError, match="step 3"):
        write_files(tmp_path / "steps", 6, write, stem="step")
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "old"
    write_files(existing, 2, lambda k, fh: fh.write(b"old"), stem="step")
    with pytest.raises(RuntimeError):
        write_files(existing, 6, write, stem="step")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]
    assert {p.name: p.read_bytes() for p in existing.iterdir() if p.name != MANIFEST} == {
        "step_0.png": b"old", "step_1.png": b"old"}


def test_animation_failing_midway_leaves_no_frames(tmp_path, monkeypatch):
    anim = convanim.animate(input_size=4, kernel_size=2)
    real = anim.scene.frame

    def frame(k):
        if k == 5:
            raise RuntimeError("render failed at step 5")
        return real(k)

    monkeypatch.setattr(anim.scene, "frame", frame)
    for fmt in ("png", "svg"):
        with pytest.raises(RuntimeError):
            if fmt == "png":
                anim.save_frames(tmp_path / "steps")
            else:
                monkeypatch.setattr(anim.scene, "save", lambda k, fh, f: (frame(k), fh.write(b"x")))
                anim.save_frames(tmp_path / "steps", fmt="svg")
        assert list(tmp_path.iterdir()) == []


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_stale_temporaries_of_dead_processes_are_removed_by_the_next_write(tmp_path):
    dead = _dead_pid()
    host = owned._host()
    stale_file = tmp_path / f".convanim-{dead}-{host}-0123456789ab.tmp"
    stale_dir = tmp_path / f".convanim-{dead}-{host}-89abcdef0123.tmp"
    live = tmp_path / f".convanim-{os.getpid()}-{host}-0123456789ab.tmp"  # a write in progress in this process
    old_style = tmp_path / f".c.gif.{dead}.0123abcd.tmp"  # 0.2.0's names: nothing proves they are convanim's
    stale_file.write_bytes(b"half a gif")
    stale_dir.mkdir()
    (stale_dir / MANIFEST).write_text("{}")
    (stale_dir / "step_0.png").write_bytes(b"half a png")
    live.write_bytes(b"")
    old_style.write_bytes(b"")
    write_animation(tmp_path / "new.gif", list(square_frames(2)), 40)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, old_style.name, "new.gif"])
    remove_stale(tmp_path / "missing")  # a folder that does not exist: nothing to do


@pytest.mark.parametrize(("signum", "target"), [(signal.SIGTERM, "x.gif"), (signal.SIGINT, "steps")])
def test_signal_during_a_render_removes_the_temporary(tmp_path, signum, target):
    out = tmp_path / target
    if target.endswith(".gif"):
        out.write_bytes(b"previous render")
        args = ["-o", str(out)]
    else:
        args = ["--frames", str(out), "-o", str(tmp_path / "y.gif")]
    code = f"import sys; from convanim.cli import main; sys.exit(main({['render', '-i', '40', '-k', '3', *args]!r}))"
    # SIGINT as a terminal delivers it, also where the shell running the tests ignores it (a background job)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        while not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]:
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.3)  # well inside the render (thousands of frames)
        proc.send_signal(signum)
        proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == (130 if signum == signal.SIGINT else 128 + signal.SIGTERM)
    assert b"Traceback" not in proc.stderr.read()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == (["x.gif"] if target.endswith(".gif") else [])
    if target.endswith(".gif"):
        assert out.read_bytes() == b"previous render"


def test_a_source_that_changes_between_passes_or_mismatched_durations_is_refused(tmp_path):
    sizes = iter([5, 4])
    with pytest.raises(ValueError, match="the frames gave 4 frames on a second pass, 5 on the first"):
        write_animation(tmp_path / "a.gif", lambda: square_frames(next(sizes)), 40)
    for ext in (".gif", ".png", ".webp"):
        with pytest.raises(ValueError, match="got 3 durations for"):
            write_animation(tmp_path / f"a{ext}", lambda: square_frames(5), [40, 40, 40])
    with pytest.raises(ValueError, match="got 3 durations for 5 frames"):
        write_mp4(tmp_path / "a.mp4", lambda: square_frames(5), [40, 40, 40])
    with pytest.raises(ValueError, match="frame 2 has shape"):
        write_animation(tmp_path / "a.gif", lambda: (f if k != 2 else f[:-1] for k, f in enumerate(square_frames(5))),
                        40)
    assert list(tmp_path.iterdir()) == []


def test_indexing_in_blocks_of_rows_does_not_change_the_bytes(monkeypatch):
    """Frames are looked up in blocks of rows (bounded temporaries); tiny blocks must give the same files."""
    import convanim.encode.palette as palette

    rng = np.random.default_rng(3)
    inputs = [many_colour_frames(3), list(square_frames(6))]
    for _ in range(6):
        h, w = (int(v) for v in rng.integers(2, 30, 2))
        base = (rng.integers(0, 4, (h, w, 3)) * 85).astype(np.uint8)
        frames = []
        for k in range(4):
            frame = base.copy()
            frame[k : k + 3, k : k + 5] = rng.integers(0, 256, 3)
            frames.append(frame)
        inputs.append(frames)
    options = [{}, {"palette": [(0, 0, 0)]}, {"palette": [(0, 0, 0), (255, 255, 255)], "palette_only": True}]
    expected = [[encode_gif_bytes(f, 30, **o) for o in options] for f in inputs]
    monkeypatch.setattr(palette, "_BLOCK_PX", 7)
    assert [[encode_gif_bytes(f, 30, **o) for o in options] for f in inputs] == expected
