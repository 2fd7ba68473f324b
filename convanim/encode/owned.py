"""What convanim owns in a folder: its temporaries, and the files its manifest records.

Temporaries are named ``.convanim-<pid>-<host>-<random>.tmp``: a name no
person chooses, with the writer's process id and ``host``, an id of the
machine's boot and PID namespace (a container or another machine sharing the
folder has another). A temporary folder (frames being staged) also holds a
manifest file from the moment it is made. `remove_stale` removes such an
entry only when it is a plain file, or a real folder holding that manifest,
and either its writer ran on this host under this PID namespace and is gone,
or it is older than `STALE_AFTER_S` (a live writer touches it far more often).
Nothing else is ever removed: not a user's file or folder whatever its name,
nor temporaries of older versions.

The manifest, ``.convanim-manifest.json`` in an output folder, lists every
file convanim wrote there with its size and SHA-256. A file in a folder
written through `writing_into` (the gallery, network and frame folders) is
replaced only when it is absent, or listed with its current content; anything
else (a user's file, or one edited since) is refused with one sentence naming
it, unless ``force``. Writes into a folder take an exclusive lock on it, so
processes writing into one folder keep one manifest.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

__all__ = ["MANIFEST", "STALE_AFTER_S", "remove_stale", "temp_name", "refuse_unowned", "commit", "writing_into",
           "active", "digest", "set_commit_gate", "commit_gate", "write_manifest"]

MANIFEST = ".convanim-manifest.json"
#: A temporary this old (by its modification time) has no live writer, whoever made it.
STALE_AFTER_S = 24 * 3600
_TEMP = re.compile(r"\.convanim-(\d{1,10})-([0-9a-f]{8})-[0-9a-f]{12}\.tmp")
_FORMAT = "convanim manifest 1"
_ABOUT = ("the files convanim wrote in this folder, with their SHA-256: convanim replaces a file here only "
          "while it is listed with its current content")
_MAX_MANIFEST = 64 << 20


def _host_id() -> str:
    """An id of this boot and PID namespace (Linux); elsewhere one that matches no other process."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            boot = fh.read().strip()
        ns = os.stat("/proc/self/ns/pid")
    except OSError:
        return secrets.token_hex(4)
    return hashlib.sha256(f"{boot}:{ns.st_dev}:{ns.st_ino}".encode()).hexdigest()[:8]


_HOST: tuple[int, str] | None = None


def _host() -> str:
    """`_host_id`, computed once per process (a child may live in another PID namespace)."""
    global _HOST
    if _HOST is None or _HOST[0] != os.getpid():
        _HOST = (os.getpid(), _host_id())
    return _HOST[1]


def temp_name() -> str:
    """``.convanim-<pid>-<host>-<random>.tmp``: at most 47 characters, whatever the output's name."""
    return f".convanim-{os.getpid()}-{_host()}-{secrets.token_hex(6)}.tmp"


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


def _stale(folder: str, name: str, now: float) -> bool:
    match = _TEMP.fullmatch(name)
    if not match:
        return False
    path = os.path.join(folder, name)
    try:
        st = os.lstat(path)
        if stat.S_ISDIR(st.st_mode):
            if not stat.S_ISREG(os.lstat(os.path.join(path, MANIFEST)).st_mode):
                return False
        elif not stat.S_ISREG(st.st_mode):
            return False
    except OSError:
        return False
    pid, host = int(match.group(1)), match.group(2)
    if host == _host() and not _alive(pid):
        return True
    return now - st.st_mtime > STALE_AFTER_S


