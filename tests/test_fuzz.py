"""Hostile input: random command lines, gallery and network files, layer text and Python calls end in exit 0
or 2 (a result, or one ValueError sentence in Python), never a traceback.

Each example runs `convanim.cli.main` in-process in an empty folder, and
checks that a refusal (exit 2) leaves that folder as it was. Set
``CONVANIM_FUZZ_EXAMPLES=2000`` for a deeper run.
"""

import contextlib
import io
import json
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
    "--in-channels": flag_values("1", "2", "3", "100000", "1" + "0" * 400),
    "--out-channels": flag_values("1", "2", "4", "100000"),
    "--layer": st.sampled_from(["nn.Conv2d(1, 2, 3)", "nn.MaxPool2d(2)", "nn.Conv1d(1, 1, 3, padding='causal')",
                                "nn.Conv2d(1,1,3,stride=" + "-" * 330 + "1)", "nn.AvgPool2d(3, stride=+1, padding=1)"]),
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
            huge = ["1" + "0" * 400, "10000000"] if command == "shape" else []
            args += ["-i", draw(flag_values("3", "4", "5", "3x4", "6x2", "2x2x2", *huge)),
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


# -- layer text ---------------------------------------------------------------------------------------

_LAYER_PIECES = ["nn.", "torch.nn.", "torch.", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose2d", "MaxPool2d",
                 "AvgPool1d", "AvgPool3d", "Linear", "(", ")", "[", "]", ",", " ", "1", "2", "3", "0", "-", "+", "~",
                 "not ", ".",
                 "None", "True", "'same'", "'valid'", "'causal'", "'zeros'", "stride=", "padding=", "groups=", "bias=",
                 "dilation=", "ceil_mode=", "kernel_size=", "output_padding=", "x", "a.b", "*", "**", "=", "1e3", "1j",
                 "0x10", "1_0", "'", '"', "lambda", "#", "\\", "\n", "\x00", "é", "\u2028", "999999999999999999999",
                 "...", "{}", ":", ";"]


@st.composite
def layer_texts(draw):
    """Layer text: mostly pieces of real layers, sometimes a long operator, attribute or bracket chain."""
    text = "".join(draw(st.lists(st.sampled_from(_LAYER_PIECES), max_size=16)))
    kind = draw(st.integers(0, 9))
    if kind == 0:  # a long chain inside a real call
        chain = draw(st.sampled_from(["-", "+", "~", "not ", "a.", "(", "[", "1+", "-(", "x[", "f("]))
        text = f"nn.Conv2d(1,1,3,stride={chain * draw(st.integers(10, 700))}1)"
    elif kind == 1:
        text = draw(st.text(max_size=40))
    return text


@settings(max_examples=2 * EXAMPLES, deadline=None)
@given(text=layer_texts(), size=st.one_of(st.integers(-2, 12), st.just(10**400), st.lists(st.integers(0, 9),
                                                                                        max_size=4)))
def test_any_layer_text_is_a_spec_or_one_sentence(text, size):
    from convanim import ConvSpec, PoolSpec, parse_layer

    try:
        spec = parse_layer(text, size)
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc).strip(), (text, str(exc))
    else:
        assert isinstance(spec, (ConvSpec, PoolSpec))


