"""Common checks over the notebooks' API (like scikit-learn's common estimator checks).

Every public function the notebooks call with a numeric or array argument is listed in
:data:`REGISTRY` with small valid arguments; for each such argument the test feeds,
one at a time, a bool where a number belongs, a NaN, and (for arrays) a
wrong-length or wrong-shape array, and expects a ``ValueError`` or ``TypeError`` whose
message names the argument (DESIGN.md §6).  One parametrized case per (function,
argument, bad value).

:func:`test_every_notebook_call_is_covered_or_excluded` parses ``notebooks/*.py``
with :mod:`ast` for ``module.function(...)`` calls on ``essay_lib`` modules and
fails when a called function is neither in the registry nor in :data:`EXCLUDED`
(with the reason), so a new notebook call gets a common check or a stated reason.

Cases marked ``xfail(strict=True, reason="engine refactor: lead fixes")`` fail today
in modules that are being rewritten (they are listed in :data:`LEAD_FIXES`, empty now); when one
is fixed, the strict xfail turns into a failure: remove its entry.
"""

from __future__ import annotations

import ast
import functools
import importlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from essay_lib.site.build import notebook_paths  # noqa: E402

NOTEBOOKS = notebook_paths(Path(__file__).resolve().parent.parent / "notebooks")

NAN = math.nan


# ----------------------------------------------------------------------------- argument kinds
@dataclass(frozen=True)
class Number:
    """A scalar number (int or float): a bool and a NaN must be refused."""


@dataclass(frozen=True)
class Ints:
    """A sequence of integers: ``[True]`` and ``[NaN]`` in place of the first entry."""


@dataclass(frozen=True)
class Array:
    """An array: one NaN entry must be refused, and so must ``wrong`` (a wrong shape or
    length); ``nan_ok``: the function accepts NaN here by design (only the shape)."""

    wrong: object = None
    nan_ok: bool = False


NUMBER, INTS = Number(), Ints()


@dataclass
class Api:
    """One notebook-API function: where it is, valid arguments, and its checked arguments."""

    name: str                                   # as the notebooks call it, e.g. "data.load_task"
    valid: Callable[[], dict]                   # valid keyword arguments (built lazily)
    args: dict                                  # argument -> Number() / Ints() / Array(...)
    module: str = ""                            # defaults to "essay_lib." + name's module

    def function(self):
        module, _, attr = self.name.rpartition(".")
        return getattr(importlib.import_module(self.module or f"essay_lib.{module}"), attr)


# ----------------------------------------------------------------------------- fixtures
@functools.cache
def quad():
    from essay_lib import data

    return data.quadratic_task(n_train=8, n_test=8, seed=0)


@functools.cache
def net(widths=(1, 4, 1), drop_rate=0.0):
    from essay_lib.nets.models import make_mlp

    return make_mlp(widths[0], list(widths[1:-1]), widths[-1], drop_rate=drop_rate, seed=0)


@functools.cache
def gate_net():
    from essay_lib.measures import gates

    return gates.hand_set_gate_network(("and", "or", "xor"))


def gate_targets():
    from essay_lib.measures import gates

    return gates.gate_targets(("and", "or", "xor"))


RNG = np.random.default_rng(0)
X2 = RNG.normal(size=(6, 2))
X1 = np.linspace(-1, 1, 6)[:, None]
Y1 = X1 ** 2


@functools.cache
def _d_curves():
    """The D explorer's curves without a network: x² and a kinked line on a grid."""
    from essay_lib.report.explorers import DCurves

    grid = np.linspace(-3, 3, 601)
    return DCurves(start=-3.0, step=0.01, functions={"true x²": grid ** 2,
                                                     "kinked": np.abs(grid - 0.2)},
                   x_train=X1[:, 0], y_train=Y1[:, 0])


@functools.cache
def records():
    """Synthetic sweep records of one task: z_bar falls with dropout, mixup; 5 seeds."""
    rng = np.random.default_rng(1)
    grid = {"none": [0.0], "dropout": [0.1, 0.3, 0.5], "l1": [1e-3, 1e-2], "l2": [1e-3, 1e-2],
            "mixup": [0.5, 1.0]}
    out = []
    for s in range(5):
        for reg, strengths in grid.items():
            for rank, strength in enumerate(strengths, start=0 if reg == "none" else 1):
                fall = 0.0 if reg in ("none", "l1", "l2") else -0.05 * rank
                value = 0.3 + fall + 0.01 * rng.standard_normal()
                r = {"task": "moons", "regularizer": reg, "strength": strength, "seed": s,
                     "z_bar": value, "z_bar_raw": value, "taleb_h": value,
                     "affine_nonlinearity": value, "linear_pieces": value,
                     "jacobian_norm": value, "z_mask": value,
                     "weight_sparsity": 0.1 * rank, "weight_norm": 1.0 - 0.1 * rank,
                     "train_loss": 0.5, "validation_loss": 0.6 + 0.01 * rng.standard_normal(),
                     "test_loss": 0.6 + 0.01 * rng.standard_normal(),
                     "z_spec": {"logits|0.5|extrapolating": value},
                     "curve": {"epoch": [1, 2, 3, 4], "train_loss": [1.0, 0.6, 0.5, 0.5],
                               "test_loss": [1.0, 0.7, 0.6, 0.6]}}
                out.append(r)
    return out


# ----------------------------------------------------------------------------- the registry
def _poly_pair():
    x = np.linspace(-1, 1, 6)
    return x, x ** 2


def _poly():
    from essay_lib.measures.polynomials import fit_polynomial

    return fit_polynomial(*_poly_pair(), 2)


