"""What the commands say: progress and size estimates on a terminal only, -q everywhere, singulars, the
MP4's real size, the presets the help names."""

from __future__ import annotations

import io
import re
import sys

import pytest

from convanim import progress as progress_module
from convanim.cli import build_parser, main
from convanim.progress import Progress, estimated_bytes
from convanim.words import count, plural


class Terminal(io.StringIO):
    """A stderr that says it is a terminal (80 columns), keeping what is written."""

    def isatty(self):
        return True

    def fileno(self):  # tqdm asks for the terminal's width through it; none here: its default
        raise io.UnsupportedOperation("fileno")


def run(tmp_path, monkeypatch, *args, terminal=True):
    """``convanim ARGS`` in ``tmp_path``, stderr a terminal (or a plain pipe): (status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    err = Terminal() if terminal else io.StringIO()
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", out)
    status = main(list(args))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def everything_is_long(monkeypatch):
    """Every run counts as long and every file as large, so that small ones show what big ones would."""
    monkeypatch.setattr(progress_module, "LONG_PIXELS", 0)
    monkeypatch.setattr(progress_module, "LARGE_BYTES", 0)


# -- progress -----------------------------------------------------------------------------------


def test_a_long_render_on_a_terminal_shows_the_estimate_and_a_bar(tmp_path, monkeypatch, everything_is_long):
    status, out, err = run(tmp_path, monkeypatch, "render", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "-o", "ps.gif")
    assert status == 0 and out == ""
    lines = [line for line in re.split(r"[\r\n]", err) if line.strip()]
    estimate = estimated_bytes(9, (395, 381), ".gif")
    assert lines[0] == f"convanim render: writing ps.gif: about {estimate / 1e6:.1f} MB (9 frames of 395x381 px)"
    bars = [line for line in lines if line.startswith("ps.gif:")]
    assert bars and "/9 [" in bars[0]  # tqdm's bar over the 9 frames, named after the file
    assert lines[-1] == "wrote ps.gif: 9 frames, 395x381 px, 48 KB"
    # the bar is gone once done: after the last carriage return only the wrote line
    assert err.rsplit("\r", 1)[-1].strip().endswith("wrote ps.gif: 9 frames, 395x381 px, 48 KB")


def test_a_second_pass_restarts_the_bar_saying_so(tmp_path, everything_is_long):
    import convanim

    stream = Terminal()
    anim = convanim.animate(input_size=4, kernel_size=3, view="values")  # its GIF palette: from every frame first
    calls = []
    with Progress("convanim render", stream=stream) as shown:
        bar = shown.frames("v.gif", len(anim), anim.size)

        def counted(k):
            calls.append(k)
            bar(k)

        anim.save(tmp_path / "v.gif", progress=counted)
    assert calls == [0, 1, 2, 3] * 2  # each pass counted from 0
    assert "v.gif, pass 2:" in stream.getvalue()


@pytest.mark.parametrize("terminal, quiet", [(True, True), (False, False), (False, True)])
def test_nothing_extra_when_quiet_or_not_a_terminal(tmp_path, monkeypatch, everything_is_long, terminal, quiet):
    args = ["render", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "-o", "ps.gif", *(["-q"] if quiet else [])]
    status, out, err = run(tmp_path, monkeypatch, *args, terminal=terminal)
    assert status == 0 and out == ""
    assert err == ("" if quiet else "wrote ps.gif: 9 frames, 395x381 px, 48 KB\n")


def test_short_work_shows_no_bar(tmp_path, monkeypatch):
    status, _, err = run(tmp_path, monkeypatch, "render", "-i", "4", "-k", "3", "-o", "a.gif")
    assert status == 0 and re.fullmatch(r"wrote a\.gif: 4 frames, \d+x\d+ px, [\d,]+ KB\n", err), err


def test_frames_folder_gets_a_bar_too(tmp_path, monkeypatch, everything_is_long):
    status, _, err = run(tmp_path, monkeypatch, "render", "-i", "4", "-k", "3", "--frames", "fr")
    assert status == 0
    assert err.startswith("convanim render: writing fr: about ")
    assert "\rfr:" in err and "/4 [" in err and err.endswith("wrote 4 frames to fr\n")


def test_network_output_on_a_terminal_and_quiet(tmp_path, monkeypatch, everything_is_long):
    layers = "nn.Conv2d(1,1,3); nn.Conv2d(1,1,3,stride=2)"
    status, out, err = run(tmp_path, monkeypatch, "network", "--layers", layers, "-i", "7", "-o", "net")
    assert status == 0 and "receptive field of output cell" in out
    assert "convanim network: writing net/01_conv2d_k3.gif: about " in err
    assert "01_conv2d_k3.gif:" in err and "receptive_field.gif:" in err  # a bar per animation
    assert err.rstrip("\n").rsplit("\r", 1)[-1].strip().endswith(
        "wrote 3 animations, network.html, README.md and index.html to net")
    status, out_q, err_q = run(tmp_path, monkeypatch, "network", "--layers", layers, "-i", "7", "-o", "net2", "-q")
    assert status == 0 and err_q == "" and out_q == out  # -q: the summary still, nothing on stderr
    assert sorted(p.name for p in (tmp_path / "net2").iterdir()) == sorted(p.name for p in (tmp_path / "net").iterdir())
    status, _, err_pipe = run(tmp_path, monkeypatch, "network", "--layers", layers, "-i", "7", "-o", "net3",
                              terminal=False)
    assert err_pipe == "wrote 3 animations, network.html, README.md and index.html to net3\n"


@pytest.mark.parametrize(("ext", "view"), [(".gif", "grid"), (".webp", "grid"), (".gif", "values")])
def test_the_estimate_is_within_a_factor_of_two(tmp_path, ext, view):
    import convanim

    anim = convanim.animate(input_size=7, kernel_size=3, view=view)
    path = anim.save(tmp_path / f"x{ext}")
    ratio = estimated_bytes(len(anim), anim.size, ext) / path.stat().st_size
    assert 0.5 < ratio < 2, ratio


def test_estimates_grow_with_frames_and_size_and_skip_pages():
    assert estimated_bytes(10, (400, 400), ".gif") == pytest.approx(10 * estimated_bytes(1, (400, 400), ".gif"), 1e-3)
    assert estimated_bytes(1, (800, 800), ".gif") > estimated_bytes(1, (400, 400), ".gif")
    assert estimated_bytes(9, (400, 400), ".html") is None


# -- words ---------------------------------------------------------------------------------------


def test_counted_nouns():
    assert [count(n, "frame") for n in (0, 1, 2, 1234)] == ["0 frames", "1 frame", "2 frames", "1,234 frames"]
    assert plural(1, "is", "are") == "is" and plural(3, "is", "are") == "are"


def test_one_frame_is_one_frame(tmp_path, monkeypatch):
    status, _, err = run(tmp_path, monkeypatch, "render", "-i", "1", "-k", "1", "-o", "one.gif", terminal=False)
    assert status == 0 and err.startswith("wrote one.gif: 1 frame, ")
    status, _, err = run(tmp_path, monkeypatch, "render", "-i", "1", "-k", "1", "--frames", "f", terminal=False)
    assert err == "wrote 1 frame to f\n"
    status, _, err = run(tmp_path, monkeypatch, "render", "-i", "1", "-k", "1", "--sheet", "-o", "s.png",
                         terminal=False)
    assert err.startswith("wrote s.png: a contact sheet of 1 step, ")
    import convanim

    assert repr(convanim.animate(input_size=1, kernel_size=1)).startswith("<Animation 1 frame, ")


def test_one_stale_file_is_one_file(tmp_path, monkeypatch, capsys):
    from convanim.gallery import run_gallery

    (tmp_path / "g.toml").write_text('[[case]]\nname = "a"\ninput_size = 3\nkernel_size = 3\n')
    assert run_gallery(tmp_path / "g.toml", tmp_path / "out", jobs=1, quiet=True) == 0
    assert run_gallery(tmp_path / "g.toml", tmp_path / "out", jobs=1, check=True) == 0
    assert capsys.readouterr().out.strip().startswith("all ")
    (tmp_path / "out" / "a.gif").write_bytes(b"GIF89a edited")
    assert run_gallery(tmp_path / "g.toml", tmp_path / "out", jobs=1, check=True) == 1
    assert re.search(r"^1 file is stale, missing or extra; re-run: ", capsys.readouterr().out, re.M)


def test_shape_texts_say_one_window_and_one_cell(capsys):
    assert main(["shape", "--pool", "max", "-i", "2", "-k", "2"]) == 0
    assert "(1 window, " in capsys.readouterr().out
    from convanim import ConvSpec, explain

    assert explain(ConvSpec((3,), 3))["alt"].endswith("giving 1 cell")


# -- the MP4's size, -q and the presets in --help ----------------------------------------------------


def test_an_mp4_is_reported_at_its_even_size(tmp_path, monkeypatch):
    pytest.importorskip("imageio_ffmpeg", reason="MP4 needs imageio-ffmpeg: pip install -e '.[test]'")
    import imageio.v3 as iio

    status, _, err = run(tmp_path, monkeypatch, "render", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "-o", "a.mp4",
                         terminal=False)
    assert status == 0
    height, width = iio.imread(tmp_path / "a.mp4", plugin="FFMPEG", index=0).shape[:2]
    assert (width, height) == (396, 382)  # the 395x381 drawing, an edge column and row added
    assert err.startswith(f"wrote a.mp4: 9 frames, {width}x{height} px, ")


def _help(command: str) -> str:
    return build_parser()._subparsers._group_actions[0].choices[command].format_help()


def test_help_names_every_bundled_preset():
    from convanim.gallery import preset_path
    from convanim.network import network_path

    galleries = sorted(p.stem for p in preset_path("classic").parent.glob("*.toml"))
    networks = sorted(p.stem for p in network_path("wavenet").parent.glob("*.toml"))
    assert "transposed" in galleries and len(galleries) >= 5 and len(networks) >= 3
    for command, names in (("gallery", galleries), ("network", networks)):
        text = " ".join(_help(command).split())
        listed = re.search(r"a bundled (?:preset|network) \(([^)]*)\)", text).group(1)
        assert sorted(listed.split(", ")) == names, command


def test_every_command_that_writes_files_has_quiet():
    for command in ("render", "gallery", "network"):
        assert "-q, --quiet" in _help(command), command
