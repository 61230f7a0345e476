"""Batched Z̄ equals plain Z̄ member by member, on random small networks (hypothesis).

``essay_lib.measures.batched.z_bar_members`` on a ``BatchedMLP`` against
``essay_lib.measures.linearity.z_bar(as_function(member))`` for each member, over random
widths, depths, activations, seeds, weight scales, numbers of points, triple kinds,
scales and output representations (tests/test_triples.py checks one trained case).

Tolerance: the two paths round differently (a batched product chain against the
module's forward; log-softmax of a 3-D against a 2-D tensor), and ‖D‖ = ‖f(x0+a+b) −
f(x0+a) − f(x0+b) + f(x0)‖ cancels: a rounding error of a few ulp of the outputs'
size M becomes an error of ~eps·M in D however small D is.  Hypothesis found such
cases (nearly affine or nearly constant small networks, where D is ~1e-6 of M), so
the tolerance is ``64·eps·M`` on each ‖D‖, carried into the mean and the ratio.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from essay_lib.measures import batched, linearity
from essay_lib.measures.triples import draw_triples
from essay_lib.nets.batched_mlp import BatchedMLP
from essay_lib.nets.models import ACTIVATIONS

pytestmark = pytest.mark.usefixtures("single_torch_thread")


@st.composite
def networks(draw):
    n_in = draw(st.integers(1, 3))
    hidden = draw(st.lists(st.integers(1, 6), min_size=1, max_size=3))
    n_out = draw(st.integers(1, 3))
    seeds = draw(st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=4))
    activation = draw(st.sampled_from(sorted(ACTIVATIONS)))
    gain = draw(st.sampled_from([0.5, 1.0, 4.0]))
    model = BatchedMLP((n_in, *hidden, n_out), seeds, activation=activation)
    with torch.no_grad():
        model.flat.mul_(gain)
    return model


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=networks(), n=st.integers(3, 12), data_seed=st.integers(0, 1000),
       triples=st.sampled_from(["extrapolating", "inside"]),
       scale=st.sampled_from([0.1, 0.5, 1.0]), n_triples=st.integers(1, 40),
       seed=st.integers(0, 1000))
def test_batched_z_bar_equals_plain_z_bar_of_each_member(model, n, data_seed, triples, scale,
                                                         n_triples, seed):
    X = np.random.default_rng(data_seed).normal(size=(n, model.widths[0]))
    outputs = tuple(o for o in batched.REPRESENTATIONS
                    if model.widths[-1] >= 2 or o == "logits")
    values = batched.z_bar_members(model, X, n_triples=n_triples, scale=scale, seed=seed,
                                   triples=triples, outputs=outputs)
    points = draw_triples(X, n_triples, scale, seed, triples).points(X)
    for output, (value, raw) in values.items():
        assert value.shape == raw.shape == (model.K,)
        for k in range(model.K):
            f = linearity.as_function(model.member(k), output=output)
            z = linearity.z_bar(f, X, n_triples=n_triples, scale=scale, seed=seed,
                                triples=triples)
            d_tol = 64 * np.finfo(float).eps * max(1.0, float(np.abs(f(points)).max()))
            total = z.denominators.sum()
            value_tol = d_tol * n_triples / total if total > 0 else 1e-12
            assert value[k] == pytest.approx(z.value, rel=1e-9, abs=value_tol), (output, k)
            assert raw[k] == pytest.approx(z.raw, rel=1e-9, abs=d_tol), (output, k)
            assert 0.0 <= value[k] <= 1.0
