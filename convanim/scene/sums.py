"""The sum a step writes out, as mathtext: ``a_{0,0} w_{0,0} + ... = o_{0,0}`` or its numbers.

Pure: nothing here draws (`sum_text`, `sum_terms`); the values and matrix views lay it out.
"""

from __future__ import annotations

import numpy as np

from ..numtext import number
from ..schedule import Step, schedule
from ..spec import ConvSpec
from ..values import Values

__all__ = ["symbol", "check_values", "sum_terms", "sum_text"]


# -- the sum, as text (pure) ---------------------------------------------------


def symbol(name: str, index) -> str:
    """``a_{0,1}`` (mathtext, without dollars) for ``name`` at ``index``."""
    return f"{name}_{{{','.join(str(int(i)) for i in index)}}}"


def _factor(value) -> str:
    text = number(value)
    return f"({text})" if text.startswith("-") else text


def _as_step(spec: ConvSpec, step) -> Step:
    if isinstance(step, Step):
        return step
    steps = schedule(spec)
    if not isinstance(step, (int, np.integer)) or not -len(steps) <= step < len(steps):
        raise ValueError(f"step must be a Step or an index between 0 and {len(steps) - 1}, got {step!r}")
    return steps[int(step)]


def check_values(spec: ConvSpec, values: Values | None) -> None:
    """ValueError unless ``values`` match the spec's input and kernel shapes."""
    if values is None:
        return
    for name, arr, shape in (("x", values.x, spec.input_size), ("w", values.w, spec.kernel_size)):
        if tuple(np.shape(arr)) != tuple(shape):
            raise ValueError(f"values.{name} must have shape {tuple(shape)}, got {tuple(np.shape(arr))}")


def sum_terms(spec: ConvSpec, step, values: Values | None = None) -> tuple[list[str], str]:
    """The products that make one output cell, and what they sum to (mathtext, no dollars).

    Taps on padding or inserted zeros contribute nothing and are left out. With
    ``values`` the products are numbers (``3\\cdot(-1)``) and the result is
    the output value `convolve` gives; without, symbols (``a_{0,0}w_{0,0}``,
    with the original input index) and ``o_{i,j}``.
    """
    step = _as_step(spec, step)
    check_values(spec, values)
    taps = [t for t in step.taps if t.source is not None]
    if values is None:
        terms = [symbol("a", t.source) + symbol("w", t.kernel) for t in taps]
        return terms, symbol("o", step.out)
    x, w = np.asarray(values.x), np.asarray(values.w)
    terms = [f"{_factor(x[t.source])}\\cdot{_factor(w[t.kernel])}" for t in taps]
    # The same sum, in the same order and dtype, as convolve() computes it.
    dtype = np.result_type(x, w)
    total = sum((w[t.kernel] * x[t.source] for t in taps), start=dtype.type(0))
    return terms, number(dtype.type(total))


def sum_text(spec: ConvSpec, step, values: Values | None = None) -> str:
    """One output cell written out as a mathtext string, on one line.

    ``step`` is a `Step` of ``schedule(spec)`` or its index.

    >>> sum_text(ConvSpec(5, 3), 0)[:33]
    '$a_{0,0}w_{0,0} + a_{0,1}w_{0,1} '
    >>> sum_text(ConvSpec(3, 3, transposed=True), 0)
    '$a_{0,0}w_{0,0} = o_{0,0}$'
    """
    terms, result = sum_terms(spec, step, values)
    return "$" + (" + ".join(terms) or "0") + " = " + result + "$"
