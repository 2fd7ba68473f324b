"""The GIF container, written as the frames arrive.

Pillow's GIF writer would remap every frame onto the palette we pass (an
identity map here, but a full-frame `convert`), diff and mask it again, and it
keeps every frame; so the blocks are written here (GIF89a,
https://www.w3.org/Graphics/GIF/spec-gif89a.txt) and Pillow only
LZW-compresses each frame's index image. The layout is the one Pillow's
``optimize`` writer produces: one global colour table, frame 0 whole, every
later frame cropped to the box whose palette indices changed with its
unchanged pixels set to a transparent index (disposal 0: draw over the
previous frame), and a frame whose indices did not change folded into the
previous one's delay.

Memory: the frame in hand, the previous one, the palette indices on screen and
one compressed frame waiting for its delay, whatever the number of frames.
"""

from __future__ import annotations

import struct
from typing import IO

import numpy as np
from PIL import Image

from .checks import Frames, check_count, duration_of
from .palette import colour_keys, colour_table, find_palette, index_patches, set_palette, value

_MAX_DELAY = 0xFFFF  # GIF's delay field, in 10 ms units


def gif_delay(ms: int) -> int:
    """A duration in GIF's 10 ms units: rounded to the nearest 10 ms (halves up), at least 10 ms."""
    return max(10, (ms + 5) // 10 * 10) // 10


def gif_palette_bytes(palette: np.ndarray) -> bytes:
    """The global colour table's colours, padded so that the transparency index stays in the table.

    Unchanged pixels are marked with the first index past the palette
    (``len(palette)``). A GIF colour table holds a power of two entries, so for
    2, 4, ..., 128 colours that index would fall outside it; one unused filler
    colour (the smallest value not in the palette) fixes it.
    """
    n = len(palette)
    if 2 <= n < 256 and n & (n - 1) == 0:
        used = set(value(colour_keys(palette)).tolist())
        filler = next(k for k in range(n + 1) if k not in used)
        palette = np.concatenate([palette, [[filler >> 16, (filler >> 8) & 255, filler & 255]]]).astype(np.uint8)
    return palette.tobytes()


def gif_header(width: int, height: int, palette_bytes: bytes, comment: str, loop: bool) -> bytes:
    """Header, logical screen descriptor, global colour table and the loop and comment extensions."""
    entries = len(palette_bytes) // 3
    size_code = 1 if entries <= 2 else (entries - 1).bit_length() - 1  # 2 << size_code table entries
    parts = [
        b"GIF89a",
        struct.pack("<HHBBB", width, height, 0x80 | size_code, 0, 0),  # global table, background 0, no aspect
        palette_bytes + bytes(3 * ((2 << size_code) - entries)),
    ]
    if loop:
        parts.append(b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")  # application extension: loop 0 = forever
    if comment:
        text = comment.encode()
        parts.append(b"!\xfe")
        parts += [bytes([len(text[i : i + 255])]) + text[i : i + 255] for i in range(0, len(text), 255)]
        parts.append(b"\x00")
    return b"".join(parts)


def gif_image(x: int, y: int, index: np.ndarray) -> bytes:
    """An image descriptor at ``(x, y)`` and the LZW data of the C-contiguous uint8 ``index`` array."""
    h, w = index.shape
    data = _lzw(index)
    return b"," + struct.pack("<HHHHB", x, y, w, h, 0) + b"\x08" + data + b"\x00"


def _lzw(index: np.ndarray) -> bytes:
    """Pillow's GIF encoder on an index array: 8-bit LZW codes in data sub-blocks, no terminator."""
    return Image.fromarray(index).tobytes("gif", "L")


def _gif_control(delay: int, transparent: int | None) -> bytes:
    """A graphic control extension: disposal 0, ``delay`` in 10 ms units, optional transparent index."""
    flags = 0 if transparent is None else 1
    return b"!\xf9\x04" + struct.pack("<BHB", flags, delay, transparent or 0) + b"\x00"


def _write_frame(fp: IO[bytes], delay: int, transparent: int | None, image: bytes, corner: int) -> None:
    """Write one frame; a delay over GIF's maximum continues in 1-pixel frames repainting ``corner`` (0, 0)."""
    first = min(delay, _MAX_DELAY)
    fp.write(_gif_control(first, transparent) + image)
    delay -= first
    while delay:
        step = min(delay, _MAX_DELAY)
        fp.write(_gif_control(step, None) + gif_image(0, 0, np.full((1, 1), corner, np.uint8)))
        delay -= step


def _transparent_index(entries: int, index: np.ndarray) -> int | None:
    """The index marking unchanged pixels: the first past the palette, or else the highest one ``index`` lacks."""
    if entries < 256:
        return entries
    unused = np.flatnonzero(np.bincount(index.ravel(), minlength=256) == 0)
    return int(unused[-1]) if unused.size else None


def save_gif(
    fp: IO[bytes], frames: Frames, durations, comment: str, loop: bool, required: np.ndarray, only: bool = False
) -> None:
    """Write the GIF of ``frames`` to ``fp``.

    With ``only`` the palette is ``required`` and the frames are read once;
    otherwise a first pass finds the palette (see `find_palette`) and a second
    pass, re-reading ``frames``, writes them. Each frame is indexed, diffed
    against the indices on screen, compressed and written as it arrives; a
    frame is held back (compressed) only until the next different one shows
    how long it lasts.
    """
    with colour_table() as (lut, chunks):
        if only:
            palette = required
            set_palette(lut, chunks, palette)
        else:
            palette = find_palette(frames.patches(), required, lut, chunks, reduce=True)
        palette_bytes = gif_palette_bytes(palette)
        entries = len(palette_bytes) // 3
        canvas = None  # the palette indices on screen
        pending = None  # (transparent index, image block, corner index) of the frame on screen
        delay = 0  # its delay so far: a frame is written once the next different one shows how long it lasts
        for i, patch in enumerate(index_patches(frames.patches(), palette, lut, chunks)):
            if patch is not None:
                box, index = patch
                if canvas is None:
                    canvas = index
                    height, width = canvas.shape
                    fp.write(gif_header(width, height, palette_bytes, comment, loop))
                    frame = (None, gif_image(0, 0, canvas), int(canvas[0, 0]))
                else:
                    frame = _gif_delta(canvas, box, index, entries)
                if frame is not None:
                    if pending is not None:
                        _write_frame(fp, delay, *pending)
                    pending, delay = frame, 0
            delay += gif_delay(duration_of(durations, i))
    check_count(durations, frames.count)
    _write_frame(fp, delay, *pending)
    fp.write(b";")


def _gif_delta(canvas: np.ndarray, box, index: np.ndarray, entries: int) -> tuple[int | None, bytes, int] | None:
    """Put ``index`` into ``canvas[box]``; return the frame drawing the change, or None if no index changed.

    The frame is cropped to the changed indices' bounding box, its unchanged
    pixels set to the transparent index (if there is one free).
    """
    before = canvas[box]
    changed = index != before
    rows = np.flatnonzero(changed.any(axis=1))
    if not rows.size:  # new colours, but the same palette indices
        return None
    y0, y1 = int(rows[0]), int(rows[-1]) + 1
    cols = np.flatnonzero(changed[y0:y1].any(axis=0))
    x0, x1 = int(cols[0]), int(cols[-1]) + 1
    before[...] = index
    transparent = _transparent_index(entries, canvas)
    crop = index[y0:y1, x0:x1]
    if transparent is None:
        crop = np.ascontiguousarray(crop)
    else:  # (crop - t) * changed + t, wrapping mod 256: 10x faster than np.where on a scattered mask
        t = np.uint8(transparent)
        crop = np.subtract(crop, t, dtype=np.uint8)
        crop *= changed[y0:y1, x0:x1]
        crop += t
    top, left = box[0].indices(canvas.shape[0])[0], box[1].indices(canvas.shape[1])[0]
    return transparent, gif_image(left + x0, top + y0, crop), int(canvas[0, 0])
