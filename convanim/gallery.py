"""Galleries: many animations from one TOML file, rendered in parallel, with index pages.

A gallery file::

    [defaults]              # any option of convanim.animate, for every case
    layout = "classic"
    duration_ms = 1000

    [[case]]
    name = "padding_strides"            # file name stem (required, unique)
    input_size = 5                      # ConvSpec fields
    kernel_size = 3
    stride = 2
    padding = 1
    description = "Zero padding, non-unit strides."   # shown on the index pages

Case keys: ``name``, ``file`` (default ``NAME.gif``), ``description``, the
`ConvSpec` fields, and any option of `convanim.animate` (``layout``,
``view``, ``theme``, ``cell_px``, ``labels``, ``caption``, ``duration_ms``,
``hold_first_ms``, ``hold_last_ms``, ``values``, ``seed``, ``flip``,
``radius``, ``credit``) overriding ``[defaults]``. Lists stand for tuples, so per-side
padding is ``padding = [[0, 1], [0, 1]]``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from .animation import OPTIONS
from .indexpages import FRAMES_NOTE, PAGES, marker, rendered_by, write_pages  # noqa: F401 (re-exported)
from .pairs import PAIR_KEYS, SPEC_FIELDS, beside_spec, combine, then_spec
from .words import count, plural

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

__all__ = ["Case", "load_gallery", "preset_path", "PRESETS", "run_gallery", "render_case", "case_animation"]

SPEC_KEYS = SPEC_FIELDS  # ConvSpec's fields
OPTION_KEYS = tuple(OPTIONS)
CASE_KEYS = ("name", "file", "description", "layer") + SPEC_KEYS + OPTION_KEYS

PRESET_DIR = Path(__file__).resolve().parent.parent / "assets" / "galleries"
PRESETS = ("classic", "extended", "post", "transposed", "layers")
#: The first line of the pages `run_gallery` writes.
MARKER = marker("gallery")

# A case with `pool = "max"` or `"avg"` is a `PoolSpec`: the size keys above, dilation (max), and these two.
POOL_KEYS = ("pool", "ceil_mode", "count_include_pad")
CASE_KEYS += POOL_KEYS
#: `beside = "nn.Conv2d(2, 2, 3, groups=2)"`: a second layer over the same input, drawn beside the case's own at
#: the same frame; `then = "nn.Conv2d(3, 2, 1)"`: a second layer reading its output, drawn after it
#: (`convanim.pairs`).
CASE_KEYS += PAIR_KEYS
_POOL_FIELDS = ("input_size", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "count_include_pad")


def make_spec(fields: dict):
    """The `ConvSpec`, or with a ``pool`` key the `PoolSpec`, of a case's spec keys."""
    from .spec import ConvSpec

    if "pool" not in fields:
        for key in POOL_KEYS[1:]:
            if key in fields:
                raise ValueError(f"{key} is for pooling: add pool = \"max\" or pool = \"avg\"")
        return ConvSpec(**fields)
    from .pool import PoolSpec

    fields = dict(fields)
    mode = fields.pop("pool")
    extra = sorted(set(fields) - set(_POOL_FIELDS))
    if extra:
        raise ValueError(f"{extra[0]} is for convolutions, not for pool = {mode!r}")
    return PoolSpec(mode, **fields)



@dataclass(frozen=True)
class Case:
    """One animation of a gallery: plain values only (it crosses process boundaries)."""

    name: str
    file: str
    description: str
    spec: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    where: str = ""  # the gallery file's name, for error messages
    beside: dict = field(default_factory=dict)  # spec keys of a layer drawn beside this one, or empty
    then: dict = field(default_factory=dict)  # spec keys of a layer reading this one's output, or empty

    @property
    def label(self) -> str:
        return f'{self.where}: case "{self.name}"'


