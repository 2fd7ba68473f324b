"""convanim: convolution arithmetic animations (padding, stride, transposed, dilated)."""

from .schedule import Step, Tap, cell_kind, cell_source, schedule, unread_cells
from .spec import ConvSpec

__version__ = "0.1.0"

__all__ = ["ConvSpec", "Step", "Tap", "schedule", "unread_cells", "cell_source", "cell_kind", "__version__"]
