"""APNG, written here chunk by chunk as the frames arrive, and single PNG frames.

Pillow's APNG writer keeps every frame (it diffs each against the previous and
merges equal ones before writing anything), so the container is written here
(https://wiki.mozilla.org/APNG_Specification): Pillow encodes each frame, or
the box of it that changed, as a plain PNG, and its IDAT chunks are copied
into the animation (as fdAT after the first frame). The layout, and so the
bytes, are those of Pillow's writer with its defaults (no disposal, source
blending): frame 0 whole, every later frame cropped to the box that changed
since the previous one, an identical frame merged into the previous one's
delay (unless the sum no longer fits a 16-bit fraction of a second), and a
single remaining frame written as a plain PNG. The frame count in ``acTL`` is
filled in at the end, so the output must be seekable (files and BytesIO are).

Memory: the frame in hand, the previous one and one encoded frame waiting for
its delay.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from fractions import Fraction
from typing import IO

import numpy as np
from PIL import Image, PngImagePlugin

from .checks import Frames, check_count, duration_of
from .palette import colour_table, expand, find_palette, index_patches

#: zlib level for palette PNGs: ~3 % smaller than 6 at the same speed
PNG_PALETTE_LEVEL = 9
_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(cid: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + cid + data + struct.pack(">I", zlib.crc32(cid + data) & 0xFFFFFFFF)


def _chunks(png: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, data) of every chunk of a PNG file."""
    pos = len(_SIGNATURE)
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        yield png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        pos += 12 + length


def p_image(index: np.ndarray, palette_bytes: bytes) -> Image.Image:
    im = Image.fromarray(index)
    im.putpalette(palette_bytes)
    return im


def png_images(frames: Frames) -> Iterator[tuple[Image.Image, int]]:
    """Yield each frame as a PIL image with its zlib level: palette images if all frames use <= 256 colours.

    A first pass over ``frames`` finds the colours (stopping at the 257th);
    the images are then made one at a time from a second pass.
    """
    with colour_table() as (lut, chunks):
        palette = find_palette(frames.patches(), np.zeros((0, 3), np.uint8), lut, chunks, reduce=False)
        if palette is not None:
            palette_bytes = palette.tobytes()
            for index in expand(index_patches(frames.patches(), palette, lut, chunks)):
                yield p_image(index, palette_bytes), PNG_PALETTE_LEVEL
            return
    for frame in frames:
        yield Image.fromarray(frame), 6


def _box(before: np.ndarray, after: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the pixels that differ, or None."""
    differ = before != after
    if differ.ndim == 3:
        differ = differ.any(axis=2)
    rows = np.flatnonzero(differ.any(axis=1))
    if not rows.size:
        return None
    cols = np.flatnonzero(differ.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _encode(image: Image.Image, level: int, pnginfo=None) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=level, pnginfo=pnginfo)
    return buffer.getvalue()


def save_apng(fp: IO[bytes], frames: Frames, durations, comment: str, loop: bool) -> None:
    """Write ``frames`` as an APNG (lossless; a palette PNG when all frames use at most 256 colours)."""
    info = PngImagePlugin.PngInfo()
    if comment:
        info.add_text("Comment", comment)  # tEXt, or iTXt when not Latin-1
    plays = 0 if loop else 1
    written = 0  # frames written
    seq = 0  # APNG sequence number
    count_at = 0  # where acTL's frame count is
    # The last frame kept, written once the next different frame shows its duration is final:
    # [(x0, y0, x1, y1), its image (cropped to that box), duration in ms].
    pending = None
    previous = None  # the pixels (palette indices or RGB) of the last frame kept

    def write(box, image, duration, level) -> None:
        nonlocal written, seq, count_at
        png = _encode(image, level, info if written == 0 else None)
        head, idat = [], []
        for cid, data in _chunks(png):
            if cid == b"IDAT":
                idat.append(data)
            elif cid != b"IEND" and not idat:
                head.append(_chunk(cid, data))
        if written == 0:  # the header chunks of frame 0 (IHDR, PLTE, text), then the animation control
            fp.write(_SIGNATURE + b"".join(head))
            count_at = fp.tell() + 8
            fp.write(_chunk(b"acTL", struct.pack(">II", 0, plays)))
        delay = Fraction(duration / 1000).limit_denominator(65535)
        x0, y0, x1, y1 = box
        fp.write(_chunk(b"fcTL", struct.pack(
            ">IIIIIHHBB", seq, x1 - x0, y1 - y0, x0, y0, delay.numerator, delay.denominator, 0, 0
        )))
        seq += 1
        for data in idat:
            if written == 0:
                fp.write(_chunk(b"IDAT", data))
            else:
                fp.write(_chunk(b"fdAT", struct.pack(">I", seq) + data))
                seq += 1
        written += 1

    count = 0
    for count, (image, level) in enumerate(png_images(frames), 1):
        pixels = np.asarray(image)
        duration = duration_of(durations, count - 1)
        if previous is None:
            box = None
        else:
            box = _box(previous, pixels)
            if box is None:
                merged = pending[2] + duration
                if Fraction(merged / 1000).limit_denominator(65535).numerator <= 65535:
                    pending[2] = merged
                    continue
        if Fraction(duration / 1000).limit_denominator(65535).numerator > 65535:
            raise ValueError(f"APNG cannot store a duration of {duration} ms")
        if pending is not None:
            write(*pending)
        height, width = pixels.shape[:2]
        pending = [box or (0, 0, width, height), image if box is None else image.crop(box), duration, level]
        previous = pixels
    check_count(durations, count)
    if written == 0:  # one frame in all: a plain PNG
        fp.write(_encode(pending[1], level, info))
        return
    write(*pending)
    fp.write(_chunk(b"IEND", b""))
    end = fp.tell()
    fp.seek(count_at)
    fp.write(struct.pack(">I", written) + struct.pack(">I", plays))
    fp.write(struct.pack(">I", zlib.crc32(b"acTL" + struct.pack(">II", written, plays)) & 0xFFFFFFFF))
    fp.seek(end)
