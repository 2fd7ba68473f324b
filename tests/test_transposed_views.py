"""Transposed convolution computed as it is (scatter), the overlap counts, causal 1-D and the 3-D flat layout.

Every expected value comes from the numpy references written here and, where torch is installed, from
PyTorch too (the ``torch`` oracle: skipped, and counted, without it), never from the code under test.
"""

import itertools

import numpy as np
import pytest

from convanim import ConvSpec, animate
from convanim.scatter import (
    finish_steps,
    kept_slices,
    overlap_counts,
    overlap_summary,
    region_shape,
    scatter,
    scatter_schedule,
    uneven_sentence,
)
from convanim.values import Values

RNG = np.random.default_rng(20261130)
# Each cross-check runs against the numpy reference, and against PyTorch where it is installed.
ORACLES = pytest.mark.parametrize("oracle", ["numpy", pytest.param("torch", marks=pytest.mark.torch)])


# -- independent references --------------------------------------------------------------


def ref_conv_transpose(x, w, stride, padding, dilation, output_padding):
    """Transposed convolution by its definition: y[j*s + t*d - p] += x[j] * w[t], loops only."""
    n = x.ndim
    full_shape = [(i - 1) * s + d * (k - 1) + 1 + a
                  for i, k, s, d, a in zip(x.shape, w.shape, stride, dilation, output_padding)]
    full = np.zeros(full_shape, dtype=np.int64)
    for j in itertools.product(*(range(i) for i in x.shape)):
        for t in itertools.product(*(range(k) for k in w.shape)):
            pos = tuple(j[a] * stride[a] + t[a] * dilation[a] for a in range(n))
            full[pos] += x[j] * w[t]
    return full[tuple(slice(p, f - p) for p, f in zip(padding, full_shape))]


def _torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


def torch_conv_transpose(x, w, stride, padding, dilation, output_padding):
    torch = _torch()
    F = torch.nn.functional
    fn = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[x.ndim]
    out = fn(torch.tensor(x, dtype=torch.float64)[None, None], torch.tensor(w, dtype=torch.float64)[None, None],
             stride=stride, padding=padding, dilation=dilation, output_padding=output_padding)
    return out[0, 0].numpy()


def conv_transpose(oracle, x, w, *args):
    return (torch_conv_transpose if oracle == "torch" else ref_conv_transpose)(x, w, *args)


def random_transposed(ndim):
    while True:
        i = tuple(int(v) for v in RNG.integers(1, 5, ndim))
        k = tuple(int(v) for v in RNG.integers(1, 5, ndim))
        s = tuple(int(v) for v in RNG.integers(1, 4, ndim))
        d = tuple(int(v) for v in RNG.integers(1, 3, ndim))
        a = tuple(int(RNG.integers(0, max(sv, dv))) for sv, dv in zip(s, d))
        p = tuple(int(RNG.integers(0, dv * (kv - 1) + 2)) for kv, dv in zip(k, d))
        try:
            return ConvSpec(i, k, stride=s, padding=p, dilation=d, output_padding=a, transposed=True)
        except ValueError:
            continue


# -- scatter ------------------------------------------------------------------------------


@ORACLES
@pytest.mark.parametrize("ndim", [1, 2])
def test_scatter_sums_equal_conv_transpose_on_random_configs(ndim, oracle):
    for _ in range(200 if ndim == 1 else 100):
        spec = random_transposed(ndim)
        x = RNG.integers(-3, 4, spec.input_size)
        w = RNG.integers(-3, 4, spec.kernel_size)
        args = (spec.stride, [p for p, _ in spec.pads], spec.dilation, spec.output_padding)
        got = scatter(spec, x, w)
        ref = conv_transpose(oracle, x, w, *args)
        assert got.shape == spec.output_shape == ref.shape, spec
        np.testing.assert_array_equal(got, ref, err_msg=repr(spec))


def test_scatter_schedule_writes_the_whole_kernel_unrotated_stride_apart():
    spec = ConvSpec((3, 2), (2, 3), stride=(2, 3), dilation=(1, 2), padding=(1, 0), transposed=True)
    steps = scatter_schedule(spec)
    assert [s.source for s in steps] == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    step = steps[3]  # input (1, 1): window starting at (2, 3), taps (1, 2) apart
    assert [wr.kernel for wr in step.writes] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert [wr.cell for wr in step.writes] == [(2, 3), (2, 5), (2, 7), (3, 3), (3, 5), (3, 7)]
    assert [wr.out for wr in step.writes] == [(1, 3), (1, 5), (1, 7), (2, 3), (2, 5), (2, 7)]
    assert region_shape(spec) == (6, 8)  # (i-1)*s + d*(k-1) + 1
    assert kept_slices(spec) == ((1, 5), (0, 8))


