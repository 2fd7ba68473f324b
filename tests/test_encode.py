"""Tests for convanim.encode: round trips through Pillow, palettes, atomic writes, messages."""

from __future__ import annotations

import io
import os
import stat
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import convanim.encode.gif
from convanim.encode import (
    FORMATS,
    atomic_output,
    encode_gif_bytes,
    format_for,
    write_animation,
    write_frames,
)
from convanim.encode.owned import MANIFEST

BG = (250, 248, 240)
INK = [(200, 30, 30), (30, 120, 200), (40, 160, 60)]
EXTS = [".gif", ".png", ".apng", ".webp"]


# ---------------------------------------------------------------------------
# helpers


def moving_squares(n, h=40, w=56, size=8, colours=INK, bg=BG):
    """``n`` frames of flat squares sliding right over a flat background (every frame differs)."""
    frames = []
    for i in range(n):
        frame = np.empty((h, w, 3), np.uint8)
        frame[:] = bg
        for j, colour in enumerate(colours):
            y = (4 + 11 * j) % (h - size)
            x = (3 * i + 7 * j) % (w - size)
            frame[y : y + size, x : x + size] = colour
        frames.append(frame)
    return frames


def merged(frames, durations):
    """What a player shows: identical consecutive frames folded into one, durations summed."""
    out_frames, out_durations = [], []
    for frame, duration in zip(frames, durations, strict=True):
        if out_frames and np.array_equal(out_frames[-1], frame):
            out_durations[-1] += duration
        else:
            out_frames.append(frame)
            out_durations.append(duration)
    return out_frames, out_durations


def read_back(source):
    """Decode with Pillow: (info of the file, RGB frames, per-frame durations)."""
    with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as im:
        info = dict(im.info)
        frames, durations = [], []
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            im.load()
            frames.append(np.asarray(im.convert("RGB")))
            durations.append(im.info.get("duration"))
    return info, frames, durations


def gif_structure(data: bytes) -> dict:
    """Walk a GIF's blocks: global colour table, image descriptors, control extensions, comment, loop."""
    assert data[:6] == b"GIF89a"
    width, height, flags = struct.unpack("<HHB", data[6:11])
    pos = 13
    table = b""
    if flags & 0x80:
        table = data[pos : pos + 3 * (2 << (flags & 7))]
        pos += len(table)
    out = {
        "size": (width, height),
        "table": table,
        "images": [],
        "controls": [],
        "comments": [],
        "loop": None,
    }
    while True:
        kind = data[pos]
        pos += 1
        if kind == 0x3B:
            return out
        if kind == 0x21:
            label = data[pos]
            pos += 1
            blocks = []
            while data[pos]:
                blocks.append(data[pos + 1 : pos + 1 + data[pos]])
                pos += 1 + data[pos]
            pos += 1
            if label == 0xF9:
                packed, delay, index = struct.unpack("<BHB", blocks[0])
                out["controls"].append(
                    {
                        "disposal": (packed >> 2) & 7,
                        "delay": delay,
                        "transparent": index if packed & 1 else None,
                    }
                )
            elif label == 0xFE:
                out["comments"].append(b"".join(blocks))
            elif label == 0xFF and blocks[0] == b"NETSCAPE2.0":
                out["loop"] = struct.unpack("<H", blocks[1][1:3])[0]
        elif kind == 0x2C:
            x, y, w, h, flags = struct.unpack("<HHHHB", data[pos : pos + 9])
            pos += 9
            out["images"].append(
                {"local_table": bool(flags & 0x80), "interlaced": bool(flags & 0x40), "box": (x, y, w, h)}
            )
            if flags & 0x80:
                pos += 3 * (2 << (flags & 7))
            assert data[pos] == 8  # LZW minimum code size
            pos += 1
            while data[pos]:
                pos += 1 + data[pos]
            pos += 1
        else:
            raise AssertionError(f"unexpected GIF block 0x{kind:02x} at {pos - 1}")


def table_colours(table: bytes) -> set:
    return {tuple(table[i : i + 3]) for i in range(0, len(table), 3)}


def xmp_description(xmp: bytes) -> str:
    li = ET.fromstring(xmp).find(".//{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")
    return li.text


def colours_of(frames) -> set:
    return {tuple(c) for c in np.unique(np.concatenate([f.reshape(-1, 3) for f in frames]), axis=0)}


# ---------------------------------------------------------------------------
# formats