def _tuples(value):
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def preset_path(name: str) -> Path:
    """The TOML file of a bundled preset."""
    from importlib import resources

    try:
        bundled = resources.files("convanim.presets") / f"{name}.toml"
        if bundled.is_file():
            return Path(str(bundled))
    except ModuleNotFoundError:
        pass
    return PRESET_DIR / f"{name}.toml"


def _name_error(name) -> str | None:
    if not isinstance(name, str) or not name:
        return "name must be a non-empty file name"
    if not name.strip() or name != name.strip():
        return "name must not be blank or begin or end with a space"
    if len(name) > 100 or any(ch in name for ch in '/\\:*?"<>|') or name.startswith(".") \
            or not name.isprintable():
        return ("name must be a non-empty file name (no /, \\, leading dot or control characters, "
                "at most 100 characters)")
    return None


def _table(where: str, what: str, value) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: {what} must be a table, got {type(value).__name__} {_short(value)}")
    return value


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def load_gallery(source: str | os.PathLike) -> tuple[str, list[Case]]:
    """(title, cases) of a preset name or a gallery file; every case checked, nothing drawn.

    Errors name the file, the case and the key:
    ``gallery.toml: case "odd": stride must be >= 1, got 0``. Values files
    (``values = "x.npy"``) are found relative to the gallery file. Each case
    is checked against the limits (`convanim.limits`) and for options its
    view ignores; two cases writing the same file (compared
    case-insensitively) are refused.
    """
    from . import limits, views
    from .animation import ANIMATION_FORMATS, APPLIES, check_applies, check_options, check_timing

    path = Path(source)
    if not path.suffix and str(source) in PRESETS:
        path = preset_path(str(source))
    elif not path.is_file():
        if path.suffix != ".toml" and "/" not in str(source):
            raise ValueError(
                f"gallery must be a preset ({', '.join(PRESETS)}) or a .toml file, got {str(source)!r}"
            )
        raise ValueError(f"gallery file {str(source)!r} does not exist")
    where = path.name
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{where}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"title", "defaults", "case"})
    if unknown:
        raise ValueError(f"{where}: unknown table {unknown[0]!r} (expected title, [defaults], [[case]])")
    title = data.get("title", path.stem)
    if not isinstance(title, str):
        raise ValueError(f"{where}: title must be a string, got {_short(title)}")
    defaults = _table(where, "[defaults]", data.get("defaults", {}))
    bad = sorted(set(defaults) - set(SPEC_KEYS) - set(OPTION_KEYS))
    if bad:
        raise ValueError(f"{where}: [defaults]: unknown key {bad[0]!r}")
    raw_cases = data.get("case", [])
    if not isinstance(raw_cases, list) or not raw_cases:
        raise ValueError(f"{where}: no cases: add [[case]] tables with at least a name")
    cases, seen, files = [], set(), {"readme.md": "README.md", "index.html": "index.html"}
    for n, raw in enumerate(raw_cases):
        raw = _table(where, f"case #{n + 1}", raw)
        name = raw.get("name")
        label = f'case "{name}"' if isinstance(name, str) and name.isprintable() else f"case #{n + 1}"
        problem = _name_error(name)
        if problem:
            raise ValueError(f"{where}: {label}: {problem}, got {_short(name)}")
        if name in seen:
            raise ValueError(f"{where}: {label}: name is used twice")
        seen.add(name)
        bad = sorted(set(raw) - set(CASE_KEYS))
        if bad:
            raise ValueError(f"{where}: {label}: unknown key {bad[0]!r}")
        merged = {**defaults, **raw}
        spec = {k: _tuples(merged[k]) for k in SPEC_KEYS + POOL_KEYS if k in merged}
        options = {k: _tuples(merged[k]) for k in OPTION_KEYS if k in merged}
        file = raw.get("file", f"{name}.gif")
        description = raw.get("description", "")
        try:
            if "layer" in merged:  # a PyTorch layer: its spec keys
                spec = _layer_spec(merged)
            if not isinstance(description, str):
                raise ValueError(f"description must be a string, got {_short(description)}")
            if not isinstance(file, str) or Path(file).suffix.lower() not in ANIMATION_FORMATS \
                    or Path(file).name != file or _name_error(file):
                raise ValueError(
                    f"file must be a plain file name ending in {', '.join(ANIMATION_FORMATS)}, got {_short(file)}"
                )
            if file.lower() in files:
                raise ValueError(f"file {file!r} is also written by {files[file.lower()]}")
            files[file.lower()] = f"{label}" if file.lower() not in ("readme.md", "index.html") else file
            values = options.get("values")
            if isinstance(values, str) and values not in ("symbols", "random") and values:
                options["values"] = str(path.parent / values) if not Path(values).is_absolute() else values
            opts = check_options(_applies=False, **options)
            own = [k for k in raw if k in OPTION_KEYS and k != "view"]
            if any(k in raw for k in SPEC_KEYS + POOL_KEYS):
                own.append("spec")
            check_applies(opts["view"], own, values=opts["values"])
            check_timing(Path(file).suffix, own)
            # [defaults] that this case's view ignores are dropped (`_check_defaults_apply` checks the rest).
            options = {k: v for k, v in options.items() if opts["view"] in APPLIES.get(k, (opts["view"],))}
            if "seed" in options and options.get("values", "symbols") == "symbols":
                del options["seed"]
            if views.get(opts["view"]).draws_spec:
                missing = [k for k in ("input_size", "kernel_size") if k not in spec]
                if missing:
                    raise ValueError(f"input_size and kernel_size are required, missing {' and '.join(missing)}")
                conv = make_spec(spec)
            else:
                conv = None
            limits.check_render(
                conv, opts["view"], opts["layout"], opts["cell_px"], labels=opts["labels"], caption=opts["caption"],
                radius=opts["radius"], max_frames=opts["max_frames"], max_pixels=opts["max_pixels"],
                max_frame_pixels=opts["max_frame_pixels"],
            )
            if "beside" in raw and "then" in raw:
                raise ValueError("give beside or then, not both")
            beside = beside_spec(raw["beside"], conv, opts) if "beside" in raw else {}
            then = then_spec(raw["then"], conv, opts) if "then" in raw else {}
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{where}: {label}: {exc}") from None
        cases.append(Case(name, file, description, spec if conv is not None else {}, options, where, beside, then))
    _check_defaults_apply(where, defaults, cases)
    return title, cases


