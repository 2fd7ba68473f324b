"""Hostile input: random command lines and random gallery files end in exit 0 or 2, never a traceback.

Each example runs `convanim.cli.main` in-process in an empty folder, and
checks that a refusal (exit 2) leaves that folder as it was. Set
``CONVANIM_FUZZ_EXAMPLES=2000`` for a deeper run.
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

EXAMPLES = int(os.environ.get("CONVANIM_FUZZ_EXAMPLES", "150"))

BAD = st.sampled_from(["0", "-1", "nan", "inf", "-inf", "1e308", "", "abc", "99999999999999999999", "5x", "x",
                       "0.5", "1000000", "4×3", "1,2,3"])


def flag_values(*good):
    """Mostly good values (seven chances in eight), sometimes hostile ones."""
    return st.integers(0, 7).flatmap(lambda n: st.sampled_from(list(good)) if n else BAD)


SPEC_FLAGS = {
    "-s": flag_values("1", "2", "3", "2x1"), "-d": flag_values("1", "2"),
    "-p": flag_values("0", "1", "same", "valid", "full", "1,2", "0,1,0,1", "1,2,3"),
    "--output-padding": flag_values("0", "1"),
    "--pool": st.sampled_from(["max", "avg", "min"]),
}
RENDER_FLAGS = {
    **SPEC_FLAGS,
    "--cell-px": flag_values("8", "12", "20", "400", "7"), "--fps": flag_values("1", "10", "100", "0.001", "250"),
    "--duration-ms": flag_values("10", "100", "5", "300000", "300001"),
    "--hold-first-ms": flag_values("0", "500"), "--hold-last-ms": flag_values("0", "500"),
    "--seed": flag_values("0", "1", "7"), "--radius": flag_values("0.1", "1", "2.5", "10", "10.5"),
    "--step": flag_values("0", "1", "3", "8", "100"), "--max-frames": flag_values("1", "4", "100000"),
    "--max-pixels": flag_values("1000", "100000000"), "--max-frame-pixels": flag_values("100", "1000000"),
    "--view": st.sampled_from(["grid", "1d", "values", "matrix", "continuous", "bogus"]),
    "--layout": st.sampled_from(["classic", "flat", "x"]),
    "--theme": st.sampled_from(["classic", "dark", "colorblind", ""]),
    "--values": st.sampled_from(["symbols", "random", "v.npy", "missing.npy", "", "x.txt", "bad.npy"]),
    "--frames": st.sampled_from(["fr", "", "x.gif"]),
    "--frame-format": st.sampled_from(["png", "svg", "pdf", "jpg"]),
}
GALLERY_FLAGS = {"--jobs": flag_values("1", "2", "1000"), "-o": st.sampled_from(["out", "", "g.toml", "."])}
OUTPUTS = st.sampled_from(["x.gif", "x.png", "x.svg", "x.pdf", "x.webp", "x.apng", "x", "", "d/x.gif", "x.GIF",
                           "fr", "g.toml"])
SWITCHES = {
    "shape": ["--transposed", "--json", "--ceil-mode", "--no-count-include-pad"],
    "render": ["--transposed", "--labels", "--caption", "--flip", "--sheet", "--alt", "-q", "--json", "--ceil-mode",
               "--no-count-include-pad"],
    "gallery": ["--check", "--force", "-q", "--labels"],
}


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(["shape", "render", "render", "render", "render", "gallery", "bogus"]))
    args = [command]
    if command == "bogus":
        return args + draw(st.lists(BAD, max_size=2))
    if command == "gallery":
        args.append(draw(st.sampled_from(["g.toml", "g.toml", "bad.toml", "nothing", "", "classic"])))
        flags = GALLERY_FLAGS
        if draw(st.integers(0, 3)):
            args += ["-o", "out"]
    else:
        # Small sizes most of the time, so that renders stay fast.
        if draw(st.integers(0, 5)):
            args += ["-i", draw(flag_values("3", "4", "5", "3x4", "6x2", "2x2x2")),
                     "-k", draw(flag_values("1", "2", "3", "2x1"))]
        flags = SPEC_FLAGS if command == "shape" else RENDER_FLAGS
        if command == "render" and draw(st.integers(0, 4)):
            args += ["-o", draw(OUTPUTS)]
    for _ in range(draw(st.integers(0, 3))):
        flag = draw(st.sampled_from(sorted(flags)))
        args += [flag, draw(flags[flag])]
    args += draw(st.lists(st.sampled_from(SWITCHES[command]), max_size=2, unique=True))
    return args


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def sandbox(tmp_path):
    import numpy as np

    np.save(tmp_path / "v.npy", np.arange(25).reshape(5, 5))
    np.save(tmp_path / "bad.npy", np.array(["a"] * 25).reshape(5, 5))
    (tmp_path / "bad.toml").write_text('[[case]]\nname = "a"\ninput_size = 3\nkernel_size = 2\nradius = 3.0\n')
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


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=command_lines())
def test_any_command_line_exits_0_or_2_without_a_traceback(sandbox, argv):
    before = snapshot(sandbox)
    code, err = run_main(argv)
    # `gallery --check` exits 1 when files differ (its documented answer, not an error).
    assert code in ((0, 1, 2) if "gallery" in argv and "--check" in argv else (0, 2)), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        assert err.strip(), argv
        errors = [line for line in err.strip().splitlines() if ": note: " not in line]
        assert len(errors) == 1, (argv, err)
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


@settings(max_examples=2 * EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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