@functools.cache
def _runs():
    from essay_lib.experiment import configurations

    return configurations.train_configurations({"large": (4,)}, [quad()], seeds=[0], epochs=6,
                                         eval_every=2, curves_on="test",
                                         progress=False).at_seed(0)


@functools.cache
def _mc_result():
    from essay_lib.measures import dropout_checks

    return dropout_checks.mc_convergence_many({"a": net((2, 4, 1), 0.5)}, X2, X2[:, :1],
                                              k_max=4, n_streams=1)["a"]


@functools.cache
def _penalty_sweep():
    from essay_lib.report.penalty_sweep import penalty_arrays

    rows = [{"regularizer": pen, "strength": lam, "seed": s, "train_loss": 0.1,
             "validation_loss": 0.2, "test_loss": 0.3, "weight_sparsity": 0.5,
             "weight_norm": 1.0}
            for pen in ("l1", "l2") for lam in (1e-3, 1e-2) for s in (0, 1)]
    rows += [{"regularizer": "none", "strength": 0.0, "seed": s, "train_loss": 0.1,
              "validation_loss": 0.2, "test_loss": 0.3, "weight_sparsity": 0.0,
              "weight_norm": 2.0} for s in (0, 1)]
    return penalty_arrays(rows)


@functools.cache
def _line():
    from essay_lib.measures import dropout_checks

    return dropout_checks.loss_along_line(X2, X2[:, 0], np.zeros(2), np.ones(2), 0.3,
                                          [0.0, 1.0], np.linspace(0, 1, 3), n_masks=4)


def _control_tests():
    from essay_lib.report.validity_report import ControlTest

    return [ControlTest("moons", "probabilities", True, (-1.0, -0.8), -0.9, 0.5)]


def _reports(**extra):
    return lambda: {"records": records(), **extra}


def _answer_inputs():
    """A record table and the validity cell of its main specification (the appendix)."""
    from types import SimpleNamespace

    from essay_lib.report.table import record_table

    cell = SimpleNamespace(task="moons", representation="logits", geometry="extrapolating",
                           scale=0.5, delta=0.01, valid=True)
    return {"table": record_table(records()), "tasks": ["moons"], "cells": [cell],
            "comparators": ("l2",)}


