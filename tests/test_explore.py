"""The explorer (`convanim explore`): its JavaScript arithmetic against Python's, cell by cell, in Chromium.

Random configs go to the page's own `arith` (reached through its element, the page defines no global name) in one
evaluation; each answer is checked against the spec the page's `convanim render` command builds through the real
command-line parser, against the spec built directly from the config, and against `schedule()`, the pooling's
windows and divisors, the captions and the PyTorch calls. The browser tests skip where Chromium or Playwright is
missing (as tests/test_html.py's do).
"""

from __future__ import annotations

import random
import re
import shlex

import numpy as np
import pytest

from convanim import ConvSpec
from convanim.cli import build_parser, main, spec_from_args
from convanim.explanation import caption, pytorch_layer
from convanim.pool import PoolSpec, pool_evaluate
from convanim.pool_text import caption as pool_caption
from convanim.schedule import cell_kind, cell_source, schedule, unread_cells
from tests.test_html import ARGS, CHROMIUM, _missing

N_CONFIGS = 3000


def _config(rng: random.Random) -> dict:
    ndim = rng.choice((1, 2))
    kind = rng.choice(("conv", "conv", "transposed", "max", "avg"))

    def size(lo, hi, zero=0.03):
        v = [0 if rng.random() < zero else rng.randint(lo, hi) for _ in range(2)]
        return [v[0], v[0]] if rng.random() < 0.5 else v

    mode = rng.choices(("num", "sides", "valid", "same", "full"), (10, 3, 1, 2, 2))[0]
    if kind in ("max", "avg") and rng.random() < 0.9:
        mode = "num"
    values = [rng.randint(0, 3) for _ in range(4)] if mode == "sides" else size(0, 3, 0)
    cfg = {"ndim": ndim, "kind": kind, "input": size(1, 11), "kernel": size(1, 5), "stride": size(1, 3),
           "dilation": size(1, 3) if kind != "avg" and rng.random() < 0.4 else [1, 1],
           "output_padding": size(0, 2, 0) if kind == "transposed" else [0, 0],
           "padding": {"mode": mode, "values": values},
           "ceil_mode": kind in ("max", "avg") and rng.random() < 0.5,
           "count_include_pad": kind != "avg" or rng.random() < 0.5}
    if ndim == 1:
        for name in ("input", "kernel", "stride", "dilation", "output_padding"):
            cfg[name] = cfg[name][:1]
        cfg["padding"]["values"] = values[:2] if mode == "sides" else values[:1]
    return cfg


def _direct(cfg: dict):
    """The spec of ``cfg`` built straight from its values (not through the page's command)."""
    n, kind, p = cfg["ndim"], cfg["kind"], cfg["padding"]
    t = {name: tuple(cfg[name][:n]) for name in ("input", "kernel", "stride", "dilation", "output_padding")}
    if kind in ("max", "avg"):
        extra = {"dilation": t["dilation"]} if kind == "max" else {"count_include_pad": cfg["count_include_pad"]}
        if p["mode"] != "num":
            raise ValueError("a pooling's padding is numbers")
        return PoolSpec(kind, t["input"], t["kernel"], stride=t["stride"], padding=tuple(p["values"][:n]),
                        ceil_mode=cfg["ceil_mode"], **extra)
    if p["mode"] == "num":
        padding = tuple(p["values"][:n])
    elif p["mode"] == "sides":
        padding = tuple((p["values"][2 * a], p["values"][2 * a + 1]) for a in range(n))
    else:
        padding = p["mode"]
    return ConvSpec(t["input"], t["kernel"], stride=t["stride"], padding=padding, dilation=t["dilation"],
                    transposed=kind == "transposed", output_padding=t["output_padding"] if kind == "transposed" else 0)


def _from_command(command: str):
    """The spec (or the refusal) the command line makes of the page's ``convanim render`` command."""
    words = shlex.split(command)
    assert words[:2] == ["convanim", "render"] and words[-2] == "-o" and words[-1].endswith(".gif")
    args = build_parser().parse_args(words[1:])
    try:
        return spec_from_args(args, ndim=1 if args.view == "1d" else None), None
    except ValueError as exc:
        return None, str(exc)


def _flat(index, shape) -> int:
    return int(np.ravel_multi_index(index, shape))


def _call(spec) -> str:
    """The PyTorch call of the layer drawn: convanim's (a convolution's says bias=False: the layer has no bias)."""
    if isinstance(spec, PoolSpec):
        return spec.pytorch_layer
    text = pytorch_layer(spec)
    assert "bias=False" in text
    return text


def _expected(spec) -> dict:
    grid, out, kshape = spec.grid_shape, spec.output_shape, spec.kernel_size
    unread = set(unread_cells(spec))
    kinds, src = [], []
    for cell in np.ndindex(*grid):
        source = cell_source(spec, cell)
        kinds.append("u" if source is not None and source in unread else cell_kind(spec, cell)[0])
        src.append(-1 if source is None else _flat(source, spec.input_size))
    steps = schedule(spec)
    pool = isinstance(spec, PoolSpec)
    return {
        "grid": list(grid), "out": list(out), "kernel": list(kshape), "input": list(spec.input_size),
        "kinds": "".join(kinds), "src": src,
        "steps": [[_flat(s.out, out), [v for t in s.taps for v in (_flat(t.kernel, kshape), _flat(t.cell, grid))]]
                  for s in steps],
        "divisors": [spec.divisor(s.out) for s in steps] if pool and spec.mode == "avg" else None,
        "formula": pool_caption(spec) if pool else caption(spec),
        "pytorch": _call(spec),
        "pool": spec.mode if pool else None,
        "transposed": bool(spec.transposed),
    }


# -- without a browser -----------------------------------------------------------------


