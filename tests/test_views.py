"""The view registry (`convanim.views`): one declaration per view, read by everything that knows a view."""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from convanim import ConvSpec, PoolSpec, animate, views
from convanim.animation import APPLIES
from convanim.cli import main
from convanim.limits import VIEW_LIMITS, check_render, estimate_size, frame_count

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _toy():
    spec = importlib.util.spec_from_file_location("toy_view", HERE / "toy_view.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- a new view: one module, one entry ------------------------------------------------------


def test_a_toy_view_is_one_module_and_one_registry_entry(tmp_path):
    toy = _toy()
    spec = ConvSpec(5, 3, stride=2, padding=1)  # 3x3 output: 9 bars
    with views.registered(toy.VIEW):
        anim = animate(spec, view="bars")
        assert len(anim) == frame_count(spec, "bars") == 9
        assert anim.size == estimate_size(spec, "bars") == (11 * toy.BAR_PX, 3 * toy.BAR_PX)
        assert anim.alt == "9 bars, one per output cell"
        # Frame k lights bar k: the accent colour sits in bar k's box, the output colour elsewhere.
        accent = tuple(int(anim.scene.options.theme.accent[i:i + 2], 16) for i in (1, 3, 5))
        for k in (0, 4, 8):
            frame = anim.array(k)
            lit = [b for b in range(9) if tuple(frame[30, (b + 1) * toy.BAR_PX + 9]) == accent]
            assert lit == [k]
        flipped = animate(spec, view="bars", flip=True)
        assert tuple(flipped.array(0)[30, 9 * toy.BAR_PX + 9]) == accent
        anim.save(tmp_path / "bars.gif")
        assert (tmp_path / "bars.gif").read_bytes()[:6] == b"GIF89a"
        # The command line offers it, and writes it.
        out = tmp_path / "cli.gif"
        assert main(["render", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "--view", "bars", "-q", "-o", str(out)]) == 0
        assert out.read_bytes() == (tmp_path / "bars.gif").read_bytes()
        # Its options, its limit and its (missing) page come from its declaration.
        assert APPLIES["flip"] == views.applies("flip") == ("1d", "bars")
        with pytest.raises(ValueError, match=r"^radius only applies to view continuous$"):
            animate(spec, view="bars", radius=2.0)
        with pytest.raises(ValueError, match=r"^labels only applies to view grid, 1d, values or matrix$"):
            animate(spec, view="bars", labels=True)
        with pytest.raises(ValueError, match=r"^the bars view draws at most 50 bars, got 64$"):
            animate(ConvSpec(10, 3), view="bars")
        with pytest.raises(ValueError, match=r"^a pooling is drawn by the grid or values view, got view='bars'$"):
            animate(PoolSpec("max", 4, 2), view="bars")
        with pytest.raises(ValueError, match=r"^view 'bars' draws one channel; a layer .* grid and values views$"):
            animate(ConvSpec(5, 3, in_channels=2), view="bars")
        with pytest.raises(ValueError, match=r"^--view bars has no interactive form yet"):
            anim.save(tmp_path / "bars.html")
    assert "bars" not in views.names()
    with pytest.raises(ValueError, match=r"^view must be one of grid, 1d, .*, overlap, got 'bars'$"):
        animate(spec, view="bars")


def test_register_refuses_a_taken_name_and_unknown_options():
    toy = _toy()
    with pytest.raises(ValueError, match=r"^a view named 'grid' is already registered$"):
        views.register(views.View(name="grid", summary="", scenes={}, size=toy.VIEW.size))
    with pytest.raises(ValueError, match=r"^view 'x': options must be among spec, layout, .*, got 'speed'$"):
        views.register(views.View(name="x", summary="", scenes={}, size=toy.VIEW.size, options=("speed",)))
    with pytest.raises(ValueError, match=r"^view 'x': scenes draw none, conv, layer, pool, got 'graph'$"):
        views.View(name="x", summary="", scenes={"graph": None}, size=toy.VIEW.size)
    assert views.names() == ("grid", "1d", "continuous", "values", "matrix", "scatter", "both", "overlap")


# -- the built-in views, as declared -------------------------------------------------------


def test_the_option_table_is_the_declarations():
    for name in views.names():
        view = views.get(name)
        for option in views.VIEW_OPTIONS:
            taken = option in view.options or (option == "spec" and view.draws_spec)
            assert (name in APPLIES[option]) == taken, (name, option)
    assert VIEW_LIMITS == {name: views.get(name).limits for name in views.names() if views.get(name).limits}


@pytest.mark.parametrize("name", ["grid", "1d", "values", "matrix", "scatter", "both", "overlap"])
def test_each_view_estimates_its_frames_within_reason(name):
    transposed = name in ("scatter", "both", "overlap")
    spec = ConvSpec((6,) if name == "1d" else 4, 3, stride=2, padding=1, transposed=transposed)
    anim = animate(spec, view=name, **({"values": "random"} if "values" in views.get(name).options else {}))
    frames, (w, h) = check_render(spec, name)
    assert frames == len(anim)
    assert w * h >= anim.size[0] * anim.size[1] * 0.8  # estimates err on the large side


def test_kinds_are_drawn_by_the_views_declaring_them():
    drawn = {name: set(views.get(name).scenes) for name in views.names()}
    assert {n for n, kinds in drawn.items() if "pool" in kinds} == {"grid", "values"}
    assert {n for n, kinds in drawn.items() if "layer" in kinds} == {"grid", "values"}
    assert {n for n, kinds in drawn.items() if "none" in kinds} == {"continuous"}
    assert views.drawn_kind(ConvSpec(5, 3)) == "conv"
    assert views.drawn_kind(ConvSpec(5, 3, bias=True)) == "layer"
    assert views.drawn_kind(PoolSpec("avg", 4, 2)) == "pool"
    assert np.all([views.get(n).page is not None for n in ("grid", "values")])


# -- the README's option table names each view and what its options apply to -----------------


def _option_table() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("| option | |")
    lines = text[start:].splitlines()[2:]
    return lines[:next(n for n, line in enumerate(lines) if not line.startswith("|"))]


def test_readme_option_table_matches_the_registry():
    rows = [row.replace("\\|", "/") for row in _option_table()]  # `a\|b` in a cell: a or b
    listed = set()
    for row in rows:
        for flags in re.findall(r"`--view ([\w/]+)`", row):
            listed |= set(flags.split("/"))
    assert listed | {"grid"} == set(views.names()), "every view but the default has a --view row"
    assert len(rows) == len(set(rows)), "no row twice"
    for option in ("layout", "width", "values", "flip", "radius", "channel_order"):
        flag = "--" + option.replace("_", "-")
        row = next((r for r in rows if f"`{flag}" in r), None)
        assert row is not None, f"the option table has no {flag} row"
        named = set(re.findall(r"`(\w+)`", row.split("|")[2]))
        assert named == set(APPLIES[option]), (flag, named, APPLIES[option])