def test_formats_table():
    assert FORMATS == {".apng": "PNG", ".gif": "GIF", ".png": "PNG", ".webp": "WEBP"}
    assert format_for("a/b.GIF") == "GIF"
    assert format_for(Path("x.apng")) == "PNG"
    assert format_for("x.webp") == "WEBP"


def test_bad_extension_message():
    with pytest.raises(ValueError) as err:
        format_for("anim.xyz")
    assert str(err.value) == "output format must be one of .apng, .gif, .png, .webp, got '.xyz'"
    with pytest.raises(ValueError, match="got no extension in 'anim'"):
        format_for("anim")


def test_write_animation_rejects_bad_extension_before_writing(tmp_path):
    with pytest.raises(ValueError, match=r"got '\.mp3'"):
        write_animation(tmp_path / "a.mp3", moving_squares(2), 100)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# round trips


@pytest.mark.parametrize("ext", EXTS)
@pytest.mark.parametrize("loop", [True, False])
def test_round_trip(tmp_path, ext, loop):
    frames = moving_squares(7)
    durations = [100, 40, 40, 250, 60, 1000, 20]
    comment = "padding=1 stride=2 — conv2d"
    path = tmp_path / f"anim{ext}"
    write_animation(path, frames, durations, comment=comment, loop=loop)

    info, decoded, decoded_durations = read_back(path)
    assert len(decoded) == len(frames)
    assert all(d.shape == (40, 56, 3) for d in decoded)
    for got, want in zip(decoded, frames, strict=True):
        np.testing.assert_array_equal(got, want)
    assert decoded_durations == durations
    if ext == ".gif":
        assert info.get("loop") == (0 if loop else None)
        assert info["comment"] == comment.encode()
    elif ext == ".webp":
        assert info["loop"] == (0 if loop else 1)
        assert xmp_description(info["xmp"]) == comment
    else:
        assert info["loop"] == (0 if loop else 1)
        assert info["Comment"] == comment