@settings(max_examples=EXAMPLES // 3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=layer_texts(), command=st.sampled_from(["shape", "network"]))
def test_any_layer_text_on_the_command_line_exits_0_or_2(sandbox, text, command):
    argv = [command, "--layer" if command == "shape" else "--layers", text, "-i", "9"]
    code, err = run_main(argv)
    assert code in (0, 2) and "Traceback" not in err, (argv, code, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, (argv, err)


# -- network files -------------------------------------------------------------------------------------

LAYER_TEXTS = st.sampled_from(["nn.Conv2d(1, 1, 3)", "nn.MaxPool2d(2)", "nn.Conv2d(1, 8, 3, stride=2, padding=1)",
                               "nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)", "nn.Conv2d(8, 2, 1)",
                               "nn.ConvTranspose2d(1, 1, 3, stride=2)", "nn.Conv1d(1, 1, 3)", "nn.Conv2d(1,1,3,stride="
                               + "-" * 400 + "1)", "nn.Conv2d(1, 1, 99)", "nn.Conv2d(3, 3, 3, groups=3)"])
NET_KEYS = st.sampled_from(["layer", "kernel_size", "stride", "padding", "dilation", "transposed", "output_padding",
                            "in_channels", "out_channels", "groups", "bias", "pool", "ceil_mode", "count_include_pad",
                            "channels", "input_size", "colour"])
NET_VALUES = VALUES | st.sampled_from(["nn.Conv2d(1, 1, 3)", "nn.MaxPool2d(2)", "max", "avg", "nn.Conv2d(1,1,3,stride="
                                       + "-" * 40 + "1)", 10**30, "nn.Conv2d(3, 8, 3)"])


def rarely(draw, one_in: int) -> bool:
    return draw(st.sampled_from([False] * (one_in - 1) + [True]))


@st.composite
def network_files(draw):
    """Network TOML: mostly real layers over a real size, with hostile keys and values mixed in."""
    lines = []
    if not rarely(draw, 6):
        size = toml_value(draw(NET_VALUES)) if rarely(draw, 5) else draw(st.sampled_from(["8", "[8, 8]", "[9, 7]",
                                                                                           "12", "[16]", "[6, 6, 6]"]))
        lines.append(f"input_size = {size}")
    for key in draw(st.lists(st.sampled_from(["title", "description", "output_cell", "x"]), max_size=2, unique=True)):
        value = draw(st.sampled_from(["[1, 1]", "[0]", "[-1, -1]"])) if key == "output_cell" and \
            not rarely(draw, 3) else toml_value(draw(NET_VALUES))
        if key != "x" or rarely(draw, 4):
            lines.append(f"{key} = {value}")
    if rarely(draw, 8):
        lines.append(f"layer = {toml_value(draw(NET_VALUES))}")
    else:
        for _ in range(draw(st.integers(1, 3))):
            lines.append("[[layer]]")
            if not rarely(draw, 3):
                text = draw(LAYER_TEXTS) if not rarely(draw, 4) else draw(NET_VALUES)
                lines.append(f"layer = {json.dumps(text) if isinstance(text, str) else toml_value(text)}")
            else:
                keys = draw(st.lists(NET_KEYS, max_size=3, unique=True))
                lines += [f"{k} = {toml_value(draw(NET_VALUES))}" for k in ["kernel_size", *keys]]
    text = "\n".join(lines) + "\n"
    return text.encode() + (b"\xff" if rarely(draw, 12) else b"")


@settings(max_examples=EXAMPLES, deadline=None)
@given(body=network_files())
def test_any_network_file_loads_or_is_refused_in_one_sentence(tmp_path_factory, body):
    from convanim.network import load_network, receptive_field

    path = tmp_path_factory.mktemp("net") / "n.toml"
    path.write_bytes(body)
    try:
        title, network = load_network(path)
        network.summary()
        receptive_field(network)
    except ValueError as exc:
        message = str(exc)
        assert message.startswith("n.toml: ") or message.startswith("network must be") \
            or message.startswith("output_index"), message
        assert "\n" not in message.strip() or "not valid TOML" in message, message
    else:
        assert isinstance(title, str) and len(network) >= 1


# -- the public Python functions ------------------------------------------------------------------------

def _api_values():
    import numpy as np

    odd = st.sampled_from([np.int64(3), np.int32(2), np.uint8(1), np.float64(2.0), np.bool_(True), (3, 3), [2, 1],
                           (1, 2, 3, 4), (), "same", "valid", "causal", "full", "max", "avg", "grid", "values",
                           "random", "position", "channel", "x.gif", b"bytes", object(), {}, {"a": 1}, 10**30, -10**30,
                           float("nan"), float("inf"), 1.5, "3", np.zeros((2, 2)), np.array(3), [np.int64(2), 3]])
    return st.none() | st.booleans() | st.integers(-3, 12) | st.text(max_size=6) | odd | st.lists(
        st.integers(-1, 6), max_size=4).map(tuple)


API_VALUES = _api_values()
SPEC_NAMES = ["input_size", "kernel_size", "stride", "padding", "dilation", "transposed", "output_padding",
              "in_channels", "out_channels", "groups", "bias"]
POOL_NAMES = ["input_size", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "count_include_pad",
              "channels"]
OPTION_NAMES = ["layout", "view", "theme", "cell_px", "labels", "caption", "duration_ms", "hold_first_ms",
                "hold_last_ms", "values", "seed", "flip", "radius", "credit", "max_frames", "max_pixels",
                "max_frame_pixels", "channel_order", "bogus"]


@st.composite
def api_calls(draw):
    """(function name, args, kwargs): real functions, mostly small real arguments, some hostile ones."""
    from convanim import ConvSpec, PoolSpec

    name = draw(st.sampled_from(["ConvSpec", "PoolSpec", "Network", "receptive_field", "explain", "evaluate",
                                 "pool_evaluate", "animate", "animate", "animate", "from_torch"]))
    small = {"input_size": draw(st.sampled_from([4, 5, (5,), (4, 5), 3])), "kernel_size": draw(st.sampled_from([1, 2,
                                                                                                              3]))}
    hostile = {k: draw(API_VALUES) for k in draw(st.lists(st.sampled_from(SPEC_NAMES), max_size=2, unique=True))}
    spec_kwargs = {**small, **hostile}
    if name == "ConvSpec":
        return name, (), spec_kwargs
    if name == "PoolSpec":  # its own parameter names: a wrong name is Python's TypeError, as for any function
        pool = {k: draw(API_VALUES) for k in draw(st.lists(st.sampled_from(POOL_NAMES), max_size=2, unique=True))}
        return name, (draw(st.sampled_from(["max", "avg"]) | API_VALUES),), {**small, **pool}
    some_spec = draw(st.sampled_from([ConvSpec(5, 3), PoolSpec("max", 4, 2), ConvSpec(4, 3, out_channels=2)])
                     | API_VALUES)
    if name == "Network":
        layers = draw(st.lists(st.sampled_from(["nn.Conv2d(1, 1, 3)", "nn.MaxPool2d(2)"]) | API_VALUES, max_size=3)
                      | API_VALUES)
        return name, (draw(st.sampled_from([8, (8, 8), None]) | API_VALUES), layers), {}
    if name == "receptive_field":
        from convanim import Network

        net = draw(st.sampled_from([Network(8, ["nn.Conv2d(1, 1, 3)"]), None]) | API_VALUES)
        return name, (net, draw(st.sampled_from([None, (1, 1), (0, 0), -1]) | API_VALUES)), {}
    if name in ("explain", "from_torch"):
        return name, (some_spec,) + ((draw(API_VALUES),) if name == "from_torch" else ()), {}
    if name in ("evaluate", "pool_evaluate"):
        import numpy as np

        x = draw(st.sampled_from([np.ones((1, 5, 5)), np.ones((1, 4, 4)), np.ones((5, 5))]) | API_VALUES)
        return name, (some_spec, x), {}
    options = {k: draw(API_VALUES) for k in draw(st.lists(st.sampled_from(OPTION_NAMES), max_size=2, unique=True))}
    if draw(st.booleans()):
        return name, (some_spec,), options
    return name, (), {**spec_kwargs, **options}


@settings(max_examples=EXAMPLES, deadline=None)
@given(call=api_calls(), step=API_VALUES, ext=st.sampled_from([".gif", ".png", ".svg", ".html", ".pdf", ".txt", ""]))
def test_any_python_call_returns_or_raises_one_value_error(tmp_path_factory, call, step, ext):
    """The public functions take any arguments: a result, or one ValueError sentence (never TypeError & co.)."""
    import convanim

    name, args, kwargs = call
    try:
        result = getattr(convanim, name)(*args, **kwargs)
        if name == "animate" and len(result) <= 16:  # small ones: a frame and a saved file too
            result.frame(step if not isinstance(step, bool) and step is not None else 0)
            folder = tmp_path_factory.mktemp("api")
            result.save(folder / f"a{ext}", step=step if ext in (".png", ".svg") else None)
    except ValueError as exc:
        assert str(exc) and "Traceback" not in str(exc), (name, args, kwargs)
