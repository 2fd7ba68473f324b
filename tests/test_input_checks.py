"""Issue 17's inputs that used to end in a traceback or mean something else: each is one sentence now, or accepted
as Python and PyTorch read it."""

import numpy as np
import pytest

import convanim
from convanim import ConvSpec, PoolSpec, animate, parse_layer
from convanim.cli import main
from convanim.network import Network, load_network, receptive_field
from convanim.values import make_values

DEEP = "nn.Conv2d(1,1,3,stride=" + "-" * 330 + "1)"


# -- layer text ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [DEEP, "nn.Conv2d(1,1,3,stride=" + "a." * 300 + "b)", "a." * 300 + "Conv2d(1,1,3)",
                                  "nn.Conv2d(1,1,3,stride=" + "1+" * 900 + "1)"])
def test_deeply_nested_layer_text_is_one_sentence(text):
    with pytest.raises(ValueError, match=r"^layer text must nest at most 16 levels deep .*, got \d+: 'nn\.|^layer "
                                         r"text must nest at most 16 levels deep .*, got \d+: 'a\."):
        parse_layer(text, 8)


@pytest.mark.parametrize("argv", [
    ["shape", "--layer", DEEP, "-i", "8"],
    ["render", "--layer", DEEP, "-i", "8", "-o", "x.gif"],
    ["network", "--layers", DEEP, "-i", "8"],
])
def test_deeply_nested_layer_text_on_the_command_line(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "nest at most 16 levels" in err
    assert not list(tmp_path.iterdir())


def test_deeply_nested_layer_text_in_a_gallery_file(capsys, tmp_path):
    gallery = tmp_path / "g.toml"
    gallery.write_text(f'[[case]]\nname = "a"\ninput_size = 5\nlayer = "{DEEP}"\n')
    assert main(["gallery", str(gallery), "-o", str(tmp_path / "out")]) == 2
    assert "nest at most 16 levels" in capsys.readouterr().err


def test_unary_plus_means_what_python_means():
    assert parse_layer("nn.Conv2d(1, 1, 3, stride=+2)", 9).stride == (2, 2)
    assert parse_layer("nn.Conv2d(1, 1, (3, -+-3))", 9).kernel_size == (3, 3)
    with pytest.raises(ValueError, match=r"^nn\.Conv2d: stride must be >= 1, got -2$"):
        parse_layer("nn.Conv2d(1, 1, 3, stride=-+2)", 9)


def test_unary_plus_is_what_pytorch_reads():
    torch = pytest.importorskip("torch")
    assert tuple(torch.nn.Conv2d(1, 1, 3, stride=+2).stride) == parse_layer(
        "torch.nn.Conv2d(1, 1, 3, stride=+2)", 9).stride


def test_causal_padding_text_is_refused_as_pytorch_refuses_it():
    with pytest.raises(ValueError, match=r"^nn\.Conv1d: padding must be an int, 1 int, 'valid' or 'same', "
                                         r"got 'causal'$"):
        parse_layer("nn.Conv1d(1, 1, 3, padding='causal')", 8)
    assert ConvSpec((8,), 3, padding="causal").output_shape == (8,)  # convanim's own -p causal stays


def test_causal_padding_is_refused_by_pytorch_too():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        torch.nn.Conv1d(1, 1, 3, padding="causal")


# -- network files ----------------------------------------------------------------------------------

@pytest.mark.parametrize("layers, shown", [('["nn.Conv2d(1,1,3)"]', "'nn.Conv2d(1,1,3)'"), ("[1, 2]", "1")])
def test_network_layers_that_are_not_tables(tmp_path, layers, shown):
    path = tmp_path / "n.toml"
    path.write_text(f"input_size = 8\nlayer = {layers}\n")
    with pytest.raises(ValueError) as err:
        load_network(path)
    assert str(err.value) == (f'n.toml: layer 1 must be a [[layer]] table (layer = "nn.Conv2d(...)" or spec keys), '
                              f"got {shown}")


# -- limits -----------------------------------------------------------------------------------------

def test_channel_counts_of_hundreds_of_digits(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    n = str(10**400)
    assert main(["shape", "-i", "5", "-k", "3", "--in-channels", n]) == 0
    capsys.readouterr()
    for argv in (["--in-channels", n], ["--in-channels", n, "--max-frames", n, "--max-pixels", n + n,
                                         "--max-frame-pixels", n + n]):
        assert main(["render", "-i", "5", "-k", "3", *argv, "-o", "x.gif"]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and "the channel drawing shows at most 16 input and output channels" in err
    from convanim.limits import _bytes, _n

    assert _n(10**30) == "1,000,000,000,000,000,000,000,000,000,000"
    assert _bytes(3 * 10**400) == f"about {3 * 10**382:,} EB"


def test_the_channel_cap_is_named_before_any_size_limit(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["render", "-i", "5", "-k", "3", "--in-channels", "100000", "--out-channels", "100000",
                 "-o", "x.gif"]) == 2
    assert capsys.readouterr().err == ("convanim render: error: the channel drawing shows at most 16 input and output "
                                       "channels, got in_channels=100000; convanim shape gives the numbers of any "
                                       "layer\n")


# -- the Python API ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def anim():
    return animate(input_size=4, kernel_size=3)


@pytest.mark.parametrize("call, message", [
    (lambda a: a.save("x.png", step=1.0), r"^step must be an integer from 0 to 3, got 1\.0$"),
    (lambda a: a.frame("0"), r"^step must be an integer from 0 to 3, got '0'$"),
    (lambda a: a.array(None), r"^step must be an integer from 0 to 3, got None$"),
    (lambda a: a.save(5), r"^path must be a file path \(a str or os\.PathLike\), got 5$"),
    (lambda a: a.save("x.png", sheet="yes"), r"^sheet must be True or False, got 'yes'$"),
    (lambda a: a.save_frames(None), r"^directory must be a file path"),
])
def test_animation_methods_refuse_bad_arguments_in_one_sentence(anim, call, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=message):
        call(anim)
    assert not list(tmp_path.iterdir())


def test_functions_refuse_wrong_types_in_one_sentence():
    with pytest.raises(ValueError, match=r"^layers must be a list of ConvSpec, PoolSpec or layer strings, or one "
                                         r"string, got int$"):
        Network(8, 5)
    with pytest.raises(ValueError, match=r"^network must be a Network, got ConvSpec$"):
        receptive_field(ConvSpec(5, 3))
    with pytest.raises(ValueError, match=r"^spec must be a ConvSpec or a PoolSpec, got Network$"):
        convanim.explain(Network(8, ["nn.Conv2d(1, 1, 3)"]))


def test_numpy_integers_are_ints_everywhere(anim, tmp_path):
    i = np.int64
    a = animate(input_size=i(4), kernel_size=i(3), view="values", values="random", seed=i(3), cell_px=i(40),
                duration_ms=i(200), hold_first_ms=i(10), max_frames=i(100))
    b = animate(input_size=4, kernel_size=3, view="values", values="random", seed=3, cell_px=40, duration_ms=200,
                hold_first_ms=10, max_frames=100)
    assert a.durations == b.durations and all(type(d) is int for d in a.durations)
    assert np.array_equal(a.array(i(2)), b.array(2))
    assert anim.save(tmp_path / "s.png", step=np.int32(1)).is_file()
    assert PoolSpec("max", i(6), i(2), channels=i(3)).channels == 3
    assert Network(i(8), ["nn.Conv2d(1, 1, 3)"]).input_size == (8, 8)
    assert parse_layer("nn.Conv2d(1, 1, 3)", np.uint16(8)).input_size == (8, 8)
    with pytest.raises(ValueError, match=r"^seed must be an integer from 0 to 2\*\*63 - 1, got np\.True_$"):
        animate(input_size=4, kernel_size=3, view="values", values="random", seed=np.bool_(True))


# -- small items of section 6 -----------------------------------------------------------------------

def test_credit_goes_into_an_html_page(tmp_path):
    page = animate(input_size=4, kernel_size=3, credit='Figure: A. <Author> & "co"').save(tmp_path / "p.html")
    text = page.read_text(encoding="utf-8")
    assert '<meta name="author" content="Figure: A. &lt;Author&gt; &amp; &quot;co&quot;">' in text
    plain = animate(input_size=4, kernel_size=3).save(tmp_path / "q.html").read_text(encoding="utf-8")
    assert 'name="author"' not in plain
    assert plain == text.replace('\n<meta name="author" content="Figure: A. &lt;Author&gt; &amp; &quot;co&quot;">', "")


@pytest.mark.parametrize("spec, what", [(ConvSpec(4, 3), "out_channels=1"),
                                        (ConvSpec(4, 3, in_channels=3), "out_channels=1"),
                                        (PoolSpec("max", 4, 2), "a pooling")])
def test_channel_order_position_is_refused_where_it_changes_nothing(spec, what):
    with pytest.raises(ValueError) as err:
        animate(spec, channel_order="position")
    assert str(err.value) == ("channel order 'position' only changes a layer with more than one output channel, "
                              f"got {what}")
    assert len(animate(ConvSpec(4, 3, out_channels=2), channel_order="position")) == 4


# -- values files: the header first ------------------------------------------------------------------

def header_only(path, shape, descr="<f8"):
    """A .npy file whose header promises ``shape`` and that holds no data at all."""
    with open(path, "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, {"descr": descr, "fortran_order": False, "shape": shape})


def test_a_values_file_of_the_wrong_shape_is_refused_from_its_header(tmp_path):
    # 1.15 GB promised, none present: reading the data first would fail with 'could not be read'
    header_only(tmp_path / "big.npy", (12000, 12000))
    with pytest.raises(ValueError, match=r"input must have shape \(3, 3\), got \(12000, 12000\)$"):
        make_values(ConvSpec(3, 2), str(tmp_path / "big.npy"))
    with pytest.raises(ValueError, match=r"^values file '.*big.npy': input must have shape \(4, 4\), got"):
        animate(PoolSpec("max", 4, 2), view="values", values=str(tmp_path / "big.npy"))
    with pytest.raises(ValueError, match=r"^values: x must have shape \(2, 4, 4\), got \(12000, 12000\)$"):
        animate(ConvSpec(4, 3, in_channels=2), view="values", values=str(tmp_path / "big.npy"))


def test_a_values_file_of_the_right_shape_without_data_is_refused_when_read(tmp_path):
    header_only(tmp_path / "empty.npy", (3, 3))
    with pytest.raises(ValueError, match=r"^values file '.*empty.npy' could not be read: "):
        make_values(ConvSpec(3, 2), str(tmp_path / "empty.npy"))