@pytest.mark.parametrize("ext", EXTS)
def test_held_frame_becomes_a_longer_duration(tmp_path, ext):
    a, b, c = moving_squares(3)
    frames = [a, b, b.copy(), b, c]
    durations = [100, 200, 300, 400, 50]
    path = tmp_path / f"held{ext}"
    write_animation(path, frames, durations)
    _, decoded, decoded_durations = read_back(path)
    assert len(decoded) == 3
    assert decoded_durations == [100, 900, 50]
    for got, want in zip(decoded, [a, b, c], strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("ext", EXTS)
def test_single_frame(tmp_path, ext):
    frame = moving_squares(1)[0]
    path = tmp_path / f"still{ext}"
    write_animation(path, [frame], 500, comment="still")
    _, decoded, _ = read_back(path)
    assert len(decoded) == 1
    np.testing.assert_array_equal(decoded[0], frame)
    if ext in (".png", ".apng"):
        assert b"acTL" not in path.read_bytes()  # a plain PNG


def test_png_with_several_frames_is_apng(tmp_path):
    write_animation(tmp_path / "a.png", moving_squares(3), 100)
    data = (tmp_path / "a.png").read_bytes()
    assert data.startswith(b"\x89PNG") and b"acTL" in data
    with Image.open(tmp_path / "a.png") as im:
        assert im.is_animated and im.n_frames == 3


def test_png_comment_is_a_text_chunk(tmp_path):
    write_animation(tmp_path / "a.png", moving_squares(2), 100, comment="made by convanim")
    assert b"tEXtComment\x00made by convanim" in (tmp_path / "a.png").read_bytes()


def test_empty_comment_writes_none(tmp_path):
    data = encode_gif_bytes(moving_squares(2), 100)
    assert gif_structure(data)["comments"] == []
    write_animation(tmp_path / "a.png", moving_squares(2), 100)
    assert b"Comment" not in (tmp_path / "a.png").read_bytes()


@pytest.mark.parametrize("ext", [".png", ".webp"])
def test_lossless_formats_keep_more_than_256_colours(tmp_path, ext):
    frames = gradient_frames(3)
    assert len(colours_of(frames)) > 256
    write_animation(tmp_path / f"g{ext}", frames, 100)
    _, decoded, _ = read_back(tmp_path / f"g{ext}")
    for got, want in zip(decoded, frames, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("ext", EXTS)
def test_frames_may_be_strided_views(tmp_path, ext):
    """Frames cut from RGBA buffers (``buffer_rgba()[..., :3]``) are not contiguous."""
    frames = moving_squares(4)
    views = [np.dstack([f, np.full(f.shape[:2], 255, np.uint8)])[..., :3] for f in frames]
    assert not views[0].flags["C_CONTIGUOUS"]
    write_animation(tmp_path / f"v{ext}", views, 100)
    _, decoded, _ = read_back(tmp_path / f"v{ext}")
    for got, want in zip(decoded, frames, strict=True):
        np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------------------
# GIF specifics


def test_gif_structure_one_global_palette():
    frames = moving_squares(12)
    data = encode_gif_bytes(frames, 40, comment="hello", palette=[BG, *INK])
    gif = gif_structure(data)
    assert gif["size"] == (56, 40)
    assert len(gif["images"]) == 12
    assert not any(image["local_table"] for image in gif["images"])
    assert not any(image["interlaced"] for image in gif["images"])
    assert all(control["disposal"] != 2 for control in gif["controls"])
    assert [control["delay"] for control in gif["controls"]] == [4] * 12
    # transparent (unchanged-pixel) indices must point into the colour table
    entries = len(gif["table"]) // 3
    assert all(c["transparent"] is None or c["transparent"] < entries for c in gif["controls"])
    assert gif["comments"] == [b"hello"]
    assert gif["loop"] == 0
    assert colours_of(frames) <= table_colours(gif["table"])


def test_gif_without_loop_plays_once():
    gif = gif_structure(encode_gif_bytes(moving_squares(3), 100, loop=False))
    assert gif["loop"] is None


def test_gif_is_smaller_than_pillow_defaults():
    frames = moving_squares(24, h=96, w=128, size=16)
    ours = encode_gif_bytes(frames, 40)
    images = [Image.fromarray(f) for f in frames]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=40, loop=0)
    assert len(ours) <= len(buffer.getvalue())


@pytest.mark.parametrize("k", [1, 2, 3, 4, 7, 8, 16, 64, 128, 255, 256])
def test_gif_palette_is_exact(k):
    rng = np.random.default_rng(k)
    # near-identical colours included: any rounding or quantisation would merge them
    colours = np.unique(
        np.concatenate([rng.integers(0, 256, (k, 3)), [[0, 0, 0], [1, 0, 0], [0, 0, 1]]]).astype(np.uint8),
        axis=0,
    )[:k]
    labels = np.arange(16 * 16) % k
    frames = [colours[np.roll(labels, 5 * i).reshape(16, 16)] for i in range(3)]
    data = encode_gif_bytes(frames, 100)
    _, decoded, _ = read_back(data)
    assert colours_of(decoded) == colours_of(frames) == {tuple(c) for c in colours}
    for got, want in zip(decoded, merged(frames, [100] * 3)[0], strict=True):
        np.testing.assert_array_equal(got, want)
    gif = gif_structure(data)
    entries = len(gif["table"]) // 3
    assert all(c["transparent"] is None or c["transparent"] < entries for c in gif["controls"])


def test_required_palette_colours_are_in_the_gif_palette():
    unused = [(1, 2, 3), (254, 0, 254)]
    data = encode_gif_bytes(moving_squares(3), 100, palette=[*INK, *unused])
    assert set(unused) | set(INK) | {BG} <= table_colours(gif_structure(data)["table"])


FREQUENT = (123, 45, 67)


def gradient_frames(n, h=48, w=64):
    """Frames with a smooth background (>256 colours), a large FREQUENT block and flat INK squares."""
    y, x = np.mgrid[0:h, 0:w]
    background = np.stack([x * 4, y * 5, (x + y) % 7 + 100], axis=-1).astype(np.uint8)
    background[h - 12 :, : w // 2] = FREQUENT
    frames = []
    for i in range(n):
        frame = background.copy()
        for j, colour in enumerate(INK):
            frame[6 + 12 * j : 14 + 12 * j, 4 * i + 9 * j : 4 * i + 9 * j + 8] = colour
        frames.append(frame)
    return frames


def test_gif_with_more_than_256_colours_keeps_required_colours_exact():
    frames = gradient_frames(4)
    assert len(colours_of(frames)) > 256
    required = [*INK, (1, 2, 3)]
    data = encode_gif_bytes(frames, 100, palette=required)
    gif = gif_structure(data)
    table = np.frombuffer(gif["table"], np.uint8).reshape(-1, 3)
    assert set(required) <= table_colours(gif["table"])
    assert not any(image["local_table"] for image in gif["images"])

    _, decoded, _ = read_back(data)
    assert len(decoded) == 4
    assert len(colours_of(decoded)) <= 256
    palette = table[:255].astype(np.int64)  # 255 colours chosen, one index kept for transparency
    for got, want in zip(decoded, frames, strict=True):
        is_ink = np.zeros(want.shape[:2], bool)
        for colour in [*INK, FREQUENT]:  # required, or frequent enough to be kept
            is_ink |= (want == colour).all(axis=-1)
        np.testing.assert_array_equal(got[is_ink], want[is_ink])
        assert is_ink.sum() > 300
        # every other pixel got its nearest palette colour (no dithering)
        want64, got64 = want.reshape(-1, 1, 3).astype(np.int64), got.reshape(-1, 3).astype(np.int64)
        nearest = ((want64 - palette[None]) ** 2).sum(-1).min(axis=1)
        assert np.array_equal(((want64[:, 0] - got64) ** 2).sum(-1), nearest)


def test_gif_with_more_than_256_colours_is_deterministic():
    frames = gradient_frames(3)
    assert encode_gif_bytes(frames, 100, palette=INK) == encode_gif_bytes(frames, 100, palette=INK)


@pytest.mark.parametrize(
    ("given", "stored"),
    [(15, 20), (14, 10), (5, 10), (1, 10), (25, 30), (994, 990), (995, 1000), (1000, 1000)],
)
def test_gif_duration_rounds_to_nearest_10_ms(given, stored):
    a, b = moving_squares(2)
    _, _, durations = read_back(encode_gif_bytes([a, b], [given, 1000]))
    assert durations == [stored, 1000]


@pytest.mark.parametrize("ext", [".apng", ".webp"])
def test_other_formats_keep_exact_milliseconds(tmp_path, ext):
    write_animation(tmp_path / f"a{ext}", moving_squares(3), [15, 33, 1001])
    assert read_back(tmp_path / f"a{ext}")[2] == pytest.approx([15, 33, 1001])  # APNG reads back floats


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(*[st.integers(0, 255)] * 3), min_size=1, max_size=12, unique=True),
    st.integers(1, 12),
    st.integers(1, 12),
    st.data(),
)
def test_gif_round_trip_is_exact_for_few_colours(colours, h, w, data):
    palette = np.array(colours, np.uint8)
    labels = data.draw(
        st.lists(
            st.lists(st.integers(0, len(colours) - 1), min_size=h * w, max_size=h * w),
            min_size=1,
            max_size=4,
        )
    )
    frames = [palette[np.array(lab).reshape(h, w)] for lab in labels]
    durations = [40 + 10 * i for i in range(len(frames))]
    _, decoded, decoded_durations = read_back(encode_gif_bytes(frames, durations))
    want_frames, want_durations = merged(frames, durations)
    assert decoded_durations == want_durations
    assert len(decoded) == len(want_frames)
    for got, want in zip(decoded, want_frames, strict=True):
        np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------------------
