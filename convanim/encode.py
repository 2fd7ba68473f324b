"""Encode frames to GIF, APNG, WebP or a folder of PNGs: the only module that touches Pillow.

Frames arrive as plain ``(H, W, 3)`` uint8 numpy arrays, all the same shape.
Every writer is atomic (a temporary file in the destination folder, then
`os.replace`) and deterministic: the same inputs give byte-identical files.

GIF gets one global palette built here, not by Pillow: the frames' exact
colours when there are at most 256 of them, otherwise the required theme
colours plus the most frequent others, each pixel mapped to its nearest
palette colour without dithering. The GIF blocks are written here too, each
later frame cropped to what changed and its unchanged pixels transparent;
Pillow only LZW-compresses the frames' index images. APNG and WebP are
lossless.

>>> format_for("out/padding.GIF")
'GIF'
>>> format_for("frames.apng")
'PNG'
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
import stat
import struct
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from numbers import Integral
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import numpy as np
from PIL import Image, PngImagePlugin

__all__ = [
    "FORMATS", "write_animation", "write_frames", "write_files", "write_mp4", "encode_gif_bytes", "atomic_output",
    "format_for", "to_image",
]

#: File extension -> Pillow format name. ``.png`` with several frames is written as APNG.
FORMATS: dict[str, str] = {".apng": "PNG", ".gif": "GIF", ".png": "PNG", ".webp": "WEBP"}

_FRAME_EXTS = (".png", ".webp")
_MAX_SIDE = {"GIF": 65535, "PNG": 2**31 - 1, "WEBP": 16383}
_MAX_DURATION_MS = 655_350  # GIF's 16-bit delay field in 10 ms units
# Lossless WebP effort. Measured on 400x400 frames: method 0 is ~4.5x faster than 1, but 10 % larger
# on flat frames and 50 % larger on anti-aliased ones; methods 2-6 are slower than 1 and no smaller.
_WEBP_METHOD = 1
_WEBP_QUALITY = 80  # with lossless=True this is the compression effort (libwebp's default)
_PNG_PALETTE_LEVEL = 9  # zlib level for palette PNGs: ~3 % smaller than 6 at the same speed


# ---------------------------------------------------------------------------
# argument checks


def format_for(path) -> str:
    """Return the Pillow format name for ``path``'s extension.

    Parameters
    ----------
    path : str or os.PathLike
        Output file; the extension is matched case-insensitively.

    Returns
    -------
    str
        ``"GIF"``, ``"PNG"`` (also for ``.apng``) or ``"WEBP"``.

    Raises
    ------
    ValueError
        If the extension is not one of `FORMATS`.
    """
    ext = Path(path).suffix.lower()
    if ext not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        got = repr(ext) if ext else f"no extension in '{os.fspath(path)}'"
        raise ValueError(f"output format must be one of {known}, got {got}")
    return FORMATS[ext]


def _check_destination(path) -> Path:
    """Return ``path``'s folder, or raise ValueError if a file cannot be created there."""
    target = Path(path)
    shown = os.fspath(path)
    if target.is_dir():
        raise ValueError(f"cannot write '{shown}': it is a directory")
    folder = target.parent
    if not folder.is_dir():
        if folder.exists():
            raise ValueError(f"cannot write '{shown}': '{folder}' is not a directory")
        raise ValueError(f"cannot write '{shown}': directory '{folder}' does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write '{shown}': directory '{folder}' is not writable")
    return folder


def _check_frames(frames, fmt: str | None = None) -> list[np.ndarray]:
    """Check that ``frames`` are equal-shape ``(H, W, 3)`` uint8 arrays; return them as a list."""
    frames = list(frames)
    if not frames:
        raise ValueError("no frames to write")
    first = None
    for i, frame in enumerate(frames):
        if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
            got = frame.dtype if isinstance(frame, np.ndarray) else type(frame).__name__
            raise ValueError(f"frame {i} must be a uint8 numpy array, got {got}")
        if frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(f"frame {i} must have shape (H, W, 3), got {frame.shape}")
        if first is None:
            first = frame.shape
            if min(first[:2]) == 0:
                raise ValueError(f"frame 0 has no pixels (shape {first})")
            if fmt is not None and max(first[:2]) > _MAX_SIDE[fmt]:
                raise ValueError(
                    f"{fmt} frames must be at most {_MAX_SIDE[fmt]} px on a side, got {first[1]}x{first[0]}"
                )
        elif frame.shape != first:
            raise ValueError(f"frame {i} has shape {frame.shape}, but frame 0 has {first}")
    return frames