def _check_defaults_apply(where: str, defaults: dict, cases: list) -> None:
    """A [defaults] key that changes no case does nothing: refused."""
    from .animation import APPLIES

    for key in defaults:
        group = "spec" if key in SPEC_KEYS + POOL_KEYS else key
        views = {c.options.get("view", "grid") for c in cases}
        if group in APPLIES and not views & set(APPLIES[group]):
            raise ValueError(
                f"{where}: [defaults]: {key} only applies to view {', '.join(APPLIES[group])}, "
                f"and no case has one of these views"
            )


def _layer_spec(merged: dict) -> dict:
    """The spec keys of ``layer = "nn.Conv2d(...)"`` over ``input_size``."""
    from .pytorch import parse_layer
    from .spec import ConvSpec

    other = sorted(k for k in SPEC_KEYS + POOL_KEYS if k in merged and k != "input_size")
    if other:
        raise ValueError(f"layer gives the whole layer: leave out {other[0]!r}")
    if "input_size" not in merged:
        raise ValueError("input_size is required with layer (the spatial size of its input)")
    spec = parse_layer(merged["layer"], _tuples(merged["input_size"]))
    if not isinstance(spec, ConvSpec):
        return {"pool": spec.mode, **{k: getattr(spec, k) for k in _POOL_FIELDS}}
    return {k: getattr(spec, k) for k in SPEC_KEYS}