REGISTRY: list[Api] = [
    # data
    Api("data.quadratic_task", lambda: {"n_train": 5, "n_test": 5},
        {"n_train": NUMBER, "n_test": NUMBER, "noise": NUMBER, "seed": NUMBER}),
    Api("data.diabetes_task", lambda: {}, {"test_fraction": NUMBER, "seed": NUMBER}),
    Api("data.load_task", lambda: {"name": "quadratic"},
        {"seed": NUMBER, "validation_fraction": NUMBER}),
    # experiment specs
    Api("experiment.MeasureSpec", lambda: {},
        {"z_triples": NUMBER, "displacement_scale": NUMBER, "metric_seed": NUMBER,
         "sparsity_threshold": NUMBER, "mask_keep_prob": NUMBER, "mask_draws": NUMBER,
         "mask_set_fraction": NUMBER, "mc_samples": NUMBER, "mc_points": NUMBER,
         "curve_scales": Array(wrong=())}),
    Api("experiment.SweepSpec", lambda: {"task": "quadratic"},
        {"seeds": INTS, "hidden": INTS, "epochs": NUMBER, "lr": NUMBER, "batch_size": NUMBER,
         "momentum": NUMBER, "weight_decay": NUMBER, "input_drop_rate": NUMBER,
         "patience": NUMBER}),
    Api("experiment.essay_experiment", lambda: {}, {"seeds": INTS}),
    Api("experiment.mechanism.variant_experiment", lambda: {"tasks": ["moons"]},
        {"seeds": INTS}),
    Api("experiment.mechanism.one_layer_experiment", lambda: {"tasks": ["moons"]},
        {"seeds": INTS}),
    Api("experiment.replication_experiment", lambda: {}, {"seeds": INTS}),
    # measures.examples
    Api("measures.examples.line", lambda: {"slope": 2.0}, {"slope": NUMBER, "offset": NUMBER}),
    Api("measures.examples.affine", lambda: {"W": np.eye(2), "b": np.zeros(2)},
        {"W": Array(wrong=np.zeros(3)), "b": Array(wrong=np.zeros(3))}),
    Api("measures.examples.power", lambda: {"n": 2}, {"n": NUMBER}),
    Api("measures.examples.quadratic_form", lambda: {"A": np.eye(2)},
        {"A": Array(wrong=np.zeros((2, 3)))}),
    Api("measures.examples.rescaled", lambda: {"f": np.sin, "alpha": 2.0, "c": 0.5},
        {"alpha": NUMBER, "c": NUMBER}),
    # measures.gates
    Api("measures.gates.gate_accuracy", lambda: {"model": gate_net(), "targets": gate_targets()},
        {"targets": Array(wrong=np.zeros((4, 2))), "X": Array(wrong=np.zeros((4, 3)))}),
    Api("measures.gates.gate_sharing", lambda: {"model": gate_net(), "targets": gate_targets()},
        {"targets": Array(wrong=np.zeros((3, 3))), "break_error": NUMBER,
         "relative_sensitivity": NUMBER}),
    Api("measures.gates.hidden_activations", lambda: {"model": gate_net()},
        {"X": Array(wrong=np.zeros((4, 3)))}),
    Api("measures.gates.unit_contributions", lambda: {"model": gate_net()},
        {"X": Array(wrong=np.zeros(4))}),
    Api("measures.gates.weight_gate_sensitivity", lambda: {"model": gate_net()},
        {"X": Array(wrong=np.zeros((4, 1)))}),
    Api("measures.gates.train_gate_networks",
        lambda: {"names": ("and",), "width": 2, "seeds": (0,), "epochs": 2, "progress": False},
        {"width": NUMBER, "seeds": INTS, "epochs": NUMBER, "lr": NUMBER}),
    # measures.linear_pieces
    Api("measures.linear_pieces.count_linear_pieces",
        lambda: {"model": net(), "start": (-1.0,), "end": (1.0,)},
        {"start": Array(wrong=(0.0, 1.0)), "end": Array(wrong=(0.0, 1.0))}),
    Api("measures.linear_pieces.kink_points",
        lambda: {"model": net(), "start": (-1.0,), "end": (1.0,)},
        {"start": Array(wrong=(0.0, 1.0)), "end": Array(wrong=(0.0, 1.0))}),
    Api("measures.linear_pieces.pieces_against_width",
        lambda: {"X_train": X1, "y_train": Y1, "X_test": X1, "y_test": Y1, "widths": (2,),
                 "seeds": (0,), "epochs": 2, "progress": False},
        {"X_train": Array(wrong=np.zeros((6, 2))), "y_train": Array(wrong=np.zeros((5, 1))),
         "X_test": Array(wrong=np.zeros((6, 2))), "y_test": Array(wrong=np.zeros((5, 1))),
         "widths": INTS, "seeds": INTS, "epochs": NUMBER, "lr": NUMBER,
         "start": Array(wrong=(0.0, 1.0)), "end": Array(wrong=(0.0, 1.0))}),
    # measures.linearity
    Api("measures.linearity.additivity_defect", lambda: {"f": np.sin, "x1": X1, "x2": X1},
        {"x1": Array(wrong=np.zeros((5, 1))), "x2": Array(wrong=np.zeros((5, 1)))}),
    Api("measures.linearity.second_difference",
        lambda: {"f": np.sin, "x0": X1, "a": X1, "b": X1},
        {"x0": Array(wrong=np.zeros((5, 1))), "a": Array(wrong=np.zeros((5, 1))),
         "b": Array(wrong=np.zeros((5, 1)))}),
    Api("measures.linearity.z_score", lambda: {"f": np.sin, "x0": X1, "a": X1, "b": X1},
        {"x0": Array(wrong=np.zeros((5, 1))), "a": Array(wrong=np.zeros((5, 1))),
         "b": Array(wrong=np.zeros((5, 1)))}),
    Api("measures.linearity.taleb_heuristic", lambda: {"f": np.sin, "x": X1, "delta": 0.1},
        {"x": Array(wrong=np.zeros(6)), "delta": Array(wrong=np.zeros((6, 2)))}),
    Api("measures.linearity.z_bar", lambda: {"f": np.sin, "X": X1, "n_triples": 10},
        {"X": Array(wrong=np.zeros(6)), "n_triples": NUMBER, "scale": NUMBER, "seed": NUMBER}),
    # measures.polynomials
    Api("measures.polynomials.fit_polynomial",
        lambda: {"x": _poly_pair()[0], "y": _poly_pair()[1], "degree": 2},
        {"x": Array(wrong=np.zeros(5)), "y": Array(wrong=np.zeros((6, 2))), "degree": NUMBER,
         "l2": NUMBER}),
    Api("measures.polynomials.mean_squared_error",
        lambda: {"p": _poly(), "x": _poly_pair()[0], "y": _poly_pair()[1]},
        {"x": Array(wrong=np.zeros(5)), "y": Array(wrong=np.zeros(5))}),
    Api("measures.polynomials.degree_sweep",
        lambda: {"x_train": _poly_pair()[0], "y_train": _poly_pair()[1],
                 "x_test": _poly_pair()[0], "y_test": _poly_pair()[1], "degrees": [1, 2]},
        {"x_train": Array(wrong=np.zeros(5)), "y_train": Array(wrong=np.zeros(5)),
         "x_test": Array(wrong=np.zeros(5)), "y_test": Array(wrong=np.zeros(5)),
         "degrees": INTS, "l2": NUMBER}),
    Api("measures.polynomials.weight_decay_path",
        lambda: {"x_train": _poly_pair()[0], "y_train": _poly_pair()[1],
                 "x_test": _poly_pair()[0], "y_test": _poly_pair()[1], "degree": 3,
                 "l2_values": [0.0, 0.1]},
        {"x_train": Array(wrong=np.zeros(5)), "y_test": Array(wrong=np.zeros(5)),
         "degree": NUMBER, "l2_values": Array(wrong=[])}),
    Api("measures.polynomials.additivity_by_degree",
        lambda: {"polynomials": [_poly()], "x1": X1, "x2": X1},
        {"x1": Array(wrong=np.zeros((5, 1))), "x2": Array(wrong=np.zeros((5, 1)))}),
    # measures.subnetworks
    Api("measures.subnetworks.subnetwork_additivity",
        lambda: {"model": net((2, 4, 1)), "X": X2, "n_draws": 8},
        {"X": Array(wrong=np.zeros((6, 3))), "keep_prob": NUMBER, "n_draws": NUMBER,
         "set_fraction": NUMBER, "seed": NUMBER}),
    Api("measures.subnetworks.line_outputs", lambda: {"model": net((2, 4, 1)), "X": X2},
        {"X": Array(wrong=np.zeros((6, 3))), "keep_prob": NUMBER, "set_fraction": NUMBER,
         "seed": NUMBER}),
    Api("measures.subnetworks.mc_gap", lambda: {"model": net((2, 4, 1)), "X": X2,
                                                "n_samples": 4},
        {"X": Array(wrong=np.zeros((6, 3))), "keep_prob": NUMBER, "n_samples": NUMBER,
         "seed": NUMBER}),
    # nets.dropout
    Api("nets.dropout.keep_probability", lambda: {"drop_rate": 0.5}, {"drop_rate": NUMBER}),
    Api("nets.dropout.dropout_mask", lambda: {"shape": (2, 3), "drop_rate": 0.5},
        {"shape": INTS, "drop_rate": NUMBER}),
    # x may hold NaN: dropout is elementwise and NaN stays NaN (as torch's dropout)
    Api("nets.dropout.apply_dropout", lambda: {"x": torch.ones(2, 3), "drop_rate": 0.5},
        {"drop_rate": NUMBER, "x": Array(wrong="abc", nan_ok=True)}),
    Api("nets.dropout.hidden_activation_stats", lambda: {"model": net((2, 4, 1)), "X": X2},
        {"X": Array(wrong=np.zeros((6, 3)))}),
    Api("nets.dropout.ridge_equivalent_weights",
        lambda: {"X": X2, "y": X2[:, 0], "drop_rate": 0.3},
        {"X": Array(wrong=np.zeros(6)), "y": Array(wrong=np.zeros(5)), "drop_rate": NUMBER}),
    # measures.dropout_checks
    Api("measures.dropout_checks.sample_subnetwork_masks",
        lambda: {"widths": (2, 3, 1), "drop_rates": (0.0, 0.5, 0.0), "n_samples": 2},
        {"widths": INTS, "drop_rates": Array(wrong=(0.5,)), "n_samples": NUMBER}),
    Api("measures.dropout_checks.ridge_check",
        lambda: {"X": X2, "y": X2[:, 0], "drop_rates": [0.3], "n_masks": 4, "steps": 3},
        {"X": Array(wrong=np.zeros(6)), "y": Array(wrong=np.zeros(5)),
         "drop_rates": Array(wrong=[[0.3]]), "n_masks": NUMBER, "steps": NUMBER,
         "seed": NUMBER}),
    Api("measures.dropout_checks.loss_along_line",
        lambda: {"X": X2, "y": X2[:, 0], "w_start": np.zeros(2), "w_end": np.ones(2),
                 "drop_rate": 0.3, "t_points": [0.0, 1.0], "t_fine": np.linspace(0, 1, 3),
                 "n_masks": 4},
        {"X": Array(wrong=np.zeros(6)), "y": Array(wrong=np.zeros(5)),
         "w_start": Array(wrong=np.zeros(3)), "w_end": Array(wrong=np.zeros(3)),
         "drop_rate": NUMBER, "t_points": Array(wrong=np.zeros((2, 2))),
         "t_fine": Array(wrong=np.zeros((2, 2))), "n_masks": NUMBER, "seed": NUMBER}),
    Api("measures.dropout_checks.mc_convergence_many",
        lambda: {"nets": {"a": net((2, 4, 1), 0.5)}, "X": X2, "y": X2[:, :1], "k_max": 4,
                 "n_streams": 1},
        {"X": Array(wrong=np.zeros((6, 3))), "y": Array(wrong=np.zeros((5, 1))),
         "k_max": NUMBER, "n_streams": NUMBER, "tolerance": NUMBER, "margin": NUMBER,
         "seeds": NUMBER}),
    # nets.models
    Api("nets.models.make_mlp", lambda: {"n_inputs": 2, "hidden": [3], "n_outputs": 1},
        {"n_inputs": NUMBER, "hidden": INTS, "n_outputs": NUMBER, "drop_rate": NUMBER,
         "input_drop_rate": NUMBER, "seed": NUMBER}),
    # nets.regularization
    Api("nets.regularization.weight_sparsity", lambda: {"model_or_weights": net()},
        {"threshold": NUMBER}),
    Api("measures.penalty_geometry.constrained_minimum",
        lambda: {"hessian": np.diag([1.0, 4.0]), "center": np.array([1.0, 0.5]),
                 "radius": 0.5, "norm": "l2"},
        {"hessian": Array(wrong=np.eye(3)), "center": Array(wrong=np.zeros(3)),
         "radius": NUMBER}),
    Api("measures.penalty_geometry.linear_penalty_path",
        lambda: {"X": X2, "y": X2[:, 0], "coefficients": [0.1, 1.0], "penalty": "l2"},
        {"X": Array(wrong=np.zeros(6)), "y": Array(wrong=np.zeros(5)),
         "coefficients": Array(wrong=[[0.1]])}),
    # nets.training
    Api("nets.training.predict", lambda: {"model": net(), "X": X1},
        {"X": Array(wrong=np.zeros((6, 2)))}),
    Api("nets.training.score", lambda: {"model": net(), "X": X1, "y": Y1, "kind": "regression"},
        {"X": Array(wrong=np.zeros((6, 2))), "y": Array(wrong=np.zeros((5, 1)))}),
    Api("nets.training.train_model",
        lambda: {"model": net(), "X": X1, "y": Y1, "epochs": 2, "progress": False},
        {"X": Array(wrong=np.zeros((6, 2))), "y": Array(wrong=np.zeros((5, 1))),
         "epochs": NUMBER, "lr": NUMBER, "batch_size": NUMBER, "l1": NUMBER, "l2": NUMBER,
         "patience": NUMBER, "eval_every": NUMBER, "seed": NUMBER}),
    Api("experiment.configurations.train_configurations",
        lambda: {"configurations": {"a": (2,)}, "tasks": [quad()], "seeds": [0],
                 "epochs": 2, "progress": False, "curves_on": "test"},
        {"seeds": INTS, "epochs": NUMBER, "lr": NUMBER, "eval_every": NUMBER}),
    # report: statistics over records
    Api("report.stats.summarize", _reports(n_boot=20),
        {"confidence": NUMBER, "n_boot": NUMBER, "seed": NUMBER}),
    Api("report.trends.trend",
        _reports(task="moons", regularizer="dropout", n_boot=20),
        {"confidence": NUMBER, "n_boot": NUMBER, "seed": NUMBER}),
    Api("report.trends.trend_table", _reports(n_boot=20),
        {"confidence": NUMBER, "n_boot": NUMBER, "seed": NUMBER}),
    Api("report.analogy.analogy_rows", _reports(n_boot=20),
        {"confidence": NUMBER, "n_boot": NUMBER, "seed": NUMBER}),
    Api("report.analogy.strength_curves", _reports(task="moons", measure="z_bar", n_boot=20),
        {"confidence": NUMBER, "n_boot": NUMBER, "seed": NUMBER}),
    Api("report.analogy.relative_curves",
        _reports(task="moons", measures=("z_bar", "jacobian_norm"), n_boot=20),
        {"confidence": NUMBER, "n_boot": NUMBER, "seed": NUMBER}),
    Api("report.matched.matched_comparison", _reports(task="moons", n_boot=20),
        {"confidence": NUMBER, "n_boot": NUMBER, "seed": NUMBER}),
    Api("report.matched.paired_contrasts", _reports(task="moons", regularizer="dropout",
                                                    n_boot=20),
        {"confidence": NUMBER, "n_boot": NUMBER, "seed": NUMBER}),
    Api("report.matched.plateau", _reports(task="moons"),
        {"window": NUMBER, "tolerance": NUMBER}),
    Api("report.speccurve.specification_verdicts", _reports(n_boot=20),
        {"confidence": NUMBER, "n_boot": NUMBER, "seed": NUMBER}),
    Api("report.experiment_tables.fit_markdown", _reports(tasks=["moons"]),
        {"seed": NUMBER}),
    Api("report.mechanism.mask_answer",
        lambda: {"table": _answer_inputs()["table"], "tasks": ["moons"],
                 "measures": ("z_mask",), "comparators": ("l2",)},
        {"alpha": NUMBER, "delta_share": NUMBER}),
    Api("report.verdict.task_verdicts", _reports(n_boot=20),
        {"alpha": NUMBER, "confidence": NUMBER, "n_boot": NUMBER, "seed": NUMBER}),
    Api("report.verdict.rule_markdown", lambda: {}, {"confidence": NUMBER, "alpha": NUMBER}),
    Api("experiment.remeasure.weight_records",
        lambda: {"models": {("l2", 0.1, 0): net()}}, {"threshold": NUMBER}),
    # the appendix: the specification curve and the primer's statistics
    Api("report.answer.experiment_answer",
        lambda: {k: v for k, v in _answer_inputs().items() if k != "cells"}
        | {"deltas": {"moons": 0.01}}, {"alpha": NUMBER}),
    Api("report.specification_curve.curve_answers", _answer_inputs, {"alpha": NUMBER}),
    Api("report.inference.min_pvalue", lambda: {"n": 5}, {"n": NUMBER}),
    Api("report.inference.can_reach", lambda: {"n": 5, "alpha": 0.05, "m": 2},
        {"n": NUMBER, "alpha": NUMBER, "m": NUMBER}),
    Api("report.inference.signflip_pvalue", lambda: {"d": [0.3, 0.1, 0.4]},
        {"d": Array(wrong=np.zeros((2, 2)))}),
    Api("report.inference.seed_trends",
        lambda: {"strengths": [0.0, 1.0, 2.0], "values": [[5.0, 5.0, 4.0]]},
        {"strengths": Array(wrong=np.zeros((3, 1))), "values": Array(wrong=np.zeros(3))}),
    Api("report.inference.holm_adjust", lambda: {"pvalues": [0.01, 0.2]},
        {"pvalues": Array(wrong=np.zeros((2, 2)), nan_ok=True)}),
    Api("report.inference.equivalence_reading", lambda: {"low": -0.2, "high": -0.1,
                                                         "delta": 0.05},
        {"low": NUMBER, "high": NUMBER, "delta": NUMBER}),
    # report.plotting
    Api("report.plotting.plot_function_1d", lambda: {"x_grid": X1, "y_grid": Y1},
        {"x_grid": Array(wrong=np.zeros((6, 2))), "y_grid": Array(wrong=np.zeros(5))}),
    Api("report.plotting.plot_kinks",
        lambda: {"grid": X1[:, 0], "y_grid": Y1[:, 0], "kinks_x": [0.0], "kinks_y": [0.0]},
        {"grid": Array(wrong=np.zeros(5)), "y_grid": Array(wrong=np.zeros(5)),
         "kinks_x": Array(wrong=[0.0, 1.0]), "kinks_y": Array(wrong=[0.0, 1.0])}),
    Api("report.plotting.plot_linear_paths",
        lambda: {"strengths": [0.1, 1.0], "paths": {"l2": np.ones((2, 3))}},
        {"strengths": Array(wrong=[0.1, 1.0, 2.0])}),
    Api("report.plotting.plot_drop_rate_effects",
        lambda: {"drop_rates": [0.0, 0.5], "train_error": np.ones((2, 3)),
                 "test_error": np.ones((2, 3)), "activation_mean": np.ones((2, 3, 1)),
                 "active_fraction": np.ones((2, 3, 1))},
        {"drop_rates": Array(wrong=[0.0]), "train_error": Array(wrong=np.ones((1, 3))),
         "test_error": Array(wrong=np.ones((1, 3))),
         "activation_mean": Array(wrong=np.ones((1, 3, 1)))}),
    Api("report.plotting.plot_additivity_by_degree",
        lambda: {"degrees": [0, 1], "literal": [1.0, 1.0], "centred": [0.0, 0.0], "truth": 0.5},
        {"degrees": INTS, "literal": Array(wrong=[1.0]), "centred": Array(wrong=[1.0]),
         "truth": NUMBER, "interpolation_degree": NUMBER, "n_points": NUMBER}),
    Api("report.plotting.plot_constraint_picture",
        lambda: {"hessian": np.diag([1.0, 4.0]), "optimum": np.array([1.0, 0.5]),
                 "radius": 0.5, "resolution": 20},
        {"hessian": Array(wrong=np.eye(3)), "optimum": Array(wrong=np.zeros(3)),
         "radius": NUMBER, "resolution": NUMBER}),
    Api("report.plotting.plot_second_difference",
        lambda: {"functions": {"sin": np.sin}, "x0": 0.1, "a": 0.2, "b": 0.3},
        {"x0": NUMBER, "a": NUMBER, "b": NUMBER}),
    Api("report.plotting.plot_subnetwork_outputs",
        lambda: {"x": np.linspace(-1, 1, 5), "outputs": {"a": np.ones((4, 5))}},
        {"x": Array(wrong=np.zeros(4))}),
    Api("report.plotting.plot_weight_histograms",
        lambda: {"weights": {("l1", 0.1): np.linspace(-1, 1, 9)}, "threshold": 1e-3},
        {"threshold": NUMBER, "floor": NUMBER}),
    Api("report.plotting.plot_subnetwork_samples",
        lambda: {"widths": (2, 3, 1), "samples": [[torch.ones(2), torch.ones(3),
                                                    torch.ones(1)]]},
        {"widths": INTS}),
    Api("report.plotting.plot_polynomial_fits",
        lambda: {"grid": np.linspace(-1, 1, 7), "fits": {2: _poly()},
                 "x_train": _poly_pair()[0], "y_train": _poly_pair()[1],
                 "errors": {2: (0.1, 0.2)}},
        {"grid": Array(wrong=np.zeros((7, 2))), "x_train": Array(wrong=np.zeros(5)),
         "y_train": Array(wrong=np.zeros(5))}),
    Api("report.plotting.plot_weight_decay",
        lambda: {"grid": np.linspace(-1, 1, 7),
                 "path": __import__("essay_lib.measures.polynomials", fromlist=["x"])
                 .weight_decay_path(*_poly_pair(), *_poly_pair(), 3, [0.0, 0.1]),
                 "shown": (0.1,), "x_train": _poly_pair()[0], "y_train": _poly_pair()[1]},
        {"grid": Array(wrong=np.zeros((7, 2))), "shown": Array(wrong=(0.5,)),
         "x_train": Array(wrong=np.zeros(5)), "y_train": Array(wrong=np.zeros(5))}),
    Api("report.plotting.plot_early_stopping",
        lambda: {"run": _runs()["large"], "best_epoch": 2, "stopped_epoch": 4, "patience": 2},
        {"best_epoch": NUMBER, "stopped_epoch": NUMBER, "patience": NUMBER}),
    Api("report.plotting.plot_mc_convergence",
        lambda: {"result": _mc_result(), "tolerance": 0.01},
        {"tolerance": NUMBER, "margin": NUMBER, "reference_k": NUMBER}),
    Api("report.plotting.plot_sparsity_and_norm",
        lambda: {"sweep": _penalty_sweep(), "threshold": 1e-3}, {"threshold": NUMBER}),
    Api("report.plotting.plot_ridge_equivalence",
        lambda: {"line": _line(), "path_rates": [0.0, 0.5], "path_weights": np.ones((2, 2)),
                 "trained_rates": [0.5], "trained_weights": np.ones((1, 2))},
        {"path_rates": Array(wrong=[0.0]), "path_weights": Array(wrong=np.ones((3, 2))),
         "trained_rates": Array(wrong=[0.5, 0.1]),
         "trained_weights": Array(wrong=np.ones((2, 2)))}),
    Api("report.plotting.plot_sizes_1d",
        lambda: {"x_grid": X1, "predictions": {"large": Y1}, "runs": _runs(),
                 "x_train": quad().X_train, "y_train": quad().y_train},
        {"x_grid": Array(wrong=np.zeros((6, 2))), "x_train": Array(wrong=np.zeros((8, 2))),
         "y_train": Array(wrong=np.zeros(7)), "noise_variance": NUMBER}),
    Api("report.plotting.units_label", lambda: {"hidden": (4, 4)}, {"hidden": INTS}),
    Api("report.plotting.widths_label", lambda: {"hidden": (4, 4)}, {"hidden": INTS}),
    Api("report.plotting.size_label", lambda: {"name": "small", "hidden": (4,)},
        {"hidden": INTS}),
    # chapter 04's control
    Api("report.validity_report.control_markdown", lambda: {"tests": _control_tests()},
        {"alpha": NUMBER}),
    Api("report.validity_report.control_sentence", lambda: {"tests": _control_tests()},
        {"alpha": NUMBER}),
    # the explorers (chapters 04 and 05): the D explorer's triple and slider step
    Api("report.explorers.d_explorer_html", lambda: {"curves": _d_curves()},
        {"x0": NUMBER, "a": NUMBER, "b": NUMBER, "slider_step": NUMBER}),
    # the session
    Api("report.session.setup", lambda: {"threads": None},
        {"seed": NUMBER, "threads": NUMBER}),
    Api("report.wording.count_of", lambda: {"n": 1, "total": 2, "noun": "variant",
                                            "verb": "keep"}, {"n": NUMBER, "total": NUMBER}),
    Api("report.wording.layers", lambda: {"widths": [2, 2]}, {"widths": INTS}),
]