def _is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _check_durations(durations_ms, count: int) -> list[int]:
    """Return one duration per frame in ms, checked to be integers in 1..655350."""
    if _is_int(durations_ms):
        values = [int(durations_ms)] * count
    else:
        if isinstance(durations_ms, (str, bytes)) or not isinstance(durations_ms, (Sequence, np.ndarray)):
            raise ValueError(f"durations_ms must be an int or a sequence of ints, got {durations_ms!r}")
        if len(durations_ms) != count:
            raise ValueError(f"got {len(durations_ms)} durations for {count} frames")
        values = list(durations_ms)
    for i, value in enumerate(values):
        if not _is_int(value) or not 1 <= value <= _MAX_DURATION_MS:
            raise ValueError(f"duration of frame {i} must be an integer from 1 to {_MAX_DURATION_MS} ms, got {value!r}")
    return [int(v) for v in values]


def _check_palette(palette) -> np.ndarray:
    """Return the required colours as a ``(k, 3)`` uint8 array, duplicates dropped, order kept."""
    if palette is None:
        return np.zeros((0, 3), np.uint8)
    colours = []
    for colour in palette:
        if (
            not isinstance(colour, (tuple, list, np.ndarray))
            or len(colour) != 3
            or not all(_is_int(c) and 0 <= c <= 255 for c in colour)
        ):
            raise ValueError(f"palette colours must be (r, g, b) tuples of ints 0-255, got {colour!r}")
        colours.append(tuple(int(c) for c in colour))
    unique = list(dict.fromkeys(colours))
    if len(unique) > 256:
        raise ValueError(f"palette must have at most 256 colours, got {len(unique)}")
    return np.array(unique, np.uint8).reshape(-1, 3)