def _animate_args(case: Case) -> dict:
    args = dict(case.options)
    if case.spec:
        args["spec"] = make_spec(case.spec)
    return args


#: How a view draws a transposed convolution's kernel (`explanation.caption`'s ``rotated``): as it is, or
#: as it is in the scatter (top) and rotated in the zero-insertion view (bottom).
_KERNEL_AS_DRAWN = {"scatter": False, "overlap": False, "both": "both"}


def case_animation(case: Case):
    """The case's animation as its file shows it: with its ``beside`` or ``then`` layer, if it has one."""
    from .animation import animate

    anim = animate(**_animate_args(case))
    for key in PAIR_KEYS:
        if getattr(case, key):
            second = {**_animate_args(case), "spec": make_spec(getattr(case, key))}
            if key == "beside":  # each frame the same output cell of the same channel in both
                second["channel_order"] = anim.options["channel_order"]
            anim = combine(key, anim, animate(**second))
    return anim


def render_case(case: Case, directory: str, page: str = "") -> dict:
    """Render ``case`` into ``directory`` (runs in a worker process); returns what the pages show.

    ``page``: also write the interactive page there under this name.
    """
    from .explanation import caption, pytorch_layer

    try:
        anim = case_animation(case)
        anim.save(Path(directory) / case.file)
        if page:
            anim.save(Path(directory) / page)
    except ValueError as exc:
        raise ValueError(f"{case.label}: {exc}") from None
    spec = anim.spec
    if "pool" in case.spec:  # a PoolSpec: its own formula and layer
        from .pool_text import caption as pool_caption

        return {"alt": anim.alt, "frames": len(anim), "size": anim.size, "params": _params(case),
                "formula": pool_caption(spec), "pytorch": spec.pytorch_layer}
    return {
        "alt": anim.alt,
        "frames": len(anim),
        "size": anim.size,
        # scatter and overlap use the kernel as it is, both shows it each way: see `explanation.caption`
        "formula": caption(spec, rotated=_KERNEL_AS_DRAWN.get(case.options.get("view"), True))
        if spec is not None else "",
        "pytorch": pytorch_layer(spec) if spec is not None else "",
        "params": _params(case),
        "page": case.file if case.file.lower().endswith(".html") else page,
    }


def _params(case: Case) -> str:
    spec = case.spec
    if not spec:
        return ", ".join(f"{k}={v}" for k, v in case.options.items() if k in ("view", "radius"))
    short = {"input_size": "i", "kernel_size": "k", "stride": "s", "padding": "p", "dilation": "d",
             "output_padding": "a"}
    parts = [f"{short[k]}={_show(v)}" for k, v in spec.items() if k in short]
    parts = ([f"{spec['pool']} pooling"] if "pool" in spec else []) + parts
    parts += [f"{k}={v}" for k, v in spec.items() if k in POOL_KEYS[1:]]
    if spec.get("transposed"):
        parts.append("transposed")
    parts += [f"{k}={_show(spec[k])}" for k in ("in_channels", "out_channels", "groups", "bias") if k in spec]
    view = case.options.get("view")
    if view and view != OPTIONS["view"]:
        parts.append(f"view={view}")
    return ", ".join(parts)


def _show(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return str(value)


def _render_into(case: Case, directory: str, page: str, force: bool) -> dict:
    """`render_case` with ``directory``'s manifest checked and kept (see `convanim.encode.owned`)."""
    from .encode import owned

    with owned.writing_into(directory, force=force):
        return render_case(case, directory, page)


def render_all(cases: list[Case], directory: Path, jobs: int, progress: bool, force: bool = False) -> list[dict]:
    """Render every case into ``directory``, ``jobs`` processes at a time; their page infos in order.

    Each process takes one case at a time, longest first; an interrupt stops
    them all at once (`convanim.workers`).
    """
    from .views import page_files

    pages = page_files(cases, make_spec)
    infos: dict[str, dict] = {}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(cases), unit="gif", file=sys.stderr)
    try:
        if jobs <= 1 or len(cases) == 1:
            for case in cases:
                infos[case.name] = _render_into(case, str(directory), pages.get(case.name, ""), force)
                if bar:
                    bar.update()
        else:
            from .workers import run_calls

            # Longest first, so that no process is left with a long case at the end.
            order = sorted(cases, key=lambda c: -_cost(c))

            def done(k: int, info: dict) -> None:
                infos[order[k].name] = info
                if bar:
                    bar.update()

            run_calls(_render_into, [(c, str(directory), pages.get(c.name, ""), force) for c in order], jobs, done,
                      folder=directory)
    finally:
        if bar:
            bar.close()
    return [infos[c.name] for c in cases]


