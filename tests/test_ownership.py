"""A user's files are never replaced or deleted: each reproduction of issue 17 leaves them byte-identical.

convanim replaces a file in a gallery, network or frame folder only when the
folder's manifest records it with its current content, and removes only its
own temporaries once provably stale (`convanim.encode.owned`).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from convanim.encode import atomic_output, owned, write_frames
from convanim.encode.owned import MANIFEST, STALE_AFTER_S, remove_stale
from convanim.gallery import load_gallery, run_gallery

ROOT = Path(__file__).resolve().parent.parent
ONE = '[[case]]\nname = "padding_strides"\ninput_size = 3\nkernel_size = 2\n'


def cli(*args, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "convanim.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=env)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def user_files(folder: Path, names) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    for n, name in enumerate(names):
        (folder / name).write_bytes(f"the user's own {name} #{n}\n".encode())
    return snapshot(folder)


# -- gallery and network folders -------------------------------------------------------------

@pytest.mark.parametrize("name", ["padding_strides.gif", "padding_strides.html", "README.md", "index.html"])
def test_gallery_refuses_a_users_file_of_an_output_name(tmp_path, name):
    (tmp_path / "g.toml").write_text(ONE)
    out = tmp_path / "out"
    before = user_files(out, [name, "notes.txt"])
    done = cli("gallery", tmp_path / "g.toml", "-o", out, "--jobs", "1")
    assert done.returncode == 2
    assert done.stderr == (f"convanim gallery: error: not replacing '{out / name}': convanim did not write it, "
                           "or it was changed since (use another folder, or --force to replace it)\n")
    assert snapshot(out) == before  # nothing written, not even the manifest


def test_the_old_phrase_marker_proves_nothing(tmp_path):
    (tmp_path / "g.toml").write_text(ONE)
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("# My project\n\nRendered by convanim 0.1.0, then edited by hand.\n")
    before = snapshot(out)
    with pytest.raises(ValueError, match=r"^not replacing '.*README.md': convanim did not write it"):
        run_gallery(tmp_path / "g.toml", out, jobs=1)
    assert snapshot(out) == before


def test_gallery_rewrites_its_own_files_and_refuses_one_edited_since(tmp_path):
    (tmp_path / "g.toml").write_text(ONE)
    out = tmp_path / "out"
    assert run_gallery(tmp_path / "g.toml", out, jobs=1, quiet=True) == 0
    manifest = json.loads((out / MANIFEST).read_text())
    written = sorted(p.name for p in out.iterdir() if p.name != MANIFEST)
    assert sorted(manifest["files"]) == written
    for name, entry in manifest["files"].items():  # the record is each file's real size and hash
        assert entry == dict(zip(("sha256", "size"), owned.digest(out / name)))
    assert run_gallery(tmp_path / "g.toml", out, jobs=1, quiet=True) == 0  # its own files: rewritten

    (out / "padding_strides.gif").write_bytes(b"GIF89a edited by the user")
    before = snapshot(out)
    with pytest.raises(ValueError, match=r"^not replacing '.*padding_strides.gif': convanim did not write it, "
                                         r"or it was changed since"):
        run_gallery(tmp_path / "g.toml", out, jobs=1, quiet=True)
    assert snapshot(out) == before
    assert run_gallery(tmp_path / "g.toml", out, jobs=1, quiet=True, force=True) == 0
    assert (out / "padding_strides.gif").read_bytes() != before["padding_strides.gif"]
    assert run_gallery(tmp_path / "g.toml", out, jobs=1, quiet=True) == 0  # recorded again


def test_a_file_named_like_the_manifest_that_is_not_one_is_refused(tmp_path):
    (tmp_path / "g.toml").write_text(ONE)
    out = tmp_path / "out"
    before = user_files(out, [MANIFEST])
    with pytest.raises(ValueError, match=rf"^not replacing '.*{MANIFEST}': convanim did not write it"):
        run_gallery(tmp_path / "g.toml", out, jobs=1, quiet=True)
    assert snapshot(out) == before
    # A manifest claiming a user's file with another content proves nothing either.
    out2 = tmp_path / "out2"
    assert run_gallery(tmp_path / "g.toml", out2, jobs=1, quiet=True) == 0
    (out2 / "README.md").write_text("mine now\n")
    before = snapshot(out2)
    with pytest.raises(ValueError, match=r"README.md': convanim did not write it"):
        run_gallery(tmp_path / "g.toml", out2, jobs=1, quiet=True)
    assert snapshot(out2) == before


@pytest.mark.parametrize("name", ["receptive_field.gif", "01_conv2d_k3.gif", "README.md"])
def test_network_refuses_a_users_file_of_an_output_name(tmp_path, name):
    out = tmp_path / "net"
    before = user_files(out, [name])
    done = cli("network", "--layers", "nn.Conv2d(1, 1, 3)", "-i", "5", "-o", out)
    assert done.returncode == 2
    assert done.stderr.endswith(f"convanim network: error: not replacing '{out / name}': convanim did not write "
                                "it, or it was changed since (use another folder, or --force to replace it)\n")
    assert snapshot(out) == before
    done = cli("network", "--layers", "nn.Conv2d(1, 1, 3)", "-i", "5", "-o", out, "--force")
    assert done.returncode == 0, done.stderr
    assert (out / name).read_bytes() != before[name]
    assert (out / "README.md").read_text().startswith("<!-- written by convanim network: ")
    assert (out / "index.html").read_text().splitlines()[1] == \
        "<!-- written by convanim network: it rewrites this page -->"


def test_pages_escape_html_from_titles_and_descriptions(tmp_path):
    from convanim.netpages import write_network
    from convanim.network import Network

    evil = "<script>alert(1)</script> & <img src=x onerror=alert(2)>"
    (tmp_path / "g.toml").write_text(f'title = "{evil}"\n' + ONE + f'description = "a | b\\n{evil}"\n')
    run_gallery(tmp_path / "g.toml", tmp_path / "g", jobs=1, quiet=True)
    write_network(Network(5, "nn.Conv2d(1, 1, 3)"), tmp_path / "n", title=evil)
    for page in (tmp_path / "g" / "README.md", tmp_path / "n" / "README.md", tmp_path / "g" / "index.html",
                 tmp_path / "n" / "index.html"):
        text = page.read_text()
        assert "<script" not in text and "<img src=x" not in text, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;" in text, page
    readme = (tmp_path / "g" / "README.md").read_text()
    assert "a \\| b &lt;script&gt;" in readme  # one table cell: the bar escaped, the line break a space
    assert readme.splitlines()[1] == "# &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;"


@pytest.mark.parametrize("name", [" ", "\t", " a", "a "])
def test_blank_names_are_refused_in_one_sentence(tmp_path, name):
    (tmp_path / "g.toml").write_text(f'[[case]]\nname = "{name}"\ninput_size = 3\nkernel_size = 2\n'
                                     .replace("\t", "\\t"))
    with pytest.raises(ValueError, match=r'^g.toml: case (".*"|#1): name must not be blank or begin or end with a '
                                         r"space, got '.*'$"):
        load_gallery(tmp_path / "g.toml")


# -- frame folders ---------------------------------------------------------------------------

def test_frames_into_a_folder_with_the_users_files(tmp_path):
    """`--frames DIR` once deleted the user's step_42.png and step_0001.png and replaced step_5.png."""
    out = tmp_path / "frames"
    before = user_files(out, ["step_42.png", "step_0001.png", "step_5.png"])
    done = cli("render", "-i", "5", "-k", "3", "--frames", out, "-o", tmp_path / "x.gif")  # 9 steps: step_1..9
    assert done.returncode == 2
    assert done.stderr == (f"convanim render: error: not replacing '{out / 'step_5.png'}': convanim did not write "
                           "it, or it was changed since (use another folder)\n")
    assert snapshot(out) == before
    assert not (tmp_path / "x.gif").exists()  # refused before -o was written

    (out / "step_5.png").unlink()
    del before["step_5.png"]
    done = cli("render", "-i", "5", "-k", "3", "--frames", out)
    assert done.returncode == 0, done.stderr
    after = snapshot(out)
    assert {k: after[k] for k in before} == before  # step_42 and step_0001 match the pattern, but are not ours
    assert sorted(after) == sorted([*before, MANIFEST, *(f"step_{k}.png" for k in range(1, 10))])
    # A shorter run removes its own stale frames, and only those.
    done = cli("render", "-i", "4", "-k", "3", "--frames", out)  # 4 steps
    assert done.returncode == 0, done.stderr
    after = snapshot(out)
    assert sorted(after) == sorted([*before, MANIFEST, *(f"step_{k}.png" for k in range(1, 5))])
    assert {k: after[k] for k in before} == before


