"""What every kind of spec shares: its shape arithmetic, read from its per-axis objects.

A spec kind (`convanim.spec.ConvSpec`, `convanim.pool.PoolSpec`, the next one)
is a frozen dataclass that subclasses `PerAxis`, names its ``kind`` and gives
``input_size`` and ``axes``: one object per spatial axis with ``output_size``,
``grid_size``, ``extent``, ``window(out)``, ``source(cell)`` and
``kind(cell)``. The shapes below, `convanim.schedule.schedule` and the views
(`convanim.views`) work from those alone; code that must tell kinds apart
reads ``spec.kind``, never the class.

>>> from convanim import ConvSpec, PoolSpec
>>> ConvSpec(5, 3, padding=1).kind, PoolSpec("max", 4, 2).kind
('conv', 'pool')
>>> ConvSpec(5, 3, padding=1).cell_kind((0, 2)), PoolSpec("max", 5, 2, ceil_mode=True).cell_kind((5, 0))
('padding', 'beyond')
"""

from __future__ import annotations

__all__ = ["PerAxis", "CELL_KINDS"]

#: Kinds of a drawn grid cell, the strongest first: a cell that is one of these on any axis is that kind.
CELL_KINDS = ("beyond", "padding", "zero")


class PerAxis:
    """Shape arithmetic shared by every spec kind (a mixin: no fields, no state)."""

    #: ``'conv'``, ``'pool'``, ...: what kind of layer this is (a class attribute, not a field).
    kind = "spec"

    @property
    def ndim(self) -> int:
        """Number of spatial axes."""
        return len(self.input_size)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return tuple(ax.output_size for ax in self.axes)

    @property
    def grid_shape(self) -> tuple[int, ...]:
        """Shape of the drawn grid: the padded input (the zero-inserted one, one extended past it ...)."""
        return tuple(ax.grid_size for ax in self.axes)

    @property
    def extent(self) -> tuple[int, ...]:
        """Cells the (dilated) window spans on each axis: ``d*(k-1) + 1``."""
        return tuple(ax.extent for ax in self.axes)

    def cell_kind(self, cell: tuple[int, ...]) -> str:
        """``'input'``, or the strongest of its axes' kinds (`CELL_KINDS`): ``'padding'``, ``'zero'`` (inserted
        between input cells), ``'beyond'`` (past the padded input, a pooling's ceil_mode)."""
        kinds = {ax.kind(c) for ax, c in zip(self.axes, cell)}
        return next((kind for kind in CELL_KINDS if kind in kinds), "input")
