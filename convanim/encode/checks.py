"""Argument checks shared by every writer, and the frame source that lets frames stream.

Frames are never gathered into a list by the writers: a `Frames` source hands
out one pass over them at a time, each frame checked as it flows past.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import numpy as np

from .palette import WHOLE, Patch, frame_patches

#: File extension -> Pillow format name. ``.png`` with several frames is written as APNG.
FORMATS: dict[str, str] = {".apng": "PNG", ".gif": "GIF", ".png": "PNG", ".webp": "WEBP"}

FRAME_EXTS = (".png", ".webp")
MAX_SIDE = {"GIF": 65535, "PNG": 2**31 - 1, "WEBP": 16383}
MAX_DURATION_MS = 655_350  # GIF's 16-bit delay field in 10 ms units


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


def check_destination(path) -> Path:
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


@dataclass(frozen=True)
class Patched:
    """A re-iterable frame source that can also hand out each frame as what changed since the previous one.

    ``frames()`` returns a fresh iterator of ``(H, W, 3)`` frames; ``patches()``
    a fresh iterator of the same frames as `Patch` values: the first
    ``(WHOLE, frame)``, every later one ``((rows, cols), pixels)`` with
    ``pixels`` the frame's ``(h, w, 3)`` uint8 pixels in a box (two slices of
    whole, positive steps) holding every pixel that differs from the previous
    frame, or None for a frame equal to it. A drawing that knows where it
    changed (`convanim.scene.base.Scene.patches`) spares the encoder copying
    and comparing whole frames.
    """

    frames: Callable[[], Iterable[np.ndarray]]
    patches: Callable[[], Iterable[Patch]]

    def __iter__(self):
        return iter(self.frames())


class Frames:
    """Equal-shape ``(H, W, 3)`` uint8 frames, read in passes of one frame at a time.

    ``frames`` may be

    - a sequence (list, tuple, array of frames): checked whole up front;
    - a callable returning a fresh iterator of frames, or an iterable whose
      ``__iter__`` returns a fresh iterator each time (re-iterable): each pass
      renders the frames again and checks each one as it arrives, so only the
      frame in hand is in memory;
    - a one-shot iterator (a generator): read into a list first, as a writer
      that needs two passes (a GIF palette from every frame) cannot rewind it.

    ``fmt`` bounds the frame side (GIF, PNG, WEBP limits) when given.
    """

    def __init__(self, frames, fmt: str | None = None):
        self.fmt = fmt
        self.count: int | None = None  # known once a pass has ended, or up front for a sequence
        self.shape: tuple[int, ...] | None = None
        self._patches = None  # a source of patches (`Patched`), else they are found by comparing frames
        if isinstance(frames, Patched):
            self._open = frames.frames
            self._patches = frames.patches
        elif callable(frames) and not isinstance(frames, (np.ndarray, Sequence)):
            self._open: Callable[[], Iterable] = frames
        elif isinstance(frames, (Sequence, np.ndarray)):
            self._open = lambda: frames
            self._check_all(frames)
        elif isinstance(frames, Iterator) or iter(frames) is frames:
            materialised = list(frames)
            self._open = lambda: materialised
            self._check_all(materialised)
        elif isinstance(frames, Iterable):
            self._open = lambda: frames
        else:
            raise ValueError(f"frames must be a sequence or iterable of arrays, got {type(frames).__name__}")

    def _check_all(self, frames) -> None:
        for i, frame in enumerate(frames):
            self._check(i, frame)
        if self.shape is None:
            raise ValueError("no frames to write")
        self.count = len(frames)

    def _check(self, i: int, frame) -> np.ndarray:
        if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
            got = frame.dtype if isinstance(frame, np.ndarray) else type(frame).__name__
            raise ValueError(f"frame {i} must be a uint8 numpy array, got {got}")
        if frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(f"frame {i} must have shape (H, W, 3), got {frame.shape}")
        if self.shape is None:
            first = frame.shape
            if min(first[:2]) == 0:
                raise ValueError(f"frame 0 has no pixels (shape {first})")
            if self.fmt is not None and max(first[:2]) > MAX_SIDE[self.fmt]:
                raise ValueError(
                    f"{self.fmt} frames must be at most {MAX_SIDE[self.fmt]} px on a side, got {first[1]}x{first[0]}"
                )
            self.shape = first
        elif frame.shape != self.shape:
            raise ValueError(f"frame {i} has shape {frame.shape}, but frame 0 has {self.shape}")
        return frame

    def first(self) -> np.ndarray:
        """Frame 0 (a pass that stops after one frame)."""
        for frame in self:
            return frame
        raise ValueError("no frames to write")

    def __iter__(self) -> Iterator[np.ndarray]:
        """One pass over the frames, each checked; raises if a pass yields a different number of frames."""
        i = -1
        for i, frame in enumerate(self._open()):
            yield self._check(i, frame)
        self._counted(i + 1)

    def _counted(self, n: int) -> None:
        """A pass gave ``n`` frames: as many as the first pass, and at least one."""
        if self.count is not None and n != self.count:
            raise ValueError(f"the frames gave {n} frames on a second pass, {self.count} on the first")
        if n == 0:
            raise ValueError("no frames to write")
        self.count = n

    def patches(self) -> Iterator[Patch]:
        """One pass over the frames as `Patch` values (see `Patched`): the first frame whole, then what changed.

        From a `Patched` source each patch is checked (its box inside the
        frame, its pixels the box's size); otherwise frames are compared.
        """
        if self._patches is None:
            yield from frame_patches(self)
            return
        i = -1
        for i, patch in enumerate(self._patches()):
            if i == 0:
                if patch is None or patch[0] != WHOLE:
                    raise ValueError("the first patch must be the whole frame")
                self._check(0, patch[1])
            elif patch is not None:
                box, pixels = patch
                height, width = self.shape[:2]
                rows, cols = (s.indices(n) for s, n in zip(box, (height, width), strict=True))
                if rows[2] != 1 or cols[2] != 1 or rows[0] >= rows[1] or cols[0] >= cols[1]:
                    raise ValueError(f"patch {i} has an empty or strided box {box}")
                self._check_patch(i, pixels, (rows[1] - rows[0], cols[1] - cols[0], 3))
            yield patch
        self._counted(i + 1)

    @staticmethod
    def _check_patch(i: int, pixels, shape) -> None:
        if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8 or pixels.shape != shape:
            got = pixels.shape if isinstance(pixels, np.ndarray) else type(pixels).__name__
            raise ValueError(f"patch {i} must be a uint8 array of shape {shape}, got {got}")


def is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_durations(durations_ms, count: int | None) -> list[int] | int:
    """One duration per frame in ms, checked to be integers in 1..655350; an int stays an int.

    With ``count`` None (frames not counted yet) a sequence is checked by value
    only; `durations_for` checks its length against the frames once they are counted.
    """
    if is_int(durations_ms):
        value = int(durations_ms)
        if not 1 <= value <= MAX_DURATION_MS:
            raise ValueError(f"duration of frame 0 must be an integer from 1 to {MAX_DURATION_MS} ms, got {value!r}")
        return value if count is None else [value] * count
    if isinstance(durations_ms, (str, bytes)) or not isinstance(durations_ms, (Sequence, np.ndarray)):
        raise ValueError(f"durations_ms must be an int or a sequence of ints, got {durations_ms!r}")
    if count is not None and len(durations_ms) != count:
        raise ValueError(f"got {len(durations_ms)} durations for {count} frames")
    values = list(durations_ms)
    for i, value in enumerate(values):
        if not is_int(value) or not 1 <= value <= MAX_DURATION_MS:
            raise ValueError(f"duration of frame {i} must be an integer from 1 to {MAX_DURATION_MS} ms, got {value!r}")
    return [int(v) for v in values]


def duration_of(durations: list[int] | int, i: int) -> int:
    """Frame ``i``'s duration; ValueError if a list of durations is shorter than the frames."""
    if isinstance(durations, int):
        return durations
    if i >= len(durations):
        raise ValueError(f"got {len(durations)} durations for more frames")
    return durations[i]


def check_count(durations: list[int] | int, count: int) -> None:
    """ValueError unless a list of durations has one per frame."""
    if not isinstance(durations, int) and len(durations) != count:
        raise ValueError(f"got {len(durations)} durations for {count} frames")


def check_palette(palette) -> np.ndarray:
    """Return the required colours as a ``(k, 3)`` uint8 array, duplicates dropped, order kept."""
    if palette is None:
        return np.zeros((0, 3), np.uint8)
    colours = []
    for colour in palette:
        if (
            not isinstance(colour, (tuple, list, np.ndarray))
            or len(colour) != 3
            or not all(is_int(c) and 0 <= c <= 255 for c in colour)
        ):
            raise ValueError(f"palette colours must be (r, g, b) tuples of ints 0-255, got {colour!r}")
        colours.append(tuple(int(c) for c in colour))
    unique = list(dict.fromkeys(colours))
    if len(unique) > 256:
        raise ValueError(f"palette must have at most 256 colours, got {len(unique)}")
    return np.array(unique, np.uint8).reshape(-1, 3)


def check_comment(comment) -> str:
    if not isinstance(comment, str):
        raise ValueError(f"comment must be a str, got {type(comment).__name__}")
    return comment