def test_frames_edited_since_are_neither_replaced_nor_deleted(tmp_path):
    import numpy as np

    frames = [np.full((4, 4, 3), k * 40, np.uint8) for k in range(5)]
    out = tmp_path / "f"
    write_frames(out, frames)
    (out / "frame_4.png").write_bytes(b"retouched by hand")
    (out / "frame_1.png").write_bytes(b"retouched by hand")
    before = snapshot(out)
    with pytest.raises(ValueError, match=r"^not replacing '.*frame_1.png': convanim did not write it"):
        write_frames(out, frames[:3])
    assert snapshot(out) == before
    (out / "frame_1.png").unlink()
    write_frames(out, frames[:3])  # frame_3 is ours and stale: removed; frame_4 is the user's now: kept
    assert (out / "frame_4.png").read_bytes() == b"retouched by hand"
    assert not (out / "frame_3.png").exists()


# -- single files --------------------------------------------------------------------------------

def test_an_output_that_is_a_symlink_gets_a_new_files_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        link = tmp_path / "x.gif"
        link.symlink_to("/dev/full")
        done = cli("render", "-i", "4", "-k", "3", "-o", link)
        assert done.returncode == 0, done.stderr
        st = os.lstat(link)
        assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o644
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
        # A link to a user's file: the output replaces the link, the file it pointed to is untouched.
        (tmp_path / "mine.gif").write_bytes(b"mine")
        os.chmod(tmp_path / "mine.gif", 0o777)
        (tmp_path / "y.gif").symlink_to(tmp_path / "mine.gif")
        with atomic_output(tmp_path / "y.gif") as fh:
            fh.write(b"GIF89a")
        assert (tmp_path / "mine.gif").read_bytes() == b"mine"
        assert stat.S_IMODE(os.lstat(tmp_path / "y.gif").st_mode) == 0o644
    finally:
        os.umask(umask)


