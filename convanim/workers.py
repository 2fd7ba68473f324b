"""Calls run in worker processes that stop at once on an interrupt and never outlive their parent.

`run_calls` hands each worker one call at a time (nothing is queued ahead, so
nothing starts after an interrupt). On SIGINT or SIGTERM in the parent (or any
error) the parent first closes the gate through which every worker moves its
finished files into place (`convanim.encode.owned.set_commit_gate`), so no
file appears after the signal, then sends SIGTERM to the workers, which unwind
(removing their temporaries; a second signal does not cut that short) and
exit; a worker still running after `STOP_WAIT_S` is killed. Once the workers
are gone the parent removes any temporary they left.

A worker watches its parent: on Linux the kernel sends it SIGTERM when the
parent dies (``PR_SET_PDEATHSIG``), and everywhere a thread checks the parent
process id a few times a second, so a killed parent (SIGKILL) leaves no worker
behind. Ctrl-C reaches the whole process group: the workers stop on their own
SIGINT as they would on SIGTERM.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from multiprocessing.connection import wait

from .encode import owned
from .encode.files import Terminated, remove_stale

__all__ = ["run_calls", "STOP_WAIT_S"]

#: How long stopped workers may take to unwind before they are killed.
STOP_WAIT_S = 0.6
_WATCH_S = 0.2
_PR_SET_PDEATHSIG = 1


def _context():
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def run_calls(fn: Callable, calls: Sequence[tuple], jobs: int, done: Callable[[int, object], None],
              folder=None) -> None:
    """Run ``fn(*calls[k])`` for every k in ``jobs`` worker processes; ``done(k, result)`` in the parent.

    ``fn`` must be importable by name (a module-level function). An exception
    of ``fn`` is raised here once the workers are stopped. ``folder``: where the
    calls write; once the workers are stopped, any temporary they left there
    is removed.
    """
    ctx = _context()
    stop, lock = ctx.Event(), ctx.Lock()
    workers = []
    try:
        for _ in range(min(jobs, len(calls))):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(theirs, fn, os.getpid(), stop, lock), daemon=True)
            proc.start()
            theirs.close()
            workers.append((proc, mine))
        todo = list(range(len(calls)))[::-1]
        busy: dict[object, int] = {}
        for _proc, conn in workers:
            if todo:
                k = todo.pop()
                conn.send((k, calls[k]))
                busy[conn] = k
        by_sentinel = {proc.sentinel: (proc, conn) for proc, conn in workers}
        while busy:
            for ready in wait(list(busy) + [s for s, (_, c) in by_sentinel.items() if c in busy]):
                if ready in by_sentinel:
                    proc, conn = by_sentinel[ready]
                    if conn in busy and not conn.poll():
                        proc.join(0.1)
                        raise RuntimeError(f"a worker process stopped (exit status {proc.exitcode})")
                    continue
                k = busy.pop(ready)
                try:
                    kind, value = ready.recv()
                except EOFError:
                    raise RuntimeError("a worker process stopped before it answered") from None
                if kind == "error":
                    raise value
                done(k, value)
                if todo:
                    k = todo.pop()
                    ready.send((k, calls[k]))
                    busy[ready] = k
        for _proc, conn in workers:
            conn.send(None)
        for proc, _ in workers:
            proc.join(5)
    except BaseException:
        _stop(workers, stop, lock, folder)
        raise
    finally:
        for _, conn in workers:
            conn.close()


def _stop(workers, stop, lock, folder) -> None:
    """Close the gate, then SIGTERM the workers; kill those that do not exit in time; remove their temporaries.

    A second Ctrl-C or SIGTERM meanwhile is noted, not raised: the first is already being acted on.
    """
    with _signals_deferred():
        _stop_workers(workers, stop, lock, folder)


@contextmanager
def _signals_deferred():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in saved:
        signal.signal(s, lambda signum, frame: None)
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def _stop_workers(workers, stop, lock, folder) -> None:
    held = lock.acquire(timeout=STOP_WAIT_S)  # a worker moving a file into place finishes first
    stop.set()
    if held:
        lock.release()
    for proc, _ in workers:
        if proc.is_alive():
            try:
                os.kill(proc.pid, signal.SIGTERM)
            except (ProcessLookupError, TypeError):
                pass
    deadline = time.monotonic() + STOP_WAIT_S
    for proc, _ in workers:
        proc.join(max(0.0, deadline - time.monotonic()))
    for proc, _ in workers:
        if proc.is_alive():
            proc.kill()
            proc.join(1)
    if folder is not None:  # the workers are gone: whatever temporaries they left are stale now
        remove_stale(folder)


@contextmanager
def _gate(stop, lock, parent: int):
    with lock:
        if stop.is_set() or os.getppid() != parent:
            raise Terminated(128 + signal.SIGTERM)
        yield


def _noted(signum, frame) -> None:
    """A signal while the worker already unwinds: nothing more to do."""


def _raise_stopped(signum, frame):
    """The first SIGINT or SIGTERM unwinds the call in progress; later ones are ignored, so that they cannot
    cut that unwinding short (a Ctrl-C at a terminal reaches the worker, and then its parent's SIGTERM does)."""
    # a handler that does nothing, not SIG_IGN: a signal already caught would then raise OSError
    signal.signal(signal.SIGINT, _noted)
    signal.signal(signal.SIGTERM, _noted)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(128 + signum)


def _watch_parent(parent: int) -> None:
    """Exit when ``parent`` goes: SIGTERM from the kernel (Linux) or from a watching thread."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # gone before the watch began
        os._exit(128 + signal.SIGTERM)

    def watch():
        while os.getppid() == parent:
            time.sleep(_WATCH_S)
        os.kill(os.getpid(), signal.SIGTERM)  # unwinds the call in progress: its temporaries are removed
        time.sleep(2)
        os._exit(128 + signal.SIGTERM)

    threading.Thread(target=watch, name="convanim-watch-parent", daemon=True).start()


def _serve(conn, fn, parent: int, stop, lock) -> None:
    """A worker: run the calls the parent sends until it sends None, is interrupted or goes away."""
    signal.signal(signal.SIGTERM, _raise_stopped)
    signal.signal(signal.SIGINT, _raise_stopped)
    _watch_parent(parent)
    owned.set_commit_gate(lambda: _gate(stop, lock, parent))
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                break
            if message is None:
                break
            k, args = message
            try:
                reply = ("done", fn(*args))
            except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it
                reply = ("error", _picklable(exc))
            conn.send(reply)
    except KeyboardInterrupt:
        os._exit(130)
    except Terminated:
        os._exit(128 + signal.SIGTERM)
    except (BrokenPipeError, EOFError):
        os._exit(0)


def _picklable(exc: Exception) -> Exception:
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")
