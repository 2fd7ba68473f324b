"""Text is readable where the figure is shown: at least 11 px of em (issue 18).

Sizes are measured from the drawing (`convanim.scene.base.text_sizes`: text
extents, and glyph outlines at their size), on the first, middle and last
frames, and scaled by shown width / native width. Shown widths: native for a
GIF on its own and for `width=` renders; its card on a gallery index page at a
1280 px window (`indexpages.card_px`: a figure wider than one column gets a
card spanning two or three, `indexpages.card_span`); 400 px for the seed post's
figures.
"""

from __future__ import annotations

import pytest

from convanim import animate
from convanim.gallery import case_animation, load_gallery
from convanim.indexpages import card_px, card_span
from convanim.pool import PoolSpec
from convanim.scene.base import MIN_TEXT_PX, text_sizes

#: The content width of a one-column card on a gallery index page at a 1280 px window: 32 px body margins,
#: three columns of minmax(320px, 1fr) 24 px apart, 16 px padding and a 1 px border (see indexpages).
CARD_PX = 355
POST_PX = 400


def test_cards_are_as_wide_as_the_page_grid_makes_them():
    # 1280 - 2 * 32 = 1216 px of grid: three columns of (1216 - 2 * 24) / 3 = 389.3 px; a card is 34 px narrower
    assert (card_px(1), card_px(2), card_px(3)) == (CARD_PX, 768, 1182)
    assert card_span(300) == card_span(CARD_PX) == 1 and card_span(CARD_PX + 1) == 2
    assert card_span(card_px(2)) == 2 and card_span(card_px(2) + 1) == 3 and card_span(5000) == 3
    assert card_px(3, window=900) == card_px(2, window=900) > card_px(1, window=900)  # two columns at 900 px
    assert card_px(2, window=700) == card_px(1, window=700)  # one at 700 px


def smallest(anim) -> tuple[str, float]:
    """(text, em px) of the smallest text on the first, middle and last frames, at native size."""
    n = len(anim)
    sizes = [item for k in sorted({0, n // 2, n - 1}) for item in text_sizes(anim.scene, k)]
    return min(sizes, key=lambda item: item[1], default=("", float("inf")))


VIEWS = {
    "grid": dict(input_size=5, kernel_size=3, stride=2, padding=1, labels=True, caption=True),
    "grid_1d": dict(input_size=(7,), kernel_size=3, stride=2, labels=True, caption=True),
    "flat": dict(input_size=5, kernel_size=3, layout="flat", labels=True, caption=True),
    "flat_3d": dict(input_size=(4, 4, 4), kernel_size=3, layout="flat", labels=True, caption=True),
    "1d": dict(input_size=(7,), kernel_size=3, view="1d", labels=True, caption=True),
    "continuous": dict(view="continuous", caption=True),
    "values": dict(input_size=5, kernel_size=3, view="values", labels=True, caption=True),
    "values_random": dict(input_size=5, kernel_size=3, view="values", values="random"),
    "matrix": dict(input_size=4, kernel_size=3, view="matrix", labels=True, caption=True),
    "scatter": dict(input_size=3, kernel_size=3, stride=2, transposed=True, view="scatter"),
    "scatter_random": dict(input_size=3, kernel_size=3, stride=2, transposed=True, view="scatter", values="random"),
    "both": dict(input_size=3, kernel_size=3, stride=2, transposed=True, view="both"),
    "overlap": dict(input_size=3, kernel_size=3, stride=2, transposed=True, view="overlap"),
    "channels": dict(input_size=5, kernel_size=3, in_channels=2, out_channels=4, groups=2, bias=True,
                     labels=True, caption=True),
    "channels_flat": dict(input_size=5, kernel_size=3, in_channels=2, out_channels=2, groups=2, layout="flat"),
    "channels_values": dict(input_size=5, kernel_size=3, in_channels=2, out_channels=4, groups=2, bias=True,
                            view="values", values="random"),
    "max_pool": dict(spec=PoolSpec("max", (5, 5), 3, stride=2, ceil_mode=True), labels=True, caption=True),
    "max_pool_values": dict(spec=PoolSpec("max", (5, 5), 3, stride=2, ceil_mode=True), view="values",
                            labels=True, caption=True),
    "avg_pool_flat": dict(spec=PoolSpec("avg", (5, 5), 3, stride=2, padding=1, count_include_pad=False),
                          layout="flat", labels=True, caption=True),
}


@pytest.mark.parametrize("name", VIEWS)
def test_every_view_is_readable_at_its_native_size(name):
    text, px = smallest(animate(**VIEWS[name]))
    assert px >= MIN_TEXT_PX, f"{name}: {text!r} is {px:.1f} px"


@pytest.mark.parametrize("name, width", [("grid", 300), ("grid", 600), ("flat", 360),
                                         ("values", 700), ("values", 400), ("matrix", 700), ("matrix", 400),
                                         ("overlap", 400), ("channels", 600), ("max_pool", 520),
                                         ("continuous", 400), ("continuous", 800)])
def test_width_lays_the_figure_out_for_it_and_keeps_text_readable(name, width):
    kwargs = {k: v for k, v in VIEWS[name].items()}
    anim = animate(**kwargs, width=width)
    w = anim.size[0]
    assert width - 40 <= w <= width, f"{name}: frame {w} px wide for width={width}"
    text, px = smallest(anim)
    assert px >= MIN_TEXT_PX, f"{name} at {width} px: {text!r} is {px:.1f} px"


def test_width_too_narrow_is_one_sentence_and_width_with_cell_px_is_refused():
    with pytest.raises(ValueError, match=r"^width must be at least \d+ px for this figure"):
        animate(input_size=5, kernel_size=3, view="values", width=200)
    with pytest.raises(ValueError, match="give width or cell_px, not both"):
        animate(input_size=5, kernel_size=3, width=400, cell_px=20)
    with pytest.raises(ValueError, match="width must be an integer from 120 to 8000"):
        animate(input_size=5, kernel_size=3, width=True)
    with pytest.raises(ValueError, match=r"^width must be at least 400 px for this figure \(its legend and readout"):
        animate(view="continuous", width=399)


def test_large_inputs_fit_a_page_by_default():
    anim = animate(input_size=32, kernel_size=3)
    assert anim.size[0] <= 960
    assert animate(input_size=32, kernel_size=3, cell_px=30).size[0] > 960  # cell_px given: as asked


def _gallery_cases():
    for gallery in ("classic", "extended", "layers", "post", "transposed"):
        _, cases = load_gallery(gallery)
        for case in cases:
            yield pytest.param(gallery, case, id=f"{gallery}-{case.file}")


@pytest.mark.parametrize("gallery, case", list(_gallery_cases()))
def test_gallery_figures_are_readable_where_they_are_shown(gallery, case):
    anim = case_animation(case)
    native = anim.size[0]
    shown = min(native, POST_PX if gallery == "post" else card_px(card_span(native)))
    text, px = smallest(anim)
    assert px * shown / native >= MIN_TEXT_PX, \
        f"{case.file}: {text!r} is {px * shown / native:.1f} px at {shown} px wide ({px:.1f} px at {native})"