#: Functions the notebooks call that get no common case, and why.
EXCLUDED = {
    # they read trained networks or a whole answer: their arguments are checked in their
    # own tests (tests/test_mechanism_sweeps.py, tests/test_mechanism_tests.py)
    **dict.fromkeys(["experiment.mechanism.penalty_checks",
                     "report.sentences.mechanism_tests_of",
                     "report.mechanism_tests.mechanism_tests",
                     "report.plotting.plot_mechanism_tests"], "checked in its own tests"),
    # no numeric or array argument
    **dict.fromkeys([
        "experiment.run_experiment", "experiment.run_sweep", "experiment.sweep_models",
        "experiment.reference_values", "experiment.run_variants",
        "experiment.beyond.beyond_variants", "experiment.beyond.pending_variants",
        "experiment.beyond.run_variants", "measures.examples.smooth_curve",
        "measures.examples.polynomial_function", "measures.gates.gate_targets",
        "measures.gates.hand_set_gate_network", "measures.linearity.as_function",
        "measures.dropout_checks.tabulate_convergence", "nets.models.count_parameters",
        "nets.regularization.flat_weights", "report.analogy.Claim",
        "report.analogy.analogy_findings", "report.analogy.analogy_markdown",
        "report.analogy.forest_rows", "report.experiment_tables.grid_markdown",
        "report.experiment_tables.outside_markdown",
        "report.experiment_tables.plateau_sentence", "report.experiment_tables.reference_lines",
        "report.experiment_tables.tasks_markdown", "report.matched.specificity",
        "report.mechanism.bridge_markdown", "report.mechanism.bridge_sentence",
        "report.mechanism.network_values", "report.mechanism.mask_markdown",
        "report.mechanism.mask_sentence", "report.mechanism_tests.tests_markdown",
        "report.mechanism_tests.tests_sentence",
        "report.sentences.write_sentence", "report.sentences.write_table",
        "report.mechanism.bridges", "report.penalty_sweep.grid_search_table",
        "report.penalty_sweep.penalty_arrays", "report.plotting.figures_dir",
        "report.plotting.save_figure", "report.speccurve.agreement",
        "report.tables.markdown_table", "report.trends.find_trend", "report.trends.forest_rows",
        "report.beyond_verdict.agreement_paragraph", "report.beyond_verdict.architecture_sentence",
        "report.beyond_verdict.beyond_sentence", "report.beyond_verdict.effect_rows",
        "report.beyond_verdict.variants_markdown", "report.verdict.headline_sentence",
        "report.verdict.measure_agreement", "report.verdict.measures_markdown",
        "report.verdict.raw_vs_normalised", "report.verdict.replicated_tasks",
        "report.verdict.replication_markdown", "report.verdict.verdict_findings",
        "report.verdict.verdict_markdown", "report.vocabulary.join_names",
        "report.vocabulary.regularizer_label", "report.vocabulary.task_label",
        "report.widgets.show_if_interactive", "measures.dropout_checks.meeting_point",
        "measures.gates.GATE_INPUTS.astype",
        "report.answer.answer_markdown", "report.answer.plain_answer",
        "report.answer.as_plain_text",
        "report.answer.replication_agreement", "report.answer.replication_markdown",
        "report.answer.rules_markdown", "report.validity_report.control_tests",
        "report.validity_report.main_cells", "report.validity_report.validity_markdown",
        "report.validity_report.validity_sentence", "report.table.record_table",
    ], "no numeric or array argument of its own (names, records, results, strings, flags)"),
    "report.validity_report.number": "a formatter: any float, NaN included, has a text",
    **dict.fromkeys(["report.wording.number", "report.wording.signed",
                     "report.wording.residual", "report.wording.from_to"],
                    "a formatter: any float, NaN included, has a text (tests/test_wording.py "
                    "checks that a bool or a string is refused)"),
    **dict.fromkeys(["report.wording.per_item", "report.vocabulary.reading_label",
                     "report.experiment_tables.strongest_changes_markdown"],
                    "no numeric or array argument of its own (words, labels, contrasts)"),
    "report.sentences.mechanism_tests_of": "needs chapter 05's and 06's trained sweeps: too "
                                           "slow for a common case; tests/test_sentences.py "
                                           "covers the sentences it feeds",
    "report.plotting.plot_score_bars": "its numbers are the values of a mapping label -> score; "
                                       "tests/test_capacity.py checks a NaN score",
    # figures of results (records, verdicts, curves, sweeps) built and checked by other
    # functions of the registry; their only numbers of their own are layout or labels
    **dict.fromkeys([
        "report.plotting.plot_analogy", "report.plotting.plot_bridges",
        "report.plotting.plot_degree_sweep", "report.plotting.plot_drop_rate_explorer_static",
        "report.plotting.plot_gate_sharing", "report.plotting.plot_grid_search",
        "report.plotting.plot_known_functions", "report.plotting.plot_learned_functions",
        "report.plotting.plot_mask_trends", "report.plotting.plot_paired_changes",
        "report.plotting.plot_pieces_against_width", "report.plotting.plot_rank_correlations",
        "report.plotting.plot_relative_measures", "report.plotting.plot_size_curves",
        "report.plotting.plot_specification_curve", "report.plotting.plot_training_curves",
        "report.plotting.plot_variant_effects", "report.plotting.plot_z_against_loss",
        "report.plotting.plot_dose_response", "report.plotting.plot_frontier",
        "report.plotting.plot_mixup_control",
    ], "a figure of results built (and checked) by another function of the registry; its "
       "own tests check its arguments"),
    # need a trained experiment, variants or fresh records to be called at all
    **dict.fromkeys([
        "report.experiment_tables.reference_markdown", "report.mechanism.variant_markdown",
        "experiment.remeasure.z_mask_records", "experiment.validity.mixup_control",
        "experiment.validity.validity_table", "report.beyond_verdict.variant_effects",
        "report.beyond_verdict.variant_verdicts", "report.verdict.essay_verdict",
    ], "needs a trained sweep, variants or reference values: too slow for a common case; "
       "its seed/n_boot/confidence go through report.stats like the covered ones"),
    # the appendix
    **dict.fromkeys([
        "report.answer.answer_markdown", "report.answer.plain_answer",
        "report.answer.replication_agreement", "report.answer.replication_markdown",
        "report.table.record_table", "report.specification_curve.add_specifications",
        "report.specification_curve.agreement_markdown",
        "report.specification_curve.agreement_sentence",
        "report.specification_curve.answer_inputs", "report.specification_curve.curve_agreement",
        "report.specification_curve.family_range", "report.kernel_check.kernel_check_markdown",
        "report.kernel_check.read_kernel_check", "report.vocabulary.specification_label",
    ], "no numeric or array argument of its own (records, tables, cells, answers, paths); "
       "tests/test_specification_curve.py and tests/test_kernel_check.py check its arguments"),
    **dict.fromkeys([
        "report.explorers.drop_rate_frames", "report.explorers.d_curves",
    ], "needs a trained sweep: too slow for a common case; tests/test_explorers.py runs it "
       "on a tiny experiment and checks its arguments"),
    "report.explorers.drop_rate_explorer_html": "no numeric or array argument of its own "
                                                "(DropRateFrames); tests/test_explorers.py "
                                                "checks it",
    "report.plotting.plot_specification_readings": "a figure of a SpecificationCurve built "
                                                   "by report.specification_curve.curve_answers "
                                                   "(registered); its own tests check it",
    **dict.fromkeys([
        "experiment.curve_extension.curve_extension_records",
        "experiment.validity.validity_table",
    ], "needs a trained sweep: too slow for a common case; tests/test_curve_extension.py "
       "runs it on a tiny experiment"),
}