# determinism


@pytest.mark.parametrize("ext", EXTS)
def test_same_inputs_same_bytes(tmp_path, ext):
    frames = moving_squares(6)
    write_animation(tmp_path / f"one{ext}", frames, 80, comment="c")
    write_animation(tmp_path / f"two{ext}", [f.copy() for f in frames], [80] * 6, comment="c")
    assert (tmp_path / f"one{ext}").read_bytes() == (tmp_path / f"two{ext}").read_bytes()


def test_encode_gif_bytes_matches_the_written_file(tmp_path):
    frames = moving_squares(5)
    write_animation(tmp_path / "a.gif", frames, 70, comment="x", palette=INK)
    assert (tmp_path / "a.gif").read_bytes() == encode_gif_bytes(frames, 70, comment="x", palette=INK)


# ---------------------------------------------------------------------------
# atomic writes and failures


def _explode_mid_save(monkeypatch):
    """Make the writer fail after part of the file is written.

    Pillow writes APNG and WebP (`Image.save`); the GIF blocks are written by
    convanim, which has written the header when it compresses the first frame.
    """

    def save(self, fp, *args, **kwargs):
        fp.write(b"partial data")
        raise RuntimeError("disk on fire")

    def lzw(index):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Image.Image, "save", save)
    monkeypatch.setattr(convanim.encode.gif, "_lzw", lzw)


