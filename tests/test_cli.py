"""The command line: spec flags, `convanim shape`, exit codes and one-line errors."""

import json
import subprocess
import sys

import pytest

from convanim.cli import main, parse_padding, parse_size


def run(*args):
    """Run the real command in a fresh process (exit code, stdout, stderr)."""
    proc = subprocess.run(
        [sys.executable, "-m", "convanim.cli", *args], capture_output=True, text=True, timeout=120
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_parse_size():
    assert parse_size("5") == 5
    assert parse_size("5x7") == (5, 7)
    assert parse_size("3x5x7") == (3, 5, 7)


def test_parse_padding_forms():
    assert parse_padding("same") == "same"
    assert parse_padding("FULL") == "full"
    assert parse_padding("2") == 2
    assert tuple(parse_padding("1,2")) == (1, 2)
    assert parse_padding("0,1,2,3") == ((0, 1), (2, 3))


def test_shape_prints_formula_and_layer(capsys):
    assert main(["shape", "-i", "5", "-k", "3", "-s", "2", "-p", "1"]) == 0
    out = capsys.readouterr().out
    assert "input 5×5 -> output 3×3" in out
    assert "o = floor((5 + 2*1 - 3) / 2) + 1 = 3" in out
    assert "torch.nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1, bias=False)" in out
    assert "input sizes giving o=3: 5 (ConvTranspose output_padding=0 gives it back), 6" in out


def test_shape_json(capsys):
    assert main(["shape", "-i", "6", "-k", "3", "-s", "2", "-p", "0,1,0,1", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["output_shape"] == [3, 3]
    assert info["axes"][0]["padding"] == [0, 1]
    assert info["grid_shape"] == [7, 7]


def test_shape_per_axis_padding_and_transposed(capsys):
    assert main(["shape", "-i", "5x7", "-k", "3", "-p", "1,2"]) == 0
    assert "output 5×9" in capsys.readouterr().out
    assert main(["shape", "-i", "3", "-k", "3", "-s", "2", "-p", "1", "--transposed",
                 "--output-padding", "1"]) == 0
    out = capsys.readouterr().out
    assert "transposed convolution: input 3×3 -> output 6×6" in out
    assert "output_padding=0 -> 5, output_padding=1 -> 6" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["-i", "5", "-k", "3", "-s", "0"], "stride must be >= 1, got 0"),
        (["-i", "4", "-k", "3", "-d", "2"],
         "kernel_size=(3, 3) with dilation=(2, 2) spans 5x5 cells but the padded input is 4x4"),
        (["-i", "5", "-k", "3", "--output-padding", "1"], "output_padding is only used with transposed=True"),
        (["-i", "5x", "-k", "3"], "expected a size like 5 or 5x7, got '5x'"),
        (["-i", "5", "-k", "3", "-p", "middle"], "expected valid, same, full"),
        (["-i", "5", "-k", "3", "-p", "1,2,3,4,5"], "padding takes 1, 2 or 3 numbers"),
        (["-k", "3"], "-i/--input-size is required"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    code, out, err = run("shape", *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_help_explains_each_flag_with_an_example():
    code, out, _ = run("shape", "--help")
    assert code == 0
    for flag in ("--input-size", "--kernel-size", "--stride", "--padding", "--dilation", "--transposed",
                 "--output-padding", "--json"):
        assert flag in out
    assert "convanim shape -i 5 -k 3 -s 2 -p 1" in out


# -- hostile input, options that do nothing, "wrote" lines, instant shape -------------------------

def run_in(tmp_path, monkeypatch, capsys, *args):
    monkeypatch.chdir(tmp_path)
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "args, message",
    [
        (["-i", "5", "-k", "3", "--radius", "2", "-o", "x.gif"], "--radius only applies to --view continuous"),
        (["-i", "5", "-k", "3", "--flip", "-o", "x.gif"], "--flip only applies to --view 1d"),
        (["-i", "5", "-k", "3", "--values", "random", "-o", "x.gif"],
         "--values only applies to --view values, 1d, matrix, scatter or both"),
        (["-i", "5", "-k", "3", "--view", "values", "--seed", "2", "-o", "x.gif"],
         "--seed only applies with --values random or a .npy file"),
        (["-i", "5", "-k", "3", "--view", "matrix", "--layout", "flat", "-o", "x.gif"],
         "--layout only applies to --view grid"),
        (["--view", "continuous", "-k", "3", "-o", "x.gif"],
         "-k/--kernel-size only applies to --view grid, 1d, values, matrix, scatter, both or overlap"),
        (["--view", "continuous", "--cell-px", "20", "-o", "x.gif"],
         "--cell-px only applies to --view grid, 1d, values, matrix, scatter, both or overlap"),
        (["-i", "5", "-k", "3", "--frame-format", "svg", "-o", "x.gif"], "--frame-format only applies with --frames"),
        (["-i", "5", "-k", "3", "--step", "2", "--frames", "fr"], "--step only applies with -o OUT"),
        (["-i", "5", "-k", "3", "--step", "2", "--frames", "fr", "-o", "x.png"], "--step and --frames cannot be"),
        (["-i", "5", "-k", "3", "--sheet", "--frames", "fr"], "--sheet only applies with -o OUT"),
        (["-i", "5", "-k", "3", "--fps", "nan", "-o", "x.gif"], "--fps must be a number from 0.004 to 100, got nan"),
        (["-i", "5", "-k", "3", "--fps", "inf", "-o", "x.gif"], "--fps must be a number from 0.004 to 100, got inf"),
        (["--view", "continuous", "--radius", "1e300", "-o", "x.gif"], "half disc of radius 0.1 to 10"),
        (["-i", "5", "-k", "3", "--cell-px", "-5", "-o", "x.gif"], "cell_px must be an integer from 8 to 400, got -5"),
        (["-i", "0", "-k", "3", "-o", "x.gif"], "input_size must be >= 1, got 0"),
        (["-i", "", "-k", "3", "-o", "x.gif"], "expected a size like 5 or 5x7, got ''"),
        (["-i", "100", "-k", "3", "-o", "x.gif"], "the limit is 10,000,000,000 pixels in all (--max-pixels N"),
        (["-i", "10", "-k", "3", "--max-frames", "10", "-o", "x.gif"], "the limit is 10 frames (--max-frames N"),
        (["-i", "5", "-k", "3", "--max-pixels", "0", "-o", "x.gif"], "max_pixels must be an integer >= 1, got 0"),
        (["-i", "16", "-k", "3", "--sheet", "-o", "x.png"], "a contact sheet shows at most 64 steps"),
        (["-i", "5", "-k", "3", "--fps", "2", "--step", "3", "-o", "x.png"],
         "--fps only applies to an animation written as .gif, .png, .apng, .webp, .mp4"),
        (["-i", "5", "-k", "3", "--hold-last-ms", "500", "-o", "x.pdf"], "--hold-last-ms only applies to an animation"),
        (["-i", "5", "-k", "3", "--duration-ms", "500", "--frames", "fr"], "--duration-ms only applies to an"),
        (["-i", "5", "-k", "3", "--view", "values", "--values", "x.npz", "--seed", "2", "-o", "x.gif"],
         "--seed only applies with --values random or a .npy file"),
        (["-i", "5", "-k", "3", "--frames", "fr", "-o", "x.svg"], "an .svg file holds one step"),
        (["-i", "5", "-k", "3", "-o", ""], "-o needs a file name, got ''"),
    ],
)
def test_render_refuses_in_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys, args, message):
    code, out, err = run_in(tmp_path, monkeypatch, capsys, "render", *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_render_says_what_it_wrote_unless_quiet(tmp_path, monkeypatch, capsys):
    base = ["render", "-i", "5", "-k", "3", "-s", "2", "-p", "1"]
    assert run_in(tmp_path, monkeypatch, capsys, *base, "-o", "ps.gif")[2] == \
        "wrote ps.gif: 9 frames, 395x381 px, 48 KB\n"
    err = run_in(tmp_path, monkeypatch, capsys, *base, "--step", "4", "-o", "s.png")[2]
    assert err.startswith("wrote s.png: step 4, 395x381 px, ")
    err = run_in(tmp_path, monkeypatch, capsys, *base, "--sheet", "-o", "sheet.png")[2]
    assert err.startswith("wrote sheet.png: a contact sheet of 9 steps, ")
    assert run_in(tmp_path, monkeypatch, capsys, *base, "--frames", "fr")[2] == "wrote 9 frames to fr\n"
    code, out, err = run_in(tmp_path, monkeypatch, capsys, *base, "-q", "-o", "q.gif")
    assert (code, out, err) == (0, "", "")
    assert (tmp_path / "q.gif").read_bytes() == (tmp_path / "ps.gif").read_bytes()


@pytest.mark.parametrize(
    "args, expected",
    [
        (["-i", "1000000", "-k", "3"], "output 999998×999998"),
        (["-i", "5", "-k", "3", "-s", "1000000000000000000"],
         "input sizes giving o=1: 3 to 1,000,000,000,000,000,002 (1,000,000,000,000,000,000 sizes; "
         "ConvTranspose output_padding = size - 3 gives each back)"),
        (["-i", "10000", "-k", "3"], "output 9998×9998"),
        (["-i", "1000000", "-k", "2", "-s", "1000"],
         "never read: 998,000 input indices: 2-999, 1002-1999, 2002-2999, 3002-3999"),
        (["-i", "5", "-k", "3", "-s", "1000000000000000000", "--transposed"],
         "output sizes: 4,000,000,000,000,000,003 to 5,000,000,000,000,000,002"),
        (["-i", "100000000", "-k", "3", "-d", "7", "-s", "5"], "never read: not counted"),
    ],
)
def test_shape_of_huge_sizes_returns_counts_and_ranges(capsys, args, expected):
    # No timing assertion: a size that enumerated cells would hang this test.
    assert main(["shape", *args]) == 0
    assert expected in capsys.readouterr().out


def test_shape_json_of_a_huge_stride_has_counts_and_ranges(capsys):
    assert main(["shape", "-i", "1000000", "-k", "2", "-s", "1000", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    ax = info["axes"][0]
    assert ax["unread_count"] == 998_000 and ax["unread_ranges"][:2] == [[2, 999], [1002, 1999]]
    assert len(ax["unread"]) == 20 and ax["unread"][:3] == [2, 3, 4]
    assert ax["alternatives_range"] == {"key": "input_size", "first": 999_002, "last": 1_000_001, "count": 1000}
    assert len(ax["alternatives"]) == 8
    assert info["unread_cells"] == 10**12 - 2000**2


def test_gallery_jobs(tmp_path, monkeypatch, capsys):
    (tmp_path / "g.toml").write_text('[[case]]\nname = "a"\ninput_size = 3\nkernel_size = 2\n')
    code, _, err = run_in(tmp_path, monkeypatch, capsys, "gallery", "g.toml", "-o", "out", "--jobs", "0")
    assert code == 2 and "--jobs must be >= 1, got 0" in err
    code, _, err = run_in(tmp_path, monkeypatch, capsys, "gallery", "g.toml", "-o", "out", "--jobs", "1000")
    assert code == 0
    assert "note: --jobs 1000 is more than the" in err and "wrote 1 animation, README.md and index.html" in err
