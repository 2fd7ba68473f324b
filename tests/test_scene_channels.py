"""The channel scene: frame counts in both orders, routing, and colours probed at known cell centres."""

from __future__ import annotations

import numpy as np
import pytest

from convanim import ConvSpec, animate
from convanim.scene.channels import ChannelScene
from convanim.scene.classic import ClassicScene
from convanim.scene.flat import FlatScene
from convanim.themes import THEMES, hex_to_rgb

THEME = THEMES["classic"]
GROUPED = ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2)


def rgb(frame, xy):
    x, y = (int(round(v)) for v in xy)
    return tuple(int(v) for v in frame[y, x])


@pytest.mark.parametrize(
    "spec, channel, position",
    [
        (GROUPED, 36, 9),
        (ConvSpec(5, 3, in_channels=3, out_channels=2, bias=True), 18, 9),
        (ConvSpec((6,), 3, stride=2, in_channels=2, out_channels=2, groups=2), 4, 2),
        (ConvSpec(3, 3, stride=2, transposed=True, in_channels=4, out_channels=2, groups=2), 98, 49),
        (ConvSpec(4, 1, in_channels=3, out_channels=2), 32, 16),
    ],
)
def test_frame_counts_in_both_orders(spec, channel, position):
    for layout in ("classic", "flat"):
        assert len(animate(spec, layout=layout, channel_order="channel")) == channel
        assert len(animate(spec, layout=layout, channel_order="position")) == position


def test_auto_order_moves_the_channels_of_a_one_filter_per_channel_depthwise_layer_together():
    depthwise = ConvSpec(5, 3, in_channels=3, out_channels=3, groups=3)
    assert len(animate(depthwise)) == len(animate(depthwise, channel_order="position")) == 9
    assert len(animate(depthwise, channel_order="channel")) == 27
    assert animate(depthwise).options["channel_order"] == "position"
    # a channel multiplier (two filters per channel), a grouped and a standard layer: one channel at a time
    for spec in (GROUPED, ConvSpec(5, 3, in_channels=4, out_channels=4, groups=2), ConvSpec(5, 3, in_channels=2,
                                                                                             out_channels=2)):
        assert len(animate(spec)) == len(animate(spec, channel_order="channel")) == 9 * spec.out_channels
    with pytest.raises(ValueError, match=r"^channel_order must be 'auto', 'channel' or 'position', got 'x'$"):
        animate(depthwise, channel_order="x")


def test_only_layers_with_channels_use_the_channel_scene():
    assert isinstance(animate(ConvSpec(5, 3)).scene, ClassicScene)
    assert isinstance(animate(ConvSpec(5, 3), layout="flat").scene, FlatScene)
    for spec in (GROUPED, ConvSpec(5, 3, bias=True), ConvSpec(5, 3, out_channels=2)):
        assert isinstance(animate(spec).scene, ChannelScene)


def test_memory_order():
    scene = ChannelScene(GROUPED)
    assert scene.frame_content(0) == ([0], 0)
    assert scene.frame_content(10) == ([1], 1)  # output channel 1, second position
    assert scene.frame_content(35) == ([3], 8)
    scene = ChannelScene(GROUPED, order="position")
    assert scene.frame_content(4) == ([0, 1, 2, 3], 4)


def test_classic_colours_at_cell_centres():
    scene = ChannelScene(GROUPED)
    over_in, over_out = hex_to_rgb(THEME.over(THEME.input)), hex_to_rgb(THEME.over(THEME.output))
    # Frame 10: output channel 1 (group 0) at position (0, 1): the window covers input columns 1..3.
    frame = scene.frame(10)
    assert rgb(frame, scene.cell_center("input", 0, (0, 1))) == over_in  # a tap
    assert rgb(frame, scene.cell_center("input", 0, (2, 3))) == over_in
    assert rgb(frame, scene.cell_center("input", 0, (0, 0))) == hex_to_rgb(THEME.input)  # not a tap
    assert rgb(frame, scene.cell_center("input", 1, (2, 2))) == hex_to_rgb(THEME.unread)  # group 1: idle
    assert rgb(frame, scene.cell_center("output", 1, (0, 1))) == over_out  # the cell being written
    assert rgb(frame, scene.cell_center("output", 0, (2, 2))) == hex_to_rgb(THEME.output)
    assert rgb(frame, scene.cell_center("output", 3, (1, 1))) == hex_to_rgb(THEME.unread)
    # Frame 27: output channel 3 (group 1) at the first position.
    frame = scene.frame(27)
    assert rgb(frame, scene.cell_center("input", 1, (1, 1))) == over_in
    assert rgb(frame, scene.cell_center("input", 0, (1, 1))) == hex_to_rgb(THEME.unread)
    assert rgb(frame, scene.cell_center("output", 3, (0, 0))) == over_out