#: (function, argument, bad value) cases that fail today in modules being rewritten
#: (DESIGN.md's "do not edit" list while the engine is refactored), with what happens now.
LEAD_FIXES: dict[tuple[str, str, str], str] = {}

BAD = {Number: ("bool", "nan"), Ints: ("bool", "nan"), Array: ("nan", "wrong")}


def _bad_value(kind, what: str, valid):
    if isinstance(kind, Number):
        return True if what == "bool" else NAN
    if isinstance(kind, Ints):
        rest = list(valid)[1:] if valid is not None else []
        return [True if what == "bool" else NAN, *rest]
    if what == "wrong":
        return kind.wrong
    if torch.is_tensor(valid):
        bad = valid.clone().float()
        bad.view(-1)[0] = NAN
        return bad
    bad = np.array(valid if valid is not None else [0.0], dtype=float)
    if bad.ndim == 0:
        return NAN
    bad.flat[0] = NAN
    return bad


def _default(api: Api, arg: str):
    import inspect

    parameter = inspect.signature(api.function()).parameters[arg]
    return None if parameter.default is inspect.Parameter.empty else parameter.default


CASES = []
for _api in REGISTRY:
    for _arg, _kind in _api.args.items():
        for _what in BAD[type(_kind)]:
            if isinstance(_kind, Array) and _what == "nan" and _kind.nan_ok:
                continue
            _marks = ([pytest.mark.xfail(strict=True, reason="engine refactor: lead fixes")]
                      if (_api.name, _arg, _what) in LEAD_FIXES else [])
            CASES.append(pytest.param(_api, _arg, _what, id=f"{_api.name}-{_arg}-{_what}",
                                      marks=_marks))


