"""A pooling's page data (`convanim.pool.PoolSpec`): the numbers, the winners of max pooling and the divisors
of average pooling, all read from the schedule's steps and `convanim.pool`'s own arithmetic.

>>> from convanim.pool import PoolSpec
>>> from convanim.schedule import schedule
>>> import numpy as np
>>> spec = PoolSpec("max", 4, 2)
>>> fields = pool_fields(spec, schedule(spec), np.arange(16).reshape(4, 4))
>>> fields["pool"], fields["winners"], fields["values"]["o"]
('max', [5, 7, 13, 15], ['5', '7', '13', '15'])
"""

from __future__ import annotations

from ..numtext import cell_number
from ..pool import pool_argmax, pool_evaluate

__all__ = ["pool_fields"]


def _flat(index, shape) -> int:
    pos = 0
    for i, n in zip(index, shape):
        pos = pos * n + i
    return pos


def pool_fields(spec, steps, values) -> dict:
    """The page fields of a pooling: ``pool`` (``'max'``/``'avg'``), ``padText`` (what a padding cell shows),
    ``divisors`` (average: one per output cell, `PoolSpec.divisor`), ``winners`` (max: per step, the drawn grid
    cell of `convanim.pool.pool_argmax`'s winner, found among that step's taps) and ``values`` (``x`` the input
    plane, ``o`` the output, as the drawing writes them; None without numbers)."""
    fields = {
        "pool": spec.mode,
        "padText": "−∞" if spec.mode == "max" else "0",
        "kernelName": "window",
        "kernelAria": "The pooling window",
        "divisors": [spec.divisor(step.out) for step in steps] if spec.mode == "avg" else None,
        "winners": None,
        "values": None,
    }
    if values is None:
        return fields
    import numpy as np

    x = np.asarray(values, dtype=np.float64)
    out = pool_evaluate(spec, x[None])[0]
    fields["values"] = {"x": [cell_number(v) for v in np.asarray(values).reshape(-1)], "w": None,
                        "o": [cell_number(v) for v in out.reshape(-1)]}
    if spec.mode == "max":
        argmax = pool_argmax(spec, x[None])[0].reshape(-1)
        winners = []
        for step in steps:
            cells = [t.cell for t in step.taps if t.source is not None
                     and _flat(t.source, spec.input_size) == int(argmax[step.index])]
            winners.append(_flat(cells[0], spec.grid_shape))
        fields["winners"] = winners
    return fields