@pytest.mark.parametrize("ext", EXTS)
def test_failed_encode_leaves_no_file(tmp_path, monkeypatch, ext):
    _explode_mid_save(monkeypatch)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_animation(tmp_path / f"a{ext}", moving_squares(3), 100)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ext", EXTS)
def test_failed_encode_keeps_existing_file(tmp_path, monkeypatch, ext):
    path = tmp_path / f"a{ext}"
    path.write_bytes(b"previous render")
    _explode_mid_save(monkeypatch)
    with pytest.raises(RuntimeError):
        write_animation(path, moving_squares(3), 100)
    assert path.read_bytes() == b"previous render"
    assert list(tmp_path.iterdir()) == [path]


def test_failure_inside_pillow_gif_encoder_leaves_no_file(tmp_path, monkeypatch):
    real = Image.Image.tobytes
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 3:  # the header and frame 0 are in the file by then
            raise OSError("encoder died")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "tobytes", flaky)
    with pytest.raises(OSError, match="encoder died"):
        write_animation(tmp_path / "a.gif", moving_squares(5), 100)
    assert calls[0] == ("gif", "L")
    assert list(tmp_path.iterdir()) == []


def test_bad_frame_keeps_existing_file(tmp_path):
    path = tmp_path / "a.gif"
    path.write_bytes(b"previous render")
    frames = moving_squares(3)
    frames[2] = frames[2][:-1]
    with pytest.raises(ValueError, match=r"frame 2 has shape \(39, 56, 3\), but frame 0 has \(40, 56, 3\)"):
        write_animation(path, frames, 100)
    assert path.read_bytes() == b"previous render"
    assert list(tmp_path.iterdir()) == [path]


def test_write_replaces_existing_file(tmp_path):
    path = tmp_path / "a.gif"
    path.write_bytes(b"old")
    write_animation(path, moving_squares(2), 100)
    assert path.read_bytes()[:6] == b"GIF89a"
    assert list(tmp_path.iterdir()) == [path]


def test_atomic_output_success_and_modes(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    path = tmp_path / "out.svg"
    with atomic_output(path, binary=False) as fh:
        fh.write("<svg>é</svg>\n")
        assert not path.exists()
    assert path.read_bytes() == "<svg>é</svg>\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    path.chmod(0o640)
    with atomic_output(path) as fh:
        fh.write(b"binary")
    assert path.read_bytes() == b"binary"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert list(tmp_path.iterdir()) == [path]


def test_atomic_output_cleans_up_on_error(tmp_path):
    path = tmp_path / "out.pdf"
    with pytest.raises(KeyError):
        with atomic_output(path) as fh:
            fh.write(b"half a pdf")
            raise KeyError("boom")
    assert list(tmp_path.iterdir()) == []
    path.write_bytes(b"good")
    with pytest.raises(KeyError):
        with atomic_output(path) as fh:
            fh.write(b"half a pdf")
            raise KeyError("boom")
    assert path.read_bytes() == b"good"
    assert list(tmp_path.iterdir()) == [path]


def test_missing_directory_message(tmp_path):
    path = tmp_path / "x" / "y.gif"
    with pytest.raises(ValueError) as err:
        write_animation(path, moving_squares(2), 100)
    assert str(err.value) == f"cannot write '{path}': directory '{tmp_path / 'x'}' does not exist"
    with pytest.raises(ValueError, match="does not exist"):
        with atomic_output(path):
            pass
    assert not (tmp_path / "x").exists()


def test_path_is_a_directory(tmp_path):
    (tmp_path / "d.gif").mkdir()
    with pytest.raises(ValueError, match="it is a directory"):
        write_animation(tmp_path / "d.gif", moving_squares(2), 100)


def test_unwritable_directory_message(tmp_path, monkeypatch):
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == tmp_path else real_access(p, mode))
    path = tmp_path / "y.gif"
    with pytest.raises(ValueError) as err:
        write_animation(path, moving_squares(2), 100)
    assert str(err.value) == f"cannot write '{path}': directory '{tmp_path}' is not writable"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permission bits")
def test_read_only_directory(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ValueError, match="is not writable"):
            write_animation(folder / "a.gif", moving_squares(2), 100)
    finally:
        folder.chmod(0o755)