def test_flat_fills_the_output_in_memory_order():
    scene = ChannelScene(GROUPED, layout="flat")
    frame = scene.frame(10)  # channel 0 done, channel 1 at its second cell
    assert rgb(frame, scene.cell_center("output", 0, (2, 2))) == hex_to_rgb(THEME.output)
    assert rgb(frame, scene.cell_center("output", 1, (0, 0))) == hex_to_rgb(THEME.output)
    assert rgb(frame, scene.cell_center("output", 1, (0, 1))) == hex_to_rgb(THEME.over(THEME.output))
    assert rgb(frame, scene.cell_center("output", 1, (0, 2))) == hex_to_rgb(THEME.background)
    assert rgb(frame, scene.cell_center("output", 2, (0, 0))) == hex_to_rgb(THEME.background)
    scene = ChannelScene(GROUPED, layout="flat", order="position")
    frame = scene.frame(1)
    for o in range(4):
        assert rgb(frame, scene.cell_center("output", o, (0, 0))) == hex_to_rgb(THEME.output)
        assert rgb(frame, scene.cell_center("output", o, (0, 1))) == hex_to_rgb(THEME.over(THEME.output))


def test_frames_are_deterministic_and_padding_taps_are_shaded():
    spec = ConvSpec(4, 3, padding=1, in_channels=2, out_channels=2, groups=2, bias=True)
    a, b = ChannelScene(spec), ChannelScene(spec)
    assert np.array_equal(a.frame(0), b.frame(0))
    frame = a.frame(0)  # the first window: its top row lies on padding
    assert rgb(frame, a.cell_center("input", 0, (0, 0))) == hex_to_rgb(THEME.over(THEME.padding))
    assert rgb(frame, a.cell_center("input", 0, (2, 2))) == hex_to_rgb(THEME.over(THEME.input))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"layout": "matrix"}, "layout must be 'classic' or 'flat' for a layer with channels, got 'matrix'"),
        ({"order": "row"}, "channel_order must be one of channel, position, got 'row'"),
    ],
)
def test_scene_errors(kwargs, message):
    with pytest.raises(ValueError) as info:
        ChannelScene(GROUPED, **kwargs)
    assert str(info.value) == message


def test_scene_refuses_3d_and_bad_cells():
    with pytest.raises(ValueError, match=r"^layout 'classic' draws 1-D and 2-D convolutions, got 3 axes$"):
        ChannelScene(ConvSpec((3, 3, 3), 2, in_channels=2))
    scene = ChannelScene(GROUPED)
    with pytest.raises(ValueError, match=r"^channel must be between 0 and 3, got 4$"):
        scene.cell_center("output", 4, (0, 0))
    with pytest.raises(ValueError, match=r"^which must be 'input' or 'output', got 'kernel'$"):
        scene.cell_center("kernel", 0, (0, 0))


def test_too_many_channels_to_draw_is_one_sentence():
    with pytest.raises(ValueError) as info:
        animate(ConvSpec(5, 3, in_channels=64, out_channels=8))
    assert str(info.value) == ("the channel drawing shows at most 16 input and output channels, got in_channels=64; "
                               "convanim shape gives the numbers of any layer")


@pytest.mark.parametrize("view", ["matrix", "1d"])
def test_one_channel_views_refuse_a_layer_with_channels(view):
    with pytest.raises(ValueError) as info:
        animate(ConvSpec((5,), 3, in_channels=2) if view == "1d" else GROUPED, view=view, values="random")
    assert str(info.value) == (
        f"view {view!r} draws one channel; a layer with in_channels, out_channels, groups or bias "
        "is drawn by the grid and values views"
    )


def test_channel_order_option_is_checked():
    with pytest.raises(ValueError, match=r"^channel_order must be 'auto', 'channel' or 'position', got 'x'$"):
        animate(GROUPED, channel_order="x")


def test_alt_text_names_channels_groups_and_bias():
    anim = animate(ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2, bias=True))
    assert anim.alt == ("2 input channels to 4 output channels in 2 groups (depthwise) with bias: "
                        "3×3 kernel over a 5×5 input, giving 3×3")


def test_the_frame_limit_counts_every_output_channel():
    with pytest.raises(ValueError, match=r"^the animation would have 36 frames"):
        animate(GROUPED, max_frames=35)
    assert len(animate(GROUPED, max_frames=36)) == 36


