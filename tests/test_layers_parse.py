"""parse_layer / from_torch: every accepted form against PyTorch's own modules, every refusal by its message.

The checks against PyTorch's modules are marked torch (skipped, and counted, without it); the rest runs everywhere.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convanim import ConvSpec, from_torch, parse_layer
from convanim.pool import PoolSpec
from convanim.pytorch import layer_slug, layer_text, parse_layer_def

try:  # the cross-checks below are marked torch: skipped (and counted) where torch is not installed
    import torch
except ImportError:
    torch = nn = None
else:
    nn = torch.nn
    torch.set_num_threads(1)

ACCEPTED = [
    "nn.Conv2d(3, 8, 3, stride=2, padding=1)",
    "torch.nn.Conv2d(3, 8, 3, 2, 1)",
    "Conv2d(3, 8, (3, 5), (2, 1), (1, 2), (2, 1), 1, False)",
    "nn.Conv2d(4, 8, kernel_size=[3, 3], groups=4, bias=False)",
    "nn.Conv2d(2, 4, 3, groups=2)",
    "nn.Conv2d(1, 1, 4, padding='same')",
    "nn.Conv2d(1, 1, 3, padding='valid', dilation=2)",
    "nn.Conv2d(1, 1, 3, padding_mode='zeros', device=None, dtype=None)",
    "nn.Conv1d(2, 3, 5, stride=3, padding=2, dilation=1)",
    "nn.Conv1d(1, 1, 2, dilation=4)",
    "nn.Conv3d(1, 2, 3, padding=1)",
    "nn.Conv3d(1, 1, (1, 3, 3), stride=(1, 2, 2))",
    "nn.ConvTranspose2d(3, 6, 3, 2, 1, 1)",
    "nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2, bias=False, dilation=1)",
    "nn.ConvTranspose1d(1, 1, 4, stride=2, padding=1)",
    "nn.ConvTranspose2d(1, 1, 3, 1, 0, 0, 1, True, 2)",
    "nn.ConvTranspose3d(1, 1, 2, stride=2)",
    "nn.MaxPool2d(2)",
    "nn.MaxPool2d(3, stride=2, ceil_mode=True)",
    "nn.MaxPool2d(3, 2, 1, 2, False, True)",
    "nn.MaxPool2d((2, 3), padding=(1, 1), return_indices=True)",
    "nn.MaxPool1d(3, 2, 1)",
    "nn.AvgPool2d(2)",
    "nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)",
    "nn.AvgPool2d(3, 2, 1, True, False, None)",
    "nn.AvgPool1d(4, 2, 2, True, True)",
]


def _module(text):
    bare = {name: getattr(nn, name) for name in ("Conv2d",)}
    return eval(text, {"nn": nn, "torch": torch, **bare})  # the oracle: PyTorch builds it


def _nd(value, n):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def _input_size(text):
    return 11


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("text", ACCEPTED)
def test_parse_matches_the_torch_module(text):
    module = _module(text)
    spec = parse_layer(text, _input_size(text))
    n = spec.ndim
    assert f"{n}d" in type(module).__name__
    assert spec.kernel_size == _nd(module.kernel_size, n)
    assert spec.stride == _nd(module.stride if module.stride is not None else module.kernel_size, n)
    if isinstance(spec, ConvSpec):
        assert spec.transposed == type(module).__name__.startswith("ConvTranspose")
        assert (spec.in_channels, spec.out_channels, spec.groups) == \
            (module.in_channels, module.out_channels, module.groups)
        assert spec.bias == (module.bias is not None)
        assert spec.dilation == _nd(module.dilation, n)
        if isinstance(module.padding, str):
            assert spec.padding == module.padding
        else:
            assert spec.pads == tuple((p, p) for p in _nd(module.padding, n))
        if spec.transposed:
            assert spec.output_padding == _nd(module.output_padding, n)
        assert spec.weight_shape == tuple(module.weight.shape)
        assert spec.parameters == sum(p.numel() for p in module.parameters())
        channels_in, channels_out = spec.in_channels, spec.out_channels
    else:
        assert isinstance(spec, PoolSpec)
        assert spec.mode == ("max" if type(module).__name__.startswith("Max") else "avg")
        assert spec.padding == _nd(module.padding, n)
        assert spec.ceil_mode == module.ceil_mode
        if spec.mode == "max":
            assert spec.dilation == _nd(module.dilation, n)
        else:
            assert spec.count_include_pad == module.count_include_pad
        channels_in = channels_out = 1
    # the output shape PyTorch computes on a tensor of that size
    x = torch.zeros(1, channels_in, *spec.input_size)
    y = module(x)
    y = y[0] if isinstance(y, tuple) else y
    assert tuple(y.shape) == (1, channels_out, *spec.output_shape)
    # a live module gives the same spec; the short text reads back to it
    assert from_torch(module, _input_size(text)) == spec
    back = parse_layer(layer_text(spec), spec.input_size)
    assert layer_text(back) == layer_text(spec) and back.output_shape == spec.output_shape
    if isinstance(spec, ConvSpec):
        assert back.pads == spec.pads
    else:
        assert back == spec


def test_bias_defaults_to_pytorchs_true_and_sizes_broadcast():
    spec = parse_layer("nn.Conv2d(64, 128, 3, stride=2, padding=1)", 32)
    assert spec.bias is True and spec.output_shape == (16, 16) and spec.parameters == 64 * 128 * 9 + 128
    assert parse_layer("nn.Conv1d(1, 1, 3)", 9).input_size == (9,)
    assert parse_layer("nn.Conv2d(1, 1, 3)", (9, 7)).output_shape == (7, 5)
    assert parse_layer("  nn.MaxPool2d( 2 )  ", 8).output_shape == (4, 4)


def test_names_and_slugs():
    assert layer_text(parse_layer("torch.nn.Conv2d(1,1,3,stride=2,bias=False)", 8)) == \
        "nn.Conv2d(1, 1, 3, stride=2, bias=False)"
    assert parse_layer_def("nn.Conv2d(1,1,3 , stride = 2)").text == "nn.Conv2d(1, 1, 3, stride=2)"
    assert layer_slug(parse_layer("nn.Conv2d(1, 1, 3, stride=2)", 8)) == "conv2d_k3_s2"
    assert layer_slug(parse_layer("nn.Conv2d(1, 1, (3, 5), padding=1, dilation=2)", 12)) == "conv2d_k3x5_p1_d2"
    assert layer_slug(parse_layer("nn.MaxPool2d(2)", 8)) == "maxpool2d_k2_s2"
    assert layer_slug(parse_layer("nn.ConvTranspose1d(1, 1, 3, 2, 1)", 8)) == "convtranspose1d_k3_s2_p1"


REFUSED = [
    ("nn.Conv2d(1, 1, 3, strides=2)", "nn.Conv2d: unknown keyword 'strides'"),
    ("nn.Linear(3, 4)", "nn.Linear is not a layer convanim draws; it draws Conv1d/2d/3d, ConvTranspose1d/2d/3d, "
                        "MaxPool1d/2d/3d and AvgPool1d/2d/3d"),
    ("nn.Conv2d(1, 1, int(3))", "nn.Conv2d: kernel_size=int(3) is a call; arguments are ints, tuples, True/False, "
                                "None or strings"),
    ("nn.Conv2d(1, 1, 3, stride=s)", "nn.Conv2d: stride=s is a name; arguments are ints, tuples, True/False, None "
                                     "or strings"),
    ("nn.Conv2d(1, 1, 3, dtype=torch.float32)", "nn.Conv2d: dtype=torch.float32 is an attribute; arguments are "
                                                "ints, tuples, True/False, None or strings"),
    ("nn.Conv2d(1, 1, 3.0)", "nn.Conv2d: kernel_size=3.0 is a float; arguments are ints, tuples, True/False, None "
                             "or strings"),
    ("nn.Conv2d(1, 1, 1 + 2)", "nn.Conv2d: kernel_size=1 + 2 is an expression; arguments are ints, tuples, "
                               "True/False, None or strings"),
    ("nn.Conv2d(1, 1, 3, 1, 0, 1, 1, True, 'zeros', None, None, 7)",
     "nn.Conv2d: takes at most 11 positional arguments, got 12"),
    ("nn.MaxPool2d(2, 2, 0, 1, False, False, 1)", "nn.MaxPool2d: takes at most 6 positional arguments, got 7"),
    ("nn.Conv2d(1, 1, 3, stride=2, stride=3)", "nn.Conv2d: argument 'stride' is given twice"),
    ("nn.Conv2d(1, 1, 3, 2, stride=3)", "nn.Conv2d: argument 'stride' is given twice"),
    ("nn.Conv2d(1, 1)", "nn.Conv2d: missing argument 'kernel_size'"),
    ("nn.MaxPool2d()", "nn.MaxPool2d: missing argument 'kernel_size'"),
    ("nn.Conv2d(1, 1, 3, padding_mode='reflect')", "nn.Conv2d: padding_mode='reflect' is not drawn; only 'zeros' is"),
    ("nn.Conv2d(1, 1, 3, device='cuda')", "nn.Conv2d: device='cuda' does not change the arithmetic; leave it out"),
    ("nn.AvgPool2d(2, divisor_override=3)",
     "nn.AvgPool2d: divisor_override=3 is not drawn; leave it out (the divisor follows count_include_pad)"),
    ("nn.AvgPool1d(2, divisor_override=3)", "nn.AvgPool1d: unknown keyword 'divisor_override'"),
    ("nn.AvgPool2d(2, dilation=2)", "nn.AvgPool2d: unknown keyword 'dilation'"),
    ("nn.Conv2d(1, 1, 3, padding='same', stride=2)",
     "nn.Conv2d: padding='same' needs stride=1 (as in PyTorch), got stride=2"),
    ("nn.Conv2d(1, 1, 3, padding='full')", "nn.Conv2d: padding must be an int, 2 ints, 'valid' or 'same', got 'full'"),
    ("nn.ConvTranspose2d(1, 1, 3, padding='same')", "nn.ConvTranspose2d: padding must be an int or 2 ints, "
                                                    "got 'same'"),
    ("nn.Conv2d(1, 1, (3, 3, 3))", "nn.Conv2d: kernel_size must be an int or 2 ints, got (3, 3, 3)"),
    ("nn.Conv1d(1, 1, (3, 3))", "nn.Conv1d: kernel_size must be an int or 1 int, got (3, 3)"),
    ("nn.Conv2d(1, 1, 3, bias=1)", "nn.Conv2d: bias must be True or False, got 1"),
    ("nn.Conv2d('a', 1, 3)", "nn.Conv2d: in_channels must be an int, got 'a'"),
    ("nn.Conv2d(1, 1, 3, stride=0)", "nn.Conv2d: stride must be >= 1, got 0"),
    ("nn.Conv2d(1, 1, 3, stride=-1)", "nn.Conv2d: stride must be >= 1, got -1"),
    ("nn.Conv2d(3, 8, 3, groups=2)", "nn.Conv2d: groups=2 must divide in_channels=3"),
    ("nn.MaxPool2d(2, padding=2)", "nn.MaxPool2d: padding must be at most half the kernel size ..."),  # PoolSpec's
    ("nn.Conv2d(1, 1, 3", "layer 'nn.Conv2d(1, 1, 3' is not a Python expression ('(' was never closed)"),
    ("3 + 4", "layer must be a call like nn.Conv2d(1, 1, 3), got '3 + 4'"),
    ("os.system('ls')", "layer must be nn.NAME(...), torch.nn.NAME(...) or NAME(...), got os.system(...)"),
    ("nn.Conv2d(*args)", "nn.Conv2d: *args is a starred argument; arguments are ints, tuples, True/False, None or "
                         "strings"),
    ("nn.Conv2d(1, 1, 3, **kw)", "nn.Conv2d: **kw is not allowed; give each argument by name"),
    ("nn.Conv2d(1, 1, 3, stride=(lambda: 2)())", "nn.Conv2d: stride=(lambda: 2)() is a call; arguments are ints, "
                                                 "tuples, True/False, None or strings"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_refusals_name_the_problem(text, message):
    with pytest.raises(ValueError) as err:
        parse_layer(text, 8)
    if message.endswith(" ..."):  # the rest of the sentence is the spec's own
        assert str(err.value).startswith(message[:-4])
    else:
        assert str(err.value) == message


def test_other_refusals():
    with pytest.raises(ValueError, match=r"^input_size is required for nn.Conv2d: the spatial size of its input"):
        parse_layer("nn.Conv2d(1, 1, 3)")
    with pytest.raises(ValueError, match=r"^nn.Conv2d: input_size must be an int or 2 ints, got \(8, 8, 8\)$"):
        parse_layer("nn.Conv2d(1, 1, 3)", (8, 8, 8))
    with pytest.raises(ValueError, match=r"^nn.Conv2d: kernel_size=\(5, 5\) spans 5x5 cells but the padded input"):
        parse_layer("nn.Conv2d(1, 1, 5)", 4)
    with pytest.raises(ValueError, match=r"^layer text must be at most 2000 characters, got 3000$"):
        parse_layer("x" * 3000, 8)
    with pytest.raises(ValueError, match=r"nested too deeply|not a Python expression"):
        parse_layer("nn.Conv2d(1, 1, " + "(" * 400 + "3" + ")" * 400 + ")", 8)
    with pytest.raises(ValueError, match=r"^layer text must not contain NUL characters$"):
        parse_layer("nn.Conv2d(1, 1, 3)\x00", 8)
    with pytest.raises(ValueError, match=r"^layer text must be valid Unicode"):
        parse_layer("nn.Conv2d(1, 1, '\udcff')", 8)
    with pytest.raises(ValueError, match=r"^layer must be a string"):
        parse_layer(3, 8)


@pytest.mark.torch
def test_from_torch_refuses_other_modules():
    with pytest.raises(ValueError, match=r"^from_torch: nn.Linear is not a layer convanim draws"):
        from_torch(nn.Linear(2, 3), 8)
    with pytest.raises(ValueError, match=r"^nn.Conv2d: padding_mode='circular' is not drawn; only 'zeros' is$"):
        from_torch(nn.Conv2d(1, 1, 3, padding=1, padding_mode="circular"), 8)
    with pytest.raises(ValueError, match=r"^from_torch: the nn.Sequential holds no layer convanim draws$"):
        from_torch(nn.Sequential(nn.ReLU()), 8)


def test_from_torch_without_torch_is_one_sentence(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    monkeypatch.setitem(sys.modules, "torch.nn", None)
    with pytest.raises(ValueError) as err:
        from_torch(object(), 8)
    assert str(err.value) == "from_torch needs PyTorch, which is not installed: pip install torch"


_PIECES = ["nn.", "torch.nn.", "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool1d", "AvgPool2d", "Linear", "(", ")",
           ",", " ", "1", "3", "0", "-2", "(2, 3)", "[1]", "None", "True", "'same'", "'causal'", "stride=", "padding=",
           "groups=", "bias=", "dilation=", "ceil_mode=", "x", "f(1)", "*", "**", "=", "1e3", "'", "\"", "lambda", "#"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14), st.integers(1, 12))
def test_any_text_is_a_spec_or_one_sentence(pieces, size):
    text = "".join(pieces)
    try:
        spec = parse_layer(text, size)
    except ValueError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
    else:
        assert isinstance(spec, (ConvSpec, PoolSpec))