def remove_stale(folder) -> None:
    """Remove the temporaries that convanim processes which are gone left in ``folder`` (see the module notes)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    now = time.time()
    for name in names:
        if _stale(os.fspath(folder), name, now):
            path = os.path.join(folder, name)
            with suppress(OSError):
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)


# -- writes stopped by the parent ---------------------------------------------------

_gate: Callable[[], object] = nullcontext


def set_commit_gate(gate: Callable[[], object]) -> None:
    """Every output of this process is moved into place inside ``gate()`` (a context manager).

    A worker process sets a gate that refuses once its parent has stopped it, so
    that no file appears after an interrupt.
    """
    global _gate
    _gate = gate


def commit_gate():
    return _gate()


# -- the manifest --------------------------------------------------------------------

_ACTIVE: contextvars.ContextVar[tuple[str, bool, str] | None] = contextvars.ContextVar("convanim_owned", default=None)


@contextmanager
def writing_into(folder, *, force: bool = False, hint: str = "use another folder, or --force to replace it"):
    """Within the block, files written into ``folder`` are recorded in its manifest and checked first.

    ``force`` replaces whatever is there; ``hint`` ends the refusal's sentence.
    """
    token = _ACTIVE.set((os.path.abspath(folder), force, hint))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def active(folder) -> tuple[bool, str] | None:
    """(force, hint) when a `writing_into` block covers ``folder``, else None."""
    current = _ACTIVE.get()
    if current is not None and current[0] == os.path.abspath(folder):
        return current[1], current[2]
    return None


@contextmanager
def _locked(folder: Path):
    try:
        import fcntl
    except ImportError:  # Windows: no lock
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _refusal(path: Path, hint: str) -> ValueError:
    return ValueError(f"not replacing '{os.fspath(path)}': convanim did not write it, or it was changed since "
                      f"({hint})")


def _read(folder: Path, hint: str, force: bool = False) -> dict[str, dict]:
    """The files of ``folder``'s manifest (empty when there is none); a file by that name that is not one: refused.

    With ``force`` such a file counts as an empty manifest (and is replaced by one).
    """
    path = folder / MANIFEST
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return {}
    try:
        if not stat.S_ISREG(st.st_mode) or st.st_size > _MAX_MANIFEST:
            raise ValueError
        data = json.loads(path.read_bytes().decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("files"), dict):
            raise ValueError
    except (OSError, ValueError):
        if force:
            return {}
        raise _refusal(path, hint) from None
    return {name: entry for name, entry in data["files"].items() if isinstance(entry, dict)}


def digest(path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _recorded(entry: dict | None) -> dict[int, set[str]]:
    """size -> the hashes ``entry`` accepts: the file, and the one being moved in when a write was cut short."""
    known: dict[int, set[str]] = {}
    for item in (entry or {}, (entry or {}).get("replacing") or {}):
        if isinstance(item, dict) and isinstance(item.get("size"), int) and isinstance(item.get("sha256"), str):
            known.setdefault(item["size"], set()).add(item["sha256"])
    return known


def _ours(path: Path, entry: dict | None) -> bool:
    known = _recorded(entry)
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size not in known:
            return False
        return digest(path)[0] in known[st.st_size]
    except OSError:
        return False


def write_manifest(folder: Path, files: dict[str, dict]) -> None:
    """Write ``folder``'s manifest atomically (sorted, so the same files give the same bytes)."""
    text = json.dumps({"format": _FORMAT, "about": _ABOUT, "files": files}, indent=1, sort_keys=True,
                      ensure_ascii=False) + "\n"
    tmp = folder / temp_name()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / MANIFEST)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def refuse_unowned(folder, names: Iterable[str], *, force: bool = False,
                   hint: str = "use another folder, or --force to replace it") -> None:
    """Raise ValueError naming the first of ``names`` in ``folder`` that exists and is not convanim's.

    Called before anything is drawn, so that a refusal changes nothing.
    """
    folder = Path(folder)
    if force or not folder.is_dir():
        return
    files = _read(folder, hint)
    for name in names:
        path = folder / name
        if os.path.lexists(path) and not _ours(path, files.get(name)):
            raise _refusal(path, hint)


def commit(folder, moves: list[tuple[Path, str]], *, force: bool = False, remove: Iterable[str] = (),
           hint: str = "use another folder, or --force to replace it") -> None:
    """Move each finished temporary of ``moves`` onto its name in ``folder``, recording it in the manifest.

    Under the folder's lock: every name is checked (absent, or convanim's with
    its recorded content, unless ``force``) before anything moves; the new
    contents are recorded; the files move (a link, so an absent name is never
    replaced by a race); the names in ``remove`` that are convanim's are
    deleted (any other file is left alone); the manifest is written again.
    A write cut short between the two records leaves both contents accepted.
    """
    folder = Path(folder)
    with commit_gate(), _locked(folder):
        files = _read(folder, hint, force)
        plans = []
        for tmp, name in moves:
            target = folder / name
            exists = os.path.lexists(target)
            owned = exists and _ours(target, files.get(name))
            if exists and not owned and not force:
                raise _refusal(target, hint)
            sha, size = digest(tmp)
            new = {"sha256": sha, "size": size}
            files[name] = {**files[name], "replacing": new} if owned else new
            plans.append((tmp, target, exists, new))
        write_manifest(folder, files)
        for tmp, target, exists, new in plans:
            _move(tmp, target, exists, hint)
            files[target.name] = new
        for name in remove:
            if _ours(folder / name, files.get(name)):
                with suppress(FileNotFoundError):
                    os.unlink(folder / name)
                del files[name]
        write_manifest(folder, files)


def _move(tmp: Path, target: Path, exists: bool, hint: str) -> None:
    if exists:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)
    except FileExistsError:  # appeared since the check: someone else's
        raise _refusal(target, hint) from None
    except OSError:  # no hard links here (FAT, some network file systems)
        os.replace(tmp, target)
        return
    os.unlink(tmp)
