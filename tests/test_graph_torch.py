"""from_torch of whole models (ResNet-18, ResNet-50, a U-Net, VGG-16, AlexNet) against PyTorch itself.

Shapes against a forward pass, parameters against ``numel``, multiply-adds against FlopCounterMode / 2,
receptive fields against autograd on a linearised copy (positive weights, max pooling as average
pooling, BatchNorm and activations as identities), and the published receptive fields.
The models are written out in tests/torch_models.py (torchvision's layouts, no weights).
"""

import copy
import importlib
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from convanim import from_torch, receptive_field
from convanim.network import receptive_fields

pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("ignore::UserWarning")]


def _torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    return torch, importlib.import_module("torch_models")


def module_shapes(model, x):
    """Output shape (C, *spatial) of every module call, by path, ``@k`` for the k-th call after the first."""
    shapes, calls, hooks = {}, {}, []
    for path, module in model.named_modules():
        if not path:
            continue

        def hook(mod, args, out, path=path):
            k = calls.get(path, 0)
            calls[path] = k + 1
            shapes[path if k == 0 else f"{path}@{k}"] = tuple(out.shape[1:])

        hooks.append(module.register_forward_hook(hook))
    model(x)
    for h in hooks:
        h.remove()
    return shapes


def linearised(model):
    """A copy whose every path adds a positive amount: what autograd's nonzero gradients then show is the field."""
    torch, _ = _torch()
    nn = torch.nn
    model = copy.deepcopy(model).double().eval()
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, nn.MaxPool2d):
                setattr(module, name, nn.AvgPool2d(child.kernel_size, child.stride, child.padding,
                                                   ceil_mode=child.ceil_mode))
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Conv1d, nn.Conv3d)):
                module.weight.fill_(1.0)
            if isinstance(module, nn.BatchNorm2d):
                module.weight.fill_(1.0)
                module.bias.zero_()
                module.running_mean.zero_()
                module.running_var.fill_(1.0)
    return model


def autograd_fields(model, channels, size, cells):
    torch, _ = _torch()
    lin = linearised(model)
    x = torch.ones(1, channels, *size, dtype=torch.float64, requires_grad=True)
    y = lin(x)
    out = []
    for cell in cells:
        x.grad = None
        y[(0, slice(None), *cell)].sum().backward(retain_graph=True)
        out.append((x.grad[0].abs().sum(0) > 0).numpy())
    return out


def check_model(model, size, channels=3, cells=3, seed=0, fc=(0, 0)):
    """Shapes, parameters, MACs and exact receptive fields of ``from_torch(model, size)`` against PyTorch.

    ``fc``: (parameters, MACs) of the part after where reading stops (a classifier), left out of the network.
    """
    torch, _ = _torch()
    from torch.utils.flop_counter import FlopCounterMode

    model.eval()
    net = from_torch(model, size)
    x = torch.zeros(1, channels, *size)
    shapes = module_shapes(model, x)
    checked = 0
    for node, shape in zip(net.nodes, net.shapes[1:]):
        if node.name in shapes:
            assert shape == shapes[node.name], node.name
            checked += 1
    assert checked >= len([n for n in net.nodes if n.op not in ("add", "cat")]) - 1
    with torch.no_grad():
        assert net.output_shape == tuple(model(x).shape[1:]) or net.stopped
    info = net.summary()
    assert info["total_parameters"] == sum(p.numel() for p in model.parameters()) - fc[0]
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    assert 2 * info["total_macs"] == counter.get_total_flops() - 2 * fc[1]
    if cells:
        rng = random.Random(seed)
        out = [tuple(rng.randrange(o) for o in net.output_shape[1:]) for _ in range(cells)]
        for cell, expected in zip(out, autograd_fields(model, channels, size, out)):
            assert np.array_equal(receptive_field(net, cell), expected), cell
    return net, info


def test_resnet18_against_pytorch():
    _, models = _torch()
    net, info = check_model(models.resnet18(head=False, stages=2), (96, 80), cells=4)
    assert not receptive_field(net, (0, 0)).all()  # a corner cell does not see everything
    assert {r["name"] for r in info["layers"] if r["op"] == "add"} == {"layer1.0.add", "layer1.1.add",
                                                                      "layer2.0.add", "layer2.1.add"}
    check_model(models.resnet18(head=False), (64, 64), cells=2)


