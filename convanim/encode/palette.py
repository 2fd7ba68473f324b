"""Colour indexing: a GIF or PNG palette found from the frames, and every frame's pixels mapped onto it.

Colours are looked up through a 2**24-entry table indexed by a pixel's three
bytes read as one little-endian number, the *key* ``r | g << 8 | b << 16``.
Orders that the docstrings promise (palette order, ties) use the colour's
*value* ``r << 16 | g << 8 | b`` instead.

Indexing streams, and reads only what changed: both passes take each frame as
a `Patch` (the box that changed since the previous frame and its pixels; see
`Frames.patches`). `find_palette` is one pass that keeps per-colour counts;
`index_patches` is a second pass (or the only one, when the palette is given)
yielding each frame's indices in its box as it arrives. Each thread has its own
tables (`colour_table`), so encoders may run in parallel.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import numpy as np

#: Table entries ``DIRECT | index`` hold a colour's final palette index in their low byte.
DIRECT = 0x100
WHOLE = (slice(None), slice(None))
#: A frame's pixels or palette indices in a box: (box, the (h, w, 3) RGB or (h, w) uint8 indices inside it),
#: or None for "same pixels as the previous frame". The box holds every pixel that changed (it may hold more).
Patch = tuple[tuple[slice, slice], np.ndarray] | None

_local = threading.local()


@contextmanager
def colour_table() -> Iterator[tuple[np.ndarray, list[np.ndarray]]]:
    """An all-zero 2**24-entry uint32 table for this thread and a list to append every key set in it to.

    The tables are kept per thread and reused (allocating and faulting in
    64 MiB for every animation cost more than encoding a small GIF); on exit
    the listed keys are zeroed again. A nested use in the same thread gets a
    second table.
    """
    free = _local.__dict__.setdefault("free", [])
    lut = free.pop() if free else np.zeros(1 << 24, np.uint32)
    chunks: list[np.ndarray] = []
    try:
        yield lut, chunks
    finally:
        for keys in chunks:
            lut[keys] = 0
        free.append(lut)


def colour_keys(colours) -> np.ndarray:
    """Table keys ``r | g << 8 | b << 16`` of a ``(k, 3)`` colour array, as uint32."""
    rgb = np.asarray(colours, np.uint8).reshape(-1, 3).astype(np.uint32)
    return rgb[:, 0] | rgb[:, 1] << 8 | rgb[:, 2] << 16


def unpack(keys) -> np.ndarray:
    """The ``(k, 3)`` uint8 colours of table keys."""
    keys = np.asarray(keys, np.uint32)
    return np.stack([keys & 255, (keys >> 8) & 255, keys >> 16], axis=-1).astype(np.uint8)


def value(keys: np.ndarray) -> np.ndarray:
    """The colour value ``r << 16 | g << 8 | b`` of table keys (their sort order)."""
    return (keys & 255) << 16 | (keys & 0xFF00) | keys >> 16


def frame_keys(frame: np.ndarray, box: tuple[slice, slice]) -> np.ndarray:
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


def changed_box(before: np.ndarray, after: np.ndarray) -> tuple[slice, slice] | None:
    """The bounding box of the pixels that differ between two frames, or None if they are equal.

    Compared in blocks of rows of about 1 MB, so that no frame-sized temporary
    is made (a 13 Mpx frame would need a 40 MB one).
    """
    h = before.shape[0]
    b, a = before.reshape(h, -1), after.reshape(h, -1)  # (h, 3w): faster than .any(axis=2) on (h, w, 3)
    step = max(1, (1 << 20) // b.shape[1])
    differ_rows = np.empty(h, bool)
    for r in range(0, h, step):
        np.not_equal(b[r : r + step], a[r : r + step]).any(axis=1, out=differ_rows[r : r + step])
    rows = np.flatnonzero(differ_rows)
    if not rows.size:
        return None
    y0, y1 = int(rows[0]), int(rows[-1]) + 1
    differ_cols = np.zeros(b.shape[1], bool)
    for r in range(y0, y1, step):
        differ_cols |= np.not_equal(b[r : min(r + step, y1)], a[r : min(r + step, y1)]).any(axis=0)
    cols = np.flatnonzero(differ_cols)
    return slice(y0, y1), slice(int(cols[0]) // 3, int(cols[-1]) // 3 + 1)


def nearest(keys: np.ndarray, palette_rgb: np.ndarray) -> np.ndarray:
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


def set_palette(lut: np.ndarray, chunks: list[np.ndarray], palette: np.ndarray) -> None:
    """Put ``palette``'s colours into the table as ``DIRECT | index`` (the palette for `index_patches`)."""
    keys = colour_keys(palette)
    chunks.append(keys)
    lut[keys] = DIRECT | np.arange(len(keys))


