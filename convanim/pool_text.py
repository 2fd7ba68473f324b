"""Words for a pooling (`PoolSpec`): its output-size formula with numbers, ``convanim shape --pool``, alt text.

>>> from convanim.pool import PoolSpec
>>> print(render_text(explain(PoolSpec("avg", 4, 3, stride=2, padding=1, count_include_pad=False))))
avg pooling: input 4×4 -> output 2×2 (4 windows, drawn grid 6×6)
PyTorch: torch.nn.AvgPool2d(kernel_size=3, stride=2, padding=1, count_include_pad=False)
every axis:
  o = floor((4 + 2*1 - 3) / 2) + 1 = 2
divisor: the input cells in the window (count_include_pad=False); per axis (2, 3) × (2, 3)
"""

from __future__ import annotations

import math

from .numtext import number
from .pool import PoolSpec
from .words import count

__all__ = ["formula", "ceil_rule", "divisor_runs", "explain", "render_text", "caption", "alt_text", "describe_window"]


def _dims(values) -> str:
    return "×".join(str(v) for v in values)


def formula(spec: PoolSpec, axis: int) -> str:
    """The output size on ``axis`` as PyTorch computes it, with the numbers filled in."""
    ax = spec.axes[axis]
    i, k, s, p, d = ax.input_size, ax.kernel_size, ax.stride, ax.padding, ax.dilation
    kern = f"{k}" if d == 1 else f"({d}*({k}-1) + 1)"
    rounding = "ceil" if spec.ceil_mode else "floor"
    raw = -(-(ax.padded_size - ax.extent) // s) + 1 if spec.ceil_mode else ax.output_size
    text = f"o = {rounding}(({i} + 2*{p} - {kern}) / {s}) + 1 = {raw}"
    if raw != ax.output_size:
        text += f", minus the window that would start in the right padding = {ax.output_size}"
    return text


def ceil_rule(spec: PoolSpec, axis: int) -> str | None:
    """What ``ceil_mode`` changes on ``axis``, in one line (None without ceil_mode)."""
    if not spec.ceil_mode:
        return None
    ax = spec.axes[axis]
    i, p, s = ax.input_size, ax.padding, ax.stride
    floor = ax.floor_output_size
    raw = -(-(ax.padded_size - ax.extent) // s) + 1
    if raw == floor:
        return f"ceil_mode: floor gives the same {floor} (every window fits the padded input)"
    last = (raw - 1) * s - p  # first cell of the extra window, in input coordinates
    if raw != ax.output_size:
        return (f"ceil_mode: floor gives {floor}; an extra window would start at {last}, in the right padding "
                f"({last} >= {i}), so PyTorch drops it")
    return (f"ceil_mode: floor would give {floor}; the last window starts at {last}, before the input ends "
            f"({last} < {i}), so it is kept, running {ax.beyond} cell{'s' if ax.beyond != 1 else ''} "
            "past the padded input")


#: Most windows on an axis whose divisors are written out one by one; longer axes are written as runs.
MAX_LISTED = 12


def divisor_runs(spec: PoolSpec, axis: int) -> list[dict]:
    """Average pooling's divisors along ``axis`` as runs, JSON-ready: ``{"windows": [first, last],
    "divisors": [first, last]}``, the divisor changing by the same step from window to window (instant for any
    size)."""
    return [{"windows": [a, z], "divisors": [va, vz]} for a, z, va, vz in spec.divisor_runs(axis)]


def _expand(runs: list[dict]) -> list[int]:
    values = []
    for run in runs:
        (a, z), (va, vz) = run["windows"], run["divisors"]
        step = 0 if z == a else (vz - va) // (z - a)
        values += [va + step * (o - a) for o in range(a, z + 1)]
    return values


def _runs_text(runs: list[dict]) -> str:
    """``(2, 3, 3, 2)`` for a short axis; else ``2 (window 0), 3 (windows 1 to 998), 2 (window 999)``."""
    if runs[-1]["windows"][1] < MAX_LISTED:
        return "(" + ", ".join(str(v) for v in _expand(runs)) + ")"
    parts = []
    for run in runs:
        (a, z), (va, vz) = run["windows"], run["divisors"]
        where = f"window {a:,}" if a == z else f"windows {a:,} to {z:,}"
        parts.append(f"{va:,} ({where})" if va == vz else f"{va:,} to {vz:,} ({where})")
    return ", ".join(parts)


def _divisor_line(spec: PoolSpec) -> str | None:
    if spec.mode != "avg":
        return None
    rule = ("the window clipped to the padded input (count_include_pad=True: padding counts as a 0)"
            if spec.count_include_pad else "the input cells in the window (count_include_pad=False)")
    texts = [_runs_text(divisor_runs(spec, a)) for a in range(spec.ndim)]
    if all(t.startswith("(") for t in texts):
        return f"divisor: {rule}; per axis {' × '.join(texts)}"
    if len(set(texts)) == 1:
        return f"divisor: {rule}; on every axis {texts[0]}"
    return f"divisor: {rule}; " + "; ".join(f"axis {a}: {t}" for a, t in enumerate(texts))


def explain(spec: PoolSpec) -> dict:
    """Everything ``convanim shape --pool`` prints, as plain values (JSON-ready)."""
    if not isinstance(spec, PoolSpec):  # `convanim.explain` sends every spec that is not a ConvSpec here
        raise ValueError(f"spec must be a ConvSpec or a PoolSpec, got {type(spec).__name__}")
    axes = []
    for n in range(spec.ndim):
        entry = {"axis": n, "formula": formula(spec, n)}
        rule = ceil_rule(spec, n)
        if rule:
            entry["ceil_mode"] = rule
        if spec.mode == "avg":
            entry["divisor_runs"] = divisor_runs(spec, n)
        axes.append(entry)
    info = {
        "kind": f"{spec.mode} pooling",
        "mode": spec.mode,
        "input_size": list(spec.input_size),
        "kernel_size": list(spec.kernel_size),
        "stride": list(spec.stride),
        "padding": list(spec.padding),
        "dilation": list(spec.dilation),
        "ceil_mode": spec.ceil_mode,
        "count_include_pad": spec.count_include_pad,
        "output_shape": list(spec.output_shape),
        "grid_shape": list(spec.grid_shape),
        "steps": math.prod(spec.output_shape),
        "pytorch": spec.pytorch_layer,
        "alt": alt_text(spec),
        "axes": axes,
    }
    line = _divisor_line(spec)
    if line:
        info["divisor"] = line
    return info


def render_text(info: dict) -> str:
    """The text of ``convanim shape --pool`` from `explain`'s dict."""
    out = [
        f"{info['kind']}: input {_dims(info['input_size'])} -> output {_dims(info['output_shape'])} "
        f"({count(info['steps'], 'window')}, drawn grid {_dims(info['grid_shape'])})",
        f"PyTorch: {info['pytorch']}",
    ]
    axes = info["axes"]
    strip = [{k: v for k, v in ax.items() if k != "axis"} for ax in axes]
    groups = [("every axis", strip[0])] if len(axes) > 1 and all(a == strip[0] for a in strip) else [
        (f"axis {ax['axis']}" if len(axes) > 1 else "", s) for ax, s in zip(axes, strip)
    ]
    for title, entry in groups:
        indent = "  " if title else ""
        if title:
            out.append(f"{title}:")
        out.append(f"{indent}{entry['formula']}")
        if "ceil_mode" in entry:
            out.append(f"{indent}{entry['ceil_mode']}")
    if "divisor" in info:
        out.append(info["divisor"])
    return "\n".join(out)


def caption(spec: PoolSpec) -> str:
    """The output-size formula of every axis, ``; ``-separated (the drawing's caption)."""
    parts = [formula(spec, n) for n in range(spec.ndim)]
    if spec.ndim > 1 and len(set(parts)) == 1:
        return parts[0]
    return "; ".join(parts)


def alt_text(spec: PoolSpec) -> str:
    """One sentence: ``'3×3 max pooling, stride 2, ceil_mode over a 6×6 input, giving 3×3'``."""
    parts = [f"{_dims(spec.kernel_size)} {'max' if spec.mode == 'max' else 'average'} pooling"]
    if spec.stride != spec.kernel_size:
        parts.append(f"stride {_dims(spec.stride) if len(set(spec.stride)) > 1 else spec.stride[0]}")
    if any(spec.padding):
        parts.append(f"padding {_dims(spec.padding) if len(set(spec.padding)) > 1 else spec.padding[0]}")
    if any(d != 1 for d in spec.dilation):
        parts.append(f"dilation {_dims(spec.dilation) if len(set(spec.dilation)) > 1 else spec.dilation[0]}")
    if spec.ceil_mode:
        parts.append("ceil_mode")
    if spec.mode == "avg" and not spec.count_include_pad:
        parts.append("count_include_pad=False")
    return f"{', '.join(parts)} over a {_dims(spec.input_size)} input, giving {_dims(spec.output_shape)}"


def describe_window(spec: PoolSpec, step, values, result: float, winner) -> str:
    """One line for the current window: ``out[2, 2] = max of its 4 input cells = 35, at input [5, 5]
    (return_indices: 35)`` or ``out[0, 0] = 18 ÷ 6 = 3``.

    ``values`` are the numbers of the window's input cells, in window order.
    """
    out = ", ".join(str(o) for o in step.out)
    n_input = len(values)
    if spec.mode == "max":
        where = ", ".join(str(int(c)) for c in winner)
        flat = 0
        for c, n in zip(winner, spec.input_size):
            flat = flat * n + int(c)
        return (f"out[{out}] = max of its {n_input} input cells = {number(result)}, "
                f"at input [{where}] (return_indices: {flat})")
    total = sum(values)
    div = spec.divisor(step.out)
    return f"out[{out}] = {number(total)} ÷ {div} = {number(result)}"
