"""Encode frames to GIF, APNG, WebP, MP4 or a folder of images: the only package that touches Pillow.

Frames are plain ``(H, W, 3)`` uint8 numpy arrays, all the same shape, and
they stream: every writer takes a sequence, a re-iterable (a callable
returning a fresh iterator, or an object whose ``__iter__`` renders them
again) or a one-shot iterator, and holds a few frames at a time, whatever
their number (a one-shot iterator is read into a list where two passes are
needed). Every writer is atomic (a temporary file in the destination folder,
then `os.replace`) and deterministic: the same inputs give byte-identical files.

GIF gets one global palette built here, not by Pillow: the frames' exact
colours when there are at most 256 of them, otherwise the required theme
colours plus the most frequent others, each pixel mapped to its nearest
palette colour without dithering. The GIF blocks are written here too, each
later frame cropped to what changed and its unchanged pixels transparent;
Pillow only LZW-compresses the frames' index images. APNG and WebP are
lossless.

The modules: `checks` (arguments, the frame source), `palette` (colour
indexing), `gif` (the GIF container), `png` (APNG and PNG frames), `webp`,
`video` (MP4), `files` (atomic files and frame folders), `owned` (temporaries,
and the manifest of the files convanim wrote in a folder).

>>> format_for("out/padding.GIF")
'GIF'
>>> format_for("frames.apng")
'PNG'
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

from .checks import (
    FORMATS,
    FRAME_EXTS,
    Frames,
    Patched,
    check_comment,
    check_destination,
    check_durations,
    check_palette,
    format_for,
)
from .files import atomic_output, stage_files, terminate_as_exception, write_files
from .gif import save_gif
from .png import png_images, save_apng
from .video import write_mp4
from .webp import frame_options, save_webp

__all__ = [
    "FORMATS", "write_animation", "write_frames", "write_files", "write_mp4", "encode_gif_bytes", "atomic_output",
    "format_for", "to_image", "terminate_as_exception", "Patched",
]


def _checked(frames, durations_ms, fmt, comment, palette=None, palette_only=False):
    frames = Frames(frames, fmt)
    durations = check_durations(durations_ms, frames.count)
    required = check_palette(palette)
    check_comment(comment)
    if palette_only and not len(required):
        raise ValueError("palette_only needs a palette")
    return frames, durations, required


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
    frames : sequence, re-iterable or iterator of ndarray
        ``(H, W, 3)`` uint8 RGB frames, all the same shape. A callable
        returning a fresh iterator (or an object whose ``__iter__`` does) is
        read once for a GIF with ``palette_only``, twice for other GIFs and
        for APNG (the palette depends on every frame), once for WebP (twice
        if ``durations_ms`` is one int), holding a few frames at a time. A
        one-shot iterator (a generator) is read into a list first.
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
    check_destination(path)
    frames, durations, required = _checked(frames, durations_ms, fmt, comment, palette, palette_only)
    with atomic_output(path) as fp:
        if fmt == "GIF":
            save_gif(fp, frames, durations, comment, bool(loop), required, palette_only)
        elif fmt == "PNG":
            save_apng(fp, frames, durations, comment, bool(loop))
        else:
            save_webp(fp, frames, durations, comment, bool(loop))


def encode_gif_bytes(frames, durations_ms, *, comment="", loop=True, palette=None, palette_only=False) -> bytes:
    """Encode ``frames`` as an animated GIF in memory.

    Parameters and GIF behaviour are those of `write_animation`; the result is
    byte-identical to what it writes to a ``.gif`` file.

    Returns
    -------
    bytes
        The GIF file contents.
    """
    frames, durations, required = _checked(frames, durations_ms, "GIF", comment, palette, palette_only)
    buffer = io.BytesIO()
    save_gif(buffer, frames, durations, comment, bool(loop), required, palette_only)
    return buffer.getvalue()


def write_frames(directory, frames, *, stem: str = "frame", ext: str = ".png", first: int = 0) -> list[Path]:
    """Write each frame to its own lossless image file in ``directory``.

    Files are named ``{stem}_{i}{ext}`` with ``i`` zero-padded to the width of
    the last index (``frame_0.png`` ... ``frame_9.png``; ``frame_000.png`` ...
    ``frame_255.png``), so they sort in frame order. All files are
    encoded into a temporary folder first: if ``directory`` does not exist, that
    folder, with a manifest of the files (`convanim.encode.owned`), is renamed
    to it; if it does, the files are moved into it through its manifest: a file
    there that convanim did not write, or that was changed since, is refused
    (ValueError naming it) and nothing changes, and stale
    ``{stem}_<digits>{ext}`` files of an earlier, longer run are removed only
    when the manifest records them as they are. A failed encode changes nothing.

    Parameters
    ----------
    directory : str or os.PathLike
        Output folder; it or its parent must exist.
    frames : sequence, re-iterable or iterator of ndarray
        ``(H, W, 3)`` uint8 RGB frames, all the same shape; read as by
        `write_animation` (twice for PNG, once for WebP), each file written as
        its frame arrives.
    stem : str, optional
        File name prefix.
    first : int, optional
        The number in the first file's name (``first=1``: ``frame_1.png`` ...).
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
    if ext_lower not in FRAME_EXTS:
        raise ValueError(f"frame files must be one of {', '.join(FRAME_EXTS)}, got {ext!r}")
    if not stem or any(sep in stem for sep in ("/", os.sep, os.altsep) if sep):
        raise ValueError(f"stem must be a plain file name prefix, got {stem!r}")
    fmt = FORMATS[ext_lower]
    frames = Frames(frames, fmt)
    if fmt == "PNG":
        writers = (
            (lambda fh, im=image, lv=level: im.save(fh, format="PNG", **({"compress_level": lv} if lv != 6 else {})))
            for image, level in png_images(frames)
        )
    else:
        options = frame_options()
        writers = ((lambda fh, array=frame: Image.fromarray(array).save(fh, **options)) for frame in frames)
    return stage_files(directory, writers, stem, ext, count=frames.count, first=first)


def to_image(frame) -> Image.Image:
    """A ``(H, W, 3)`` uint8 frame as a PIL image (for the Python API)."""
    frames = Frames([frame])
    return Image.fromarray(frames.first(), mode="RGB")
