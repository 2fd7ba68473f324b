"""Pooling's arithmetic and text are closed-form: they agree with a window-by-window count, short at any size."""

import itertools
import json

import pytest

from convanim.cli import main
from convanim.pool import PoolAxis, PoolSpec
from convanim.pool_text import divisor_runs, explain, render_text


def small_axes():
    for i, k, s, d, ceil in itertools.product(range(1, 11), range(1, 6), range(1, 7), range(1, 13), (False, True)):
        for p in range(k // 2 + 1):
            ax = PoolAxis(i, k, s, p, d, ceil)
            if ax.output_size >= 1:
                yield ax


def reads(ax, o):
    """Window ``o`` taps an input cell, counted tap by tap."""
    return any(ax.source(c) is not None for _, c in ax.window(o))


def test_blind_window_is_the_first_window_that_reads_only_padding():
    seen = 0
    for ax in small_axes():
        blind = [o for o in range(ax.output_size) if not reads(ax, o)]
        assert ax.blind_window() == (blind[0] if blind else None), ax
        assert all(ax.reads_input(o) == reads(ax, o) for o in range(ax.output_size)), ax
        seen += bool(blind)
    assert seen > 10  # the refusal is exercised, not only the happy path


def expand(runs):
    out = []
    for a, z, first, last in runs:
        step = 0 if z == a else (last - first) // (z - a)
        assert first + step * (z - a) == last
        out += [first + step * (o - a) for o in range(a, z + 1)]
    return out


@pytest.mark.parametrize("include_pad", [True, False])
def test_divisor_runs_match_every_window(include_pad):
    for ax in small_axes():
        if ax.dilation != 1:
            continue
        runs = ax.divisor_runs(include_pad)
        assert len(runs) <= 5
        assert [r[0] for r in runs] == [0] + [r[1] + 1 for r in runs[:-1]]  # contiguous, in window order
        assert expand(runs) == [ax.divisor(o, include_pad) for o in range(ax.output_size)], ax


def test_a_ten_million_cell_axis_is_summarised_in_runs():
    spec = PoolSpec("avg", 10**7, 3, stride=2, padding=1, count_include_pad=False)
    assert divisor_runs(spec, 0) == [{"windows": [0, 0], "divisors": [2, 2]},
                                     {"windows": [1, 4_999_999], "divisors": [3, 3]}]
    text = render_text(explain(spec))
    assert text.splitlines()[-1].endswith("on every axis 2 (window 0), 3 (windows 1 to 4,999,999)")


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_shape_of_a_400_digit_pooling_is_short(capsys, mode):
    n = str(10**400)
    assert main(["shape", "--pool", mode, "-i", n, "-k", "2"]) == 0
    text = capsys.readouterr().out
    assert len(text.encode()) < 8000 and "(windows 0 to " in text if mode == "avg" else len(text) < 6000
    assert main(["shape", "--pool", mode, "-i", n, "-k", "3", "-p", "1", "-s", "2", "--ceil-mode", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["output_shape"] == [10**400 // 2 + 1] * 2
    if mode == "avg":
        assert len(info["axes"][0]["divisor_runs"]) <= 5


def test_render_of_a_huge_pooling_is_refused_before_any_work(capsys):
    assert main(["render", "--pool", "max", "-i", str(10**400), "-k", "2", "-o", "never.gif"]) == 2
    assert "draws at most" in capsys.readouterr().err


def test_a_blind_window_is_still_refused():
    # k=2, padding 1, dilation 3 over two input cells (grid cells 1, 2): window 0 taps cells 0 and 3, both padding
    with pytest.raises(ValueError, match="reads no input cell on axis 0 \\(window 0 sees only padding"):
        PoolSpec("max", (2,), (2,), padding=(1,), dilation=(3,), stride=(1,))