@pytest.mark.usefixtures("single_torch_thread")
@pytest.mark.parametrize("api, arg, what", CASES)
def test_a_bad_argument_is_refused_with_its_name(api, arg, what, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() called"))
    kwargs = api.valid()
    valid = kwargs.get(arg, _default(api, arg))
    kwargs[arg] = _bad_value(api.args[arg], what, valid)
    try:
        with pytest.raises((TypeError, ValueError)) as info:
            api.function()(**kwargs)
    finally:
        plt.close("all")
    assert re.search(rf"\b{re.escape(arg)}\b", str(info.value)), (
        f"{api.name}({arg}=<{what}>) raised {info.type.__name__} without naming {arg!r}: "
        f"{info.value}")


@pytest.mark.parametrize("api", REGISTRY, ids=[a.name for a in REGISTRY])
def test_the_valid_arguments_are_valid(api, monkeypatch):
    """The fixtures are right: with nothing replaced, every registered call succeeds."""
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() called"))
    try:
        api.function()(**api.valid())
    finally:
        plt.close("all")


def notebook_calls() -> set[str]:
    """``module.function`` names (relative to ``essay_lib``) called in the notebooks."""
    calls = set()
    for path in NOTEBOOKS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        alias = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("essay_lib"):
                for a in node.names:
                    alias[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("essay_lib"):
                        alias[a.asname or a.name] = a.name
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            parts, fn = [], node.func
            while isinstance(fn, ast.Attribute):
                parts.append(fn.attr)
                fn = fn.value
            if isinstance(fn, ast.Name) and fn.id in alias and parts:
                full = ".".join([alias[fn.id], *reversed(parts)])
                calls.add(full.removeprefix("essay_lib").lstrip("."))
    return calls


def test_every_notebook_call_is_covered_or_excluded():
    assert NOTEBOOKS, "no notebooks/NN_name.py found"
    covered = {a.name for a in REGISTRY}
    missing = sorted(notebook_calls() - covered - set(EXCLUDED))
    assert not missing, ("notebooks call functions without a common check; add them to "
                         f"REGISTRY or EXCLUDED (with the reason): {missing}")
    assert not covered & set(EXCLUDED)
