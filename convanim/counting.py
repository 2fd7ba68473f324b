"""Why other counters print other numbers for the same model: the choices each count makes, with this network's numbers.

convanim counts multiply-adds (MACs) as PyTorch's ``FlopCounterMode`` does
(its total is two FLOPs per MAC): the convolutions' multiplications only.
thop, ptflops, fvcore, torchinfo and papers differ on five choices; this
module gives each choice's size for one network, so a user can see which
choice explains a difference.
"""

from __future__ import annotations

import math

from .graphspec import AdaptiveSpec, JoinSpec, PassSpec
from .pool import PoolSpec
from .spec import ConvSpec

__all__ = ["counting"]


def counting(network) -> dict:
    """The numbers behind the disagreements between MAC and FLOP counters, and one sentence for each."""
    macs = bias = norm = pool = adds = transposed_in = transposed_out = 0
    for node, shape in zip(network.nodes, network.shapes[1:]):
        spec, cells = node.spec, math.prod(shape)
        if isinstance(spec, ConvSpec):
            macs += spec.macs
            bias += cells if spec.bias else 0
            if spec.transposed:
                transposed_in += spec.macs
                transposed_out += cells * (spec.in_channels // spec.groups) * math.prod(spec.kernel_size)
        elif isinstance(spec, PassSpec) and spec.cls.startswith("BatchNorm"):
            norm += cells
        elif isinstance(spec, PoolSpec):
            pool += cells * math.prod(spec.kernel_size)
        elif isinstance(spec, AdaptiveSpec):
            pool += math.prod(network.shapes[node.inputs[0]])
        elif isinstance(spec, JoinSpec) and spec.op == "add":
            adds += cells * (spec.inputs - 1)
    return {
        "macs": macs,
        "flops": 2 * macs,
        "bias_additions": bias,
        "batchnorm_elements": norm,
        "pooling_reads": pool,
        "residual_additions": adds,
        "transposed_macs_over_input": transposed_in,
        "transposed_macs_over_output": transposed_out,
        "why_counters_differ": [
            f"a MAC is a multiply and an add, two FLOPs: FlopCounterMode prints {2 * macs:,} for these {macs:,} "
            "MACs, while fvcore and thop print MACs under the name FLOPs",
            f"bias additions ({bias:,}) are left out here and by FlopCounterMode, and counted by some counters",
            f"BatchNorm ({norm:,} elements, each a multiply and an add in eval mode) counts 0 here, "
            "but 1 or 2 per element in thop and ptflops",
            f"pooling ({pool:,} window reads) and residual additions ({adds:,}) count 0 here and in "
            "FlopCounterMode, and are counted by ptflops and thop",
            f"a transposed convolution's MACs are counted over its input volume here and in FlopCounterMode "
            f"({transposed_in:,}); counting over its output volume gives {transposed_out:,}",
        ],
    }