def test_a_250_character_output_name(tmp_path):
    name = "a" * 246 + ".gif"
    done = cli("render", "-i", "4", "-k", "3", "-o", tmp_path / name, "-q")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert all(len(owned.temp_name()) <= 47 for _ in range(100))


# -- temporaries ---------------------------------------------------------------------------------

def test_only_convanims_own_stale_temporaries_are_removed(tmp_path):
    """A plain `render -o x.gif` once removed the user's `.thesis-backup.4000000.deadbeef.tmp/` recursively."""
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)
    here = owned._host()
    other = "0123abcd" if here != "0123abcd" else "abcd0123"
    backup = tmp_path / ".thesis-backup.4000000.deadbeef.tmp"
    backup.mkdir()
    (backup / "chapter1.tex").write_text("months of work")
    keep = {
        backup,
        tmp_path / f".x.gif.{dead}.0123abcd.tmp",  # 0.2.0's name: nothing proves it is convanim's
        tmp_path / f".convanim-{dead}-{other}-0123456789ab.tmp",  # another namespace or machine, recent
        tmp_path / f".convanim-{dead}-{here}-aaaaaaaaaaaa.tmp",  # our name, but a folder without a manifest
        tmp_path / f".convanim-{dead}-{here}-bbbbbbbbbbbb.tmp",  # a symlink
    }
    old_other = tmp_path / f".convanim-{dead}-{other}-cccccccccccc.tmp"  # another host's, a day old
    dead_ours = tmp_path / f".convanim-{dead}-{here}-dddddddddddd.tmp"  # this host's, its process is gone
    staged = tmp_path / f".convanim-{dead}-{here}-eeeeeeeeeeee.tmp"  # a staging folder of a killed render
    for path in keep - {backup}:
        if "aaaa" in path.name:
            path.mkdir()
            (path / "data").write_text("x")
        elif "bbbb" in path.name:
            path.symlink_to(backup)
        else:
            path.write_bytes(b"in progress")
    for path in (old_other, dead_ours):
        path.write_bytes(b"left by a killed render")
    os.utime(old_other, (time.time() - STALE_AFTER_S - 60,) * 2)
    staged.mkdir()
    (staged / MANIFEST).write_text("{}")
    (staged / "3").write_bytes(b"a frame")
    before = snapshot(tmp_path)

    done = cli("render", "-i", "4", "-k", "3", "-o", tmp_path / "x.gif")
    assert done.returncode == 0, done.stderr
    left = {p for p in tmp_path.iterdir()}
    assert left == keep | {tmp_path / "x.gif"}
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if k in before and not k.startswith(".convanim")} == \
        {k: v for k, v in before.items() if not k.startswith(".convanim")}
    remove_stale(tmp_path / "missing")  # a folder that does not exist: nothing to do


def test_a_write_in_another_pid_namespace_keeps_its_temporary(tmp_path):
    """A render in a container sharing the folder once lost its temporary to a render outside."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1)")
    code = ("import sys, time, pathlib\n"
            "from convanim.encode import atomic_output\n"
            "with atomic_output(sys.argv[1]) as fh:\n"
            "    fh.write(b'written in the container')\n"
            "    print('ready', flush=True)\n"
            "    while not pathlib.Path(sys.argv[2]).exists(): time.sleep(0.02)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    inner = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", code,
                              str(tmp_path / "inner.gif"), str(tmp_path / "go")], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        if inner.stdout.readline().strip() != "ready":
            pytest.skip(f"cannot make a PID namespace here: {inner.stderr.read().strip()[-200:]}")
        (temp,) = [p for p in tmp_path.iterdir() if p.name.startswith(".convanim-")]
        assert cli("render", "-i", "4", "-k", "3", "-o", tmp_path / "outer.gif").returncode == 0
        assert temp.exists()
        (tmp_path / "go").touch()
        assert inner.wait(timeout=60) == 0, inner.stderr.read()
    finally:
        inner.kill()
        inner.wait()
    assert (tmp_path / "inner.gif").read_bytes() == b"written in the container"
