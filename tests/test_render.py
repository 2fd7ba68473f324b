"""`convanim render` and the Python API end to end: formats, timing, pieces for slides, errors."""

import base64
import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

import convanim
from convanim import ConvSpec
from convanim.cli import main
from convanim.scene.sheet import sheet_layout
from convanim.themes import THEMES, hex_to_rgb


def run(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "convanim.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


PADDING_STRIDES = ["-i", "5", "-k", "3", "-s", "2", "-p", "1"]


def gif_frames(path):
    with Image.open(path) as im:
        frames, durations = [], []
        for k in range(im.n_frames):
            im.seek(k)
            frames.append(np.asarray(im.convert("RGB")))
            durations.append(im.info["duration"])
        return frames, durations, im.info.get("loop"), im.info.get("comment", b"")


def test_render_padding_strides_gif(tmp_path):
    out = tmp_path / "padding_strides.gif"
    code, _, err = run("render", *PADDING_STRIDES, "-o", str(out))
    assert code == 0, err
    frames, durations, loop, comment = gif_frames(out)
    assert len(frames) == 9
    assert durations == [1000] * 9
    assert loop == 0  # loop forever
    assert b"convanim" in comment and b"stride=(2, 2)" in comment
    assert frames[0].shape == (381, 395, 3)  # conv_arithmetic's padding_strides.gif is 395x381
    # No dithering: every pixel is one of a few exact colours, the theme's among them.
    colours = {tuple(c) for c in np.unique(frames[4].reshape(-1, 3), axis=0)}
    theme = THEMES["classic"]
    for name in ("input", "output"):
        assert hex_to_rgb(getattr(theme, name)) in colours
    assert hex_to_rgb(theme.over(theme.input)) in colours


def test_rerender_is_byte_identical(tmp_path):
    a, b = tmp_path / "a.gif", tmp_path / "b.gif"
    for path in (a, b):
        assert main(["render", *PADDING_STRIDES, "--layout", "flat", "-o", str(path)]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_timing_flags(tmp_path):
    out = tmp_path / "t.gif"
    assert main(["render", *PADDING_STRIDES, "--fps", "4", "--hold-first-ms", "500", "--hold-last-ms", "2000",
                 "-o", str(out)]) == 0
    _, durations, _, _ = gif_frames(out)
    assert durations == [750] + [250] * 7 + [2250]
    assert main(["render", *PADDING_STRIDES, "--duration-ms", "333", "-o", str(out)]) == 0
    assert gif_frames(out)[1] == [330] * 9  # GIF stores 10 ms units


@pytest.mark.parametrize("ext, fmt", [(".png", "PNG"), (".apng", "PNG"), (".webp", "WEBP")])
def test_other_animation_formats(tmp_path, ext, fmt):
    out = tmp_path / f"anim{ext}"
    assert main(["render", *PADDING_STRIDES, "--layout", "flat", "-o", str(out)]) == 0
    with Image.open(out) as im:
        assert im.format == fmt
        assert im.n_frames == 9


def test_layouts_and_themes_change_the_picture():
    spec = ConvSpec(5, 3, stride=2, padding=1)
    classic = convanim.animate(spec).array(0)
    flat = convanim.animate(spec, layout="flat").array(0)
    dark = convanim.animate(spec, theme="dark").array(0)
    assert classic.shape != flat.shape
    assert classic.shape == dark.shape and not np.array_equal(classic, dark)
    # The dark theme's background fills the corner.
    assert tuple(dark[2, 2]) == hex_to_rgb(THEMES["dark"].background)


def test_step_outputs_equal_that_frame(tmp_path):
    anim = convanim.animate(input_size=5, kernel_size=3, stride=2, padding=1)
    path = anim.save(tmp_path / "step4.png", step=4)
    with Image.open(path) as im:
        assert np.array_equal(np.asarray(im.convert("RGB")), anim.array(4))


def test_step_svg_parses_and_holds_the_cells(tmp_path):
    out = tmp_path / "step.svg"
    assert main(["render", *PADDING_STRIDES, "--layout", "flat", "--step", "4", "-o", str(out)]) == 0
    text = out.read_text()
    root = ET.fromstring(text)
    assert root.tag.endswith("svg")
    theme = THEMES["flat" and "classic"]
    # Every colour of the step is in the SVG: input, output, and the shaded taps and output cell.
    for colour in (theme.input, theme.output, theme.over(theme.input), theme.over(theme.output)):
        assert colour.lower() in text.lower()
    assert "Date" not in text and "<dc:date>" not in text
    again = tmp_path / "again.svg"
    assert main(["render", *PADDING_STRIDES, "--layout", "flat", "--step", "4", "-o", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()


def test_pdf_deck_has_one_page_per_step(tmp_path):
    out = tmp_path / "deck.pdf"
    code, _, err = run("render", *PADDING_STRIDES, "-o", str(out))
    assert code == 0, err
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 9
    assert b"CreationDate" not in data
    again = tmp_path / "again.pdf"
    assert main(["render", *PADDING_STRIDES, "-o", str(again)]) == 0
    assert again.read_bytes() == data


def test_frames_folder(tmp_path):
    folder = tmp_path / "frames"
    assert main(["render", *PADDING_STRIDES, "--frames", str(folder), "--frame-format", "svg"]) == 0
    names = sorted(p.name for p in folder.iterdir() if p.name != ".convanim-manifest.json")
    assert names == [f"step_{k}.svg" for k in range(1, 10)]  # as people count steps
    folder = tmp_path / "png"
    assert main(["render", "-i", "6", "-k", "3", "--frames", str(folder)]) == 0
    names = sorted(p.name for p in folder.iterdir() if p.name != ".convanim-manifest.json")
    assert names[:2] == ["step_01.png", "step_02.png"]
    assert len(names) == 16


def test_contact_sheet_size_follows_from_its_grid(tmp_path):
    anim = convanim.animate(input_size=5, kernel_size=3, stride=2, padding=1)
    path = anim.save(tmp_path / "sheet.png", sheet=True)
    w, h = anim.size
    cols, rows, sheet_w, sheet_h = sheet_layout(9, w, h)
    assert (cols, rows) == (3, 3)
    with Image.open(path) as im:
        assert im.size == (sheet_w, sheet_h)
        sheet = np.asarray(im.convert("RGB"))
    # The last frame sits in the bottom-right slot.
    from convanim.scene.sheet import GAP_PX, LABEL_PX

    x = GAP_PX + 2 * (w + GAP_PX)
    y = GAP_PX + 2 * (h + LABEL_PX + GAP_PX) + LABEL_PX
    assert np.array_equal(sheet[y : y + h, x : x + w], anim.array(8))


def test_alt_text(capsys):
    assert main(["render", *PADDING_STRIDES, "--alt"]) == 0
    assert capsys.readouterr().out.strip() == "3×3 kernel, stride 2, padding 1 over a 5×5 input, giving 3×3"


def test_api_round_trip(tmp_path):
    anim = convanim.animate(input_size=4, kernel_size=3, layout="flat", labels=True)
    assert len(anim) == 4
    images = list(anim)
    assert len(images) == 4 and images[0].size == anim.size
    assert np.array_equal(np.asarray(anim.frame(2)), anim.array(2))
    path = anim.save(tmp_path / "a.gif")
    frames, _, _, _ = gif_frames(path)
    assert len(frames) == 4
    html = anim._repr_html_()
    match = re.search(r'<img src="data:image/gif;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', html)
    assert match and match.group(2) == anim.alt
    with Image.open(io.BytesIO(base64.b64decode(match.group(1)))) as im:
        assert im.n_frames == 4


def test_api_rejects_spec_and_fields_together():
    with pytest.raises(ValueError, match="pass either spec or its fields"):
        convanim.animate(ConvSpec(5, 3), stride=2)


@pytest.mark.parametrize(
    "args, message",
    [
        ([*PADDING_STRIDES, "-o", "x.bmp"],
         "an animation is written as .gif, .png, .apng, .webp, .pdf, .mp4, .html, got '.bmp'"),
        ([*PADDING_STRIDES, "-o", "x.svg"], "an .svg file holds one step"),
        ([*PADDING_STRIDES, "--step", "10", "-o", "x.png"], "step must be between 1 and 9 (steps count from 1, as on "),
        ([*PADDING_STRIDES, "--step", "0", "-o", "x.png"], "step must be between 1 and 9 (steps count from 1, as on "),
        ([*PADDING_STRIDES, "--duration-ms", "5", "-o", "x.gif"], "duration_ms must be from 10 to 300000"),
        ([*PADDING_STRIDES, "--fps", "0", "-o", "x.gif"], "--fps must be a number from 0.004 to 100, got 0"),
        ([*PADDING_STRIDES, "--cell-px", "2", "-o", "x.gif"], "cell_px must be an integer from 8 to 400, got 2"),
        (["-i", "5", "-k", "3", "-s", "0", "-o", "x.gif"], "stride must be >= 1, got 0"),
        ([*PADDING_STRIDES, "-o", "missing_dir/x.gif"], "missing_dir"),
        ([*PADDING_STRIDES], "render needs -o OUT, --frames DIR or --alt"),
        ([*PADDING_STRIDES, "--theme", "neon", "-o", "x.gif"], "invalid choice: 'neon'"),
        (["-i", "3x3x3", "-k", "2", "-o", "x.gif"], "draws 1-D and 2-D convolutions, got 3 axes"),
    ],
)
def test_render_errors_are_one_line_and_leave_no_file(tmp_path, args, message):
    code, out, err = run("render", *args, cwd=tmp_path)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_failed_render_keeps_the_existing_file(tmp_path):
    out = tmp_path / "keep.gif"
    out.write_bytes(b"old")
    code, _, _ = run("render", "-i", "5", "-k", "3", "--step", "99", "-o", str(out))
    assert code == 2
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.gif"]


def test_classic_gif_is_small_and_visually_lossless(tmp_path):
    """The GIF keeps only the theme's colours and their anti-aliasing shades, with no visible loss."""
    anim = convanim.animate(input_size=5, kernel_size=3, stride=2, padding=1)
    path = anim.save(tmp_path / "padding_strides.gif")
    frames, _, _, _ = gif_frames(path)
    allowed = {tuple(c) for c in THEMES["classic"].antialias_palette}
    for k, frame in enumerate(frames):
        assert {tuple(c) for c in np.unique(frame.reshape(-1, 3), axis=0)} <= allowed
        drawn = anim.array(k).astype(int)
        diff = np.abs(frame.astype(int) - drawn).sum(axis=2)
        assert diff.mean() < 1.5  # per pixel, summed over RGB, out of 765
        # Only anti-aliased edge pixels move, each by less than a fifth of the white-to-line distance.
        assert (diff > 0).mean() < 0.1
        assert diff.max() < (765 - 3 * 0x2B) / 5
    # conv_arithmetic's padding_strides.gif is 118,422 bytes at the same pixel size.
    assert path.stat().st_size <= 0.5 * 118_422


@pytest.mark.parametrize(
    "kwargs",
    [
        {"layout": "classic", "labels": True, "caption": True},
        {"layout": "flat", "labels": True, "caption": True},
        {"view": "values"},
        {"view": "matrix"},
        {"view": "1d", "input_size": (5,), "kernel_size": (3,)},
        {"view": "continuous", "input_size": None},
    ],
)
def test_vector_output_keeps_the_picture_at_any_resolution(kwargs):
    """SVG and PDF draw at 72 units per inch: nothing may be placed in raw pixels.

    Drawn at twice the resolution and averaged back down, a step must match the frame.
    """
    fields = {"input_size": 5, "kernel_size": 3, **kwargs}
    if fields["input_size"] is None:
        fields = {k: v for k, v in fields.items() if k not in ("input_size", "kernel_size")}
    anim = convanim.animate(**fields)
    frame = anim.array(2).astype(float)
    buf = io.BytesIO()
    anim.scene.update(2)
    with anim.scene._static():
        anim.scene.fig.savefig(buf, format="png", dpi=2 * anim.scene.dpi)
    with Image.open(buf) as im:
        big = np.asarray(im.convert("RGB")).astype(float)
    h, w = frame.shape[:2]
    assert big.shape[:2] == (2 * h, 2 * w)
    small = big.reshape(h, 2, w, 2, 3).mean(axis=(1, 3))
    diff = np.abs(small - frame).sum(axis=2)
    assert diff.mean() < 12  # anti-aliasing and hinting differ; misplaced shapes give 100+
