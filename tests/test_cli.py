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
    assert "torch.nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1)" in out
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
