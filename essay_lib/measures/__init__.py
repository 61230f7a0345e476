"""The measures floor: how linear a function is, and what a network computes.

* :mod:`~essay_lib.measures.linearity`: D, Z, Z̄, Taleb's H, Jacobian norm, affine fit;
* :mod:`~essay_lib.measures.linear_pieces`: exact kinks of ReLU networks along a segment;
* :mod:`~essay_lib.measures.polynomials`: polynomial fits of rising degree;
* :mod:`~essay_lib.measures.gates`: logic gates computed by small ReLU networks;
* :mod:`~essay_lib.measures.subnetworks`: do dropout's sub-networks add up (Z_mask)?
"""

from essay_lib.measures import gates, linear_pieces, linearity, polynomials, subnetworks

__all__ = ["gates", "linear_pieces", "linearity", "polynomials", "subnetworks"]
