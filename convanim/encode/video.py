"""H.264 MP4 through imageio-ffmpeg, frames piped to ffmpeg as they arrive."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from .checks import Frames, check_destination, check_durations
from .files import finish, make_temp_file, unlink_quietly

MP4_MAX_FPS = 50


def video_size(width: int, height: int) -> tuple[int, int]:
    """The size of the video of ``width`` x ``height`` frames: H.264 needs even sides, so an odd one gains
    an edge row or column."""
    return width + width % 2, height + height % 2


def write_mp4(path, frames, durations_ms) -> None:
    """Write ``frames`` as an H.264 MP4 (needs ``pip install 'convanim[mp4]'``, i.e. imageio-ffmpeg).

    Video has a constant frame rate: the rate is the one whose frame time
    divides every duration (at most 50 fps, at least 10), and each frame is
    repeated to last its duration. Odd sizes are padded to even with the
    frame's corner colour, as H.264 needs. ``frames`` is read once, each frame
    piped to ffmpeg as it arrives; ``durations_ms`` must then be one int or a
    sequence (the frame rate depends on all of them).
    """
    target = Path(path)
    check_destination(path)
    try:
        import imageio_ffmpeg
    except ImportError:
        raise ValueError("MP4 output needs imageio-ffmpeg: pip install 'convanim[mp4]'") from None
    frames = Frames(frames)
    durations = check_durations(durations_ms, frames.count)
    listed = [durations] if isinstance(durations, int) else durations
    if not listed:
        raise ValueError("no frames to write")
    unit = min(math.gcd(*listed), 100)
    unit = max(unit, 1000 // MP4_MAX_FPS)
    temp, fd = make_temp_file(target, path)
    os.close(fd)
    writer = None
    try:
        count = 0
        for count, frame in enumerate(frames, 1):
            ms = durations if isinstance(durations, int) else durations[min(count - 1, len(durations) - 1)]
            if writer is None:
                h, w = frame.shape[:2]
                pad = ((0, h % 2), (0, w % 2), (0, 0))
                writer = imageio_ffmpeg.write_frames(
                    os.fspath(temp), video_size(w, h), pix_fmt_in="rgb24", pix_fmt_out="yuv420p",
                    fps=1000 / unit, quality=8, bitrate=None, codec="libx264", macro_block_size=1,
                    ffmpeg_log_level="warning", input_params=None,
                    output_params=["-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1",
                                   "-threads", "1", "-f", "mp4"],
                )
                writer.send(None)
            if any(p[1] for p in pad):
                frame = np.pad(frame, pad, mode="edge")
            frame = np.ascontiguousarray(frame)
            for _ in range(max(1, round(ms / unit))):
                writer.send(frame)
        if not isinstance(durations, int) and count != len(durations):
            raise ValueError(f"got {len(durations)} durations for {count} frames")
        writer.close()
        writer = None
        finish(temp, target)
    except BaseException:
        if writer is not None:
            writer.close()
        unlink_quietly(temp)
        raise
