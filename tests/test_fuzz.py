"""Hostile input: random command lines and random gallery files end in exit 0 or 2, never a traceback.

Each example runs `convanim.cli.main` in-process in an empty folder, and
checks that a refusal (exit 2) leaves that folder as it was.
"""

import contextlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convanim.cli import main
from convanim.gallery import load_gallery

SIZES = st.sampled_from(["0", "1", "2", "3", "4", "5", "3x4", "2x2x2", "", "-1", "x", "5x", "1000000",
                         "99999999999999999999", "4×3"])
NUMBERS = st.sampled_from(["0", "1", "2", "-1", "nan", "inf", "-inf", "1e308", "0.5", "", "abc", "10",
                           "99999999999999999999", "400", "7"])
PADDINGS = st.sampled_from(["0", "1", "same", "valid", "full", "1,2", "0,1,0,1", "1,2,3", "-1", "", "x"])
FLAGS = {
    "-i": SIZES, "-k": SIZES, "-s": SIZES, "-d": SIZES, "-p": PADDINGS, "--output-padding": SIZES,
    "--cell-px": NUMBERS, "--fps": NUMBERS, "--duration-ms": NUMBERS, "--hold-first-ms": NUMBERS,
    "--hold-last-ms": NUMBERS, "--seed": NUMBERS, "--radius": NUMBERS, "--step": NUMBERS,
    "--max-frames": NUMBERS, "--max-pixels": NUMBERS, "--max-frame-pixels": NUMBERS, "--jobs": NUMBERS,
    "--view": st.sampled_from(["grid", "1d", "values", "matrix", "continuous", "bogus"]),
    "--layout": st.sampled_from(["classic", "flat", "x"]),
    "--theme": st.sampled_from(["classic", "dark", "colorblind", ""]),
    "--values": st.sampled_from(["symbols", "random", "v.npy", "missing.npy", "", "x.txt"]),
    "-o": st.sampled_from(["x.gif", "x.png", "x.svg", "x.pdf", "x.webp", "x", "", "d/x.gif", "x.GIF"]),
    "--frames": st.sampled_from(["fr", ""]),
    "--frame-format": st.sampled_from(["png", "svg", "pdf", "jpg"]),
}
SWITCHES = ["--transposed", "--labels", "--caption", "--flip", "--sheet", "--alt", "--json", "--check", "--force",
            "-q"]


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(["shape", "render", "render", "render", "gallery", "bogus"]))
    args = [command]
    if command == "gallery":
        args.append(draw(st.sampled_from(["g.toml", "classic", "nothing", ""])))
    # Small sizes most of the time, so that renders stay fast.
    if draw(st.booleans()):
        args += ["-i", draw(st.sampled_from(["3", "4", "5"])), "-k", draw(st.sampled_from(["1", "2", "3"]))]
    for _ in range(draw(st.integers(0, 4))):
        flag = draw(st.sampled_from(sorted(FLAGS)))
        args += [flag, draw(FLAGS[flag])]
    args += draw(st.lists(st.sampled_from(SWITCHES), max_size=3))
    return args


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def sandbox(tmp_path):
    import numpy as np

    np.save(tmp_path / "v.npy", np.arange(25).reshape(5, 5))
    (tmp_path / "g.toml").write_text('[[case]]\nname = "a"\ninput_size = 3\nkernel_size = 2\n')
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def run_main(argv) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: --help (0) and usage errors (2)
            code = exc.code
    return code, err.getvalue()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=command_lines())
def test_any_command_line_exits_0_or_2_without_a_traceback(sandbox, argv):
    before = snapshot(sandbox)
    code, err = run_main(argv)
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        assert err.strip(), argv
        assert len(err.strip().splitlines()) == 1, (argv, err)
        assert snapshot(sandbox) == before, argv
    for path in list(sandbox.rglob("*")):  # the next example starts from the same folder
        rel = path.relative_to(sandbox)
        if rel not in before and path.exists():
            if path.is_dir():
                import shutil

                shutil.rmtree(path)
            else:
                path.unlink()


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 12) | st.floats(allow_nan=True) | st.text(max_size=8)
    | st.sampled_from(["same", "full", "grid", "1d", "values", "matrix", "continuous", "flat", "random",
                       "x.gif", "x.npy", "a", "A.GIF", "README.md"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
KEYS = st.sampled_from(["name", "file", "description", "input_size", "kernel_size", "stride", "padding", "dilation",
                        "transposed", "output_padding", "layout", "view", "theme", "cell_px", "labels", "caption",
                        "duration_ms", "hold_first_ms", "hold_last_ms", "values", "seed", "flip", "radius",
                        "max_frames", "max_pixels", "max_frame_pixels", "colour"])


def toml_value(value) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return '"' + "".join(c if c.isalnum() or c in " ._-" else "_" for c in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f'"{"k" + "".join(c for c in k if c.isalnum())}" = {toml_value(v)}'
                           for k, v in value.items()) + "}"


@st.composite
def gallery_files(draw):
    lines = []
    if draw(st.booleans()):
        lines.append(f"title = {toml_value(draw(VALUES))}")
    if draw(st.booleans()):
        if draw(st.booleans()):
            lines.append(f"defaults = {toml_value(draw(VALUES))}")
        else:
            lines.append("[defaults]")
            lines += [f"{draw(KEYS)} = {toml_value(draw(VALUES))}" for _ in range(draw(st.integers(0, 2)))]
    if draw(st.integers(0, 5)) == 0:
        lines.insert(0, f"case = {toml_value(draw(VALUES))}")
    for _ in range(draw(st.integers(0, 3))):
        lines.append("[[case]]")
        if draw(st.booleans()):
            lines += ['input_size = 4', 'kernel_size = 2']
        keys = draw(st.lists(KEYS, max_size=4, unique=True))
        lines += [f"{k} = {toml_value(draw(VALUES))}" for k in keys if k not in ("input_size", "kernel_size")]
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 8)) == 0:
        return text.encode() + b"\xff\xfe"
    return text.encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=gallery_files())
def test_any_gallery_file_loads_or_is_refused_in_one_sentence(tmp_path, body):
    path = tmp_path / "g.toml"
    path.write_bytes(body)
    try:
        title, cases = load_gallery(path)
    except ValueError as exc:
        message = str(exc)
        assert message.startswith("g.toml: "), message
        assert "\n" not in message.strip() or "not valid TOML" in message, message
    else:
        assert isinstance(title, str) and cases
        assert all(isinstance(c.description, str) for c in cases)
        files = [c.file.lower() for c in cases]
        assert len(set(files)) == len(files)