@pytest.mark.parametrize("layout", ["classic", "flat"])
@pytest.mark.parametrize("spec, cells_per_filter", [
    (ConvSpec(5, 3, in_channels=3, out_channels=2, bias=True), 27),  # one filter spans every input channel
    (ConvSpec(5, 3, in_channels=3, out_channels=3, groups=3, padding=1), 9),  # depthwise: one slice per filter
    (ConvSpec((7,), 2, in_channels=2, out_channels=4, groups=2), 2),  # 1-D: 1×2 slices
])
def test_filter_bank_draws_each_output_channels_filter_in_its_colour(layout, spec, cells_per_filter):
    from convanim.scene.filterbank import filter_colour
    from convanim.themes import blend

    scene = ChannelScene(spec, layout=layout)
    assert all(len(scene.filter_cells(o)) == cells_per_filter for o in range(spec.out_channels))
    theme = THEMES["classic"]
    for k in (0, len(scene) - 1):
        frame = scene.frame(k)
        in_use = scene.frame_content(k)[0]
        for o in range(spec.out_channels):
            expected = filter_colour(o) if o in in_use else blend(filter_colour(o), theme.background, 0.7)
            for x, y in scene.filter_cells(o):
                assert tuple(frame[round(y), round(x)]) == hex_to_rgb(expected), (k, o)


def test_filter_bank_caption_gives_the_weight_shape_and_parameter_count():
    from convanim.scene.base import text_sizes

    scene = ChannelScene(ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2, bias=True))
    texts = [t for t, _ in text_sizes(scene, 0)]
    assert "weight (4, 1, 3, 3): 36 weights + 4 biases = 40 parameters" in texts
    assert {"w[0]", "w[1]", "w[2]", "w[3]"} <= set(texts)
    depthwise = ChannelScene(ConvSpec(5, 3, in_channels=3, out_channels=3, groups=3))
    assert "weight (3, 1, 3, 3): 27 parameters" in [t for t, _ in text_sizes(depthwise, 0)]


def test_the_depthwise_presets_draw_every_channel_at_once():
    """A depthwise layer's channels do not wait for each other: its gallery cases go by position."""
    from convanim.gallery import _animate_args, load_gallery

    _, cases = load_gallery("layers")
    depthwise = [c for c in cases if c.name in ("depthwise", "separable")]
    assert len(depthwise) == 2
    for case in depthwise:
        anim = animate(**_animate_args(case))
        assert anim.spec.depthwise
        assert len(anim) == len(anim.scene.steps)  # 25 frames for the 5×5 output, not 75


def test_standard_beside_depthwise_shows_the_same_cell_with_each_layers_filters(tmp_path):
    from PIL import Image

    from convanim.gallery import load_gallery, render_case
    from convanim.scene.filterbank import filter_colour

    _, cases = load_gallery("layers")
    (case,) = [c for c in cases if c.beside]
    info = render_case(case, str(tmp_path))
    assert info["page"] == ""  # no page draws two layers
    gif = Image.open(tmp_path / case.file)
    assert gif.n_frames == 18 and "nn.Conv2d(2, 2, 3, groups=2, bias=False)" in info["alt"]
    # The same scenes, composed: frame k shows output channel k // 9 at position k % 9 on both sides.
    from convanim.gallery import _animate_args, make_spec
    from convanim.scene.pair import PairScene

    # the two layers as the gallery lays them out (its width), each in channel order
    left = animate(**_animate_args(case)).scene
    right = animate(**{**_animate_args(case), "spec": make_spec(case.beside), "channel_order": "channel"}).scene
    assert (left.spec, right.spec) == (ConvSpec(5, 3, in_channels=2, out_channels=2),
                                       ConvSpec(5, 3, in_channels=2, out_channels=2, groups=2))
    pair = PairScene(left, right, ("a", "b"))
    assert pair.size == gif.size
    gif.seek(12)
    frame = np.asarray(gif.convert("RGB"))
    assert len(left.filter_cells(1)) == 18 and len(right.filter_cells(1)) == 9  # 2 slices against 1
    for scene, (x0, y0) in zip((left, right), pair._at, strict=True):
        for x, y in scene.filter_cells(1):  # channel 1 is in use on both sides at frame 12
            assert tuple(frame[round(y) + y0, round(x) + x0]) == hex_to_rgb(filter_colour(1))
        inputs = [tuple(frame[round(y) + y0, round(x) + x0]) for x, y in
                  (scene.cell_center("input", n, (2, 2)) for n in range(2))]
        read = hex_to_rgb(THEMES["classic"].over(THEMES["classic"].input))
        # standard: out 1 reads both input channels; depthwise: only its own (in 1)
        assert inputs == ([read, read] if scene is left else [hex_to_rgb(THEMES["classic"].unread), read])