def test_command_writes_one_self_contained_page(tmp_path, capsys):
    target = tmp_path / "explore.html"
    assert main(["explore", "-o", str(target)]) == 0
    assert re.fullmatch(r"wrote .*explore\.html: the explorer, \d+ KB\n", capsys.readouterr().err)
    page = target.read_text(encoding="utf-8")
    assert not re.search(r"""\s(src|href)\s*=\s*["']""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)
    assert page.count("<script") == 2 and "<style" not in page.split("<template>")[0]
    assert main(["explore", "-o", str(tmp_path / "again.html"), "-q"]) == 0
    assert (tmp_path / "again.html").read_bytes() == target.read_bytes()
    assert main(["explore", "-o", str(tmp_path / "dark.html"), "--theme", "dark", "-q"]) == 0
    assert (tmp_path / "dark.html").read_bytes() != target.read_bytes()


# -- in the browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def explorer(tmp_path_factory):
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    path = tmp_path_factory.mktemp("explore") / "explore.html"
    assert main(["explore", "-o", str(path), "-q"]) == 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 1200}, reduced_motion="reduce")
        requests, errors = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        yield page, requests, errors, path.as_uri()
        browser.close()


def _arith(page, configs):
    script = "cs => { const e = document.querySelector('convanim-explorer'); return cs.map(c => e.arith(c)); }"
    return page.evaluate(script, configs)


def test_arithmetic_equals_python_on_random_configs(explorer):
    page, requests, errors, url = explorer
    rng = random.Random(20)
    configs = [_config(rng) for _ in range(N_CONFIGS)]
    answers = _arith(page, configs)
    refused = valid = 0
    kinds = set()
    for cfg, got in zip(configs, answers):
        spec, message = _from_command(got["command"])
        try:
            direct = _direct(cfg)
        except ValueError:
            direct = None
        if "error" in got:
            refused += 1
            assert message == got["error"], (cfg, got["command"])
            assert direct is None, cfg
            continue
        valid += 1
        assert message is None, (cfg, message)
        assert spec == direct, (cfg, got["command"])
        want = _expected(spec)
        for key, value in want.items():
            assert got[key] == value, (key, cfg)
        kinds.add((cfg["ndim"], cfg["kind"], cfg["padding"]["mode"]))
    assert valid >= 1400 and refused >= 300 and valid + refused >= 2000, (valid, refused)
    assert len(kinds) >= 20  # every kind in 1-D and 2-D, with every padding mode a convolution takes
    assert errors == [] and requests == [url]


@pytest.mark.torch
def test_pytorch_calls_build_the_layer_drawn(explorer):
    """Each call runs in PyTorch and computes what the schedule's taps (or the pooling's windows) compute."""
    torch = pytest.importorskip("torch")
    page = explorer[0]
    rng = random.Random(7)
    configs = [_config(rng) for _ in range(400)]
    answers = [(c, a) for c, a in zip(configs, _arith(page, configs)) if "error" not in a][:80]
    assert len(answers) == 80
    gen = np.random.default_rng(0)
    for cfg, got in answers:
        spec = _direct(cfg)
        layer = eval(got["pytorch"], {"torch": torch}).double()  # noqa: S307 - the page's own text, under test
        x = gen.integers(-4, 5, size=spec.input_size).astype(np.float64)
        if isinstance(spec, PoolSpec):
            want = pool_evaluate(spec, x[None])[0]
        else:
            conv = layer[-1] if isinstance(layer, torch.nn.Sequential) else layer
            assert conv.bias is None and tuple(conv.weight.shape[:2]) == (1, 1)
            w = gen.integers(-3, 4, size=spec.kernel_size).astype(np.float64)
            with torch.no_grad():
                conv.weight.copy_(torch.from_numpy(w).reshape(conv.weight.shape))
            want = np.zeros(spec.output_shape)
            for step in schedule(spec):
                want[step.out] = sum(w[t.kernel] * x[t.source] for t in step.taps if t.source is not None)
        with torch.no_grad():
            result = layer(torch.from_numpy(x)[None, None])
        assert result.shape[2:] == spec.output_shape, got["pytorch"]
        assert np.allclose(result[0, 0].numpy(), want), got["pytorch"]


def test_controls_redraw_and_refuse(explorer):
    page = explorer[0]
    page.reload()
    assert page.text_content("#outsize").startswith("3×3")
    assert page.text_content("#command") == "convanim render -i 5 -k 3 -s 2 -p 1 --layout flat -o conv.gif"
    assert page.locator('#view g[aria-label^="output"] rect.cell').count() == 9
    stride = page.locator('.row[data-name="stride"] input').nth(1)
    stride.fill("1")
    assert page.text_content("#outsize").startswith("3×5")
    assert page.locator('#view g[aria-label^="output"] rect.cell').count() == 15
    page.select_option("#kind", "max")  # padding 1 with a 3x3 window: allowed
    assert "MaxPool2d(kernel_size=3, stride=(2, 1), padding=1)" in page.text_content("#call")
    page.select_option("#padmode", "same")
    want = _from_command(page.text_content("#command"))[1]
    assert want == "a pooling's padding is one number or one per axis (both sides alike), got 'same'"
    assert page.text_content("#error") == want
    assert page.locator('#view g[aria-label^="output"] rect.cell').count() == 0
    page.select_option("#kind", "transposed")
    assert page.text_content("#error") == (
        "padding='same' is not supported with transposed=True; give the padding as numbers")
    page.select_option("#padmode", "num")
    assert page.text_content("#error") == "" and page.text_content("#outsize").startswith("9×5")
    page.select_option("#ndim", "1")
    assert page.text_content("#command").startswith("convanim render --view 1d -i 5 -k 3 -p 1 --transposed")
    assert page.locator('#view g[aria-label^="output"] rect.cell').count() == 5