# ---------------------------------------------------------------------------
# argument checks


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        ([], "no frames to write"),
        (
            [np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4, 4), np.uint8)],
            r"frame 1 must have shape \(H, W, 3\)",
        ),
        ([np.zeros((4, 4), np.uint8)], r"frame 0 must have shape \(H, W, 3\), got \(4, 4\)"),
        (
            [np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4, 3))],
            "frame 1 must be a uint8 numpy array, got float64",
        ),
        ([[[[0, 0, 0]]]], "frame 0 must be a uint8 numpy array, got list"),
        ([np.zeros((4, 4, 3), np.uint8), np.zeros((4, 5, 3), np.uint8)], "frame 1 has shape"),
        ([np.zeros((0, 4, 3), np.uint8)], "frame 0 has no pixels"),
    ],
)
def test_bad_frames(tmp_path, frames, message):
    with pytest.raises(ValueError, match=message):
        write_animation(tmp_path / "a.gif", frames, 100)
    with pytest.raises(ValueError, match=message):
        encode_gif_bytes(frames, 100)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("durations", "message"),
    [
        ([100, 100], "got 2 durations for 3 frames"),
        ([100, 0, 100], "duration of frame 1 must be an integer from 1 to 655350 ms, got 0"),
        ([100, 100, 12.5], "duration of frame 2 must be an integer"),
        (-5, "duration of frame 0 must be an integer"),
        (True, "durations_ms must be an int or a sequence of ints, got True"),
        ("100", "durations_ms must be an int or a sequence of ints"),
    ],
)
def test_bad_durations(durations, message):
    with pytest.raises(ValueError, match=message):
        encode_gif_bytes(moving_squares(3), durations)


def test_durations_accept_numpy_integers():
    data = encode_gif_bytes(moving_squares(3), np.array([30, 40, 50]))
    assert read_back(data)[2] == [30, 40, 50]


@pytest.mark.parametrize(
    ("palette", "message"),
    [
        ([(0, 0)], "palette colours must be"),
        ([(0, 0, 256)], "palette colours must be"),
        ([(0.5, 0, 0)], "palette colours must be"),
        ([(i, i, 0) for i in range(256)] + [(0, 0, 1)], "at most 256 colours, got 257"),
    ],
)
def test_bad_palette(palette, message):
    with pytest.raises(ValueError, match=message):
        encode_gif_bytes(moving_squares(2), 100, palette=palette)


# ---------------------------------------------------------------------------
# write_frames


def test_write_frames_names_and_content(tmp_path):
    frames = moving_squares(12)
    out = tmp_path / "frames"
    paths = write_frames(out, frames)
    assert [p.name for p in paths] == [f"frame_{i:02d}.png" for i in range(12)]
    assert sorted(out.iterdir()) == [out / MANIFEST, *paths]  # the manifest records what convanim wrote
    for path, frame in zip(paths, frames, strict=True):
        with Image.open(path) as im:
            assert im.format == "PNG"
            np.testing.assert_array_equal(np.asarray(im.convert("RGB")), frame)
    assert [p.name for p in tmp_path.iterdir()] == ["frames"]


def test_write_frames_width_grows_with_count(tmp_path):
    frames = [np.full((1, 1, 3), i % 256, np.uint8) for i in range(1001)]
    paths = write_frames(tmp_path / "many", frames, stem="step")
    assert paths[0].name == "step_0000.png" and paths[-1].name == "step_1000.png"
    assert len(list((tmp_path / "many").iterdir())) == 1001 + 1  # and the manifest


@pytest.mark.parametrize("ext", [".png", ".webp"])
def test_write_frames_lossless_with_many_colours(tmp_path, ext):
    frames = gradient_frames(2)
    paths = write_frames(tmp_path / "w", frames, stem="f", ext=ext)
    assert [p.name for p in paths] == [f"f_0{ext}", f"f_1{ext}"]
    for path, frame in zip(paths, frames, strict=True):
        with Image.open(path) as im:
            np.testing.assert_array_equal(np.asarray(im.convert("RGB")), frame)


def test_write_frames_into_existing_directory(tmp_path):
    out = tmp_path / "frames"
    write_frames(out, moving_squares(12))  # frame_00.png ... frame_11.png
    (out / "notes.txt").write_text("keep me")
    paths = write_frames(out, moving_squares(3))
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "frame_0.png", "frame_1.png", "frame_2.png",
                                                     "notes.txt"]
    assert len(paths) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["frames"]