def _cost(case: Case) -> int:
    import math

    return math.prod(make_spec(case.spec).output_shape) if case.spec else 60


def run_gallery(source, output, *, jobs: int | None = None, check: bool = False, force: bool = False,
                quiet: bool = False, credit: str | None = None) -> int:
    """Render a gallery into ``output`` (or, with ``check``, compare with it). Returns the exit status.

    Every case is checked before anything is drawn, and so is every file it
    would write: a file in ``output`` that its manifest does not record with its
    current content (a user's file, or one edited since) is refused, naming it,
    unless ``force`` (see `convanim.encode.owned`). ``check`` prints ``differs:``, ``missing:`` and
    ``extra:`` (a file no case writes) lines and returns 1 when there are any.
    ``jobs`` is capped to the cores this process may use. ``credit`` is the
    credit line of every case that names none of its own.
    """
    from . import limits

    title, cases = load_gallery(source)
    if credit is not None:
        from .animation import check_credit

        check_credit(credit)
        cases = [replace(c, options={"credit": credit, **c.options}) for c in cases]
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise ValueError(f"jobs must be an integer >= 1, got {jobs!r}")
    jobs = min(jobs or limits.cpu_cores(), limits.cpu_cores())
    output = Path(output)
    from .views import page_files

    names = [c.file for c in cases] + list(page_files(cases, make_spec).values()) + list(PAGES)
    if check:
        if not output.is_dir():
            raise ValueError(f"cannot check {str(output)!r}: it is not a directory")
        with tempfile.TemporaryDirectory(prefix="convanim-check-") as tmp:
            fresh = Path(tmp)
            write_pages(fresh, title, cases, render_all(cases, fresh, jobs, progress=False))
            report = []
            for n in names:
                if not (output / n).is_file():
                    report.append(f"missing: {output / n}")
                elif (output / n).read_bytes() != (fresh / n).read_bytes():
                    report.append(f"differs: {output / n}")
        known = {n.lower() for n in names}
        for entry in sorted(output.iterdir()):
            if entry.is_file() and not entry.name.startswith(".") and entry.name.lower() not in known:
                report.append(f"extra: {entry}")
        for line in report:
            print(line)
        if report:
            print(f"{count(len(report), 'file')} {plural(len(report), 'is', 'are')} stale, missing or extra; "
                  f"re-run: convanim gallery {source} -o {output}")
            return 1
        print(f"all {count(len(names), 'file')} up to date in {output}" if len(names) != 1
              else f"the 1 file is up to date in {output}")
        return 0
    if output.exists() and not output.is_dir():
        raise ValueError(f"output must be a directory, got the file {str(output)!r}")
    from .encode import owned

    owned.refuse_unowned(output, names, force=force)  # every file, before anything is drawn
    output.mkdir(parents=True, exist_ok=True)
    infos = render_all(cases, output, jobs, progress=sys.stderr.isatty() and not quiet, force=force)
    with owned.writing_into(output, force=force):
        write_pages(output, title, cases, infos)
    if not quiet:
        print(f"wrote {len(cases)} animation{'s' if len(cases) != 1 else ''}, README.md and index.html to {output}",
              file=sys.stderr)
    return 0
