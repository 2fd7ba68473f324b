"""Pooling (`PoolSpec`, its schedule, `pool_evaluate`, `pool_argmax`) against an independent numpy
reference written here and against ``torch.nn.functional.max_pool*d`` / ``avg_pool*d``."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from convanim import PoolSpec, pool_argmax, pool_evaluate, schedule

# -- an independent reference: windows enumerated from their definition -------------


def ref_output_size(i, k, s, p, d, ceil_mode):
    """Count windows: start at 0, 0+s, ...; a window counts while it fits the padded input, or (ceil_mode)
    while it overruns the padded input by fewer than `s` cells and starts before the right padding."""
    padded, extent = i + 2 * p, d * (k - 1) + 1
    count, start = 0, 0
    while True:
        end = start + extent  # exclusive
        fits = end <= padded
        partial = ceil_mode and end - padded < s and start < i + p
        if not (fits or partial):
            return count
        count += 1
        start += s


def ref_windows(cfg):
    """For every output cell (row-major): the window's cells in input coordinates, row-major."""
    i, k, s, p, d = (cfg[n] for n in "ikspd")
    sizes = [ref_output_size(*a, cfg["ceil"]) for a in zip(i, k, s, p, d)]
    for out in itertools.product(*(range(n) for n in sizes)):
        cells = itertools.product(*(
            [o * ss - pp + j * dd for j in range(kk)] for o, kk, ss, pp, dd in zip(out, k, s, p, d)
        ))
        yield out, list(cells)


def ref_max(cfg, x):
    """Values and flat indices, scanning each window with PyTorch's rule (a NaN, or a strictly larger value)."""
    i = cfg["i"]
    sizes = tuple(ref_output_size(*a, cfg["ceil"]) for a in zip(*(cfg[n] for n in "ikspd")))
    vals = np.empty((x.shape[0], *sizes))
    idx = np.empty((x.shape[0], *sizes), dtype=np.int64)
    for out, cells in ref_windows(cfg):
        inside = [c for c in cells if all(0 <= a < n for a, n in zip(c, i))]
        for ch in range(x.shape[0]):
            best, where = -np.inf, inside[0]
            for c in inside:
                v = x[(ch, *c)]
                if v > best or np.isnan(v):
                    best, where = v, c
            vals[(ch, *out)] = best
            idx[(ch, *out)] = np.ravel_multi_index(where, i)
    return vals, idx


def ref_avg(cfg, x):
    """Zero-pad, extend with zeros past the padded input, and divide by a count of ones in two masks."""
    i, k, s, p = (cfg[n] for n in "iksp")
    sizes = tuple(ref_output_size(*a, 1, cfg["ceil"]) for a in zip(i, k, s, p))
    extra = [max(0, (o - 1) * ss + kk - (ii + 2 * pp)) for o, ss, kk, ii, pp in zip(sizes, s, k, i, p)]
    big = [(pp, pp + e) for pp, e in zip(p, extra)]
    xp = np.pad(x, [(0, 0), *big])
    in_padded = np.pad(np.ones(tuple(n + 2 * pp for n, pp in zip(i, p))), [(0, e) for e in extra])
    in_input = np.pad(np.ones(i), big)
    out = np.empty((x.shape[0], *sizes))
    for o in itertools.product(*(range(n) for n in sizes)):
        sl = tuple(slice(a * ss, a * ss + kk) for a, ss, kk in zip(o, s, k))
        mask = in_padded if cfg["cip"] else in_input
        out[(slice(None), *o)] = xp[(slice(None), *sl)].sum(axis=tuple(range(1, len(i) + 1))) / mask[sl].sum()
    return out


# -- random configs ------------------------------------------------------------------


def random_cfg(rng, mode):
    ndim = int(rng.integers(1, 4))
    k = tuple(int(v) for v in rng.integers(1, 5 if ndim < 3 else 4, ndim))
    cfg = {
        "mode": mode,
        "k": k,
        "s": tuple(int(v) for v in rng.integers(1, 4, ndim)),
        "p": tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k),
        "d": tuple(int(v) for v in rng.integers(1, 4, ndim)) if mode == "max" else (1,) * ndim,
        "i": tuple(int(v) for v in rng.integers(1, 10 if ndim < 3 else 6, ndim)),
        "ceil": bool(rng.integers(0, 2)),
        "cip": bool(rng.integers(0, 2)) if mode == "avg" else True,
        "c": int(rng.integers(1, 4)),
    }
    return cfg


def make_spec(cfg):
    return PoolSpec(cfg["mode"], cfg["i"], cfg["k"], stride=cfg["s"], padding=cfg["p"], dilation=cfg["d"],
                    ceil_mode=cfg["ceil"], count_include_pad=cfg["cip"], channels=cfg["c"])


