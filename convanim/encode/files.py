"""Atomic writing: single files through a temporary name, frame folders through a staging folder.

Temporaries are named and cleaned up as `convanim.encode.owned` says: a write
that fails, or is interrupted by SIGINT, or by SIGTERM once
`terminate_as_exception` is installed (the CLI does), removes its temporary;
one that a killed process left is removed by a later write into the folder
once it is provably stale. Writes into a folder under
`owned.writing_into` (gallery and network folders) and every frame folder
replace only files that folder's manifest records with their current content.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from . import owned
from .checks import check_destination
from .owned import remove_stale

__all__ = ["Terminated", "terminate_as_exception", "remove_stale", "make_temp_file", "make_temp_dir",
           "atomic_output", "finish", "write_files", "stage_files", "check_frame_folder"]


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


def make_temp_file(target: Path, shown) -> tuple[Path, int]:
    """Create a temporary file next to ``target`` (see `owned.temp_name`) with the usual umask-derived mode."""
    remove_stale(target.parent)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = target.parent / owned.temp_name()
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        except PermissionError:
            raise ValueError(
                f"cannot write '{os.fspath(shown)}': directory '{target.parent}' is not writable"
            ) from None
    raise FileExistsError(f"cannot create a temporary file next to '{os.fspath(shown)}'")


def make_temp_dir(home: Path) -> Path:
    """A staging folder in ``home``, holding an empty manifest from the start (what marks it as convanim's)."""
    remove_stale(home)
    for _ in range(100):
        staging = home / owned.temp_name()
        try:
            os.mkdir(staging, 0o777)
        except FileExistsError:
            continue
        try:
            owned.write_manifest(staging, {})
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return staging
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


def _new_file_mode(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the mode a new file gets (it was created with it), narrowed to a regular file's it replaces.

    A symlink, a device or anything else at ``target`` lends nothing: the
    output is a new regular file either way, never wider than a new file.
    """
    with suppress(OSError):
        st = os.lstat(target)
        if stat.S_ISREG(st.st_mode):
            mode = stat.S_IMODE(os.stat(tmp).st_mode) & stat.S_IMODE(st.st_mode)
            os.chmod(tmp, mode)


def finish(tmp: Path, target: Path) -> None:
    """Move the finished temporary ``tmp`` onto ``target``: through the folder's manifest when it is owned."""
    _new_file_mode(tmp, target)
    ownership = owned.active(target.parent)
    if ownership is None:
        with owned.commit_gate():
            os.replace(tmp, target)
    else:
        force, hint = ownership
        owned.commit(target.parent, [(tmp, target.name)], force=force, hint=hint)
    fsync_directory(target.parent)


@contextmanager
def atomic_output(path, *, binary: bool = True) -> Iterator[IO]:
    """Open a temporary file next to ``path`` that replaces ``path`` only on success.

    On leaving the block normally the file is flushed, fsynced and moved onto
    ``path`` (`finish`): it has the mode a new file gets, or the narrower mode
    of a regular file it replaces. If the block raises (SIGINT and, in the CLI,
    SIGTERM included), the temporary file is removed, ``path`` is left as it
    was and the exception propagates. In a folder under `owned.writing_into`,
    a file convanim did not write is refused instead of replaced.

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
    check_destination(path)
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
        finish(tmp, target)
    except BaseException:
        unlink_quietly(tmp)
        raise


def write_files(directory, count: int, write, *, stem: str = "frame", ext: str = ".png", first: int = 0) -> list[Path]:
    """Write ``count`` files ``{stem}_{k}{ext}`` into ``directory`` atomically, ``write(k, fh)`` filling each
    (``k`` from 0; the names number from ``first``).

    Used for vector frames (SVG, PDF) that the drawing code writes itself. See
    `stage_files` for the atomicity.
    """
    return stage_files(directory, ((lambda fh, k=k: write(k, fh)) for k in range(count)), stem, ext, count=count,
                       first=first)


def _frame_names(count: int, stem: str, ext: str, first: int = 0) -> list[str]:
    width = len(str(first + count - 1))
    return [f"{stem}_{first + k:0{width}d}{ext}" for k in range(count)]


_FOLDER_HINT = "use another folder"


def check_frame_folder(directory, count: int, *, stem: str = "frame", ext: str = ".png", first: int = 0) -> None:
    """Refuse, before anything is drawn, a frame folder where ``count`` frames would replace a file not convanim's."""
    target = Path(directory)
    if target.is_dir():
        owned.refuse_unowned(target, _frame_names(count, stem, ext, first), hint=_FOLDER_HINT)


def stage_files(directory, writers: Iterable[Callable[[IO[bytes]], None]], stem: str, ext: str,
                count: int | None = None, first: int = 0) -> list[Path]:
    """Write one file per callable in ``writers`` into ``directory`` atomically, in order.

    Files are named ``{stem}_{k}{ext}``, ``k`` counting from ``first`` and
    zero-padded to the width of the last number. The writers are consumed one at a time (each may encode a frame
    rendered just then), so their number need not be known in advance (give
    ``count`` when it is, and a folder that would be refused is refused before
    the first frame): every file goes to a staging folder under a plain number,
    and is renamed once the count is known. If ``directory`` does not exist, the
    staging folder, with its manifest, is renamed to it. If it does, the files
    are moved into it through its manifest (`owned.commit`): a file convanim
    did not write, or one changed since, is refused and nothing moves; stale
    ``{stem}_<digits>{ext}`` files of an earlier, longer run are removed only
    when the manifest records them as they are. On any exception (SIGINT and,
    in the CLI, SIGTERM included) the staging folder is removed and
    ``directory`` is left as it was: no frame of a failed render is left.
    """
    target = Path(directory)
    shown = os.fspath(directory)
    exists = target.is_dir()
    if os.path.lexists(target) and not exists:
        raise ValueError(f"cannot write frames to '{shown}': it is not a directory")
    home = target if exists else target.parent
    if not home.is_dir():
        raise ValueError(f"cannot write frames to '{shown}': directory '{home}' does not exist")
    if not os.access(home, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write frames to '{shown}': directory '{home}' is not writable")
    ownership = owned.active(target) or (False, _FOLDER_HINT)
    if count is not None:
        if exists:
            owned.refuse_unowned(target, _frame_names(count, stem, ext, first), force=ownership[0], hint=ownership[1])

    staging = make_temp_dir(home)
    try:
        count = 0
        for write in writers:
            with open(staging / str(count), "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            count += 1
        names = _frame_names(count, stem, ext, first)
        if exists:
            pattern = re.compile(rf"{re.escape(stem)}_\d+{re.escape(ext)}")
            keep = set(names)
            stale = [old for old in os.listdir(target) if pattern.fullmatch(old) and old not in keep]
            owned.commit(target, [(staging / str(k), name) for k, name in enumerate(names)], force=ownership[0],
                         remove=stale, hint=ownership[1])
            shutil.rmtree(staging)
        else:
            files = {}
            for k, name in enumerate(names):
                os.replace(staging / str(k), staging / name)
                sha, size = owned.digest(staging / name)
                files[name] = {"sha256": sha, "size": size}
            owned.write_manifest(staging, files)
            with owned.commit_gate():
                os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    fsync_directory(home)
    return [target / name for name in names]