def test_scatter_region_counts_the_output_padding_and_crops_padding_at_both_ends():
    spec = ConvSpec((3,), 3, stride=2, padding=1, output_padding=1, transposed=True)
    assert region_shape(spec) == (8,)  # 7 scattered + 1 output_padding
    assert kept_slices(spec) == ((1, 7),)
    assert spec.output_shape == (6,)


def test_finish_steps_is_the_last_input_cell_feeding_each_output():
    for _ in range(60):
        spec = random_transposed(2)
        finish = finish_steps(spec)
        expected = np.full(spec.output_shape, -1)
        for step in scatter_schedule(spec):
            for wr in step.writes:
                if wr.out is not None:
                    expected[wr.out] = max(expected[wr.out], step.index)
        np.testing.assert_array_equal(finish, expected, err_msg=repr(spec))


def test_scatter_rejects_a_direct_convolution():
    with pytest.raises(ValueError, match="transposed=True"):
        scatter_schedule(ConvSpec(5, 3))
    with pytest.raises(ValueError, match=r"^the scatter view draws transposed convolutions"):
        animate(ConvSpec(5, 3), view="scatter")


# -- overlap ------------------------------------------------------------------------------


@ORACLES
@pytest.mark.parametrize("ndim", [1, 2])
def test_overlap_counts_equal_conv_transpose_of_ones(ndim, oracle):
    for _ in range(200):
        spec = random_transposed(ndim)
        args = (spec.stride, [p for p, _ in spec.pads], spec.dilation, spec.output_padding)
        ones_x, ones_w = np.ones(spec.input_size, int), np.ones(spec.kernel_size, int)
        got = overlap_counts(spec)
        np.testing.assert_array_equal(got, conv_transpose(oracle, ones_x, ones_w, *args), err_msg=repr(spec))


def test_overlap_summary_of_kernel_3_stride_2():
    info = overlap_summary(ConvSpec(3, 3, stride=2, padding=1, output_padding=1, transposed=True))
    assert info["axes"][0]["counts"] == [1, 2, 1, 2, 1, 1]
    assert info["axes"][0]["period"] == 2
    assert info["min"] == 1 and info["max"] == 4
    assert info["cells"][1] == [2, 4, 2, 4, 2, 2]


def test_overlap_summary_stays_bounded_for_huge_sizes():
    spec = ConvSpec((10**9,), 5, stride=2, transposed=True)
    info = overlap_summary(spec)
    assert info["axes"][0]["counts"] is None and info["cells"] is None
    # kernel 5 = 2 + 2 + 1: away from the edges 3 and 2 alternate; the first cell gets 1
    assert (info["min"], info["max"], info["axes"][0]["period"]) == (1, 3, 2)


def test_the_uneven_sentence_appears_iff_kernel_is_not_a_multiple_of_stride():
    for _ in range(300):
        ndim = int(RNG.integers(1, 3))
        k = tuple(int(v) for v in RNG.integers(1, 6, ndim))
        s = tuple(int(v) for v in RNG.integers(1, 4, ndim))
        spec = ConvSpec((3,) * ndim, k, stride=s, transposed=True)
        sentence = uneven_sentence(spec)
        assert (sentence is not None) == any(kv % sv for kv, sv in zip(k, s)), spec
        if sentence:
            assert sentence.count(".") == 1 and sentence.endswith(".")


def test_uneven_overlap_matches_the_interior_counts_with_dilation():
    # Large inputs: the interior shows the pattern; uneven iff its counts differ.
    for k, s, d in itertools.product(range(1, 6), range(1, 5), range(1, 4)):
        spec = ConvSpec((12,), k, stride=s, dilation=d, transposed=True)
        ones = ref_conv_transpose(np.ones(12, int), np.ones(k, int), (s,), (0,), (d,), (0,))
        interior = ones[d * (k - 1): 11 * s + 1]
        assert (uneven_sentence(spec) is not None) == (len(set(interior.tolist())) > 1), (k, s, d)