def test_write_frames_failure_changes_nothing(tmp_path, monkeypatch):
    real_save = Image.Image.save
    calls = []

    def flaky(self, fp, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real_save(self, fp, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "save", flaky)
    with pytest.raises(RuntimeError):
        write_frames(tmp_path / "frames", moving_squares(5))
    assert list(tmp_path.iterdir()) == []

    existing = tmp_path / "old"
    monkeypatch.setattr(Image.Image, "save", real_save)
    write_frames(existing, moving_squares(2))
    before = {p.name: p.read_bytes() for p in existing.iterdir()}
    calls.clear()
    monkeypatch.setattr(Image.Image, "save", flaky)
    with pytest.raises(RuntimeError):
        write_frames(existing, moving_squares(5, bg=(0, 0, 0)))
    assert {p.name: p.read_bytes() for p in existing.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["old"]


def test_write_frames_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"frame files must be one of \.png, \.webp, got '\.gif'"):
        write_frames(tmp_path / "f", moving_squares(2), ext=".gif")
    with pytest.raises(ValueError, match="stem must be a plain file name prefix"):
        write_frames(tmp_path / "f", moving_squares(2), stem="a/b")
    with pytest.raises(ValueError, match="does not exist"):
        write_frames(tmp_path / "no" / "f", moving_squares(2))
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="it is not a directory"):
        write_frames(tmp_path / "file", moving_squares(2))
    with pytest.raises(ValueError, match="frame 1 has shape"):
        write_frames(tmp_path / "f", [np.zeros((2, 2, 3), np.uint8), np.zeros((3, 2, 3), np.uint8)])
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_palette_only_maps_every_pixel_to_its_nearest_palette_colour():
    rng = np.random.default_rng(3)
    frames = [rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8) for _ in range(3)]
    palette = [(0, 0, 0), (255, 255, 255), (200, 30, 30), (30, 30, 200)]
    data = encode_gif_bytes(frames, 100, palette=palette, palette_only=True)
    pal = np.array(palette, np.int64)
    with Image.open(io.BytesIO(data)) as im:
        for k, frame in enumerate(frames):
            im.seek(k)
            got = np.asarray(im.convert("RGB")).reshape(-1, 3).astype(np.int64)
            want = pal[((frame.reshape(-1, 1, 3).astype(np.int64) - pal[None]) ** 2).sum(2).argmin(1)]
            assert np.array_equal(got, want)


def test_palette_only_needs_a_palette():
    frame = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(ValueError, match="palette_only needs a palette"):
        encode_gif_bytes([frame], 100, palette_only=True)


# ---------------------------------------------------------------------------
# GIF frames: cropped, transparent where unchanged, compared with what the input shows


def nearest_colours(frame, palette):
    """Every pixel of ``frame`` replaced by its nearest ``palette`` colour (ties to the first), by brute force."""
    pal = np.array(palette, np.int64)
    d2 = ((frame.reshape(-1, 1, 3).astype(np.int64) - pal[None]) ** 2).sum(2)
    return pal[d2.argmin(1)].astype(np.uint8).reshape(frame.shape)


def changed_box(before, after):
    """(x, y, w, h) of the pixels that differ, from the input frames."""
    ys, xs = np.nonzero((before != after).any(axis=2))
    return int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