def random_input(rng, cfg, special=True):
    """Small integers (so windows have ties), sometimes a NaN or -inf."""
    x = rng.integers(-3, 4, (cfg["c"], *cfg["i"])).astype(np.float64)
    if special and rng.random() < 0.3:
        flat = x.reshape(-1)
        flat[rng.integers(0, flat.size, 2)] = [np.nan, -np.inf][int(rng.integers(0, 2))]
    return x


def valid_configs(mode, count, seed):
    rng = np.random.default_rng(seed)
    done = 0
    while done < count:
        cfg = random_cfg(rng, mode)
        try:
            spec = make_spec(cfg)
        except ValueError:
            continue
        done += 1
        yield rng, cfg, spec


# -- properties ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_output_size_matches_the_reference_and_refusals_are_exactly_the_empty_outputs(mode):
    rng = np.random.default_rng(7)
    refused = accepted = 0
    for _ in range(1500):
        cfg = random_cfg(rng, mode)
        sizes = [ref_output_size(*a, cfg["ceil"]) for a in zip(*(cfg[n] for n in "ikspd"))]
        try:
            spec = make_spec(cfg)
        except ValueError as err:
            refused += 1
            # only two reasons: an empty output, or a window that reads no input (max with dilation)
            assert min(sizes) < 1 or "reads no input cell" in str(err) or "AvgPool3d" in str(err), (cfg, err)
            continue
        accepted += 1
        assert spec.output_shape == tuple(sizes), cfg
        assert len(schedule(spec)) == math.prod(sizes)
    assert refused > 25 and accepted > 750


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_schedule_taps_cover_each_window_in_row_major_order(mode):
    for _, cfg, spec in valid_configs(mode, 300, 11):
        steps = schedule(spec)
        for step, (out, cells) in zip(steps, ref_windows(cfg), strict=True):
            assert step.out == out
            assert len(step.taps) == math.prod(cfg["k"])
            for tap, cell, kern in zip(step.taps, cells, itertools.product(*(range(k) for k in cfg["k"]))):
                assert tap.kernel == kern
                assert tap.cell == tuple(c + p for c, p in zip(cell, cfg["p"]))
                inside = all(0 <= c < n for c, n in zip(cell, cfg["i"]))
                assert tap.source == (cell if inside else None)
                assert all(0 <= c < g for c, g in zip(tap.cell, spec.grid_shape))


def test_max_pool_values_and_indices_match_the_reference():
    for rng, cfg, spec in valid_configs("max", 400, 3):
        x = random_input(rng, cfg)
        vals, idx = ref_max(cfg, x)
        np.testing.assert_array_equal(pool_evaluate(spec, x), vals)
        np.testing.assert_array_equal(pool_argmax(spec, x), idx)


def test_avg_pool_values_match_the_reference():
    for rng, cfg, spec in valid_configs("avg", 400, 4):
        x = random_input(rng, cfg, special=False)
        np.testing.assert_allclose(pool_evaluate(spec, x), ref_avg(cfg, x), rtol=0, atol=1e-12)


try:  # the cross-checks below are marked torch: skipped (and counted) where torch is not installed
    import torch
except ImportError:
    torch = None
else:
    torch.set_num_threads(1)  # tiny tensors: threads only cost time on a shared machine
F = torch.nn.functional if torch is not None else None


def torch_max(cfg, x):
    fn = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[len(cfg["i"])]
    v, i = fn(torch.from_numpy(x), cfg["k"], cfg["s"], cfg["p"], cfg["d"], ceil_mode=cfg["ceil"], return_indices=True)
    return v.numpy(), i.numpy()


def torch_avg(cfg, x):
    fn = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[len(cfg["i"])]
    return fn(torch.from_numpy(x), cfg["k"], cfg["s"], cfg["p"], ceil_mode=cfg["ceil"],
              count_include_pad=cfg["cip"]).numpy()


@pytest.mark.torch
def test_max_pool_matches_torch_values_indices_nan_and_ties():
    for rng, cfg, spec in valid_configs("max", 400, 5):
        x = random_input(rng, cfg)
        v, i = torch_max(cfg, x)
        np.testing.assert_array_equal(pool_evaluate(spec, x), v)
        np.testing.assert_array_equal(pool_argmax(spec, x), i)


@pytest.mark.torch
def test_avg_pool_matches_torch():
    for rng, cfg, spec in valid_configs("avg", 400, 6):
        x = random_input(rng, cfg, special=False)
        np.testing.assert_allclose(pool_evaluate(spec, x), torch_avg(cfg, x), rtol=0, atol=1e-12)