def find_palette(patches: Iterable[Patch], required: np.ndarray, lut, chunks, *, reduce: bool):
    """Pass 1: the palette of the frames, leaving every colour seen in ``lut`` as ``DIRECT | palette index``.

    ``patches`` is one pass of `Frames.patches`: each frame as the box that
    may have changed since the previous frame and its RGB pixels there (the
    first frame whole), None for a frame equal to the previous one. Every
    distinct colour gets an id (the ``required`` colours first, then the
    others in order of first appearance, sorted by value within a frame)
    through the table, so a frame costs a gather, not a sort, and only its box
    is looked up (a sliding kernel changes a few cells per frame).

    With at most 256 ids the palette is exactly those colours. Otherwise, if
    ``reduce``, it is ``required`` plus the most frequent other colours (pixels
    summed over all frames; ties to the smaller ``r << 16 | g << 8 | b``) up to
    255 colours in all (or ``len(required)`` if that is 256), leaving one index
    free for GIF's unchanged-pixel transparency; each colour is drawn as its
    nearest palette colour (squared RGB distance, ties to the lower index), no
    dithering. Without ``reduce`` more than 256 colours returns None (the pass
    stops there).

    While the palette index of every colour is known when it is first seen (up
    to 256 colours) the table holds ``DIRECT | index``. Past that it holds
    id + 1, and the pixels on screen are counted per id frame by frame (one
    ``(H, W)`` id image, updated in the changed box).
    """
    required_keys = colour_keys(required)
    chunks.append(required_keys)
    first_chunk = len(chunks) - 1
    n = len(required_keys)
    lut[required_keys] = DIRECT | np.arange(n)
    direct = True
    ids_now = None  # id + 1 of every pixel on screen
    on_screen = np.zeros(n + 1, np.int64)  # pixels per id + 1 in the frame on screen
    total = np.zeros(n + 1, np.int64)  # ... summed over all frames
    for patch in patches:
        if patch is not None:
            box, pixels = patch
            found = []  # this frame's new colours, block by block
            for rows in _blocks(pixels):
                keys = frame_keys(pixels, (rows, WHOLE[1]))
                missing = keys[lut.take(keys, mode="clip") == 0]  # clipping never happens; skips the bounds check
                if missing.size:  # few pixels: a handful of new anti-aliasing shades per frame
                    found.append(np.unique(missing))
            if found:
                new = np.unique(np.concatenate(found))
                new = new[np.argsort(value(new))]
                if direct and n + len(new) <= 256:
                    lut[new] = DIRECT | np.arange(n, n + len(new))
                else:
                    if not reduce:
                        return None
                    if direct:  # ids so far are the palette indices: switch the table to id + 1
                        direct = False
                        for chunk in chunks[first_chunk:]:
                            lut[chunk] = (lut[chunk] & 255) + 1
                    lut[new] = np.arange(n + 1, n + len(new) + 1)
                n += len(new)
                chunks.append(new)
            if reduce:
                if len(on_screen) < n + 1:
                    on_screen = np.concatenate([on_screen, np.zeros(n + 1 - len(on_screen), np.int64)])
                    total = np.concatenate([total, np.zeros(n + 1 - len(total), np.int64)])
                fresh = ids_now is None  # the first frame, whole
                if fresh:
                    ids_now = np.empty(pixels.shape[:2], np.uint32)
                here = ids_now[box]
                for rows in _blocks(pixels):
                    entries = lut.take(frame_keys(pixels, (rows, WHOLE[1])), mode="clip")
                    ids = (entries & 255) + 1 if direct else entries
                    if not fresh:
                        on_screen -= np.bincount(here[rows].ravel(), minlength=n + 1)
                    here[rows] = ids
                    on_screen += np.bincount(ids.ravel(), minlength=n + 1)
        total += on_screen

    all_keys = np.concatenate(chunks[first_chunk:])
    if direct:
        return unpack(all_keys)
    size = max(255, len(required_keys))
    others = np.arange(len(required_keys), n)
    ranked = others[np.lexsort((value(all_keys[others]), -total[others + 1]))]
    palette_keys = np.concatenate([required_keys, all_keys[ranked[: size - len(required_keys)]]])
    lut[all_keys] = DIRECT | nearest(all_keys, unpack(palette_keys).astype(np.int32))
    return unpack(palette_keys)


_BLOCK_PX = 1 << 18  # pixels per block: temporaries of a few MB whatever the frame size


def _blocks(pixels: np.ndarray) -> Iterator[slice]:
    """Split ``pixels`` into blocks of whole rows of about `_BLOCK_PX` pixels (their row slices)."""
    height, width = pixels.shape[:2]
    step = max(1, _BLOCK_PX // max(1, width))
    for top in range(0, height, step):
        yield slice(top, min(top + step, height))


def frame_patches(frames: Iterable[np.ndarray]) -> Iterator[Patch]:
    """Each frame as a `Patch`: the first whole, then the box that changed and its pixels (None: unchanged)."""
    previous = None
    for frame in frames:
        box = WHOLE if previous is None else changed_box(previous, frame)
        if box is None:
            yield None
            continue
        previous = frame
        yield box, frame if box is WHOLE else np.ascontiguousarray(frame[box])


def index_patches(patches: Iterable[Patch], palette: np.ndarray, lut, chunks) -> Iterator[Patch]:
    """Pass 2: each frame's palette indices in its box (``patches`` as for `find_palette`).

    ``lut`` holds ``DIRECT | index`` for the colours already placed (`find_palette`
    or `set_palette`); any other colour is drawn as its nearest palette colour
    (squared RGB distance, ties to the lower index) and remembered. Yields a
    uint8 patch per frame as the frame arrives, or None for a frame equal to
    the previous one. The box is looked up in blocks of rows, so a whole frame
    costs a few MB of temporaries beyond its uint8 patch.
    """
    palette_rgb = np.asarray(palette, np.uint8).reshape(-1, 3).astype(np.int32)
    for patch in patches:
        if patch is None:
            yield None
            continue
        box, pixels = patch
        index = np.empty(pixels.shape[:2], np.uint8)
        for rows in _blocks(pixels):
            keys = frame_keys(pixels, (rows, WHOLE[1]))
            entries = lut.take(keys, mode="clip")
            missing = np.flatnonzero(entries == 0)
            if missing.size:
                missing_keys = keys.reshape(-1)[missing]
                new = np.unique(missing_keys)
                lut[new] = DIRECT | nearest(new, palette_rgb)
                chunks.append(new)
                entries.reshape(-1)[missing] = lut.take(missing_keys)
            index[rows] = entries
        yield box, index


def expand(patches: Iterable[Patch]) -> Iterator[np.ndarray]:
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
