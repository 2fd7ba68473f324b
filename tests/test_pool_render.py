"""Pooling on the command line, in gallery files and drawn: `shape --pool`, `render --pool`, the pool scene."""

from __future__ import annotations

import json

import numpy as np
import pytest

import convanim
from convanim import PoolSpec
from convanim.cli import main
from convanim.gallery import load_gallery, make_spec
from convanim.pool_text import ceil_rule, describe_window, formula
from convanim.scene.base import SceneOptions
from convanim.scene.pool import PoolScene


def test_shape_pool_prints_formula_ceil_rule_and_layer(capsys):
    assert main(["shape", "--pool", "max", "-i", "6", "-k", "3", "-s", "2", "--ceil-mode"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "max pooling: input 6×6 -> output 3×3 (9 windows, drawn grid 7×7)",
        "PyTorch: torch.nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)",
        "every axis:",
        "  o = ceil((6 + 2*0 - 3) / 2) + 1 = 3",
        "  ceil_mode: floor would give 2; the last window starts at 4, before the input ends (4 < 6), so it is "
        "kept, running 1 cell past the padded input",
    ]


def test_shape_pool_json_and_stride_default(capsys):
    assert main(["shape", "--pool", "avg", "-i", "5", "-k", "3", "-p", "1", "--no-count-include-pad", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    # stride defaults to the kernel size: floor((5 + 2 - 3) / 3) + 1 = 2
    assert info["stride"] == [3, 3] and info["output_shape"] == [2, 2]
    assert info["pytorch"] == "torch.nn.AvgPool2d(kernel_size=3, padding=1, count_include_pad=False)"
    # windows start at -1 and 2: input cells 0..1 (2 of them) and 2..4 (3)
    assert info["axes"][0]["divisor_runs"] == [{"windows": [0, 1], "divisors": [2, 3]}]


def test_explain_dispatches_a_pool_spec():
    info = convanim.explain(PoolSpec("max", 6, 3, stride=2, ceil_mode=True))
    assert info["kind"] == "max pooling" and info["output_shape"] == [3, 3] and info["grid_shape"] == [7, 7]


def test_shape_pool_dropped_window_is_explained():
    spec = PoolSpec("avg", (5,), (2,), stride=(3,), padding=(1,), ceil_mode=True)
    assert formula(spec, 0) == ("o = ceil((5 + 2*1 - 2) / 3) + 1 = 3, minus the window that would start in the "
                                "right padding = 2")
    assert ceil_rule(spec, 0) == ("ceil_mode: floor gives 2; an extra window would start at 5, in the right "
                                  "padding (5 >= 5), so PyTorch drops it")
    assert ceil_rule(PoolSpec("max", 5, 3, stride=2, ceil_mode=True), 0) == (
        "ceil_mode: floor gives the same 2 (every window fits the padded input)"
    )
    assert formula(PoolSpec("max", 7, 2, stride=1, dilation=3), 1) == "o = floor((7 + 2*0 - (3*(2-1) + 1)) / 1) + 1 = 4"


def test_pytorch_layer_text_of_the_issue_case():
    torch = pytest.importorskip("torch")
    spec = PoolSpec("max", 6, 3, stride=2, ceil_mode=True)
    layer = eval(spec.pytorch_layer, {"torch": torch})
    assert isinstance(layer, torch.nn.MaxPool2d)
    assert (layer.kernel_size, layer.stride, layer.padding, layer.ceil_mode) == (3, 2, 0, True)
    assert layer(torch.zeros(1, 6, 6)).shape == (1, 3, 3)


@pytest.mark.parametrize("argv, message", [
    (["shape", "-i", "6", "-k", "3", "--ceil-mode"], "--ceil-mode is for pooling: add --pool max or --pool avg"),
    (["shape", "-i", "6", "-k", "3", "--no-count-include-pad"],
     "--count-include-pad/--no-count-include-pad is for pooling: add --pool max or --pool avg"),
    (["shape", "--pool", "max", "-i", "6", "-k", "3", "--transposed"],
     "--transposed is for convolutions, not --pool"),
    (["shape", "--pool", "max", "-i", "6", "-k", "3", "-p", "same"],
     "a pooling's padding is one number or one per axis (both sides alike), got 'same'"),
    (["shape", "--pool", "max", "-i", "6", "-k", "3", "-p", "0,1,0,1"],
     "a pooling's padding is one number or one per axis (both sides alike), got ((0, 1), (0, 1))"),
    (["shape", "--pool", "max", "-k", "3"], "-i/--input-size is required"),
    (["shape", "--pool", "max", "-i", "6", "-k", "3", "--in-channels", "3"],
     "--in-channels is for convolutions, not --pool"),
    (["shape", "--pool", "avg", "-i", "6", "-k", "3", "--compare-separable"],
     "--compare-separable is for convolutions, not --pool"),
    (["render", "--pool", "avg", "-i", "6", "-k", "3", "--bias", "-o", "x.gif"],
     "--bias is for convolutions, not --pool"),
    (["shape", "--pool", "max", "-i", "6", "-k", "3", "-p", "2"],
     "padding must be at most half the kernel size (padding <= kernel_size // 2, as PyTorch checks), got "
     "padding=2 with kernel_size=3"),
    (["render", "--pool", "max", "-i", "6", "-k", "3", "--cell-px", "12", "-o", "x.gif"],
     "cell_px must be a number >= 16 for a pooling (cells hold numbers), got 12"),
    (["render", "--pool", "max", "-i", "6", "-k", "3", "--layout", "flat", "--cell-px", "12", "-o", "x.gif"],
     "cell_px must be an integer >= 16 for a pooling (cells hold numbers), got 12"),
    (["render", "--pool", "max", "-i", "6", "-k", "3", "--view", "matrix", "-o", "x.gif"],
     "a pooling is drawn by the grid or values view, got view='matrix'"),
    (["render", "--pool", "max", "-i", "6", "-k", "3", "--view", "values", "--values", "x.txt", "-o", "x.gif"],
     "values of a pooling must be 'random' or a .npy file, got 'x.txt'"),
    (["render", "--pool", "max", "-i", "6", "-k", "3", "--values", "random", "-o", "x.gif"],
     "--values only applies to --view values, 1d, matrix, scatter or both"),
])
def test_cli_pool_errors_are_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == f"convanim {argv[0]}: error: {message}\n"
    assert not list(tmp_path.iterdir())


def test_render_pool_writes_one_frame_per_window(tmp_path):
    from PIL import Image

    out = tmp_path / "p.gif"
    assert main(["render", "--pool", "max", "-i", "6", "-k", "3", "-s", "2", "--ceil-mode", "-o", str(out)]) == 0
    with Image.open(out) as im:
        assert im.n_frames == 9
    again = tmp_path / "q.gif"
    main(["render", "--pool", "max", "-i", "6", "-k", "3", "-s", "2", "--ceil-mode", "-o", str(again)])
    assert out.read_bytes() == again.read_bytes()


def test_classic_layout_draws_the_same_numbers_and_lines():
    from convanim.scene.pool_classic import PoolClassicScene

    x = np.arange(36).reshape(6, 6)
    spec = PoolSpec("max", 6, 3, stride=2, ceil_mode=True)
    classic, flat = PoolClassicScene(spec, values=x), PoolScene(spec, values=x)
    assert len(classic) == len(flat) == 9
    assert classic._lines_of == flat._lines_of
    np.testing.assert_array_equal(classic.output, flat.output)
    frames = [classic.frame(k) for k in range(9)]
    assert all(f.shape == (classic.size[1], classic.size[0], 3) for f in frames)
    assert len({f.tobytes() for f in frames}) == 9
    anim = convanim.animate(spec)  # the default layout, classic
    assert isinstance(anim.scene, PoolClassicScene) and len(anim) == 9


def test_render_pool_with_values_file(tmp_path):
    x = np.arange(25, dtype=float).reshape(5, 5)
    np.save(tmp_path / "x.npy", x)
    anim = convanim.animate(PoolSpec("avg", 5, 2, ceil_mode=True), view="values", values=str(tmp_path / "x.npy"))
    assert len(anim) == 9
    np.testing.assert_array_equal(anim.scene.values, x)
    # the last window holds only x[4, 4] = 24; with count_include_pad it still divides by 1 (clipped to the input)
    assert anim.scene.output[2, 2] == 24.0
    with pytest.raises(ValueError, match=r"input must have shape \(5, 5\), got \(4, 4\)"):
        np.save(tmp_path / "y.npy", np.zeros((4, 4)))
        convanim.animate(PoolSpec("avg", 5, 2), view="values", values=str(tmp_path / "y.npy"))


def test_scene_lines_and_winner_of_the_issue_case():
    x = np.arange(36).reshape(6, 6)
    scene = PoolScene(PoolSpec("max", 6, 3, stride=2, ceil_mode=True), values=x)
    assert len(scene) == 9
    assert scene._lines_of[0] == ["out[0, 0] = max of its 9 input cells = 14, at input [2, 2] (return_indices: 14)"]
    assert scene._lines_of[8] == [
        "out[2, 2] = max of its 4 input cells = 35, at input [5, 5] (return_indices: 35)",
        "ceil_mode keeps this window: it starts before the input ends but runs 1 cell past the padded input "
        "(floor would drop it)",
    ]
    tie = PoolScene(PoolSpec("max", (4,), (2,)), values=np.array([3, 3, 1, 2]))
    assert tie._lines_of[0][1] == "3 appears more than once: the first in the window wins"
    # every frame differs from the first and has the scene's size
    first = scene.frame(0)
    assert first.shape == (scene.size[1], scene.size[0], 3)
    assert all(not np.array_equal(first, scene.frame(k)) for k in range(1, 9))


def test_scene_shows_the_winner_ring_on_the_argmax_cell():
    """The accent ring's centre pixel row/col lies in the winning input cell."""
    x = np.zeros((4, 4), int)
    x[1, 0] = 5  # window (0, 0) wins at [1, 0]
    spec = PoolSpec("max", 4, 2)
    scene = PoolScene(spec, values=x)
    scene.update(0)
    x0, y0, w, h = scene._ring.get_bbox().bounds
    cx, cy = scene._corner("input", 1, 0)
    assert cx < x0 + w / 2 < cx + scene.cell_px and cy < y0 + h / 2 < cy + scene.cell_px


def test_describe_window_avg_divisor():
    spec = PoolSpec("avg", 4, 3, stride=2, padding=1, count_include_pad=False)
    step = convanim.schedule(spec)[0]
    assert describe_window(spec, step, [1, 2, 3, 4], 2.5, None) == "out[0, 0] = 10 ÷ 4 = 2.5"


def test_scene_errors():
    with pytest.raises(ValueError, match="^a pooling is drawn one channel at a time"):
        PoolScene(PoolSpec("max", 4, 2, channels=2), values=np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"^a pooling is drawn in 1-D and 2-D, got 3 axes$"):
        PoolScene(PoolSpec("max", (4, 4, 4), 2), values=np.zeros((4, 4, 4)))
    with pytest.raises(ValueError, match=r"^values must have the input's shape \(4, 4\), got \(3, 3\)$"):
        PoolScene(PoolSpec("max", 4, 2), values=np.zeros((3, 3)))


def test_gallery_pool_keys(tmp_path):
    src = tmp_path / "g.toml"
    src.write_text('[[case]]\nname = "p"\npool = "max"\ninput_size = 6\nkernel_size = 3\nstride = 2\n'
                   'ceil_mode = true\nlayout = "flat"\n', encoding="utf-8")
    _, cases = load_gallery(src)
    assert make_spec(cases[0].spec) == PoolSpec("max", 6, 3, stride=2, ceil_mode=True)
    src.write_text('[[case]]\nname = "p"\ninput_size = 6\nkernel_size = 3\nceil_mode = true\n', encoding="utf-8")
    with pytest.raises(ValueError, match='^g.toml: case "p": ceil_mode is for pooling: add pool = "max" or '
                                         'pool = "avg"$'):
        load_gallery(src)
    src.write_text('[[case]]\nname = "p"\npool = "avg"\ninput_size = 6\nkernel_size = 3\ntransposed = true\n',
                   encoding="utf-8")
    with pytest.raises(ValueError, match="^g.toml: case \"p\": transposed is for convolutions, not for pool = 'avg'$"):
        load_gallery(src)


def test_layers_preset_pool_cases():
    _, cases = load_gallery("layers")
    pools = {c.name: make_spec(c.spec) for c in cases if "pool" in c.spec}
    assert pools["maxpool_3x3_stride_2_ceil_mode"] == PoolSpec("max", 6, 3, stride=2, ceil_mode=True)
    assert pools["maxpool_2x2_stride_2"].output_shape == (2, 2)
    avg = pools["avgpool_3x3_stride_2_padding_1_no_count_pad"]
    assert not avg.count_include_pad and avg.padding == (1, 1)


def test_readme_pooling_images_are_what_their_commands_render(tmp_path, monkeypatch):
    import re
    import shlex
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    section = (root / "README.md").read_text(encoding="utf-8").split("### Pooling", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"(convanim render --pool [^`\n]+)", section)
    images = set(re.findall(r"!\[[^\]]*\]\((gallery/layers/[^)]+\.gif)\)", section))
    assert len(commands) == 3 and len(images) == 3
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gallery" / "layers").mkdir(parents=True)
    for command in commands:
        args = shlex.split(command)[1:]
        image = args[args.index("-o") + 1]
        assert image in images
        assert main(args) == 0
        assert (tmp_path / image).read_bytes() == (root / image).read_bytes(), command


@pytest.mark.parametrize("include", [False, True])
def test_average_pooling_shows_the_divisor_beside_the_other_count_include_pad(include):
    """÷ 4 against ÷ 9 at a corner; one divisor where the window holds no padding (numpy reference)."""
    x = np.arange(25).reshape(5, 5)
    spec = PoolSpec("avg", 5, 3, stride=2, padding=1, count_include_pad=include)
    scene = PoolScene(spec, values=x)
    corner, inside = scene._lines_of[0][1], scene._lines_of[4][1]
    used, other = (9, 4) if include else (4, 9)
    window = x[0:2, 0:2].sum()  # out[0, 0] reads input rows and columns 0..1; the rest is padding
    assert corner.startswith(f"÷ {used}: ")
    assert f"{'False' if include else 'True'} would give {window} ÷ {other} = " in corner
    assert corner.endswith(f"{window / other:.3g}".rstrip("0").rstrip("."))
    assert inside.startswith("÷ 9 either way")


def test_max_pool_says_the_ceil_mode_rule_once():
    x = np.arange(36).reshape(6, 6)
    spec = PoolSpec("max", 6, 3, stride=2, ceil_mode=True)
    with_caption = PoolScene(spec, SceneOptions(caption=True), values=x)
    lines = [ln for k in (8,) for ln in with_caption._lines_of[k]] + [ceil_rule(spec, 0)]
    assert sum("floor" in ln for ln in lines) == 1  # the caption's rule; the window only points to it
    assert with_caption._lines_of[8][1] == "ceil_mode keeps this window (the rule is below)"


@pytest.mark.parametrize("spec", [PoolSpec("max", (5, 5), 3, stride=2, ceil_mode=True),
                                  PoolSpec("max", (6, 6), 2), PoolSpec("avg", (5, 5), 3, stride=2, padding=1)])
def test_classic_pooling_rays_never_cross_the_input_grid(spec):
    """The rays run from where they leave the input grid to the output cell: none crosses a number on the way
    (they used to strike the digits between the window and the output)."""
    anim = convanim.animate(spec)
    scene = anim.scene
    rows, cols = scene._grid
    for k in range(len(anim)):
        scene.update(k)
        segments = scene._rays.get_segments()
        assert len(segments) == 4
        for seg in segments:
            a, b = np.asarray(seg) - scene._in_to_out  # input coordinates
            for t in np.linspace(0, 1, 21)[1:]:  # past its start, every point is off the grid's inside
                x, y = a + t * (b - a)
                assert not (1e-6 < x < cols - 1e-6 and 1e-6 < y < rows - 1e-6), (k, seg)
            assert min(abs(a[0]), abs(a[0] - cols), abs(a[1]), abs(a[1] - rows)) < 1e-6  # starts on its edge