def _gif_durations(durations: list[int]) -> list[int]:
    """Round to the nearest 10 ms (halves up), at least 10 ms: GIF's delay unit."""
    return [max(10, (d + 5) // 10 * 10) for d in durations]


# ---------------------------------------------------------------------------
# palette
#
# Colours are looked up through a 2**24-entry table indexed by a pixel's three
# bytes read as one little-endian number, the *key* ``r | g << 8 | b << 16``.
# Orders that the docstrings promise (palette order, ties) use the colour's
# *value* ``r << 16 | g << 8 | b`` instead.


def _colour_keys(colours) -> np.ndarray:
    """Table keys ``r | g << 8 | b << 16`` of a ``(k, 3)`` colour array, as uint32."""
    rgb = np.asarray(colours, np.uint8).reshape(-1, 3).astype(np.uint32)
    return rgb[:, 0] | rgb[:, 1] << 8 | rgb[:, 2] << 16


def _unpack(keys) -> np.ndarray:
    """The ``(k, 3)`` uint8 colours of table keys."""
    keys = np.asarray(keys, np.uint32)
    return np.stack([keys & 255, (keys >> 8) & 255, keys >> 16], axis=-1).astype(np.uint8)


def _value(keys: np.ndarray) -> np.ndarray:
    """The colour value ``r << 16 | g << 8 | b`` of table keys (their sort order)."""
    return (keys & 255) << 16 | (keys & 0xFF00) | keys >> 16


def _keys(frame: np.ndarray, box: tuple[slice, slice]) -> np.ndarray:
    """The table keys of ``frame[box]``, a fresh ``(h, w)`` uint32 array.

    On a C-contiguous frame every pixel's three bytes and the next byte are read
    as one unaligned little-endian uint32 and the fourth byte masked off: one
    pass over the box instead of four. The frame's last pixel has no next byte,
    so a box holding it does its bottom row apart.
    """
    height, width = frame.shape[:2]
    y0, y1, _ = box[0].indices(height)
    x0, x1, _ = box[1].indices(width)
    h, w = y1 - y0, x1 - x0
    if not frame.flags.c_contiguous:
        rgb = frame[y0:y1, x0:x1].astype(np.uint32)
        return rgb[..., 0] | rgb[..., 1] << 8 | rgb[..., 2] << 16
    keys = np.empty((h, w), np.uint32)
    whole_rows = h - 1 if (y1, x1) == (height, width) else h
    if whole_rows:
        words = np.ndarray(
            (whole_rows, w), "<u4", buffer=frame, offset=3 * (y0 * width + x0), strides=(3 * width, 3)
        )
        np.bitwise_and(words, 0xFFFFFF, out=keys[:whole_rows])
    if whole_rows < h:
        rgb = frame[y1 - 1, x0:x1].astype(np.uint32)
        keys[-1] = rgb[:, 0] | rgb[:, 1] << 8 | rgb[:, 2] << 16
    return keys


_WHOLE = (slice(None), slice(None))
#: A frame's palette indices: (box, indices inside it), or None for "same as the previous frame".
_Patch = tuple[tuple[slice, slice], np.ndarray] | None


def _changed_box(before: np.ndarray, after: np.ndarray) -> tuple[slice, slice] | None:
    """The bounding box of the pixels that differ between two frames, or None if they are equal."""
    h = before.shape[0]
    differ = before.reshape(h, -1) != after.reshape(h, -1)  # (h, 3w): faster than .any(axis=2) on (h, w, 3)
    rows = np.flatnonzero(differ.any(axis=1))
    if not rows.size:
        return None
    y0, y1 = int(rows[0]), int(rows[-1]) + 1
    cols = np.flatnonzero(differ[y0:y1].any(axis=0))
    return slice(y0, y1), slice(int(cols[0]) // 3, int(cols[-1]) // 3 + 1)


def _index_frames(
    frames, required: np.ndarray, *, reduce: bool, only_required: bool = False
) -> tuple[np.ndarray, list[_Patch]] | None:
    """Build the palette and index every frame on it, in one pass over the frames.

    Every distinct colour gets an id (the ``required`` colours first, then the
    others in order of first appearance, sorted by value within a frame) through
    a 2**24-entry lookup table, so a frame costs a gather, not a sort. Only the
    box that changed since the previous frame is looked up and stored (a
    sliding kernel changes a few cells per frame).

    With at most 256 ids the palette is exactly those colours. Otherwise, if
    ``reduce``, it is ``required`` plus the most frequent other colours (pixels
    summed over all frames; ties to the smaller ``r << 16 | g << 8 | b``) up to
    255 colours in all (or ``len(required)`` if that is 256), leaving one index
    free for GIF's unchanged-pixel transparency; each colour is drawn as its
    nearest palette colour (squared RGB distance, ties to the lower index), no
    dithering. Without ``reduce`` more than 256 colours returns None. With
    ``only_required`` the palette is ``required`` alone, every colour drawn as
    its nearest one in it (few colours compress best).

    Returns the ``(n, 3)`` uint8 palette and one patch per frame (see `_expand`),
    its indices uint8.
    """
    lut = _colour_lut()
    key_chunks = [_colour_keys(required)]  # every colour given an id, in id order, to clear afterwards
    try:
        return _index_with(lut, key_chunks, frames, reduce, only_required)
    finally:
        for keys in key_chunks:
            lut[keys] = 0


_LUT: list[np.ndarray] = []


def _colour_lut() -> np.ndarray:
    """One all-zero 2**24-entry colour table per process, reused by every call.

    Allocating and faulting in 64 MiB for every animation cost more than
    encoding a small GIF (7 ms/frame for a 9-frame one).
    """
    if not _LUT:
        _LUT.append(np.zeros(1 << 24, np.uint32))
    return _LUT[0]


#: Table entries ``_DIRECT | index`` hold a colour's final palette index in their low byte.
_DIRECT = 0x100


def _index_with(lut, key_chunks, frames, reduce, only_required):
    """The body of `_index_frames`, on a zeroed ``lut``; appends each new colour chunk to ``key_chunks``.

    While the palette index of every colour is known when it is first seen (with
    ``only_required``, or up to 256 colours) the table holds ``_DIRECT | index``
    and a patch is the gathered entries' low byte. Past 256 colours (``reduce``)
    it switches to holding id + 1 and the indices are mapped at the end, once
    the most frequent colours are known.
    """
    required_keys = key_chunks[0]
    n = len(required_keys)
    lut[required_keys] = _DIRECT | np.arange(n)
    required_rgb = _unpack(required_keys).astype(np.int32)
    direct = True
    patches: list[_Patch] = []
    previous = None
    for frame in frames:
        box = _WHOLE if previous is None else _changed_box(previous, frame)
        if box is None:
            patches.append(None)
            continue
        previous = frame
        keys = _keys(frame, box)
        entries = lut.take(keys, mode="clip")  # keys < 2**24: clipping never happens and skips the bounds check
        missing = np.flatnonzero(entries == 0)  # few pixels: a handful of new anti-aliasing shades per frame
        if missing.size:
            missing_keys = keys.reshape(-1)[missing]
            new = np.unique(missing_keys)
            new = new[np.argsort(_value(new))]
            if only_required:
                lut[new] = _DIRECT | _nearest(new, required_rgb)
            elif direct and n + len(new) <= 256:
                lut[new] = _DIRECT | np.arange(n, n + len(new))
            else:
                if not reduce:
                    return None
                if direct:  # ids so far are the palette indices: switch the table and patches to id + 1
                    direct = False
                    for chunk in key_chunks:
                        lut[chunk] = (lut[chunk] & 255) + 1
                    patches = [None if p is None else (p[0], p[1].astype(np.uint32) + 1) for p in patches]
                    missing = None  # this frame's entries are stale too
                lut[new] = np.arange(n + 1, n + len(new) + 1)
            n += len(new)
            key_chunks.append(new)
            if missing is None:
                entries = lut.take(keys, mode="clip")
            else:
                entries.reshape(-1)[missing] = lut.take(missing_keys)
        patches.append((box, entries.astype(np.uint8) if direct else entries))

    if only_required:
        return _unpack(required_keys), patches
    colour_keys = np.concatenate(key_chunks)
    if direct:
        return _unpack(colour_keys), patches
    size = max(255, len(required_keys))
    total = _pixel_counts(patches, n)
    others = np.arange(len(required_keys), n)
    ranked = others[np.lexsort((_value(colour_keys[others]), -total[others + 1]))]
    palette_keys = np.concatenate([required_keys, colour_keys[ranked[: size - len(required_keys)]]])
    to_index = np.zeros(n + 1, np.uint8)  # id + 1 -> palette index
    to_index[1:] = _nearest(colour_keys, _unpack(palette_keys).astype(np.int32))
    return _unpack(palette_keys), [None if p is None else (p[0], to_index.take(p[1])) for p in patches]


def _nearest(keys: np.ndarray, palette_rgb: np.ndarray) -> np.ndarray:
    """Index of each colour's nearest palette colour (squared RGB distance, ties to the lower index).

    ``keys`` are table keys, ``palette_rgb`` a ``(k, 3)`` int32 array.
    """
    out = np.empty(len(keys), np.intp)
    for start in range(0, len(keys), 1 << 14):
        chunk = keys[start : start + (1 << 14), None]
        d2 = ((chunk & 255).astype(np.int32) - palette_rgb[:, 0]) ** 2
        d2 += (((chunk >> 8) & 255).astype(np.int32) - palette_rgb[:, 1]) ** 2
        d2 += ((chunk >> 16).astype(np.int32) - palette_rgb[:, 2]) ** 2
        out[start : start + len(chunk)] = d2.argmin(axis=1)
    return out


def _pixel_counts(id_patches, n: int) -> np.ndarray:
    """Pixels per id + 1 summed over all frames, replaying the patches (only the changed boxes are counted)."""
    on_screen = np.zeros(n + 1, np.int64)  # the current frame's counts
    total = np.zeros(n + 1, np.int64)
    ids_now = None
    for patch in id_patches:
        if patch is not None:
            box, ids = patch
            if ids_now is None:
                ids_now = ids.copy()
            else:
                on_screen -= np.bincount(ids_now[box].ravel(), minlength=n + 1)
                ids_now[box] = ids
            on_screen += np.bincount(ids.ravel(), minlength=n + 1)
        total += on_screen
    return total


def _expand(patches: list[_Patch]) -> Iterator[np.ndarray]:
    """Yield the full ``(H, W)`` index frame of every patch, each a fresh array."""
    current = None
    for patch in patches:
        if patch is not None:
            box, values = patch
            if current is None:
                current = values.copy()
            else:
                current[box] = values
        yield current.copy()


def _gif_palette_bytes(palette: np.ndarray) -> bytes:
    """The global colour table's colours, padded so that the transparency index stays in the table.

    Unchanged pixels are marked with the first index past the palette
    (``len(palette)``). A GIF colour table holds a power of two entries, so for
    2, 4, ..., 128 colours that index would fall outside it; one unused filler
    colour (the smallest value not in the palette) fixes it.
    """
    n = len(palette)
    if 2 <= n < 256 and n & (n - 1) == 0:
        used = set(_value(_colour_keys(palette)).tolist())
        filler = next(k for k in range(n + 1) if k not in used)
        palette = np.concatenate([palette, [[filler >> 16, (filler >> 8) & 255, filler & 255]]]).astype(np.uint8)
    return palette.tobytes()


def _p_image(index: np.ndarray, palette_bytes: bytes) -> Image.Image:
    im = Image.fromarray(index)
    im.putpalette(palette_bytes)
    return im


# ---------------------------------------------------------------------------
# GIF container
#
# Pillow's GIF writer would remap every frame onto the palette we pass (an
# identity map here, but a full-frame `convert`), diff and mask it again; so
# the blocks are written here (GIF89a, https://www.w3.org/Graphics/GIF/spec-gif89a.txt)
# and Pillow only LZW-compresses each frame's index image. The layout is the
# one Pillow's ``optimize`` writer produces: one global colour table, frame 0
# whole, every later frame cropped to the box whose palette indices changed
# with its unchanged pixels set to a transparent index (disposal 0: draw over
# the previous frame), and a frame whose indices did not change folded into
# the previous one's delay.

_MAX_DELAY = 0xFFFF  # GIF's delay field, in 10 ms units


def _gif_header(width: int, height: int, palette_bytes: bytes, comment: str, loop: bool) -> bytes:
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


def _gif_image(x: int, y: int, index: np.ndarray) -> bytes:
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


def _write_gif_frame(fp: IO[bytes], delay: int, transparent: int | None, image: bytes, corner: int) -> None:
    """Write one frame; a delay over GIF's maximum continues in 1-pixel frames repainting ``corner`` (0, 0)."""
    first = min(delay, _MAX_DELAY)
    fp.write(_gif_control(first, transparent) + image)
    delay -= first
    while delay:
        step = min(delay, _MAX_DELAY)
        fp.write(_gif_control(step, None) + _gif_image(0, 0, np.full((1, 1), corner, np.uint8)))
        delay -= step


def _transparent_index(entries: int, index: np.ndarray) -> int | None:
    """The index marking unchanged pixels: the first past the palette, or else the highest one ``index`` lacks."""
    if entries < 256:
        return entries
    unused = np.flatnonzero(np.bincount(index.ravel(), minlength=256) == 0)
    return int(unused[-1]) if unused.size else None


# ---------------------------------------------------------------------------
# format writers (each takes checked arguments and a binary file object)


def _save_gif(
    fp: IO[bytes], frames, durations, comment: str, loop: bool, required: np.ndarray, only: bool = False
) -> None:
    palette, patches = _index_frames(frames, required, reduce=True, only_required=only)
    palette_bytes = _gif_palette_bytes(palette)
    entries = len(palette_bytes) // 3
    height, width = frames[0].shape[:2]
    fp.write(_gif_header(width, height, palette_bytes, comment, loop))
    canvas = None  # the palette indices on screen
    pending = None  # (transparent index, image block, corner index) of the frame on screen
    delay = 0  # its delay so far: a frame is written once the next different one shows how long it lasts
    for patch, duration in zip(patches, _gif_durations(durations), strict=True):
        if patch is not None:
            box, index = patch
            if canvas is None:
                canvas = index
                frame = (None, _gif_image(0, 0, canvas), int(canvas[0, 0]))
            else:
                frame = _gif_delta(canvas, box, index, entries)
            if frame is not None:
                if pending is not None:
                    _write_gif_frame(fp, delay, *pending)
                pending, delay = frame, 0
        delay += duration // 10
    _write_gif_frame(fp, delay, *pending)
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
    return transparent, _gif_image(left + x0, top + y0, crop), int(canvas[0, 0])


def _save_png(fp: IO[bytes], frames, durations, comment: str, loop: bool, required: np.ndarray) -> None:
    found = _index_frames(frames, np.zeros((0, 3), np.uint8), reduce=False)
    if found is not None:
        palette_bytes = found[0].tobytes()
        images = [_p_image(index, palette_bytes) for index in _expand(found[1])]
        level = _PNG_PALETTE_LEVEL
    else:
        images = [Image.fromarray(frame) for frame in frames]
        level = 6
    info = PngImagePlugin.PngInfo()
    if comment:
        info.add_text("Comment", comment)  # tEXt, or iTXt when not Latin-1
    _save_pillow(fp, "PNG", images, durations, loop, pnginfo=info, compress_level=level)


def _save_pillow(fp: IO[bytes], fmt: str, images: list, durations, loop: bool, **options) -> None:
    """Pillow's animated save of ``images`` with the options every format shares."""
    images[0].save(
        fp, format=fmt, save_all=True, append_images=images[1:], duration=durations,
        loop=0 if loop else 1, **options,
    )


def _xmp_comment(comment: str) -> bytes:
    """A minimal XMP packet holding ``comment`` as dc:description."""
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(comment)}</rdf:li></rdf:Alt>'
        "</dc:description></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def _save_webp(fp: IO[bytes], frames, durations, comment: str, loop: bool, required: np.ndarray) -> None:
    images = [Image.fromarray(frame) for frame in frames]
    _save_pillow(
        fp, "WEBP", images, durations, loop,
        lossless=True,
        quality=_WEBP_QUALITY,
        method=_WEBP_METHOD,
        xmp=_xmp_comment(comment) if comment else b"",
    )


_WRITERS = {"GIF": _save_gif, "PNG": _save_png, "WEBP": _save_webp}


# ---------------------------------------------------------------------------
# public API


def write_animation(
    path, frames, durations_ms, *, comment: str = "", loop: bool = True, palette=None, palette_only: bool = False
) -> None:
    """Write ``frames`` as an animated GIF, APNG (``.png``/``.apng``) or lossless WebP.

    Parameters
    ----------
    path : str or os.PathLike
        Output file; the format comes from the extension (see `FORMATS`). It is
        written atomically: a failed encode leaves an existing file untouched and
        no partial file behind.
    frames : sequence of ndarray
        ``(H, W, 3)`` uint8 RGB frames, all the same shape.
    durations_ms : int or sequence of int
        Display time of every frame, or one per frame, in milliseconds (1 to 655350).
        GIF stores delays in 10 ms units: each is rounded to the nearest 10 ms
        (halves up, so 15 -> 20) with a minimum of 10 ms. Many browsers show GIF
        delays under 20 ms as 100 ms, so keep GIF frames at 20 ms or longer.
        APNG and WebP keep milliseconds exactly.
    comment : str, optional
        Stored in the GIF comment extension, the PNG ``Comment`` text chunk
        (iTXt when not Latin-1) or the WebP XMP packet (``dc:description``).
    loop : bool, optional
        Loop forever (True) or play once (False).
    palette : sequence of (int, int, int), optional
        Colours that must appear exactly in the GIF palette (the theme's flat
        colours); ignored by the lossless formats.
    palette_only : bool, optional
        GIF only: use exactly ``palette`` (the theme's colours and the
        anti-aliasing shades between them), each pixel drawn as its nearest
        colour in it. Fewer colours make smaller files.

    Raises
    ------
    ValueError
        On an unknown extension, a missing or unwritable destination folder,
        frames of the wrong dtype or shape, or bad durations or palette.

    Notes
    -----
    Identical consecutive frames are merged into one frame showing for the sum
    of their durations (in GIF also frames that differ only in colours drawn
    with the same palette colour), so a held frame should be given as one frame
    with a longer duration. A GIF frame held longer than 655350 ms in total goes
    on in 1-pixel frames that change nothing.
    """
    fmt = format_for(path)
    _check_destination(path)
    frames = _check_frames(frames, fmt)
    durations = _check_durations(durations_ms, len(frames))
    required = _check_palette(palette)
    if not isinstance(comment, str):
        raise ValueError(f"comment must be a str, got {type(comment).__name__}")
    if palette_only and not len(required):
        raise ValueError("palette_only needs a palette")
    with atomic_output(path) as fp:
        if fmt == "GIF":
            _save_gif(fp, frames, durations, comment, bool(loop), required, palette_only)
        else:
            _WRITERS[fmt](fp, frames, durations, comment, bool(loop), required)


def encode_gif_bytes(frames, durations_ms, *, comment="", loop=True, palette=None, palette_only=False) -> bytes:
    """Encode ``frames`` as an animated GIF in memory.

    Parameters and GIF behaviour are those of `write_animation`; the result is
    byte-identical to what it writes to a ``.gif`` file.

    Returns
    -------
    bytes
        The GIF file contents.
    """
    frames = _check_frames(frames, "GIF")
    durations = _check_durations(durations_ms, len(frames))
    required = _check_palette(palette)
    if not isinstance(comment, str):
        raise ValueError(f"comment must be a str, got {type(comment).__name__}")
    if palette_only and not len(required):
        raise ValueError("palette_only needs a palette")
    buffer = io.BytesIO()
    _save_gif(buffer, frames, durations, comment, bool(loop), required, palette_only)
    return buffer.getvalue()


def write_frames(directory, frames, *, stem: str = "frame", ext: str = ".png") -> list[Path]:
    """Write each frame to its own lossless image file in ``directory``.

    Files are named ``{stem}_{i}{ext}`` with ``i`` zero-padded to the width of
    the last index (``frame_0.png`` ... ``frame_9.png``; ``frame_000.png`` ...
    ``frame_255.png``), so they sort in frame order. All files are
    encoded into a temporary folder first: if ``directory`` does not exist, that
    folder is renamed to it; if it does, the files are moved into it and stale
    ``{stem}_<digits>{ext}`` files from an earlier, longer run are removed (other
    files are left alone). A failed encode changes nothing.

    Parameters
    ----------
    directory : str or os.PathLike
        Output folder; it or its parent must exist.
    frames : sequence of ndarray
        ``(H, W, 3)`` uint8 RGB frames, all the same shape.
    stem : str, optional
        File name prefix.
    ext : {".png", ".webp"}, optional
        File type. PNGs are palette images when all frames together use at most
        256 colours, RGB otherwise; WebP is lossless.

    Returns
    -------
    list of Path
        The written files, in frame order.

    Raises
    ------
    ValueError
        On a bad ``stem`` or ``ext``, frames of the wrong dtype or shape, or a
        missing or unwritable destination.
    """
    ext_lower = ext.lower()
    if ext_lower not in _FRAME_EXTS:
        raise ValueError(f"frame files must be one of {', '.join(_FRAME_EXTS)}, got {ext!r}")
    if not stem or any(sep in stem for sep in ("/", os.sep, os.altsep) if sep):
        raise ValueError(f"stem must be a plain file name prefix, got {stem!r}")
    fmt = FORMATS[ext_lower]
    frames = _check_frames(frames, fmt)
    if fmt == "PNG":
        found = _index_frames(frames, np.zeros((0, 3), np.uint8), reduce=False)
        if found is not None:
            palette_bytes = found[0].tobytes()
            images = (_p_image(index, palette_bytes) for index in _expand(found[1]))
            options: dict[str, Any] = {"format": "PNG", "compress_level": _PNG_PALETTE_LEVEL}
        else:
            images = (Image.fromarray(frame) for frame in frames)
            options = {"format": "PNG"}
    else:
        images = (Image.fromarray(frame) for frame in frames)
        options = {"format": "WEBP", "lossless": True, "quality": _WEBP_QUALITY, "method": _WEBP_METHOD}
    return _write_files(directory, len(frames), lambda k, fh: next(images).save(fh, **options), stem, ext)


def to_image(frame: np.ndarray) -> Image.Image:
    """A ``(H, W, 3)`` uint8 frame as a PIL image (for the Python API)."""
    return Image.fromarray(_check_frames([frame])[0], mode="RGB")


def write_files(directory, count: int, write, *, stem: str = "frame", ext: str = ".png") -> list[Path]:
    """Write ``count`` files ``{stem}_{k}{ext}`` into ``directory`` atomically, ``write(k, fh)`` filling each.

    Used for vector frames (SVG, PDF) that the drawing code writes itself.
    """
    return _write_files(directory, count, write, stem, ext)


_MP4_MAX_FPS = 50


def write_mp4(path, frames, durations_ms) -> None:
    """Write ``frames`` as an H.264 MP4 (needs ``pip install 'convanim[mp4]'``, i.e. imageio-ffmpeg).

    Video has a constant frame rate: the rate is the one whose frame time
    divides every duration (at most 50 fps, at least 10), and each frame is
    repeated to last its duration. Odd sizes are padded to even with the
    frame's corner colour, as H.264 needs.
    """
    import math

    target = Path(path)
    _check_destination(path)
    try:
        import imageio.v3 as iio
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        raise ValueError("MP4 output needs imageio-ffmpeg: pip install 'convanim[mp4]'") from None
    frames = _check_frames(list(frames))
    durations = _check_durations(durations_ms, len(frames))
    unit = min(math.gcd(*durations), 100)
    unit = max(unit, 1000 // _MP4_MAX_FPS)
    h, w = frames[0].shape[:2]
    pad = ((0, h % 2), (0, w % 2), (0, 0))
    video = []
    for frame, ms in zip(frames, durations):
        frame = np.pad(frame, pad, mode="edge") if any(p[1] for p in pad) else frame
        video.extend([frame] * max(1, round(ms / unit)))
    temp, fd = _make_temp_file(target.with_suffix(".mp4.tmp.mp4"), path)
    os.close(fd)
    try:
        iio.imwrite(
            temp, np.stack(video), extension=".mp4", plugin="FFMPEG",
            fps=1000 / unit, codec="libx264", macro_block_size=1, quality=8, pixelformat="yuv420p",
            output_params=["-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1", "-threads", "1",
                           "-f", "mp4"],
        )
        os.replace(temp, target)
    except BaseException:
        _unlink_quietly(Path(temp))
        raise


def _write_files(directory, count: int, write, stem: str, ext: str) -> list[Path]:
    """Write ``count`` files ``{stem}_{k}{ext}`` into ``directory`` atomically.

    ``write(k, fh)`` fills file ``k`` into the binary file ``fh``; it is called
    for k = 0, 1, ... in order.

    The files go to a temporary folder first. Then either that folder is renamed
    to ``directory`` (if it does not exist), or the files are moved into it and
    stale ``{stem}_<digits>{ext}`` files are removed. On any exception the
    temporary folder is removed and ``directory`` is left as it was.
    """
    target = Path(directory)
    shown = os.fspath(directory)
    exists = target.is_dir()
    if target.exists() and not exists:
        raise ValueError(f"cannot write frames to '{shown}': it is not a directory")
    home = target if exists else target.parent
    if not home.is_dir():
        raise ValueError(f"cannot write frames to '{shown}': directory '{home}' does not exist")
    if not os.access(home, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write frames to '{shown}': directory '{home}' is not writable")

    width = len(str(count - 1))
    names = [f"{stem}_{k:0{width}d}{ext}" for k in range(count)]
    staging = _make_temp_dir(home, target.name or "frames")
    try:
        for k, name in enumerate(names):
            with open(staging / name, "wb") as fh:
                write(k, fh)
                fh.flush()
                os.fsync(fh.fileno())
        if exists:
            for name in names:
                os.replace(staging / name, target / name)
            pattern = re.compile(rf"{re.escape(stem)}_\d+{re.escape(ext)}")
            keep = set(names)
            for old in os.listdir(target):
                if pattern.fullmatch(old) and old not in keep:
                    with suppress(FileNotFoundError):
                        os.unlink(target / old)
            staging.rmdir()
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_directory(home)
    return [target / name for name in names]


@contextmanager
def atomic_output(path, *, binary: bool = True) -> Iterator[IO]:
    """Open a temporary file next to ``path`` that replaces ``path`` only on success.

    On leaving the block normally the file is flushed, fsynced and moved onto
    ``path`` with `os.replace` (keeping the permission bits of a file it
    replaces). If the block raises, the temporary file is removed, ``path`` is
    left as it was and the exception propagates.

    Parameters
    ----------
    path : str or os.PathLike
        Final file name.
    binary : bool, optional
        Yield a binary file (default) or a UTF-8 text file without newline
        translation.

    Yields
    ------
    file object
        The open temporary file.

    Raises
    ------
    ValueError
        If ``path``'s folder is missing or not writable, or ``path`` is a directory.
    """
    folder = _check_destination(path)
    target = Path(path)
    tmp, fd = _make_temp_file(target, path)
    try:
        fh = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
    except BaseException:
        os.close(fd)
        _unlink_quietly(tmp)
        raise
    try:
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        with suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    _fsync_directory(folder)


# ---------------------------------------------------------------------------
# file-system helpers


def _make_temp_file(target: Path, shown) -> tuple[Path, int]:
    """Create ``.<name>.<random>.tmp`` next to ``target`` with the usual umask-derived mode."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        except PermissionError:
            raise ValueError(
                f"cannot write '{os.fspath(shown)}': directory '{target.parent}' is not writable"
            ) from None
    raise FileExistsError(f"cannot create a temporary file next to '{os.fspath(shown)}'")


def _make_temp_dir(home: Path, name: str) -> Path:
    for _ in range(100):
        staging = home / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            os.mkdir(staging, 0o777)
            return staging
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary folder in '{home}'")


def _unlink_quietly(path: Path) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


def _fsync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX only; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
