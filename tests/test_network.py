"""Network: shapes against torch.nn.Sequential, exact receptive fields against autograd, summary recurrences.

The checks against torch are marked torch (skipped, and counted, without it); the rest runs everywhere.
"""

import json
import random
import re

import numpy as np
import pytest

from convanim import ConvSpec, Network, from_torch, receptive_field
from convanim.netpages import summary_text
from convanim.network import load_network, receptive_fields
from convanim.pool import PoolSpec

try:  # the cross-checks below are marked torch: skipped (and counted) where torch is not installed
    import torch
except ImportError:
    torch = nn = None
else:
    nn = torch.nn
    torch.set_num_threads(1)


# -- random stacks -------------------------------------------------------------

def _tup(values):
    return str(values[0]) if len(values) == 1 or len(set(values)) == 1 else str(tuple(values))


def random_layer(rng, ndim, channels, allow_transposed=True, allow_padding=True, allow_ceil=True):
    """(text, oracle text) of one random layer; the oracle replaces max pooling by a positive linear map."""
    def axes(lo, hi):
        return [rng.randint(lo, hi) for _ in range(ndim)]

    kind = rng.choice(["conv", "conv", "conv", "max", "avg"] + (["transposed"] if allow_transposed else []))
    n = f"{ndim}d"
    if kind in ("conv", "transposed"):
        out = rng.choice([1, 2])
        groups = rng.choice([g for g in (1, 2) if channels % g == 0 and out % g == 0])
        k, s, d = axes(1, 4), axes(1, 3 if kind == "conv" else 2), axes(1, 3)
        p = axes(0, 2) if allow_padding else [0] * ndim
        if kind == "conv":
            padding = "'same'" if allow_padding and rng.random() < 0.15 and all(x == 1 for x in s) else _tup(p)
            text = f"nn.Conv{n}({channels}, {out}, {_tup(k)}, stride={_tup(s)}, padding={padding}, " \
                   f"dilation={_tup(d)}, groups={groups})"
        else:
            op = [rng.randint(0, max(a, b) - 1) for a, b in zip(s, d)]
            text = f"nn.ConvTranspose{n}({channels}, {out}, {_tup(k)}, stride={_tup(s)}, padding={_tup(p)}, " \
                   f"output_padding={_tup(op)}, groups={groups}, dilation={_tup(d)})"
        return text, text, out
    k = axes(1, 3)
    s = axes(1, 3)
    p = [rng.randint(0, kk // 2) if allow_padding else 0 for kk in k]
    ceil = allow_ceil and rng.random() < 0.4
    if kind == "max":
        d = axes(1, 2) if not ceil else [1] * ndim
        text = f"nn.MaxPool{n}({_tup(k)}, stride={_tup(s)}, padding={_tup(p)}, dilation={_tup(d)}, ceil_mode={ceil})"
        if ceil:  # avg pooling with the same window reads the same cells (max pooling's gradient picks one)
            oracle = f"nn.AvgPool{n}({_tup(k)}, stride={_tup(s)}, padding={_tup(p)}, ceil_mode=True)"
        else:  # a depthwise all-ones convolution with the same window, also dilated
            oracle = f"nn.Conv{n}({channels}, {channels}, {_tup(k)}, stride={_tup(s)}, padding={_tup(p)}, " \
                     f"dilation={_tup(d)}, groups={channels})"
        return text, oracle, channels
    cip = rng.random() < 0.5
    text = f"nn.AvgPool{n}({_tup(k)}, stride={_tup(s)}, padding={_tup(p)}, ceil_mode={ceil}, " \
           f"count_include_pad={cip})"
    return text, text, channels


def random_stack(rng, ndim, **kw):
    """(input size, layer texts, oracle texts) of a valid random stack."""
    while True:
        size = tuple(rng.randint(4, {1: 40, 2: 14, 3: 7}[ndim]) for _ in range(ndim))
        channels = first = rng.choice([1, 2])
        texts, oracles = [], []
        for _ in range(rng.randint(1, 4)):
            text, oracle, channels = random_layer(rng, ndim, channels, **kw)
            texts.append(text)
            oracles.append(oracle)
        if first != 1 and not any("Conv" in t for t in texts):
            continue  # only a convolution names the input channels
        try:
            return size, texts, oracles, Network(size, texts)
        except ValueError:
            continue  # too small somewhere: draw again


def torch_model(texts):
    model = nn.Sequential(*(eval(t, {"nn": nn}) for t in texts)).double()  # the oracle: PyTorch builds it
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(1.0)
    return model


def autograd_field(model, channels, size, out_index):
    """Input cells with a nonzero gradient of one output cell: all weights and inputs positive, nothing cancels."""
    x = torch.ones(1, channels, *size, dtype=torch.float64, requires_grad=True)
    y = model(x)
    y[(0, 0, *out_index)].backward()
    return (x.grad[0].abs().sum(0) > 0).numpy()


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("ndim", [1, 2])
def test_shapes_match_torch_sequential(ndim):
    rng = random.Random(ndim)
    for _ in range(150):
        size, texts, _, net = random_stack(rng, ndim)
        x = torch.zeros(1, net.in_channels, *size)
        shapes = [tuple(x.shape[1:])]
        for layer in torch_model(texts).float():
            x = layer(x)
            shapes.append(tuple(x.shape[1:]))
        assert net.shapes == shapes, texts


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize(("ndim", "count"), [(1, 400), (2, 400), (3, 100)])
def test_receptive_fields_match_autograd(ndim, count):
    rng = random.Random(100 + ndim)
    holes = 0
    for _ in range(count):
        size, texts, oracles, net = random_stack(rng, ndim)
        out_shape = net.output_shape[1:]
        out = tuple(rng.randrange(o) for o in out_shape)
        expected = autograd_field(torch_model(oracles), net.in_channels, size, out)
        got = receptive_field(net, out)
        assert got.dtype == bool and got.shape == size
        assert np.array_equal(got, expected), (size, texts, out)
        where = np.nonzero(got)
        box = np.prod([w.max() - w.min() + 1 for w in where]) if got.any() else 0
        holes += box > got.sum()
    assert holes > count // 20  # the random stacks do leave holes (dilation, stride > kernel)


def full_schedule_walk(net, out):
    """The field found by walking every layer's whole n-D schedule (no per-axis shortcut)."""
    from convanim import schedule

    current = np.zeros(net.output_shape[1:], bool)
    current[out] = True
    for spec in reversed(net.layers):
        steps = schedule(spec)
        grid = np.zeros(spec.input_size, bool)
        for flat in np.flatnonzero(current):
            for tap in steps[flat].taps:
                if tap.source is not None:
                    grid[tap.source] = True
        current = grid
    return current


def test_per_axis_fields_equal_the_whole_schedule_walk():
    rng = random.Random(5)
    for ndim, count in ((2, 60), (3, 15)):
        for _ in range(count):
            size, texts, _, net = random_stack(rng, ndim)
            out = tuple(rng.randrange(o) for o in net.output_shape[1:])
            assert np.array_equal(receptive_field(net, out), full_schedule_walk(net, out)), (size, texts, out)


def test_default_cell_is_the_centre_and_negative_indices_count_from_the_end():
    net = Network(16, "nn.Conv1d(1,1,2); nn.Conv1d(1,1,2,dilation=2); nn.Conv1d(1,1,2,dilation=4)")
    assert net.output_shape == (1, 9)
    assert np.array_equal(receptive_field(net), receptive_field(net, 4))
    assert np.array_equal(np.flatnonzero(receptive_field(net, -1)), np.arange(8, 16))
    masks = receptive_fields(net, -1)
    assert [int(m.sum()) for m in masks] == [8, 4, 2, 1]
    with pytest.raises(ValueError, match=r"^output_index 9 is outside the 9 output of the last layer$"):
        receptive_field(net, 9)
    with pytest.raises(ValueError, match=r"^output_index must be 1 int \(a cell of the 9 output\), got \(1, 1\)$"):
        receptive_field(net, (1, 1))


def test_a_cell_reading_only_padding_has_an_empty_field():
    net = Network(6, "nn.Conv1d(1, 1, 1, padding=2)")
    assert not receptive_field(net, 0).any() and receptive_field(net, 2).tolist() == [1, 0, 0, 0, 0, 0]
    info = net.summary(0)
    assert info["receptive_field"]["cells"] == 0 and info["receptive_field"]["first"] is None
    assert summary_text(info).endswith("receptive field of output cell 0: empty (its windows read only padding)")


def test_holes_are_holes():
    # stride 3 over a 2-wide kernel skips every third input cell; dilation 2 after it skips more
    net = Network(20, "nn.Conv1d(1, 1, 2, stride=3); nn.Conv1d(1, 1, 2, dilation=2)")
    assert np.flatnonzero(receptive_field(net, 0)).tolist() == [0, 1, 6, 7]


# -- summary numbers against the closed-form recurrences -------------------------

def closed_form(net_layers, ndim):
    """Araujo et al.'s recurrences, written here independently: per layer (r, j, start) per axis."""
    r, j, start = [1.0] * ndim, [1.0] * ndim, [0.0] * ndim
    rows = []
    for spec in net_layers:
        if isinstance(spec, PoolSpec):
            ks, ss, ps, ds = spec.kernel_size, spec.stride, spec.padding, spec.dilation
        else:
            ks, ss, ps, ds = spec.kernel_size, spec.stride, [lo for lo, _ in spec.pads], spec.dilation
        for a in range(ndim):
            keff = ds[a] * (ks[a] - 1) + 1
            r[a] = r[a] + (keff - 1) * j[a]
            start[a] = start[a] + ((keff - 1) / 2 - ps[a]) * j[a]
            j[a] = j[a] * ss[a]
        rows.append((list(r), list(j), list(start)))
    return rows


@pytest.mark.parametrize("ndim", [1, 2])
def test_summary_matches_closed_form_and_the_exact_field(ndim):
    rng = random.Random(7 + ndim)
    for _ in range(120):
        padding = rng.random() < 0.5
        size, texts, _, net = random_stack(rng, ndim, allow_transposed=False, allow_padding=padding,
                                           allow_ceil=False)
        info = net.summary()
        for row, (r, j, start) in zip(info["layers"], closed_form(net.layers, ndim)):
            assert row["receptive_field"] == r and row["jump"] == j and row["start"] == start
        if padding:
            continue
        # without padding every field is whole: output cell o covers start + o*j -+ (r-1)/2 on the input
        r, j, start = closed_form(net.layers, ndim)[-1]
        out_shape = net.output_shape[1:]
        for out in {tuple(0 for _ in out_shape), tuple(o - 1 for o in out_shape)}:
            field = receptive_field(net, out)
            for a, w in enumerate(np.nonzero(field)):
                centre = start[a] + out[a] * j[a]
                assert w.min() == centre - (r[a] - 1) / 2 and w.max() == centre + (r[a] - 1) / 2, texts


def test_transposed_layers_get_a_fractional_jump_and_no_size():
    net = Network(8, "nn.Conv2d(1, 1, 3, stride=2); nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1)")
    rows = net.summary()["layers"]
    assert rows[1]["receptive_field"] is None and rows[1]["jump"] == [1, 1] and rows[1]["start"] == [1, 1]
    net = Network(8, "nn.ConvTranspose1d(1, 1, 4, stride=2, padding=1)")
    assert net.summary()["layers"][0]["jump"] == [0.5] and net.summary()["layers"][0]["start"] == [-0.25]
    assert "varies from cell to cell" in summary_text(net.summary())


# -- building networks ------------------------------------------------------------

def test_channels_and_sizes_flow_through_and_mismatches_are_named():
    net = Network((32, 32), ["nn.Conv2d(3, 8, 3, padding=1)", "nn.MaxPool2d(2)", "nn.Conv2d(8, 16, 3, stride=2)"])
    assert net.shapes == [(3, 32, 32), (8, 32, 32), (8, 16, 16), (16, 7, 7)]
    info = net.summary()
    assert info["total_parameters"] == (3 * 8 * 9 + 8) + (8 * 16 * 9 + 16)
    assert [r["macs"] for r in info["layers"]] == [32 * 32 * 8 * 3 * 9, 0, 7 * 7 * 16 * 8 * 9]
    with pytest.raises(ValueError) as err:
        Network(32, "nn.Conv2d(3, 8, 3); nn.MaxPool2d(2); nn.Conv2d(4, 8, 3)")
    assert str(err.value) == "layer 3 nn.Conv2d(4, 8, 3): in_channels=4 but layer 2 nn.MaxPool2d(2) gives 8 channels"
    with pytest.raises(ValueError) as err:
        Network(8, "nn.Conv2d(1, 1, 3); nn.Conv2d(1, 1, 3, dilation=3)")
    assert str(err.value) == ("layer 2 nn.Conv2d(1, 1, 3, dilation=3): its input is 6×6 (layer 1 nn.Conv2d(1, 1, 3)) "
                              "and kernel_size=(3, 3) with dilation=(3, 3) spans 7x7 cells but the padded input is 6x6")
    with pytest.raises(ValueError) as err:
        Network(8, "nn.Conv1d(1, 1, 3); nn.Conv2d(1, 1, 3)")
    assert str(err.value) == "layer 2 nn.Conv2d(1, 1, 3): has 2 spatial axes but layer 1 nn.Conv1d(1, 1, 3) is 6"
    with pytest.raises(ValueError, match=r"^layer 2: nn.Conv2d: unknown keyword 'strides'$"):
        Network(8, "nn.Conv2d(1, 1, 3); nn.Conv2d(1, 1, 3, strides=2)")
    with pytest.raises(ValueError, match=r"^layer 1 nn.Conv2d\(1, 1, 9\): kernel_size=\(9, 9\) spans 9x9 cells"):
        Network(8, "nn.Conv2d(1, 1, 9)")
    with pytest.raises(ValueError, match=r"^a network needs at least one layer$"):
        Network(8, " ; ")


def test_specs_get_their_input_from_the_previous_layer():
    net = Network(None, [ConvSpec(12, 3, stride=2), ConvSpec(99, 3), PoolSpec("max", 1, 1)])
    assert net.shapes == [(1, 12, 12), (1, 5, 5), (1, 3, 3), (1, 3, 3)]
    assert net.names == ("nn.Conv2d(1, 1, 3, stride=2, bias=False)", "nn.Conv2d(1, 1, 3, bias=False)",
                         "nn.MaxPool2d(1)")


@pytest.mark.torch
def test_from_torch_sequential():
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Sequential(nn.Conv2d(8, 8, 3, groups=8, bias=False), nn.BatchNorm2d(8))[:1])
    net = from_torch(model, 16)
    assert net.names == ("nn.Conv2d(3, 8, 3, padding=1)", "nn.MaxPool2d(2)", "nn.Conv2d(8, 8, 3, groups=8, bias=False)")
    assert net.output_shape == tuple(model(torch.zeros(1, 3, 16, 16)).shape[1:])
    assert net.summary()["total_parameters"] == sum(p.numel() for p in model.parameters())


def test_network_file(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text('title = "t"\ninput_size = [16, 12]\n[[layer]]\nlayer = "nn.Conv2d(1, 2, 3)"\n'
                    '[[layer]]\npool = "max"\nkernel_size = 2\n[[layer]]\nkernel_size = 3\ndilation = 2\n'
                    'in_channels = 2\nout_channels = 2\ngroups = 2\n')
    title, net = load_network(path)
    assert title == "t" and net.shapes == [(1, 16, 12), (2, 14, 10), (2, 7, 5), (2, 3, 1)]
    assert load_network(path, 20)[1].shapes[-1] == (2, 5, 5)
    path.write_text('input_size = 8\n[[layer]]\nlayer = "nn.Conv2d(1, 1, 3)"\nstride = 2\n')
    with pytest.raises(ValueError, match=r"^net.toml: layer 1: give either layer = \"...\" or spec keys, got layer "
                                         r"and 'stride'$"):
        load_network(path)
    path.write_text('input_size = 8\n[[layer]]\nkernel_size = 3\nstrides = 2\n')
    with pytest.raises(ValueError, match=r"^net.toml: layer 1: unknown key 'strides'$"):
        load_network(path)


# -- the command -------------------------------------------------------------------

DONE_WHEN = "nn.Conv2d(1,1,3); nn.Conv2d(1,1,3,stride=2); nn.Conv2d(1,1,3,dilation=2)"


def run(capsys, *args):
    """``convanim ARGS`` in this process: (status, stdout, stderr)."""
    from convanim.cli import main

    capsys.readouterr()
    try:
        status = main(list(args))
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def test_network_command_prints_the_summary_and_json(capsys):
    status, out, err = run(capsys, "network", "--layers", DONE_WHEN, "-i", "32")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[4].split() == ["1", "nn.Conv2d(1,", "1,", "3)", "(1,", "30,", "30)", "10", "8,100", "3", "1", "1"]
    assert lines[-1] == "receptive field of output cell (5, 5): 13×13 (169 cells), input rows 10..22, columns 10..22"
    status, out, err = run(capsys, "network", "--layers", DONE_WHEN, "-i", "32", "--json", "--cell", "0,0")
    info = json.loads(out)
    assert info["total_parameters"] == 30 and info["total_macs"] == 8100 + 1764 + 900
    assert info["receptive_field"] == {"output_cell": [0, 0], "cells": 169, "size": [13, 13], "first": [0, 0],
                                       "last": [12, 12], "holes": 0, "per_layer": [169, 81, 9, 1]}
    for args, message in [
        (["--layers", DONE_WHEN], "convanim network: error: -i/--input-size is required with --layers"),
        (["--layers", "nn.Conv2d(1,1,3); nn.Linear(2, 2)", "-i", "8"],
         "convanim network: error: layer 2: nn.Linear is not a layer convanim draws; it draws Conv1d/2d/3d, "
         "ConvTranspose1d/2d/3d, MaxPool1d/2d/3d and AvgPool1d/2d/3d"),
        (["--layers", "nn.Conv2d(1,1,3)", "-i", "8", "--cell", "9,0"],
         "convanim network: error: output_index (9, 0) is outside the 6×6 output of the last layer"),
        (["net.toml", "--layers", DONE_WHEN, "-i", "8"],
         'convanim network: error: network needs --layers "nn.Conv2d(...); ..." or a preset or FILE.toml, not both'),
    ]:
        status, out, err = run(capsys, "network", *args)
        assert status == 2 and out == "" and err.strip() == message


def test_network_command_writes_a_folder(capsys, tmp_path):
    layers = "nn.Conv2d(1,1,3); nn.MaxPool2d(2); nn.Conv2d(1,1,3,stride=2)"
    status, out, err = run(capsys, "network", "--layers", layers,
                           "-i", "8", "-o", str(tmp_path / "net"))
    assert status == 0, err
    files = sorted(p.name for p in (tmp_path / "net").iterdir())
    assert "01_conv2d_k3.gif" in files and "03_conv2d_k3_s2.gif" in files
    assert {"receptive_field.gif", "README.md", "index.html"} <= set(files)
    readme = (tmp_path / "net" / "README.md").read_text()
    assert out.strip() in readme and "(receptive_field.gif)" in readme
    from PIL import Image

    with Image.open(tmp_path / "net" / "receptive_field.gif") as im:
        assert im.n_frames == 4


def test_layer_flag_on_shape_and_render(capsys, tmp_path):
    status, out, err = run(capsys, "shape", "--layer", "nn.Conv2d(64, 128, 3, stride=2, padding=1)", "-i", "32",
                           "--json")
    assert status == 0, err
    assert json.loads(out)["output_shape"] == [16, 16]
    status, out, err = run(capsys, "shape", "--layer", "nn.Conv2d(1, 1, 3)", "-i", "8", "-s", "2")
    assert status == 2 and err.strip() == "convanim shape: error: --layer gives the whole layer: leave out -s/--stride"
    status, out, err = run(capsys, "shape", "--layer", "nn.Conv2d(1, 1, 3)")
    assert status == 2 and err.strip() == \
        "convanim shape: error: -i/--input-size is required with --layer (the spatial size of the layer's input)"
    status, out, err = run(capsys, "render", "--layer", "nn.Conv2d(1, 1, 3, stride=2, padding=1)", "-i", "5",
                           "-o", str(tmp_path / "x.gif"))
    assert status == 0, err
    assert (tmp_path / "x.gif").stat().st_size > 1000
    status, out, err = run(capsys, "shape", "--layer", "nn.MaxPool2d(3, stride=2, ceil_mode=True)", "-i", "6")
    assert status == 0 and out.startswith("max pooling: input 6×6 -> output 3×3"), err
    status, out, err = run(capsys, "render", "--layer", "nn.AvgPool2d(2)", "-i", "4", "-o", str(tmp_path / "p.gif"))
    assert status == 0 and (tmp_path / "p.gif").is_file(), err


def test_gallery_files_take_a_layer(tmp_path):
    from convanim.gallery import load_gallery, make_spec

    path = tmp_path / "g.toml"
    path.write_text('[[case]]\nname = "a"\ninput_size = 5\nlayer = "nn.Conv2d(1, 1, 3, stride=2, padding=1)"\n')
    (case,) = load_gallery(path)[1]
    assert ConvSpec(**case.spec) == ConvSpec(5, 3, stride=2, padding=1, bias=True)
    path.write_text('[[case]]\nname = "a"\ninput_size = 6\nlayer = "nn.MaxPool2d(3, stride=2, ceil_mode=True)"\n')
    (case,) = load_gallery(path)[1]
    assert make_spec(case.spec) == PoolSpec("max", 6, 3, stride=2, ceil_mode=True)
    path.write_text('[[case]]\nname = "a"\ninput_size = 5\nstride = 2\nlayer = "nn.Conv2d(1, 1, 3)"\n')
    with pytest.raises(ValueError, match=r'^g.toml: case "a": layer gives the whole layer: leave out \'stride\'$'):
        load_gallery(path)
    path.write_text('[[case]]\nname = "a"\ninput_size = 5\nlayer = "nn.Conv2d(1, 1, 3, strides=2)"\n')
    with pytest.raises(ValueError, match=r'^g.toml: case "a": nn.Conv2d: unknown keyword \'strides\'$'):
        load_gallery(path)


@pytest.mark.parametrize("name", ["wavenet", "three_3x3", "one_7x7"])
def test_committed_network_presets_are_fresh(name, tmp_path):
    from pathlib import Path

    from convanim.gallery import rendered_by
    from convanim.netpages import RF_FILE, animate_receptive

    folder = Path(__file__).resolve().parent.parent / "gallery" / "networks" / name
    if f"Rendered by {rendered_by()}." not in (folder / "README.md").read_text(encoding="utf-8"):
        pytest.skip(f"gallery/networks/{name} was rendered with other library versions than {rendered_by()}")
    net = load_network(name)[1]
    animate_receptive(net).save(tmp_path / RF_FILE)
    assert (tmp_path / RF_FILE).read_bytes() == (folder / RF_FILE).read_bytes(), \
        f"re-run: convanim network {name} -o gallery/networks/{name}"
    assert summary_text(net.summary()) in (folder / "README.md").read_text(encoding="utf-8")


def test_per_axis_values_when_the_axes_differ():
    net = Network((16, 12), "nn.Conv2d(1, 1, (3, 5), stride=(1, 2), bias=False); nn.Conv2d(1, 1, 2, bias=False)")
    lines = summary_text(net.summary()).splitlines()
    assert lines[4].split()[-3:] == ["3×5", "1×2", "1×2"]
    assert lines[5].split()[-3:] == ["4×7", "1×2", "1.5×3"]
    assert lines[-1] == "receptive field of output cell (6, 1): 4×7 (28 cells), input rows 6..9, columns 2..8"


def test_network_pages_never_overwrite_a_readme_convanim_did_not_write(tmp_path):
    from convanim.netpages import write_network

    (tmp_path / "README.md").write_text("# my project\n")
    with pytest.raises(ValueError, match=r"^not replacing '.*README.md': convanim did not write it"):
        write_network(Network(5, "nn.Conv2d(1, 1, 3)"), tmp_path)
    assert (tmp_path / "README.md").read_text() == "# my project\n" and len(list(tmp_path.iterdir())) == 1


def test_receptive_field_figure_names_each_grid_the_stack_and_its_parameters():
    """Headers ``layer 1 output 7×7``; the stack's parameters in every caption (27 against 49); alt text naming
    every layer; a field with holes says what its second number counts."""
    from convanim.netfile import load_network, network_path
    from convanim.netpages import animate_receptive
    from convanim.scene.base import text_sizes

    _, three = load_network(network_path("three_3x3"))
    _, one = load_network(network_path("one_7x7"))
    a, b = animate_receptive(three), animate_receptive(one)
    texts = [t for t, _ in text_sizes(a.scene, 0)]
    assert {"input 9×9", "layer 1 output 9×9", "layer 2 output 9×9", "layer 3 output 9×9"} <= set(texts)
    assert not [t for t in texts if re.fullmatch(r"\d+ \d+×\d+", t)]
    assert all(a.scene.caption_text(k).endswith("; 27 parameters in the stack") for k in range(len(a)))
    assert all(b.scene.caption_text(k).endswith("; 49 parameters in the stack") for k in range(len(b)))
    assert a.alt.count("nn.Conv2d(1, 1, 3, padding=1, bias=False)") == 3
    _, wavenet = load_network(network_path("wavenet"))
    w = animate_receptive(wavenet)
    w.scene.update(len(w) - 1)
    counts = [t.get_text() for t in w.scene.counts if t.get_text()]
    assert "2 of the 9 cells it spans" in counts
    assert "dilation=8" in w.alt and "dilation=2" in w.alt


def test_network_readme_table_fills_the_output_size_and_shows_no_python_reprs(tmp_path):
    from convanim.netfile import load_network, network_path
    from convanim.netpages import write_network

    _, net = load_network(network_path("wavenet"))
    write_network(net, tmp_path)
    rows = [line for line in (tmp_path / "README.md").read_text().splitlines() if line.startswith("| ![")]
    assert len(rows) == 5
    for row in rows:
        params, size = [c.strip() for c in row.split(" | ")[-2:]]
        assert size.rstrip(" |") == "`16 cells (1 channel)`"
        assert not re.search(r"\(\d+,\)|\d+, \d+ cells|output \(", params + row)
    assert rows[0].split(" | ")[-2].startswith("2 parameters, RF 2, jump 1, 16 frames")
    assert "output cell 15, layer by layer" in rows[-1] and "receptive field 16 cells" in rows[-1]


def test_1d_network_layers_are_drawn_by_the_1d_view(tmp_path):
    """WaveNet's layers: the 1-D view's rows (o_n under a_n, the sum written), not a thin strip of tiny cells."""
    from PIL import Image

    from convanim.netfile import load_network, network_path
    from convanim.netpages import write_network

    _, net = load_network(network_path("wavenet"))
    write_network(net, tmp_path)
    readme = (tmp_path / "README.md").read_text()
    for name in ["01_conv1d_k2_causal.gif", "02_conv1d_k2_causal_d2.gif"]:
        with Image.open(tmp_path / name) as gif:
            assert gif.n_frames == 16 and gif.size[1] >= 200, gif.size
        row = next(line for line in readme.splitlines() if f"]({name})" in line)
        assert "1-D cross-correlation" in row


def test_network_pages_lead_with_the_presets_description(tmp_path):
    """The preset's lesson (its description) opens both pages, escaped for each."""
    from convanim.netfile import load_network, network_path
    from convanim.netpages import write_network

    _, net = load_network(network_path("three_3x3"))
    assert "27 multiply-adds each against 49" in net.description
    net.description += " <b>|</b>"
    write_network(net, tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "27 multiply-adds each against 49" in readme and "&lt;b&gt;\\|&lt;/b&gt;" in readme
    assert "27 multiply-adds each against 49" in page and "&lt;b&gt;|&lt;/b&gt;" in page and "<b>" not in page
