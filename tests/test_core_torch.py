"""The schedule against PyTorch itself: conv*d, conv_transpose*d, padding='same' and max_pool*d.

Each test is marked ``torch``: where torch is not installed each is skipped and counted (conftest.py
prints how many ran); the numpy reference tests cover the same ground without it.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convanim import ConvSpec, schedule

try:
    import torch
except ImportError:  # every test below is skipped, one by one (see conftest.py)
    torch = None
F = torch.nn.functional if torch is not None else None

pytestmark = pytest.mark.torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
ref = importlib.import_module("reference")

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d} if F else {}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d} if F else {}
MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d} if F else {}


def budget(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def _batch(a: np.ndarray):
    """(1, 1, *spatial) float64 tensor."""
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))[None, None]


def torch_forward(cfg: ref.Config, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """What PyTorch computes for the drawn config (per-side padding applied with F.pad)."""
    n = cfg.ndim
    xt, wt = _batch(x), _batch(w)
    with torch.no_grad():
        if cfg.transposed:
            out = CONV_T[n](
                xt,
                wt,  # (in_channels, out_channels, *kernel)
                stride=cfg.s,
                padding=cfg.p,
                output_padding=cfg.a,
                dilation=cfg.d,
            )
        else:
            flat = [v for lo_hi in reversed(cfg.pads) for v in lo_hi]  # F.pad: last axis first
            out = CONV[n](F.pad(xt, flat), wt, stride=cfg.s, dilation=cfg.d)
    return out[0, 0].numpy()


def _check_against_torch(cfg: ref.Config, seed: int):
    if not cfg.valid:
        with pytest.raises(ValueError):
            ConvSpec(**cfg.kwargs)
        assume(False)
    spec = ConvSpec(**cfg.kwargs)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(cfg.i)
    w = rng.standard_normal(cfg.k)
    expected = torch_forward(cfg, x, w)
    assert spec.output_shape == expected.shape
    assert len(schedule(spec)) == expected.size
    got = ref.reconstruct(spec, x, w)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


@budget(300)
@given(cfg=ref.configs(ndim=1), seed=st.integers(0, 2**32 - 1))
def test_torch_1d(cfg, seed):
    _check_against_torch(cfg, seed)


@budget(300)
@given(cfg=ref.configs(ndim=2), seed=st.integers(0, 2**32 - 1))
def test_torch_2d(cfg, seed):
    _check_against_torch(cfg, seed)


@budget(120)
@given(cfg=ref.configs(ndim=3), seed=st.integers(0, 2**32 - 1))
def test_torch_3d(cfg, seed):
    _check_against_torch(cfg, seed)


@budget(300)
@given(cfg=ref.configs(transposed=True), seed=st.integers(0, 2**32 - 1))
def test_torch_transposed(cfg, seed):
    _check_against_torch(cfg, seed)


@budget(200)
@given(cfg=ref.configs(transposed=False, paddings=("pairs", "same", "full")), seed=st.integers(0, 2**32 - 1))
def test_torch_asymmetric_same_full(cfg, seed):
    _check_against_torch(cfg, seed)


@pytest.mark.parametrize(
    "kwargs, torch_padding",
    [
        # torch_padding: PyTorch's symmetric padding (transposed) or the per-side pads, written by hand
        (dict(input_size=3, kernel_size=3, stride=2, padding=1, transposed=True, output_padding=1), (1, 1)),
        (dict(input_size=2, kernel_size=3, stride=2, transposed=True), (0, 0)),
        (dict(input_size=(3,), kernel_size=2, dilation=3, transposed=True, output_padding=2), (0,)),
        (dict(input_size=5, kernel_size=3, padding=3, transposed=True), (3, 3)),
        (
            dict(
                input_size=(5, 6),
                kernel_size=(3, 2),
                stride=(2, 1),
                padding=((1, 0), (2, 3)),
                dilation=(1, 2),
            ),
            ((1, 0), (2, 3)),
        ),
        # 'same' with strides: totals 1, 0, 2 -> odd cell at the end
        (
            dict(input_size=(2, 3, 4), kernel_size=(2, 1, 3), stride=(1, 2, 3), padding="same"),
            ((0, 1), (0, 0), (1, 1)),
        ),
    ],
)
def test_torch_fixed_cases(kwargs, torch_padding):
    spec = ConvSpec(**kwargs)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(spec.input_size)
    w = rng.standard_normal(spec.kernel_size)
    xt, wt = _batch(x), _batch(w)
    with torch.no_grad():
        if spec.transposed:
            out = CONV_T[spec.ndim](
                xt,
                wt,
                stride=spec.stride,
                padding=torch_padding,
                output_padding=spec.output_padding,
                dilation=spec.dilation,
            )
        else:
            flat = [v for lo_hi in reversed(torch_padding) for v in lo_hi]
            out = CONV[spec.ndim](F.pad(xt, flat), wt, stride=spec.stride, dilation=spec.dilation)
    expected = out[0, 0].numpy()
    assert spec.output_shape == expected.shape
    np.testing.assert_allclose(ref.reconstruct(spec, x, w), expected, rtol=1e-10, atol=1e-10)


def test_torch_conv_transpose_layer_shape():
    """The nn.ConvTranspose2d layer (not just the functional form) gives the same output size."""
    layer = torch.nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1, bias=False)
    with torch.no_grad():
        out = layer(torch.zeros(1, 1, 3, 3))
    assert (
        tuple(out.shape[2:])
        == ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1).output_shape
    )


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@budget(300)
@given(
    ndim=st.integers(1, 3),
    data=st.data(),
    seed=st.integers(0, 2**32 - 1),
)
def test_torch_same_stride_1(ndim, data, seed):
    lim = ref.LIMITS[ndim]
    i = tuple(data.draw(st.integers(1, lim["i"])) for _ in range(ndim))
    k = tuple(data.draw(st.integers(1, lim["k"])) for _ in range(ndim))
    d = tuple(data.draw(st.integers(1, lim["d"])) for _ in range(ndim))
    spec = ConvSpec(i, k, padding="same", dilation=d)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(i)
    w = rng.standard_normal(k)
    with torch.no_grad():
        expected = CONV[ndim](_batch(x), _batch(w), padding="same", dilation=d)[0, 0].numpy()
    assert expected.shape == i
    assert spec.output_shape == i
    np.testing.assert_allclose(ref.reconstruct(spec, x, w), expected, rtol=1e-10, atol=1e-10)


@budget(400)
@given(ndim=st.integers(1, 2), data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_torch_max_pool(ndim, data, seed):
    draw = data.draw
    i = tuple(draw(st.integers(1, 10 if ndim == 1 else 7)) for _ in range(ndim))
    k = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    s = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    d = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    fits = all(dd * (kk - 1) + 1 <= ii + 2 * pp for ii, kk, dd, pp in zip(i, k, d, p, strict=True))
    if not fits:
        with pytest.raises(ValueError, match="spans"):
            ConvSpec(i, k, stride=s, padding=p, dilation=d)
        assume(False)
    spec = ConvSpec(i, k, stride=s, padding=p, dilation=d)
    x = np.random.default_rng(seed).standard_normal(i)
    with torch.no_grad():
        expected = MAX_POOL[ndim](_batch(x), k, stride=s, padding=p, dilation=d)[0, 0].numpy()
    assert spec.output_shape == expected.shape
    got = ref.max_pool_taps(spec, x)
    np.testing.assert_array_equal(got, expected)


def test_torch_max_pool_fixed():
    # padding_strides as a pooling: 3x3 windows, stride 2, padding 1 (-inf) on a 5x5 input
    x = np.arange(25, dtype=np.float64).reshape(5, 5)
    spec = ConvSpec(5, 3, stride=2, padding=1)
    with torch.no_grad():
        expected = F.max_pool2d(_batch(x), 3, stride=2, padding=1)[0, 0].numpy()
    assert expected.tolist() == [[6, 8, 9], [16, 18, 19], [21, 23, 24]]
    np.testing.assert_array_equal(ref.max_pool_taps(spec, x), expected)