def test_gif_frames_are_cropped_to_what_changed():
    frames = moving_squares(9)
    data = encode_gif_bytes(frames, 50)
    gif = gif_structure(data)
    assert gif["images"][0]["box"] == (0, 0, 56, 40)
    assert [image["box"] for image in gif["images"][1:]] == [
        changed_box(a, b) for a, b in zip(frames, frames[1:], strict=False)
    ]
    entries = len(gif["table"]) // 3
    assert gif["controls"][0]["transparent"] is None  # frame 0 is drawn whole
    assert all(c["transparent"] is not None and c["transparent"] < entries for c in gif["controls"][1:])
    _, decoded, durations = read_back(data)
    assert durations == [50] * 9
    for got, want in zip(decoded, frames, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("contiguous", [True, False])
@pytest.mark.parametrize("corner", [(0, 0), (-1, -1), (-1, 0), (0, -1)])
def test_gif_change_in_a_corner_pixel(contiguous, corner):
    h, w = 7, 9
    base = np.zeros((h, w, 3), np.uint8)
    base[:] = BG
    frames = [base]
    for colour in INK:
        frame = frames[-1].copy()
        frame[corner] = colour
        frames.append(frame)
    if not contiguous:
        frames = [np.asfortranarray(f) for f in frames]
    data = encode_gif_bytes(frames, 100)
    y, x = corner[0] % h, corner[1] % w
    assert [image["box"] for image in gif_structure(data)["images"]] == [(0, 0, w, h)] + [(x, y, 1, 1)] * 3
    _, decoded, _ = read_back(data)
    for got, want in zip(decoded, frames, strict=True):
        np.testing.assert_array_equal(got, want)


def test_palette_only_folds_frames_drawn_with_the_same_colours():
    palette = [BG, *INK]
    frames = moving_squares(4)
    frames[2] = frames[1].copy()
    frames[2][frames[2] == 250] = 247  # a shade of BG that is drawn as BG
    data = encode_gif_bytes(frames, [100, 200, 300, 400], palette=palette, palette_only=True)
    _, decoded, durations = read_back(data)
    assert durations == [100, 500, 400]
    for got, want in zip(decoded, [frames[0], frames[1], frames[3]], strict=True):
        np.testing.assert_array_equal(got, nearest_colours(want, palette))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(*[st.integers(0, 255)] * 3), min_size=1, max_size=12, unique=True),
    st.lists(
        st.tuples(st.integers(0, 15), st.integers(0, 19), st.integers(1, 16), st.integers(1, 20),
                  st.tuples(*[st.integers(0, 255)] * 3)),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 255),
)
def test_palette_only_round_trip_matches_the_nearest_colours(palette, rectangles, grey):
    """Frames painting rectangles of any colour: the GIF shows each pixel's nearest palette colour."""
    frame = np.full((16, 20, 3), grey, np.uint8)
    frames = [frame]
    for y, x, h, w, colour in rectangles:
        frame = frame.copy()
        frame[y : y + h, x : x + w] = colour
        frames.append(frame)
    durations = [30 + 10 * k for k in range(len(frames))]
    data = encode_gif_bytes(frames, durations, palette=palette, palette_only=True)
    want_frames, want_durations = merged([nearest_colours(f, palette) for f in frames], durations)
    _, decoded, decoded_durations = read_back(data)
    assert decoded_durations == want_durations
    assert len(decoded) == len(want_frames)
    for got, want in zip(decoded, want_frames, strict=True):
        np.testing.assert_array_equal(got, want)
    gif = gif_structure(data)
    for image, (before, after) in zip(gif["images"][1:], zip(want_frames, want_frames[1:], strict=False),
                                      strict=True):
        assert image["box"] == changed_box(before, after)


def test_gif_palette_grows_past_256_colours_midway():
    """Few colours first, then a frame adds hundreds: every pixel still gets its nearest palette colour."""
    rng = np.random.default_rng(7)
    flat = np.array([BG, *INK], np.uint8)
    first = flat[rng.integers(0, 4, (24, 32))]
    second = first.copy()
    second[4:20, 6:26] = rng.integers(0, 256, (16, 20, 3))  # 320 new colours
    second[:, 0] = INK[2]  # the changed box also holds colours seen before
    third = second.copy()
    third[0:3, 0:3] = INK[0]
    frames = [first, second, third]
    required = [(1, 2, 3)]
    data = encode_gif_bytes(frames, 100, palette=required)
    gif = gif_structure(data)
    table = np.frombuffer(gif["table"], np.uint8).reshape(-1, 3)
    assert set(required) <= table_colours(gif["table"])
    _, decoded, _ = read_back(data)
    assert len(decoded) == 3
    np.testing.assert_array_equal(decoded[0], first)  # the frequent flat colours are kept exactly
    for got, want in zip(decoded, frames, strict=True):
        np.testing.assert_array_equal(got, nearest_colours(want, table[:255]))


def test_gif_hold_longer_than_the_delay_field():
    """GIF stores at most 655350 ms per frame: a longer merged hold goes on in frames that change nothing."""
    a, b = moving_squares(2)
    data = encode_gif_bytes([a, a, b], [655_350, 655_350, 100])
    _, decoded, durations = read_back(data)
    assert durations == [655_350, 655_350, 100]
    for got, want in zip(decoded, [a, a, b], strict=True):
        np.testing.assert_array_equal(got, want)
    assert [image["box"][2:] for image in gif_structure(data)["images"]] == [(56, 40), (1, 1), changed_box(a, b)[2:]]