@pytest.mark.torch
def test_refusals_match_torch():
    """Every config PoolSpec refuses, torch refuses too or answers -inf with an index outside the input."""
    rng = np.random.default_rng(8)
    for _ in range(1500):
        cfg = random_cfg(rng, "max" if rng.random() < 0.5 else "avg")
        try:
            make_spec(cfg)
            continue
        except ValueError as err:
            message = str(err)
        x = np.zeros((cfg["c"], *cfg["i"]))
        try:
            if cfg["mode"] == "max":
                v, i = torch_max(cfg, x)
            else:
                torch_avg(cfg, x)
        except RuntimeError:
            continue
        assert "reads no input cell" in message
        assert np.isneginf(v).any() and (i >= math.prod(cfg["i"])).any() or (v == -np.inf).any()


@pytest.mark.torch
def test_pytorch_layer_text_builds_the_same_layer():
    for _, cfg, spec in itertools.chain(valid_configs("max", 60, 9), valid_configs("avg", 60, 10)):
        layer = eval(spec.pytorch_layer, {"torch": torch})
        n = spec.ndim
        assert type(layer).__name__ == f"{'Max' if cfg['mode'] == 'max' else 'Avg'}Pool{n}d"
        rng = np.random.default_rng(0)
        x = torch.from_numpy(rng.standard_normal((cfg["c"], *cfg["i"])))
        np.testing.assert_allclose(layer(x).numpy(), pool_evaluate(spec, x.numpy()), rtol=0, atol=1e-12)


# -- the case, by hand --------------------------------------------------------


def test_max_pool_3_stride_2_ceil_mode_over_6x6_by_hand():
    spec = PoolSpec("max", 6, 3, stride=2, ceil_mode=True)
    # floor((6 - 3) / 2) + 1 = 2 windows per axis fit; ceil gives 3, the third starting at 4 (inside the input)
    assert spec.output_shape == (3, 3)
    assert spec.grid_shape == (7, 7) and spec.beyond == (1, 1) and spec.ceil_windows == (1, 1)
    assert spec.pytorch_layer == "torch.nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)"
    x = np.arange(36.0).reshape(1, 6, 6)
    # windows start at rows/cols 0, 2, 4; the max is the bottom-right cell inside the input
    expected = np.array([[14, 16, 17], [26, 28, 29], [32, 34, 35]], dtype=float)
    np.testing.assert_array_equal(pool_evaluate(spec, x)[0], expected)
    np.testing.assert_array_equal(pool_argmax(spec, x)[0], expected.astype(int))
    assert len(schedule(spec)) == 9
    last = schedule(spec)[-1]
    assert [t.source for t in last.taps if t.source is not None] == [(4, 4), (4, 5), (5, 4), (5, 5)]
    assert [t.cell for t in last.taps if t.source is None] == [(4, 6), (5, 6), (6, 4), (6, 5), (6, 6)]
    assert spec.cell_kind((6, 6)) == "beyond" and spec.cell_kind((4, 5)) == "input"


def test_avg_divisors_by_hand():
    spec = PoolSpec("avg", 4, 3, stride=2, padding=1, count_include_pad=False)
    # windows start at -1 and 1: corner window covers 2x2 input cells, the others 2x3 / 3x2 / 3x3
    assert spec.output_shape == (2, 2)
    assert [spec.divisor(o) for o in [(0, 0), (0, 1), (1, 0), (1, 1)]] == [4, 6, 6, 9]
    with_pad = PoolSpec("avg", 4, 3, stride=2, padding=1)
    assert [with_pad.divisor(o) for o in [(0, 0), (1, 1)]] == [9, 9]
    ceil = PoolSpec("avg", (6,), (3,), stride=(2,), padding=(1,), ceil_mode=True)
    # 4 windows at -1, 1, 3, 5; the last covers 5, 6 (padding) and 7 (past the padded input): divisor 2, or 1
    assert ceil.output_shape == (4,)
    assert [ceil.divisor((o,)) for o in range(4)] == [3, 3, 3, 2]


def test_cell_helpers_accept_a_pool_spec():
    from convanim import cell_kind, cell_source, unread_cells

    spec = PoolSpec("max", (7,), (2,), stride=(3,), padding=(1,), ceil_mode=True)
    # windows start at padded cells 0, 3, 6: [pad, 0], [2, 3], [5, 6]; input 1 and 4 are never read
    assert spec.output_shape == (3,) and spec.grid_shape == (9,)
    assert unread_cells(spec) == [(1,), (4,)]
    assert [cell_kind(spec, (c,)) for c in (0, 1, 8)] == ["padding", "input", "padding"]
    assert cell_source(spec, (3,)) == (2,) and cell_source(spec, (0,)) is None
    wide = PoolSpec("max", (6,), (3,), stride=(2,), ceil_mode=True)
    assert cell_kind(wide, (6,)) == "beyond"


