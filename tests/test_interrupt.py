"""An interrupt stops everything: real processes, real signals, bounded waits (issue 17, section 3).

`convanim gallery --jobs 2` interrupted by SIGINT or SIGTERM (to the main
process or, as Ctrl-C does, to the process group) exits 130 or 143, its
workers gone, no file written or changed after the signal and no temporary
left; after SIGKILL of the main process its workers exit on their own and
write nothing more. An interrupted WebP reports the interrupt like every
other format. The waits are generous bounds (the old behaviour took 20 s and
more), not timings: the time taken is measured, not asserted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")

#: 16 cases of one to two seconds each: a gallery that runs on long after the signal if nothing stops it.
GALLERY = "".join(f'[[case]]\nname = "c{k:02d}"\ninput_size = {10 + k % 3}\nkernel_size = 3\n\n' for k in range(16))
BOUND_S = 10


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def state(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's size and mtime. A temporary may be moved into place between listing and stat: it is
    then simply not there."""
    found = {}
    for name in (os.listdir(folder) if folder.is_dir() else []):
        try:
            st = os.stat(folder / name)
        except FileNotFoundError:
            continue
        found[name] = (st.st_size, st.st_mtime_ns)
    return found


def _as_from_a_terminal() -> None:
    """SIGINT as a terminal delivers it: a shell that runs the tests in the background ignores SIGINT, and a
    process inherits that (Python then installs no KeyboardInterrupt handler, as a program run with nohup)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(args: list, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "convanim.cli", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=_as_from_a_terminal)


def wait_until(condition, proc: subprocess.Popen, what: str, bound: float = 180) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        assert proc.poll() is None, f"exited {proc.returncode} before {what}: {proc.stderr.read()!r}"
        assert time.monotonic() < deadline, f"no {what} after {bound} s"
        time.sleep(0.01)


def started_gallery(tmp_path: Path) -> tuple[subprocess.Popen, Path, list[int]]:
    """A `gallery --jobs 2` that has written its first animation, and its two worker processes."""
    (tmp_path / "g.toml").write_text(GALLERY)
    out = tmp_path / "out"
    proc = start(["gallery", "g.toml", "-o", out, "--jobs", "2"], tmp_path)
    wait_until(lambda: any(n.endswith(".gif") for n in state(out)), proc, "first animation")
    time.sleep(0.3)  # inside the next cases
    workers = children(proc.pid)
    assert len(workers) == 2
    return proc, out, workers


#: A move into place already under way when the signal comes finishes, so that no case is left half moved
#: (its files and the manifest's record of them): it takes milliseconds. Nothing is written later than this.
IN_FLIGHT_NS = 250_000_000


def assert_stopped(proc, out: Path, workers: list[int], before: dict, signalled_ns: int) -> None:
    deadline = time.monotonic() + BOUND_S
    while any(running(w) for w in workers):
        assert time.monotonic() < deadline, "a worker outlived the signal by 10 s"
        time.sleep(0.01)
    time.sleep(0.5)  # anything still to come would come now
    after = state(out)
    changed = {n: v for n, v in after.items() if before.get(n) != v}
    late = {n: v for n, v in changed.items() if v[1] > signalled_ns + IN_FLIGHT_NS}
    assert late == {}, "a file was written after the signal"
    assert not [n for n in after if n.endswith(".tmp")]
    assert "README.md" not in after and "index.html" not in after


@pytest.mark.parametrize(("signum", "group", "status"), [
    (signal.SIGINT, False, 130),
    (signal.SIGTERM, False, 143),
    (signal.SIGINT, True, 130),  # Ctrl-C at a terminal: the whole process group
])
def test_gallery_jobs_stop_at_once(tmp_path, signum, group, status):
    proc, out, workers = started_gallery(tmp_path)
    try:
        before, signalled_ns = state(out), time.time_ns()
        if group:
            os.killpg(proc.pid, signum)
        else:
            os.kill(proc.pid, signum)
        proc.wait(timeout=BOUND_S)
    finally:
        proc.kill()
        proc.wait()
    stderr = proc.stderr.read().decode()
    assert proc.returncode == status, stderr
    assert "Traceback" not in stderr
    assert_stopped(proc, out, workers, before, signalled_ns)
    assert len([n for n in state(out) if n.endswith(".gif")]) < 16


def test_workers_never_outlive_a_killed_parent(tmp_path):
    proc, out, workers = started_gallery(tmp_path)
    try:
        before, signalled_ns = state(out), time.time_ns()
        proc.kill()
        proc.wait(timeout=BOUND_S)  # gone: from here on nothing may be written
        assert_stopped(proc, out, workers, before, signalled_ns)
    finally:
        for w in workers:  # only if the test failed: no orphan left behind by the test either
            if running(w):
                os.kill(w, signal.SIGKILL)


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_webp_reports_the_interrupt(tmp_path, signum, status):
    (tmp_path / "x.webp").write_bytes(b"the previous render")
    proc = start(["render", "-i", "40", "-k", "3", "-o", "x.webp"], tmp_path)
    try:
        wait_until(lambda: any(p.name.endswith(".tmp") for p in tmp_path.iterdir()), proc, "temporary")
        time.sleep(3)  # frames are being encoded
        proc.send_signal(signum)
        proc.wait(timeout=BOUND_S)
    finally:
        proc.kill()
        proc.wait()
    stderr = proc.stderr.read().decode()
    assert proc.returncode == status, stderr
    assert stderr == ""  # no "cannot seek from 13 to 0", no traceback
    assert [p.name for p in tmp_path.iterdir()] == ["x.webp"]
    assert (tmp_path / "x.webp").read_bytes() == b"the previous render"


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
def test_a_webp_stopped_midway_raises_what_stopped_it(tmp_path, interrupt):
    """Pillow seeks back to frame 0 when stopped: that seek once replaced the interrupt with a ValueError."""
    import numpy as np

    from convanim.encode import write_animation

    def frames():
        for k in range(30):
            if k == 13:
                raise interrupt(130)
            yield np.full((8, 8, 3), k * 8, np.uint8)

    with pytest.raises(interrupt):
        write_animation(tmp_path / "x.webp", frames, [40] * 30)
    assert list(tmp_path.iterdir()) == []
