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

import functools
import itertools
import math
from dataclasses import dataclass

from .spec import ConvSpec

__all__ = ["Tap", "Step", "schedule", "unread_cells", "unread_count", "unread_ranges", "cell_source", "cell_kind"]


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
        row-major order of their grid cells. Any spec kind works
        (`convanim.axes.PerAxis`): a `convanim.pool.PoolSpec` gets its
        windows, each tap's ``kernel`` its offset in the window.
    """
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


#: Most cells `unread_cells` lists; past it, use `unread_count` and `unread_ranges`.
MAX_LISTED_CELLS = 1_000_000

_MARK_CELLS = 4_000_000  # largest grid an axis is marked cell by cell on (one byte per cell)
_MARK_WORK = 20_000_000  # ... and at most this many cells written (kernel taps x positions)


def _read_pattern(ax) -> tuple[int, int, int] | None:
    """``(b, P, L)``: grid cell ``c`` is read iff ``0 <= c <= b`` and ``c % P < L``; None when not periodic."""
    o, k, d, ws = ax.output_size, ax.kernel_size, ax.dilation, ax.window_stride
    if d == 1 or k == 1:  # windows are contiguous blocks of ``extent`` cells, ``ws`` apart
        return (o - 1) * ws + ax.extent - 1, ws, min(ax.extent, ws)
    if ws == 1:  # tap j reads the block [j*d, j*d + o - 1]
        return (k - 1) * d + o - 1, d, min(o, d)
    return None


@functools.lru_cache(maxsize=8)
def _marked_reads(ax) -> bytes | None:
    """One byte per input index of ``ax``: 1 where a kernel position reads it; None if the grid is too large."""
    o, k, d, ws, n = ax.output_size, ax.kernel_size, ax.dilation, ax.window_stride, ax.input_size
    grid = ax.grid_size
    if grid > _MARK_CELLS or n > _MARK_CELLS or k * o > _MARK_WORK:
        return None
    read = bytearray(grid)
    if k <= o:
        for j in range(k):
            read[j * d : j * d + (o - 1) * ws + 1 : ws] = b"\x01" * o
    else:
        for w in range(o):
            read[w * ws : w * ws + (k - 1) * d + 1 : d] = b"\x01" * k
    # input i sits on grid cell lo + i*step (cells outside the grid are cropped: never read)
    first = -(ax.lo // ax.step) if ax.lo < 0 else 0
    hit = bytearray(n)
    last = min(n - 1, (grid - 1 - ax.lo) // ax.step)
    if last >= first:
        start = ax.lo + first * ax.step
        hit[first : last + 1] = read[start : start + (last - first) * ax.step + 1 : ax.step]
    return bytes(hit)


def unread_count(ax) -> int | None:
    """How many input indices of axis ``ax`` (a `ConvSpec.axes` item) no kernel position reads.

    Closed-form (instant) for undilated kernels, unit window strides and every
    transposed convolution; otherwise counted on a marked grid, or None when
    that grid would pass four million cells.
    """
    n, lo, st = ax.input_size, ax.lo, ax.step
    pattern = _read_pattern(ax)
    if pattern is not None and (st == 1 or pattern[1] == pattern[2]):
        b, period, run = pattern

        def reads_below(x: int) -> int:  # read cells in [0, x)
            return (x // period) * run + min(x % period, run) if x > 0 else 0

        if st == 1:
            first, last = max(lo, 0), min(b, lo + n - 1)
            return n - max(0, reads_below(last + 1) - reads_below(first))
        # every cell of [0, b] is read: count the inputs that land there
        first = -(lo // st) if lo < 0 else 0  # smallest i with lo + i*st >= 0
        last = min(n - 1, (b - lo) // st) if b >= lo else -1
        return n - max(0, last - first + 1)
    hit = _marked_reads(ax)
    return None if hit is None else n - hit.count(1)


def unread_ranges(ax, limit: int = 10) -> list[tuple[int, int]] | None:
    """The first ``limit`` runs of unread input indices of axis ``ax``, as inclusive (first, last) pairs.

    None where `unread_count` is None. Never enumerates more than ``limit`` runs.
    """
    n, lo, st = ax.input_size, ax.lo, ax.step
    pattern = _read_pattern(ax)
    if pattern is not None and (st == 1 or pattern[1] == pattern[2]):
        b, period, run = pattern
        runs: list[tuple[int, int]] = []

        def add(a: int, z: int) -> bool:
            a, z = max(a, 0), min(z, n - 1)
            if a > z:
                return len(runs) < limit
            if runs and runs[-1][1] + 1 >= a:
                runs[-1] = (runs[-1][0], max(runs[-1][1], z))
            elif len(runs) < limit:
                runs.append((a, z))
            else:
                return False
            return True

        if st == 1:
            add(0, -lo - 1)  # cropped before the grid
            if period > run:  # the gaps between blocks: cells [p*P + L, p*P + P - 1]
                p = max(lo, 0) // period
                while p * period <= min(b, lo + n - 1):
                    if not add(p * period + run - lo, min(p * period + period - 1, b) - lo):
                        break
                    p += 1
            add(b - lo + 1, n - 1)
        else:
            first = -(lo // st) if lo < 0 else 0
            last = min(n - 1, (b - lo) // st) if b >= lo else -1
            add(0, first - 1)
            add(max(last + 1, 0), n - 1)
        return runs[:limit]
    hit = _marked_reads(ax)
    if hit is None:
        return None
    runs = []
    start = hit.find(0)
    while start != -1 and len(runs) < limit:
        stop = hit.find(1, start)
        stop = n if stop == -1 else stop
        runs.append((start, stop - 1))
        start = hit.find(0, stop)
    return runs


def unread_cells(spec: ConvSpec, limit: int = MAX_LISTED_CELLS) -> list[tuple[int, ...]]:
    """Input cells that no kernel position reads, in row-major order.

    They appear when ``i + pads - d*(k-1) - 1`` is not a multiple of the stride
    (the last rows/columns), or when the dilation skips cells.

    >>> unread_cells(ConvSpec(6, 3, stride=2))[:3]
    [(0, 5), (1, 5), (2, 5)]

    With ``padding=1`` the same input is read whole: the cells the kernel
    never reaches (`ConvSpec.leftover`) are then padding.

    The work is proportional to the cells listed. More than ``limit`` cells
    (a million by default) raise ValueError: count them with `unread_count`
    per axis, or list runs with `unread_ranges`.
    """
    pool = spec.kind != "conv"  # other kinds' axes (a `PoolSpec`'s) list their unread indices themselves
    counts = [len(ax.unread()) if pool else unread_count(ax) for ax in spec.axes]
    if None in counts:
        raise ValueError(f"unread cells of {spec!r} are not enumerated: an axis is too large to mark cell by cell")
    total = math.prod(spec.input_size) - math.prod(n - u for n, u in zip(spec.input_size, counts))
    if total > limit:
        raise ValueError(f"{total:,} input cells are never read, more than the {limit:,} unread_cells lists")
    if total == 0:
        return []
    unread = [set(ax.unread()) if pool else _unread_set(ax, u) for ax, u in zip(spec.axes, counts)]
    sizes = spec.input_size
    found: list[tuple[int, ...]] = []

    def walk(prefix: tuple[int, ...], hit: bool) -> None:
        a = len(prefix)
        if a == len(sizes):
            if hit:
                found.append(prefix)
            return
        if hit:
            found.extend(prefix + rest for rest in itertools.product(*(range(n) for n in sizes[a:])))
            return
        later = any(unread[b] for b in range(a + 1, len(sizes)))
        for i in (range(sizes[a]) if later else sorted(unread[a])):
            walk(prefix + (i,), i in unread[a])

    walk((), False)
    return found


def _unread_set(ax, count: int) -> set[int]:
    runs = unread_ranges(ax, limit=count) if count else []
    return {i for a, z in runs for i in range(a, z + 1)}


def cell_source(spec: ConvSpec, cell: tuple[int, ...]) -> tuple[int, ...] | None:
    """The input index drawn at grid ``cell``, or None for padding or an inserted zero."""
    sources = tuple(ax.source(c) for ax, c in zip(spec.axes, cell))
    return None if None in sources else sources


def cell_kind(spec: ConvSpec, cell: tuple[int, ...]) -> str:
    """``'input'``, ``'padding'`` or ``'zero'`` (inserted between input cells); for a pooling
    ``'beyond'`` (past the padded input; `convanim.axes.PerAxis.cell_kind`)."""
    return spec.cell_kind(cell)