def test_resnet50_against_pytorch():
    _, models = _torch()
    check_model(models.resnet50(head=False, stages=2), (112, 112), cells=3)
    net, info = check_model(models.resnet50(), (224, 224), cells=0, fc=(2048 * 10 + 10, 2048 * 10))
    assert "flatten" in net.stopped and net.nodes[-1].name == "avgpool"


def test_unet_against_pytorch():
    _, models = _torch()
    net, info = check_model(models.UNet(), (32, 24), channels=1, cells=6, seed=3)
    cats = [r for r in info["layers"] if r["op"] == "cat"]
    assert [r["aligned"] for r in cats] == [True, False]  # the k3 s2 p1 transposed layer is half a cell off
    assert cats[1]["offsets"] == [{"input": "down1.3", "jump": [1, 1], "offset": [-0.5, -0.5]}]
    # every node's field, not only the input's: the masks of the skip's source grow with both paths
    masks = receptive_fields(net, (5, 7))
    assert masks[-1].sum() == 1 and masks[0].shape == (32, 24)


def _row(info, name):
    return next(r for r in info["layers"] if r["name"] == name)


def _rf(row):
    """(size, effective stride, effective padding) on the first axis, as Araujo et al. tabulate them."""
    return row["receptive_field"][0], row["jump"][0], row["effective_padding"][0]


def test_published_receptive_fields():
    _, models = _torch()
    vgg = from_torch(models.vgg16_features(), 224).summary()
    pools = [_rf(r) for r in vgg["layers"] if r["op"] == "max"]
    assert pools == [(6, 2, 2), (16, 4, 6), (44, 8, 18), (100, 16, 42), (212, 32, 90)]
    assert vgg["total_macs"] == 15_346_630_656
    alex = from_torch(models.alexnet(), 224)
    assert _rf(_row(alex.summary(), "features.12")) == (195, 32, 66)
    assert "flatten" in alex.stopped
    resnet = from_torch(models.resnet50(), 224).summary()
    last = [r for r in resnet["layers"] if r["name"].startswith("layer4.")][-1]
    assert last["name"] == "layer4.2.add" and _rf(last) == (427, 32, 213)
    assert all(r["aligned"] for r in resnet["layers"] if r["op"] == "add")


def test_every_kind_of_layer_and_unreadable_ones():
    torch, _ = _torch()
    nn = torch.nn

    class Mixed(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Conv1d(2, 4, 3, groups=2, padding=1)
            self.b = nn.ConvTranspose1d(2, 4, 4, stride=2, padding=1)
            self.pool = nn.AvgPool1d(2)
            self.act = nn.GELU()
            self.drop = nn.Dropout(0.1)

        def forward(self, x):
            y = self.act(self.a(x)) + self.pool(self.b(x))
            return torch.cat([self.drop(y), torch.relu(y)], dim=1)

    net = from_torch(Mixed(), 16)
    assert [n.op for n in net.nodes] == ["conv", "transposed", "avg", "add", "cat"]
    assert net.output_shape == tuple(Mixed()(torch.zeros(1, 2, 16)).shape[1:]) == (8, 16)

    class Norm(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)
            self.norm = nn.GroupNorm(1, 2)

        def forward(self, x):
            return self.norm(self.conv(x))

    with pytest.raises(ValueError, match=r"^from_torch: norm \(nn.GroupNorm\) is not a layer convanim reads; "):
        from_torch(Norm(), 8)

    class Side(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)

        def forward(self, x):
            return torch.cat([self.conv(x), self.conv(x)], dim=0)

    with pytest.raises(ValueError, match=r"^from_torch: cat \(torch.cat\) joins along dim=0; convanim reads cat "):
        from_torch(Side(), 8)
    three = nn.Sequential(nn.Conv3d(1, 2, 3, padding=1), nn.BatchNorm3d(2), nn.MaxPool3d(2),
                          nn.AdaptiveAvgPool3d((2, None, 1)))
    net = from_torch(three, (8, 6, 4))
    assert net.output_shape == tuple(three(torch.zeros(1, 1, 8, 6, 4)).shape[1:]) == (2, 2, 3, 1)
    assert net.summary()["total_parameters"] == sum(p.numel() for p in three.parameters())
