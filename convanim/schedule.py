"""The step scheduler: which kernel tap sits on which cell for every output cell.

>>> from convanim import ConvSpec
>>> steps = schedule(ConvSpec(5, 3, stride=2, padding=1))
>>> len(steps), steps[0].out
(9, (0, 0))
>>> steps[0].taps[0]
Tap(kernel=(0, 0), cell=(0, 0), source=None)
>>> steps[0].taps[4]
Tap(kernel=(1, 1), cell=(1, 1), source=(0, 0))
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from .spec import ConvSpec

__all__ = ["Tap", "Step", "schedule", "unread_cells", "cell_source", "cell_kind"]


@dataclass(frozen=True)
class Tap:
    """One kernel element at one kernel position.

    ``kernel`` indexes the weight's spatial axes exactly as PyTorch's
    ``conv*d`` / ``conv_transpose*d`` weight ``[..., *kernel]``; ``cell``
    indexes the drawn grid (`ConvSpec.grid_shape`); ``source`` indexes the
    original input, or is None where the tap lies on padding or an inserted
    zero.
    """

    kernel: tuple[int, ...]
    cell: tuple[int, ...]
    source: tuple[int, ...] | None


@dataclass(frozen=True)
class Step:
    """One kernel position: the output cell it writes and its taps (row-major).

    ``out[step.out] = sum(weight[tap.kernel] * x[tap.source])`` over the taps
    whose source is not None reproduces ``torch.nn.functional``.
    """

    index: int
    out: tuple[int, ...]
    taps: tuple[Tap, ...]

    @property
    def footprint(self) -> tuple[tuple[int, int], ...]:
        """(first, last) grid cell covered by the kernel on each axis, inclusive."""
        first, last = self.taps[0].cell, self.taps[-1].cell
        return tuple(
            (min(a, b), max(a, b)) for a, b in zip(first, last)
        )


def schedule(spec: ConvSpec) -> list[Step]:
    """One `Step` per output cell of ``spec``, in row-major order.

    Parameters
    ----------
    spec : ConvSpec
        The convolution (plain or transposed, 1-D to 3-D).

    Returns
    -------
    list of Step
        ``len(result) == prod(spec.output_shape)``; each step's taps are in
        row-major order of their grid cells. A `convanim.pool.PoolSpec` gets
        its windows (`convanim.pool.pool_schedule`).
    """
    if not isinstance(spec, ConvSpec):
        from .pool import PoolSpec, pool_schedule

        if isinstance(spec, PoolSpec):
            return pool_schedule(spec)
    axes = spec.axes
    windows = [
        [
            [(kern, cell, ax.source(cell)) for kern, cell in ax.window(o)]
            for o in range(ax.output_size)
        ]
        for ax in axes
    ]
    steps = []
    for index, out in enumerate(itertools.product(*(range(ax.output_size) for ax in axes))):
        per_axis = [windows[a][o] for a, o in enumerate(out)]
        taps = []
        for combo in itertools.product(*per_axis):
            sources = tuple(src for _, _, src in combo)
            taps.append(
                Tap(
                    kernel=tuple(k for k, _, _ in combo),
                    cell=tuple(c for _, c, _ in combo),
                    source=None if None in sources else sources,
                )
            )
        steps.append(Step(index=index, out=out, taps=tuple(taps)))
    return steps


def unread_cells(spec: ConvSpec) -> list[tuple[int, ...]]:
    """Input cells that no kernel position reads, in row-major order.

    They appear when ``i + pads - d*(k-1) - 1`` is not a multiple of the stride
    (the last rows/columns), or when the dilation skips cells.

    >>> unread_cells(ConvSpec(6, 3, stride=2))[:3]
    [(0, 5), (1, 5), (2, 5)]

    With ``padding=1`` the same input is read whole: the cells the kernel
    never reaches (`ConvSpec.leftover`) are then padding.
    """
    unread = [set(ax.unread()) for ax in spec.axes]
    return [
        idx
        for idx in itertools.product(*(range(n) for n in spec.input_size))
        if any(i in u for i, u in zip(idx, unread))
    ]


def cell_source(spec: ConvSpec, cell: tuple[int, ...]) -> tuple[int, ...] | None:
    """The input index drawn at grid ``cell``, or None for padding or an inserted zero."""
    sources = tuple(ax.source(c) for ax, c in zip(spec.axes, cell))
    return None if None in sources else sources


def cell_kind(spec: ConvSpec, cell: tuple[int, ...]) -> str:
    """``'input'``, ``'padding'`` or ``'zero'`` (inserted between input cells); for a pooling
    `convanim.pool.PoolSpec.cell_kind` (``'beyond'`` past the padded input)."""
    if not isinstance(spec, ConvSpec):
        return spec.cell_kind(cell)
    kinds = [ax.kind(c) for ax, c in zip(spec.axes, cell)]
    if "padding" in kinds:
        return "padding"
    return "zero" if "zero" in kinds else "input"
