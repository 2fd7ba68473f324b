"""The graph arithmetic without torch: random graphs against a whole n-D schedule walk, path counts, joins, files."""

import itertools
import random

import numpy as np
import pytest

from convanim import Network, receptive_field, schedule
from convanim.graphspec import AdaptiveSpec
from convanim.network import load_network, path_counts, path_recurrences, receptive_fields


def random_layer(rng, ndim, channels):
    def tup(values):
        return str(values[0]) if len(set(values)) == 1 else str(tuple(values))

    def axes(lo, hi):
        return [rng.randint(lo, hi) for _ in range(ndim)]

    kind = rng.choice(["conv", "conv", "transposed", "max", "avg", "pass"])
    n = f"{ndim}d"
    if kind == "pass":
        return rng.choice(["nn.ReLU()", f"nn.BatchNorm{n}({channels})", "nn.Dropout(0.5)", "nn.LeakyReLU(0.1)"]), \
            channels
    if kind in ("conv", "transposed"):
        out = rng.choice([1, 2, 3])
        k, s, d, p = axes(1, 3), axes(1, 2), axes(1, 2), axes(0, 1)
        cls = "Conv" if kind == "conv" else "ConvTranspose"
        return f"nn.{cls}{n}({channels}, {out}, {tup(k)}, stride={tup(s)}, padding={tup(p)}, dilation={tup(d)})", out
    k = axes(1, 3)
    p = [rng.randint(0, kk // 2) for kk in k]
    return f"nn.{'Max' if kind == 'max' else 'Avg'}Pool{n}({tup(k)}, stride={tup(axes(1, 2))}, padding={tup(p)})", \
        channels


def random_graph(rng, ndim):
    """A valid random graph: a trunk, then two branches from one of its nodes, joined by add or cat."""
    while True:
        size = tuple(rng.randint(5, {1: 24, 2: 12}[ndim]) for _ in range(ndim))
        items, channels = [], {"input": 2}
        prev = "input"
        for n in range(rng.randint(0, 2)):
            text, c = random_layer(rng, ndim, channels[prev])
            items.append({"name": f"t{n}", "layer": text, "inputs": [prev]})
            prev = channels.setdefault(f"t{n}", c) and f"t{n}"
        ends = []
        for b in "ab":
            src = prev
            for n in range(rng.randint(0, 3)):
                text, c = random_layer(rng, ndim, channels[src])
                items.append({"name": f"{b}{n}", "layer": text, "inputs": [src]})
                channels[f"{b}{n}"] = c
                src = f"{b}{n}"
            ends.append(src)
        join = "add" if channels[ends[0]] == channels[ends[1]] and rng.random() < 0.6 else "cat"
        items.append({"name": "j", "join": join, "inputs": ends})
        if rng.random() < 0.5:
            text, _ = random_layer(rng, ndim, channels[ends[0]] * (2 if join == "cat" else 1))
            items.append({"name": "after", "layer": text})
        try:
            return Network(size, items, in_channels=2)
        except ValueError:
            continue


def schedule_walk(net, out):
    """Every node's field by the whole n-D schedule of each layer (taps with a source), unions at every reader."""
    masks = [np.zeros(shape[1:], bool) for shape in net.shapes]
    masks[-1][out] = True
    for n in range(len(net.nodes), 0, -1):
        node = net.nodes[n - 1]
        here = masks[n]
        if node.op in ("add", "cat", "pass"):
            back = here
        elif node.op == "adaptive":
            back = np.zeros(node.spec.input_size, bool)
            for cell in zip(*np.nonzero(here)):
                box = tuple(slice(*node.spec.windows(a)[o]) for a, o in enumerate(cell))
                back[box] = True
        else:
            steps = schedule(node.spec)
            back = np.zeros(node.spec.input_size, bool)
            for flat in np.flatnonzero(here):
                for tap in steps[flat].taps:
                    if tap.source is not None:
                        back[tap.source] = True
        for i in node.inputs:
            masks[i] |= back
    return masks


@pytest.mark.parametrize("ndim", [1, 2])
def test_graph_fields_equal_a_whole_schedule_walk(ndim):
    rng = random.Random(40 + ndim)
    ops = set()
    for _ in range(120 if ndim == 1 else 60):
        net = random_graph(rng, ndim)
        ops |= {node.op for node in net.nodes}
        out = tuple(rng.randrange(o) for o in net.output_shape[1:])
        got, expected = receptive_fields(net, out), schedule_walk(net, out)
        assert all(np.array_equal(a, b) for a, b in zip(got, expected)), (net, out)
    assert ops >= {"conv", "transposed", "max", "avg", "pass", "add", "cat"}


def test_path_counts_of_a_stack_are_the_convolution_of_the_kernels_ones():
    net = Network(40, "nn.Conv1d(1, 1, 3); nn.ReLU(); nn.Conv1d(1, 1, 3, dilation=2); nn.Conv1d(1, 1, 5)")
    counts = path_counts(net, 10)
    kernel = np.convolve(np.convolve(np.ones(3), [1, 0, 1, 0, 1]), np.ones(5))
    assert counts[10:10 + len(kernel)].tolist() == kernel.tolist() and counts.sum() == kernel.sum()
    assert np.array_equal(counts > 0, receptive_field(net, 10))
    # two by two: the product of the axes
    net2 = Network(12, "nn.Conv2d(1, 1, 3); nn.Conv2d(1, 1, (2, 3))")
    expected = np.outer(np.convolve(np.ones(3), np.ones(2)), np.convolve(np.ones(3), np.ones(3)))
    assert path_counts(net2, (0, 0))[:4, :5].tolist() == expected.tolist()


def test_a_residual_block_counts_the_skip_once_more():
    net = Network(12, ["nn.Conv1d(1, 1, 3, padding=1)", "nn.Conv1d(1, 1, 3, padding=1)",
                       {"join": "add", "inputs": ["input", "2"]}])
    assert path_counts(net, 5)[3:8].tolist() == [1, 2, 4, 2, 1]
    last = path_recurrences(net)[-1]
    assert (last["size_min"], last["size"], last["misaligned"]) == ([1], [5], [])
    row = net.summary()["layers"][-1]
    assert row["receptive_field_min"] == [1] and row["receptive_field"] == [5] and row["aligned"] is True


def test_misaligned_paths_are_measured():
    # a 2-wide kernel centres its cells half a cell later than a 1-wide one with the same stride
    net = Network(16, ["nn.Conv1d(1, 1, 2, stride=2)", {"name": "b", "layer": "nn.Conv1d(1, 1, 1, stride=2)",
                                                         "inputs": ["input"]}, {"join": "add", "inputs": ["1", "b"]}])
    row = net.summary()["layers"][-1]
    assert row["aligned"] is False and row["offsets"] == [{"input": "b", "jump": [2], "offset": [-0.5]}]
    # the same size of output from a stride and from a wide kernel: other jump, other centre
    net = Network(16, ["nn.Conv1d(1, 1, 1, stride=2)", {"name": "b", "layer": "nn.Conv1d(1, 1, 9)",
                                                         "inputs": ["input"]}, {"join": "cat", "inputs": ["1", "b"]}])
    row = net.summary()["layers"][-1]
    assert row["offsets"] == [{"input": "b", "jump": [1], "offset": [4]}]
    assert (row["receptive_field_min"], row["receptive_field"]) == ([1], [9])
    from convanim.netpages import join_sentence

    assert join_sentence(row) == "3: paths misaligned: b is centred 4 input cells after 1 and steps 1 input cells " \
                                 "instead of 2"


def test_pass_through_layers_change_no_field_and_count_their_parameters():
    plain = Network(10, "nn.Conv2d(3, 4, 3); nn.MaxPool2d(2)")
    full = Network(10, "nn.Conv2d(3, 4, 3); nn.BatchNorm2d(4); nn.LeakyReLU(0.2, inplace=True); nn.Dropout(p=0.5); "
                       "nn.MaxPool2d(2); nn.Identity(); nn.PReLU(4)")
    assert plain.output_shape == full.output_shape == (4, 4, 4)
    assert np.array_equal(receptive_field(plain, (1, 2)), receptive_field(full, (1, 2)))
    info = full.summary()
    assert [r["parameters"] for r in info["layers"]] == [3 * 4 * 9 + 4, 8, 0, 0, 0, 0, 4]
    assert full.names[1:4] == ("nn.BatchNorm2d(4)", "nn.LeakyReLU(0.2, inplace=True)", "nn.Dropout(p=0.5)")
    with pytest.raises(ValueError, match=r"^layer 2 nn.BatchNorm2d\(8\): num_features=8 but layer 1 "
                                         r"nn.Conv2d\(3, 4, 3\) gives 4 channels$"):
        Network(10, "nn.Conv2d(3, 4, 3); nn.BatchNorm2d(8)")
    with pytest.raises(ValueError, match=r"^layer 2 nn.BatchNorm1d\(4\): has 1 spatial axis but layer 1"):
        Network(10, "nn.Conv2d(3, 4, 3); nn.BatchNorm1d(4)")
    with pytest.raises(ValueError, match=r"^layer 1: nn.ReLU: unknown keyword 'inplac'$"):
        Network(10, "nn.ReLU(inplac=True); nn.Conv2d(1, 1, 3)")
    with pytest.raises(ValueError, match=r"^layer 1: nn.Dropout: p=__import__\('os'\) is not a literal$"):
        Network(10, "nn.Dropout(p=__import__('os')); nn.Conv2d(1, 1, 3)")


def test_joins_are_checked():
    a = {"name": "a", "layer": "nn.Conv2d(1, 2, 3)", "inputs": ["input"]}
    b = {"name": "b", "layer": "nn.Conv2d(1, 2, 3, padding=1)", "inputs": ["input"]}
    with pytest.raises(ValueError, match=r"^j \(add\): add needs inputs of one shape, got 2×6×6 from a "
                                         r"\(nn.Conv2d\(1, 2, 3\)\), 2×8×8 from b"):
        Network(8, [a, b, {"name": "j", "join": "add", "inputs": ["a", "b"]}])
    with pytest.raises(ValueError, match=r"^layer 2 'j': input 'c' is not an earlier node"):
        Network(8, [a, {"name": "j", "join": "cat", "inputs": ["a", "c"]}])
    with pytest.raises(ValueError, match=r"^layer 2: the name 'a' is taken"):
        Network(8, [a, {**b, "name": "a"}])
    with pytest.raises(ValueError, match=r"^layer 2: join must be 'add' or 'cat', got 'mul'$"):
        Network(8, [a, {"join": "mul", "inputs": ["a", "a"]}])
    net = Network(8, [a, {**b, "layer": "nn.Conv2d(1, 3, 3)"}, {"join": "cat", "inputs": ["a", "b"]}])
    assert net.output_shape == (5, 6, 6) and not net.is_chain


def test_adaptive_pooling_windows_and_fields():
    spec = AdaptiveSpec((10, 7), (3, 7))
    for a, (i, n) in enumerate(zip(spec.input_size, spec.output_size)):
        for o, (lo, hi) in enumerate(spec.windows(a)):  # PyTorch's start_index / end_index
            assert lo == (o * i) // n and hi == -((-(o + 1) * i) // n)
    net = Network(10, ["nn.Conv2d(1, 1, 3, padding=1)", AdaptiveSpec((1, 1), (3, None))])
    assert net.output_shape == (1, 3, 10)
    for cell in itertools.product(range(3), range(10)):
        assert np.array_equal(receptive_fields(net, cell)[0], schedule_walk(net, cell)[0])
    assert net.summary()["layers"][-1]["receptive_field"] is None  # 10 cells in 3 windows: sizes differ


def test_branching_network_files(tmp_path):
    title, net = load_network("residual")
    assert not net.is_chain and net.nodes[-1].inputs == (4, 5) and title == "A residual block"
    _, unet = load_network("unet")
    assert unet.summary()["layers"][4]["offsets"][0]["offset"] == [-0.5, -0.5]
    path = tmp_path / "n.toml"
    path.write_text('input_size = 8\n[[layer]]\nlayer = "nn.Conv2d(1, 1, 3)"\n[[layer]]\njoin = "add"\n'
                    'inputs = ["1", "input"]\n')
    with pytest.raises(ValueError, match=r"^n.toml: layer 2 add: add needs inputs of one shape, got 1×6×6 from "):
        load_network(path)
    path.write_text('input_size = 8\n[[layer]]\nlayer = "nn.Conv2d(1, 1, 3)"\n[[layer]]\njoin = "add"\n'
                    'inputs = "1"\n')
    with pytest.raises(ValueError, match=r"^n.toml: layer 2: inputs must be a list of node names, got '1'$"):
        load_network(path)


def test_raster_animation_paints_each_field_on_the_input(tmp_path):
    from PIL import Image

    from convanim.netpages import animate_receptive, raster_frames

    _, net = load_network("residual")
    tones, captions = raster_frames(net, (5, 5))
    assert len(tones) == 5 and captions[0][0] == "add: add"  # add, skip, conv2, conv1, then the input
    field = receptive_field(net, (5, 5))
    assert np.array_equal(tones[-1] > 0, field)
    # the input is read by conv1 and by the skip: the skip's one cell is reached by both paths, the ring by one
    assert tones[-1][5, 5] == 1 and tones[-1][3, 3] == 0.5
    heat, _ = raster_frames(net, (5, 5), effective=True)
    assert heat[-1].max() == 1 and heat[-1][5, 5] > heat[-1][4, 4] > heat[-1][3, 3] > 0
    picture = tmp_path / "p.png"
    Image.fromarray(np.full((30, 40, 3), 200, np.uint8)).save(picture)
    anim = animate_receptive(net, (5, 5), image=picture, cell_px=8)
    anim.save(tmp_path / "rf.gif")
    with Image.open(tmp_path / "rf.gif") as im:
        assert im.n_frames == 5
    with pytest.raises(ValueError, match=r"^--image must be a PNG or JPEG picture, could not read"):
        animate_receptive(net, image=tmp_path / "missing.png")


def test_network_command_takes_the_users_model_and_explains_counters(tmp_path, capsys, monkeypatch):
    pytest.importorskip("torch")
    import json

    from convanim.cli import main

    (tmp_path / "usermodels.py").write_text(
        "import torch\nfrom torch import nn\n\n"
        "class Block(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Conv2d(3, 3, 3, padding=1)\n"
        "        self.head = nn.Linear(3 * 8 * 8, 2)\n\n"
        "    def forward(self, x):\n"
        "        return self.head((self.conv(x) + x).flatten(1))\n\n"
        "def block():\n    return Block()\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    capsys.readouterr()
    assert main(["network", "--torch", "usermodels:block", "-i", "8", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert [g["op"] for g in info["graph"]] == ["conv", "add"] and info["graph"][1]["inputs"] == ["conv", "input"]
    assert "Tensor.flatten" in info["stopped"] and info["counting"]["flops"] == 2 * info["total_macs"]
    assert info["counting"]["bias_additions"] == 3 * 64
    assert main(["network", "--torch", "usermodels", "-i", "8"]) == 2
    assert capsys.readouterr().err.strip() == ("convanim network: error: --torch must be MODULE:FACTORY, "
                                               "e.g. mypackage.models:resnet18, got 'usermodels'")


@pytest.mark.parametrize("bad, kind", [(None, "NoneType"), (3, "int"), (b"nn.Conv2d(1, 1, 3)", "bytes")])
def test_a_layer_that_is_not_a_layer_is_one_sentence(bad, kind):
    """A list item that is none of ConvSpec, PoolSpec, layer text or a node table (found by test_fuzz: None
    ended in an AttributeError)."""
    with pytest.raises(ValueError, match=rf"^layer 2 must be a ConvSpec, a PoolSpec or a layer string, got {kind}$"):
        Network(8, ["nn.Conv2d(1, 1, 3)", bad])