def test_beside_must_give_the_same_output(tmp_path):
    from convanim.gallery import load_gallery

    toml = tmp_path / "g.toml"
    toml.write_text('[[case]]\nname = "x"\ninput_size = 5\nkernel_size = 3\nin_channels = 2\nout_channels = 2\n'
                    'beside = "nn.Conv2d(2, 4, 3, groups=2)"\n')
    with pytest.raises(ValueError, match="beside must give the same output as the case's layer"):
        load_gallery(toml)


def test_then_draws_the_second_layer_reading_the_first_ones_output(tmp_path):
    """The separable case: the depthwise layer's frames (the pointwise one faint, waiting), then the pointwise
    layer's, each side exactly its own scene's frame; the footer names the output that is the next input."""
    from PIL import Image

    from convanim.gallery import load_gallery, render_case
    from convanim.scene.base import text_sizes
    from convanim.scene.pair import ChainScene

    _, cases = load_gallery("layers")
    (case,) = [c for c in cases if c.then]
    assert case.then["in_channels"] == 3 and case.then["input_size"] == (3, 3)  # the depthwise output
    info = render_case(case, str(tmp_path))
    assert info["page"] == ""
    gif = Image.open(tmp_path / case.file)
    from convanim.gallery import _animate_args, make_spec

    first = animate(**_animate_args(case)).scene  # as the gallery lays it out (its width)
    second = animate(**{**_animate_args(case), "spec": make_spec(case.then)}).scene
    assert (first.spec, first.order) == (ConvSpec(5, 3, in_channels=3, out_channels=3, groups=3), "position")
    assert (second.spec, second.order) == (ConvSpec(3, 1, in_channels=3, out_channels=2), "channel")
    chain = ChainScene(first, second, ("a", "b"))
    assert gif.n_frames == len(chain) == 9 + 18 and gif.size == chain.size
    (lx, ly), (rx, ry) = chain._at
    (lw, lh), (rw, rh) = first.size, second.size
    for k, (left, right, waiting) in {3: (first.frame(3), second.frame(0), True),
                                      9: (first.frame(8), second.frame(0), False),
                                      20: (first.frame(8), second.frame(11), False)}.items():
        gif.seek(k)
        frame = np.asarray(gif.convert("RGB")).astype(int)
        # the GIF's palette moves colours a little: compare against each side's own frame
        assert np.abs(frame[ly:ly + lh, lx:lx + lw] - left).mean() < 2
        shown = frame[ry:ry + rh, rx:rx + rw]
        assert (np.abs(shown - right).mean() < 2) != waiting
        if waiting:  # faint: nearer the background than the drawing is
            background = np.array(frame[0, 0])
            assert np.abs(shown - background).mean() < np.abs(right - background).mean() / 2
    assert "its output (3 channels of 3×3) is the input of the next layer" in [t for t, _ in text_sizes(chain, 0)]
    assert info["alt"].startswith("First nn.Conv2d(3, 3, 3, groups=3, bias=False)")


@pytest.mark.parametrize("extra, message", [
    ('then = "nn.Conv2d(2, 2, 1)"', r"then reads the case's output, so its in_channels must be the case's "
                                    r"out_channels 3, got 2$"),
    ('then = 3', r'then must be a layer such as "nn.Conv2d\(3, 2, 1\)", got 3$'),
    ('then = "nn.MaxPool2d(2)"', r"then must be a convolution, got 'nn.MaxPool2d\(2\)'$"),
    ('then = "nn.Conv2d(3, 2, 1)"\nbeside = "nn.Conv2d(3, 3, 3)"', r"give beside or then, not both$"),
    ('then = "nn.Conv2d(3, 2, 1)"\nview = "values"', r"then draws two convolutions in the grid view$"),
])
def test_then_is_checked_in_one_sentence(tmp_path, extra, message):
    from convanim.gallery import load_gallery

    toml = tmp_path / "g.toml"
    toml.write_text('[[case]]\nname = "x"\ninput_size = 5\nkernel_size = 3\nin_channels = 3\nout_channels = 3\n'
                    f'groups = 3\n{extra}\n')
    with pytest.raises(ValueError, match=r'^g.toml: case "x": ' + message):
        load_gallery(toml)
