"""convanim: convolution arithmetic animations (padding, stride, transposed, dilated).

The pieces, in the order data flows: `ConvSpec` (the config and its
arithmetic) -> `schedule` (one `Step` per output cell, with its `Tap` s) ->
a scene (``convanim.scene``, matplotlib) draws each step -> ``convanim.encode``
writes GIF, APNG, WebP or PNG frames. `animate` ties them together.
"""

from .evaluate import evaluate
from .explanation import explain
from .pool import PoolSpec, pool_argmax, pool_evaluate
from .pytorch import parse_layer
from .schedule import Step, Tap, cell_kind, cell_source, schedule, unread_cells, unread_count, unread_ranges
from .spec import ConvSpec
from .version import __version__

_SCATTER = ("scatter_schedule", "ScatterStep", "overlap_counts", "uneven_sentence")
_NETWORK = ("Network", "receptive_field", "from_torch")


def __getattr__(name):
    """The scatter and network names import numpy: loaded on first use, so that `convanim shape` starts fast."""
    if name in _SCATTER or name in _NETWORK:
        import importlib

        return getattr(importlib.import_module(f".{'scatter' if name in _SCATTER else 'network'}", __name__), name)
    raise AttributeError(f"module 'convanim' has no attribute {name!r}")


def _lazy_animate():
    import functools

    from . import animation  # no matplotlib at import: the scenes load on first use

    @functools.wraps(animation.animate)
    def animate(*args, **options):
        return animation.animate(*args, **options)

    return animate


animate = _lazy_animate()


__all__ = [
    "ConvSpec", "Step", "Tap", "schedule", "unread_cells", "unread_count", "unread_ranges", "cell_source", "cell_kind",
    "animate", "explain", "evaluate", "PoolSpec", "pool_evaluate", "pool_argmax",
    "parse_layer", "__version__", *_SCATTER, *_NETWORK,
]
