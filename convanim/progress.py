"""What a long run shows on a terminal: a tqdm bar over the frames being written and, before a file much
larger than a user would expect, its estimated size.

Only the command line uses it (``render`` and ``network -o``; ``gallery`` has its own bar over the
cases). Nothing is shown with ``-q`` or when stderr is not a terminal, so scripts, pipes and logs see
only the ``wrote ...`` lines.
"""

from __future__ import annotations

import sys

from .words import count

__all__ = ["Progress", "estimated_bytes", "LARGE_BYTES", "LONG_PIXELS"]

#: Bytes per frame, per (frame pixels) ** 0.3 (a frame's changes grow more slowly than its area), by
#: extension. Measured with `convanim render -i 8/16/32 -k 3` (GIF 108-114; WebP 195-209, APNG 590-660, MP4
#: 360-430, PDF 77-154) and the other views' GIFs (140-190): an estimate within about 1.5x.
_BYTES_PER_FRAME = {".gif": 130, ".webp": 200, ".png": 630, ".apng": 630, ".mp4": 400, ".pdf": 120}
#: A frame folder: one whole file per frame (measured at -i 8).
_FRAME_FILE_BYTES = {"png": 1100, "svg": 620, "pdf": 100}
#: An estimate at least this large is said before the file is written.
LARGE_BYTES = 10_000_000
#: Work that draws at least this many pixels (frames x frame pixels, drawn and encoded at about 6-9 ms
#: per million: about a second) shows a bar.
LONG_PIXELS = 150_000_000


def estimated_bytes(frames: int, size: tuple[int, int], ext: str) -> int | None:
    """About how many bytes ``frames`` frames of ``size`` (width, height) take as ``ext`` (``.gif``, ...,
    or ``png``/``svg``/``pdf`` for a frame folder); None for a format not estimated (``.html``).

    >>> round(estimated_bytes(900, (1650, 2036), ".gif") / 1e6, 1)  # `render -i 32 -k 3`: 9.2 MB
    10.6
    """
    per_frame = _BYTES_PER_FRAME.get(ext.lower(), _FRAME_FILE_BYTES.get(ext.lower()))
    if per_frame is None:
        return None
    return round(frames * per_frame * (size[0] * size[1]) ** 0.3)


def _megabytes(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 10e6 else f"{n / 1e6:.1f} MB"


class Progress:
    """A bar and size notes on stderr when it is a terminal and the run is not quiet; else nothing.

    ``frames(name, total)`` gives the callback `Animation.save` calls after each frame (``None`` when
    nothing is shown); a second pass over the frames (a palette read from all of them first) restarts
    the bar, saying so. ``close()`` removes the bar.
    """

    def __init__(self, prog: str, *, quiet: bool = False, stream=None):
        self.prog = prog
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())
        self._bar = None

    def announce(self, path, frames: int, size: tuple[int, int], ext: str) -> None:
        """Say the estimated size of ``path`` before writing it, when it is large."""
        estimate = estimated_bytes(frames, size, ext)
        if self.enabled and estimate is not None and estimate >= LARGE_BYTES:
            self.write(f"{self.prog}: writing {path}: about {_megabytes(estimate)} "
                       f"({count(frames, 'frame')} of {size[0]}x{size[1]} px)")

    def frames(self, name: str, total: int, size: tuple[int, int], *, force: bool = False):
        """The per-frame callback for ``total`` frames of ``size``, or None when no bar is shown (not a
        terminal, quiet, or less than about a second of work unless ``force``)."""
        if not self.enabled or not (force or total * size[0] * size[1] >= LONG_PIXELS):
            return None
        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=total, desc=name, unit="frame", file=self.stream, leave=False, dynamic_ncols=True)
        else:
            self._bar.reset(total=total)
            self._bar.set_description(name)
        bar, passes = self._bar, [1]

        def done(k: int) -> None:
            if k == 0 and bar.n > 0:  # the encoder reads the frames again
                passes[0] += 1
                bar.reset(total=total)
                bar.set_description(f"{name}, pass {passes[0]}")
            bar.update()

        return done

    def write(self, line: str) -> None:
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