def test_stride_defaults_to_kernel_size():
    spec = PoolSpec("max", 4, 2)
    assert spec.stride == (2, 2) and spec.output_shape == (2, 2)
    assert PoolSpec("avg", (7,), (3,)).stride == (3,)


# -- errors: one sentence each ---------------------------------------------------------


@pytest.mark.parametrize("kwargs, message", [
    (dict(mode="min"), "mode must be 'max' or 'avg', got 'min'"),
    (dict(kernel_size=0), "kernel_size must be >= 1, got 0"),
    (dict(input_size=0), "input_size must be >= 1, got 0"),
    (dict(stride=0), "stride must be >= 1, got 0"),
    (dict(dilation=0), "dilation must be >= 1, got 0"),
    (dict(padding=-1), "padding must be >= 0, got -1"),
    (dict(kernel_size=2.5), "kernel_size must be an integer, got 2.5"),
    (dict(padding=2), "padding must be at most half the kernel size (padding <= kernel_size // 2, as PyTorch "
                      "checks), got padding=2 with kernel_size=3"),
    (dict(mode="avg", dilation=2), "dilation is for mode='max' only (PyTorch's AvgPool has none), got dilation=2"),
    (dict(count_include_pad=False), "count_include_pad is for mode='avg' only (max pooling never counts), "
                                    "got count_include_pad=False with mode='max'"),
    (dict(ceil_mode=1), "ceil_mode must be True or False, got 1"),
    (dict(mode="avg", count_include_pad="no"), "count_include_pad must be True or False, got 'no'"),
    (dict(channels=0), "channels must be an integer >= 1, got 0"),
    (dict(input_size=(5, 5), kernel_size=(3,)),
     "all sizes must have the same number of axes, got input_size=(5, 5) (2 axes) and kernel_size=(3,) (1 axis)"),
    (dict(input_size=(5, 5, 5, 5), kernel_size=1), "input_size must have 1 to 3 axes, got (5, 5, 5, 5)"),
    (dict(mode="avg", input_size=(2, 5, 5), kernel_size=3, padding=1),
     "a 3-D average pooling needs input_size >= kernel_size on every axis (AvgPool3d checks the input before "
     "padding), got input_size=(2, 5, 5) with kernel_size=3"),
    (dict(input_size=2),
     "input_size=(2, 2) is too small for kernel_size=(3, 3) on axis 0: o = floor((2 + 2*0 - 3) / 1) + 1 = 0"),
    (dict(input_size=(3,), kernel_size=(2,), stride=(1,), padding=(1,), dilation=(4,)),
     "dilation=(4,) with padding=(1,) gives a window that reads no input cell on axis 0 (window 0 sees only "
     "padding; PyTorch returns -inf and an index outside the input there)"),
])
def test_spec_errors(kwargs, message):
    args = dict(mode="max", input_size=5, kernel_size=3, stride=1)
    args.update(kwargs)
    with pytest.raises(ValueError) as err:
        PoolSpec(**args)
    assert str(err.value) == message


def test_evaluate_errors():
    spec = PoolSpec("max", 4, 2, channels=2)
    with pytest.raises(ValueError, match=r"^x must have shape \(2, 4, 4\) \(channels, \*input_size\), got \(4, 4\)$"):
        pool_evaluate(spec, np.zeros((4, 4)))
    with pytest.raises(ValueError, match="^x must hold real numbers, got dtype complex128$"):
        pool_evaluate(spec, np.zeros((2, 4, 4), dtype=complex))
    with pytest.raises(ValueError, match="^pool_argmax needs mode='max', got mode='avg'$"):
        pool_argmax(PoolSpec("avg", 4, 2), np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match="^spec must be a PoolSpec, got str$"):
        pool_evaluate("max", np.zeros((1, 4, 4)))


def test_evaluate_hands_a_pool_spec_to_pool_evaluate():
    from convanim import evaluate

    spec = PoolSpec("avg", 4, 2, channels=2)
    x = np.arange(32.0).reshape(2, 4, 4)
    # channel 0, window [0:2, 0:2]: (0 + 1 + 4 + 5) / 4
    assert evaluate(spec, x)[0, 0, 0] == 2.5
    np.testing.assert_array_equal(evaluate(spec, x), pool_evaluate(spec, x))
    with pytest.raises(ValueError, match="^weight and bias are for a ConvSpec; a PoolSpec has none$"):
        evaluate(spec, x, weight=np.ones((1, 1, 2, 2)))
