"""Atomic writing: single files through a temporary name, frame folders through a staging folder.

Temporary names are ``.<name>.<pid>.<random>.tmp`` (files and staging
folders alike), next to the target. A write that fails, or is interrupted by
SIGINT, or by SIGTERM once `terminate_as_exception` is installed (the CLI does),
removes its temporary. A process killed outright (SIGKILL, power loss) cannot;
the next write into the same folder removes every such name whose process is
no longer running on this machine (`remove_stale`); names of running
processes, and the older ``.<name>.<random>.tmp`` names that carry no
process id, are left alone.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from .checks import check_destination

_STALE = re.compile(r"\..+\.(\d+)\.[0-9a-f]{8}\.tmp")


class Terminated(SystemExit):
    """SIGTERM, raised as an exception so that every cleanup runs (exit status 128 + 15)."""


def terminate_as_exception() -> None:
    """Make SIGTERM raise `Terminated` in the main thread (a no-op in other threads).

    Python's default for SIGTERM is to die at once, leaving temporary files;
    as an exception it unwinds through the writers' ``except BaseException``
    cleanups first.
    """
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum, frame):
        raise Terminated(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or cannot tell: keep its files
    return True


def remove_stale(folder: Path) -> None:
    """Remove the temporary files and folders that killed convanim processes left in ``folder``."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = _STALE.fullmatch(entry.name)
        if match and not _alive(int(match.group(1))):
            with suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)


def _temp_name(name: str) -> str:
    return f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


def make_temp_file(target: Path, shown) -> tuple[Path, int]:
    """Create ``.<name>.<pid>.<random>.tmp`` next to ``target`` with the usual umask-derived mode."""
    remove_stale(target.parent)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = target.with_name(_temp_name(target.name))
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        except PermissionError:
            raise ValueError(
                f"cannot write '{os.fspath(shown)}': directory '{target.parent}' is not writable"
            ) from None
    raise FileExistsError(f"cannot create a temporary file next to '{os.fspath(shown)}'")


def make_temp_dir(home: Path, name: str) -> Path:
    remove_stale(home)
    for _ in range(100):
        staging = home / _temp_name(name)
        try:
            os.mkdir(staging, 0o777)
            return staging
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary folder in '{home}'")


def unlink_quietly(path: Path) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


def fsync_directory(folder: Path) -> None:
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


@contextmanager
def atomic_output(path, *, binary: bool = True) -> Iterator[IO]:
    """Open a temporary file next to ``path`` that replaces ``path`` only on success.

    On leaving the block normally the file is flushed, fsynced and moved onto
    ``path`` with `os.replace` (keeping the permission bits of a file it
    replaces). If the block raises (SIGINT and, in the CLI, SIGTERM included),
    the temporary file is removed, ``path`` is left as it was and the exception
    propagates. Temporary files of killed processes in the folder are removed
    first (see the module notes).

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
    folder = check_destination(path)
    target = Path(path)
    tmp, fd = make_temp_file(target, path)
    try:
        fh = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
    except BaseException:
        os.close(fd)
        unlink_quietly(tmp)
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
        unlink_quietly(tmp)
        raise
    fsync_directory(folder)


def write_files(directory, count: int, write, *, stem: str = "frame", ext: str = ".png", first: int = 0) -> list[Path]:
    """Write ``count`` files ``{stem}_{k}{ext}`` into ``directory`` atomically, ``write(k, fh)`` filling each
    (``k`` from 0; the names number from ``first``).

    Used for vector frames (SVG, PDF) that the drawing code writes itself. See
    `stage_files` for the atomicity.
    """
    return stage_files(directory, ((lambda fh, k=k: write(k, fh)) for k in range(count)), stem, ext, first)


def stage_files(directory, writers: Iterable[Callable[[IO[bytes]], None]], stem: str, ext: str,
                first: int = 0) -> list[Path]:
    """Write one file per callable in ``writers`` into ``directory`` atomically, in order.

    Files are named ``{stem}_{k}{ext}``, ``k`` counting from ``first`` and
    zero-padded to the width of the last number. The writers are consumed one at a time (each may encode a frame
    rendered just then), so their number need not be known in advance: every
    file goes to a staging folder under a plain number, and is renamed once the
    count is known. Then either the staging folder is renamed to ``directory``
    (if it does not exist), or the files are moved into it and stale
    ``{stem}_<digits>{ext}`` files are removed. On any exception (SIGINT and,
    in the CLI, SIGTERM included) the staging folder is removed and
    ``directory`` is left as it was: no frame of a failed render is left.
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

    staging = make_temp_dir(home, target.name or "frames")
    try:
        count = 0
        for write in writers:
            with open(staging / str(count), "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            count += 1
        width = len(str(first + count - 1))
        names = [f"{stem}_{first + k:0{width}d}{ext}" for k in range(count)]
        for k, name in enumerate(names):
            os.replace(staging / str(k), staging / name)
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
    fsync_directory(home)
    return [target / name for name in names]
