"""The measures floor: how linear a function is, and what a trained network computes.

Functions of trained networks (and of the closed forms they are checked against); nothing
here trains a network for an experiment or loops over a grid of them.

* :mod:`~essay_lib.measures.linearity`: D, Z, Z̄, Taleb's H, Jacobian norm, affine fit;
* :mod:`~essay_lib.measures.triples`: the triples of points Z̄ is averaged over;
* :mod:`~essay_lib.measures.batched`: Z̄ and Jacobian norms of every member of a batched
  ensemble at once;
* :mod:`~essay_lib.measures.linear_pieces`: exact kinks of ReLU networks along a segment;
* :mod:`~essay_lib.measures.polynomials`: polynomial fits of rising degree;
* :mod:`~essay_lib.measures.gates`: logic gates computed by small ReLU networks;
* :mod:`~essay_lib.measures.examples`: the small known functions the chapters measure;
* :mod:`~essay_lib.measures.subnetworks`: do dropout's sub-networks add up (Z_mask)?
* :mod:`~essay_lib.measures.dropout_checks`: chapter 02's checks of dropout over many
  networks (Monte Carlo averaging against weight scaling, input dropout against ridge);
* :mod:`~essay_lib.measures.penalty_geometry`: the L1/L2 constraint picture in 2-D and
  the lasso and ridge paths of a linear model (chapter 01);
* :mod:`~essay_lib.measures.validity`: is Z̄ valid on a task?  Its dose–response on the
  trained networks (the affine blend, the leaky-ReLU path), the blend as the unit of
  effects, and the chord-midpoint control of mixup (chapter 04).
"""

from essay_lib.measures import (
    dropout_checks,
    gates,
    linear_pieces,
    linearity,
    penalty_geometry,
    polynomials,
    subnetworks,
    validity,
)

__all__ = ["dropout_checks", "gates", "linear_pieces", "linearity", "penalty_geometry",
           "polynomials", "subnetworks", "validity"]
