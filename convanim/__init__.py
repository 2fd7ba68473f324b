"""convanim: convolution arithmetic animations (padding, stride, transposed, dilated).

The pieces, in the order data flows: `ConvSpec` (the config and its
arithmetic) -> `schedule` (one `Step` per output cell, with its `Tap` s) ->
a scene (``convanim.scene``, matplotlib) draws each step -> ``convanim.encode``
writes GIF, APNG, WebP or PNG frames. `animate` ties them together.
"""

from .evaluate import evaluate
from .explanation import explain
from .pool import PoolSpec, pool_argmax, pool_evaluate
from .schedule import Step, Tap, cell_kind, cell_source, schedule, unread_cells
from .spec import ConvSpec

__version__ = "0.1.0"


def animate(spec=None, **options):
    """Build an `Animation` (see `convanim.animation.animate` for the options)."""
    from .animation import animate as _animate

    return _animate(spec, **options)


__all__ = [
    "ConvSpec", "Step", "Tap", "schedule", "unread_cells", "cell_source", "cell_kind", "animate", "explain",
    "evaluate", "PoolSpec", "pool_evaluate", "pool_argmax",
    "__version__",
]
