"""Networks, in one import: the graph (`Network`), its receptive fields, its files, and `from_torch`.

`convanim.graph` builds the graph and its summary, `convanim.fields` walks
its receptive fields (closed forms per node, the exact cells of one output
cell), `convanim.netfile` reads TOML files and presets, and `convanim.trace`
reads a live PyTorch model with torch.fx. None of them draws or writes
sentences of explanation.

>>> net = Network(32, ["nn.Conv2d(1, 1, 3)", "nn.Conv2d(1, 1, 3, stride=2)", "nn.Conv2d(1, 1, 3, dilation=2)"])
>>> net.output_shape
(1, 10, 10)
>>> int(receptive_field(net).sum())
169
"""

from __future__ import annotations

from .fields import (
           axis_spec,
           node_counts,
           output_index,
           path_counts,
           path_recurrences,
           receptive_field,
           receptive_fields,
           recurrences,
)
from .graph import MAX_CELLS, MAX_LAYERS, Network, Node
from .netfile import NETWORK_PRESETS, load_network, network_path
from .trace import from_torch

__all__ = ["Network", "Node", "receptive_field", "receptive_fields", "recurrences", "path_recurrences",
           "path_counts", "node_counts", "output_index", "axis_spec", "load_network", "network_path", "from_torch",
           "NETWORK_PRESETS", "MAX_LAYERS", "MAX_CELLS"]