def test_shape_prints_the_overlap_and_the_checkerboard(capsys):
    from convanim.cli import main

    assert main(["shape", "-i", "3", "-k", "3", "-s", "2", "--transposed"]) == 0
    out = capsys.readouterr().out
    assert "overlap (input cells feeding each output cell): 1 to 4" in out
    assert "checkerboard" in out
    assert main(["shape", "-i", "4", "-k", "4", "-s", "2", "-p", "1", "--transposed"]) == 0
    assert "checkerboard" not in capsys.readouterr().out


# -- causal -------------------------------------------------------------------------------


@ORACLES
def test_causal_equals_conv1d_on_the_left_padded_input(oracle):
    for _ in range(200):
        i, k, s, d = (int(v) for v in (RNG.integers(1, 10), RNG.integers(1, 5), RNG.integers(1, 3),
                                        RNG.integers(1, 4)))
        spec = ConvSpec((i,), k, stride=s, dilation=d, padding="causal")
        left = d * (k - 1)
        assert spec.pads == ((left, 0),)
        if s == 1:
            assert spec.output_shape == (i,)
        x, w = RNG.integers(-3, 4, i), RNG.integers(-3, 4, k)
        padded = np.concatenate([np.zeros(left, int), x])
        ref = np.array([sum(padded[o * s + t * d] * w[t] for t in range(k))
                        for o in range((len(padded) - d * (k - 1) - 1) // s + 1)])
        got = Values(x, w).output(spec)
        if oracle == "numpy":
            np.testing.assert_array_equal(got, ref)
        else:
            torch = _torch()
            F = torch.nn.functional
            tx = F.pad(torch.tensor(x, dtype=torch.float64)[None, None], (left, 0))
            want = F.conv1d(tx, torch.tensor(w, dtype=torch.float64)[None, None], stride=s, dilation=d, padding=0)
            np.testing.assert_allclose(got, want[0, 0].numpy())


@pytest.mark.parametrize("kwargs, message", [
    ({"input_size": (5, 5), "kernel_size": 3}, "padding='causal' is for 1-D convolutions (a sequence), got 2 axes"),
    ({"input_size": (5, 5, 5), "kernel_size": 3}, "padding='causal' is for 1-D convolutions (a sequence), got 3 axes"),
    ({"input_size": (5,), "kernel_size": 3, "transposed": True},
     "padding='causal' is not supported with transposed=True; give the padding as numbers"),
])
def test_causal_refusals(kwargs, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        ConvSpec(**kwargs, padding="causal")


def test_causal_bare_sizes_are_1d_and_shape_prints_the_pytorch(capsys):
    from convanim.cli import main

    assert ConvSpec(8, 2, dilation=2, padding="causal").ndim == 1
    assert main(["shape", "-i", "8", "-k", "2", "-d", "2", "-p", "causal"]) == 0
    out = capsys.readouterr().out
    assert "torch.nn.Conv1d(1, 1, kernel_size=2, dilation=2, padding=0)(torch.nn.functional.pad(x, (2, 0)))" in out
    assert main(["shape", "-i", "8x8", "-k", "2", "-p", "causal"]) == 2
    assert capsys.readouterr().err.strip().endswith("got 2 axes")


# -- the views ------------------------------------------------------------------------------


@ORACLES
def test_both_view_final_outputs_agree_with_conv_transpose(oracle):
    for spec in [ConvSpec(3, 3, stride=2, padding=1, output_padding=1, transposed=True),
                 ConvSpec((4,), 3, stride=3, dilation=2, padding=2, output_padding=1, transposed=True),
                 ConvSpec((2, 3), (3, 2), stride=(2, 1), padding=(1, 0), transposed=True)]:
        anim = animate(spec, view="both", values="random", seed=3)
        top, bottom = anim.scene.final_outputs()
        np.testing.assert_array_equal(top, bottom)
        x, w = anim.scene.values.x, anim.scene.values.w
        args = (spec.stride, [p for p, _ in spec.pads], spec.dilation, spec.output_padding)
        np.testing.assert_allclose(top, conv_transpose(oracle, x, w, *args))


def test_frame_counts_of_each_view():
    spec = ConvSpec((3, 2), 3, stride=2, padding=1, transposed=True)
    assert len(animate(spec, view="scatter")) == 6  # one per input cell
    assert len(animate(spec, view="both")) == 6
    assert len(animate(spec, view="overlap")) == 1
    assert len(animate(ConvSpec((5,), 2, stride=2, transposed=True), view="scatter")) == 5
    assert len(animate(ConvSpec((4, 4, 4), 3), layout="flat")) == 8


def _colour(frame, xy):
    x, y = (int(v) for v in xy)
    return tuple(int(v) for v in frame[y, x])


def test_scatter_frame_shows_the_current_window_and_hatched_crop():
    from convanim.themes import THEMES, hex_to_rgb

    spec = ConvSpec(2, 2, stride=2, padding=1, transposed=True)
    anim = animate(spec, view="scatter", values="random", seed=0)
    row = anim.scene.row
    last = anim.array(len(anim) - 1)
    # the corner cell of the region is cropped: greyed, not the background
    assert _colour(last, row.out.center(0, 0)) != hex_to_rgb(THEMES["classic"].background)
    first = anim.array(0)
    # on frame 0 nothing has reached the cell of input (1, 1)'s window yet: background
    x, y = row.out.box(2, 2)[:2]  # kept, fed by input (1, 1) only
    assert _colour(first, (x + 4, y + 4)) == hex_to_rgb(THEMES["classic"].background)


def test_flat_3d_draws_the_kernel_on_consecutive_slices():
    from convanim.themes import THEMES, hex_to_rgb

    theme = THEMES["classic"]
    anim = animate(ConvSpec((4, 4, 4), 3), layout="flat")
    scene = anim.scene
    assert len(scene.inputs) == 4 and len(scene.outputs) == 2
    frame = anim.array(0)  # kernel over slices 0-2, rows and columns 0-2
    def inside(panel, r, c):
        x0, y0, _, _ = panel.box(r, c)
        return x0 + 5, y0 + 5
    shaded = hex_to_rgb(theme.over(theme.input))
    assert _colour(frame, inside(scene.inputs[0], 1, 1)) == shaded
    assert _colour(frame, inside(scene.inputs[2], 2, 2)) == shaded
    assert _colour(frame, inside(scene.inputs[3], 1, 1)) == hex_to_rgb(theme.input)
    assert _colour(frame, inside(scene.inputs[0], 3, 3)) == hex_to_rgb(theme.input)
    last = anim.array(7)  # slices 1-3; outputs 0-6 written
    assert _colour(last, inside(scene.inputs[0], 1, 1)) == hex_to_rgb(theme.input)
    assert _colour(last, inside(scene.inputs[3], 3, 3)) == shaded
    assert _colour(last, inside(scene.outputs[0], 0, 0)) == hex_to_rgb(theme.output)


def test_scatter_symbols_text():
    from convanim.scene.scatter import cell_lines

    assert cell_lines([], "symbols") == []
    assert cell_lines(["x₀₀w₁₁"], "symbols") == ["x₀₀w₁₁"]
    assert cell_lines(["a", "b"], "symbols") == ["a", "+b"]
    assert cell_lines(["a", "b", "c", "d"], "symbols") == ["a", "+3 more"]
    assert cell_lines(["a", "b", "c"], "count") == ["3"]


def test_readme_images_of_this_section_are_what_their_commands_write(tmp_path):
    """Each `convanim render ... -o gallery/...` line of the README writes the committed file, byte for byte."""
    import re
    import shlex
    from pathlib import Path

    from convanim.cli import main

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    lines = sorted(set(re.findall(r"^(convanim render [^\n`]*-o (gallery/(?:transposed/|extended/conv3d)\S+))",
                                  readme, flags=re.M)))
    assert len(lines) >= 5
    for line, target in lines:
        args = shlex.split(line.split("  #")[0])
        args[args.index("-o") + 1] = str(tmp_path / Path(target).name)
        assert main(args[1:]) == 0, line
        assert (tmp_path / Path(target).name).read_bytes() == (root / target).read_bytes(), line


def test_shape_json_has_the_overlap_and_the_package_exports_the_scatter(capsys):
    import json

    import convanim
    from convanim.cli import main

    assert main(["shape", "-i", "3x2", "-k", "3x4", "-s", "2", "--transposed", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["overlap"]["axes"][0]["counts"] == [1, 1, 2, 1, 2, 1, 1]
    assert info["overlap"]["axes"][1]["counts"] == [1, 1, 2, 2, 1, 1]
    assert "height" in info["overlap"]["uneven"] and "width" not in info["overlap"]["uneven"]
    assert convanim.scatter_schedule is scatter_schedule
    assert "overlap_counts" in convanim.__all__


@pytest.mark.parametrize("spec, options, message", [
    (ConvSpec(100, 3, stride=2, transposed=True), {"view": "scatter"},
     "the scatter view draws at most 64 cells per axis, got 203x203"),
    (ConvSpec(40, 3, stride=2, transposed=True), {"view": "overlap"},
     "the overlap view draws at most 64 cells per axis, got 83x83"),
    (ConvSpec((3, 3, 3), 2, transposed=True), {"view": "both"},
     "the both view draws 1-D and 2-D transposed convolutions, got 3 axes"),
    (ConvSpec((50, 4, 4), (50, 3, 3)), {"layout": "flat"},
     "the 3-D flat layout draws at most 48 cells per axis, got 50x4x4"),
])
def test_views_refuse_what_they_cannot_draw_in_one_sentence(spec, options, message):
    with pytest.raises(ValueError, match="^" + message + "$"):
        animate(spec, **options)


def test_overlap_figures_share_one_colour_scale():
    """A count has one colour in every overlap figure (probed at a cell's corner, away from its number)."""
    from convanim.scene.overlap import OverlapScene

    def colour_of(spec, count):
        scene = OverlapScene(spec)
        frame = scene.frame(0)
        rows, cols = scene.counts.shape
        for r in range(rows):
            for c in range(cols):
                if scene.counts[r, c] == count:
                    x0, y0, _, _ = scene.panel.box(r, c)
                    inside = all(lo <= i < hi for i, (lo, hi) in zip((r, c), kept_slices(spec), strict=True))
                    if inside:
                        return tuple(frame[y0 + 4, x0 + 4])
        raise AssertionError(f"no kept cell with count {count}")

    k2 = ConvSpec(3, 2, stride=2, transposed=True)
    k3 = ConvSpec(6, 3, stride=2, transposed=True)
    k4 = ConvSpec(3, 4, stride=2, padding=1, transposed=True)
    assert colour_of(k2, 1) == colour_of(k3, 1)
    assert colour_of(k3, 4) == colour_of(k4, 4) != colour_of(k3, 1)
    assert colour_of(k3, 2) not in (colour_of(k3, 1), colour_of(k3, 4))


def test_checkerboard_preset_is_wide_enough_to_show_the_pattern():
    from convanim.gallery import load_gallery

    _, cases = load_gallery("transposed")
    (case,) = [c for c in cases if c.name == "kernel_3_stride_2_overlap"]
    assert case.spec["input_size"] == 6


@pytest.mark.parametrize("padding, output_padding, drawn, note", [
    (1, 1, (7, 7), "crop 1 at the start, 1 − 1 = 0 at the end: output_padding 1 keeps row and column 6 (output 5)"),
    (2, 1, (7, 7), "crop 2 at the start, 2 − 1 = 1 at the end: output_padding 1 keeps row and column 5 (output 3)"),
    (0, 1, (8, 8), "crop 0 at the start, none at the end: output_padding 1 adds row and column 7 "
                   "(only the bias reaches it)"),
    (1, 0, (7, 7), ""),
])
def test_output_padding_is_drawn_as_what_the_crop_keeps(padding, output_padding, drawn, note):
    """The crop is padding at the start and padding - output_padding at the end; no cropped output_padding row."""
    from convanim.scene.scatter import ScatterScene

    spec = ConvSpec(3, 3, stride=2, padding=padding, output_padding=output_padding, transposed=True)
    row = ScatterScene(spec).row
    assert row.drawn == drawn and row.note == note
    (r0, r1), (c0, c1) = row.kept
    assert (r0, c0) == (padding, padding)  # cropped at the start
    assert drawn[0] - r1 == max(0, padding - output_padding)  # cropped at the end
    assert r1 - r0 == spec.output_shape[0]
    if note:
        assert any(t[2] == note for t in row.titles())


@pytest.mark.parametrize("view, says", [
    ("grid", "(kernel rotated 180°)"), ("scatter", ""), ("overlap", ""),
    ("both", "(kernel as it is in the scatter, rotated 180° in the zero-insertion view)"),
])
def test_gallery_formula_says_how_each_view_draws_the_kernel(tmp_path, view, says):
    """The index pages' formula: the scatter and overlap views use the kernel as it is, the zero-insertion
    views rotate it, ``both`` shows it each way."""
    from convanim.gallery import load_gallery, render_case

    toml = tmp_path / "g.toml"
    toml.write_text(f'[[case]]\nname = "t"\ninput_size = 2\nkernel_size = 2\nstride = 2\ntransposed = true\n'
                    f'view = "{view}"\n')
    _, (case,) = load_gallery(toml)
    formula = render_case(case, str(tmp_path))["formula"]
    assert formula.startswith("o = (2 - 1)*2 - 2*0 + 2 = 4")
    assert formula.endswith(says) and ("rotated" in formula) == bool(says)
