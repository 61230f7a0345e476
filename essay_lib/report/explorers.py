"""Two explorers that run in a browser without a kernel: the drop rate (chapter 05) and D
(chapter 04).

Everything they show is computed here, in Python, from the experiment's cached networks and
records; the page only picks among precomputed numbers or interpolates them:

* :func:`drop_rate_frames`: for each task, one seed's network at every drop rate of the
  grid (0: the unregularized network) on a small view of its inputs, with the record's Z̄
  and test loss.  The view (:data:`VIEWS`) depends on the inputs: a 1-D regressor's curve
  (``"curve"``); a 2-D classifier's logit margin on a coarse grid with its decision boundary
  (``"map"``); otherwise the output along the segment between two test points
  (``"segment"``: a regressor's output; a classifier's logit of the first point's class
  minus that of the second's, 0 where the two classes tie).
* :func:`d_curves`: a 1-D task's networks at a few drop rates and its true function on a
  fine grid.  The browser reads f(x0), f(x0+a), f(x0+b), f(x0+a+b) off that grid by linear
  interpolation (:func:`interpolate` is the same arithmetic) and computes D and Z from them.
* :func:`drop_rate_explorer_html`, :func:`d_explorer_html`: the HTML fragments
  (:mod:`essay_lib.report.explorer_html`), shown with ``IPython.display.HTML``.  They read
  fully without JavaScript (drop rate 0, or the default triple, with its numbers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from essay_lib import data
from essay_lib.experiment import ExperimentSpec, SweepSpec, sweep_models
from essay_lib.measures.linearity import as_function
from essay_lib.util.checks import check_array, check_drop_rate, check_int, check_number

__all__ = ["VIEWS", "DCurves", "DropRateFrames", "TaskFrames", "d_curves", "d_explorer_html",
           "drop_rate_explorer_html", "drop_rate_frames", "interpolate", "second_differences",
           "task_frames"]

#: What a task's panel draws (see the module docstring).
VIEWS = ("curve", "map", "segment")


@dataclass(frozen=True)
class TaskFrames:
    """One task's panel: ``values[i]`` is the view at the i-th drop rate.

    ``x`` (n,): the curve's inputs, the segment's position t in [0, 1] or the map's first
    input; ``y`` (m,): the map's second input (else ``None``); ``values``: (rates, n) or, for
    a map, (rates, m, n); ``z_bar``, ``test_loss``: (rates,) from the records;
    ``boundaries``: per rate, the map's decision boundary as (k, 2) polylines; ``points``
    (p, 2) with ``labels`` (p,): data points drawn on every frame.
    """

    task: str
    view: str
    x: np.ndarray
    values: np.ndarray
    z_bar: np.ndarray
    test_loss: np.ndarray
    xlabel: str
    ylabel: str
    y: np.ndarray | None = None
    boundaries: tuple = ()
    points: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    labels: np.ndarray | None = None

    def __post_init__(self):
        if self.view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS}, got {self.view!r}")
        shape = (len(self.x),) if self.y is None else (len(self.y), len(self.x))
        values = check_array("values", self.values, ndim=1 + len(shape))
        if values.shape[1:] != shape:
            raise ValueError(f"values must have shape (rates, {', '.join(map(str, shape))}), "
                             f"got {values.shape}")
        for name in ("z_bar", "test_loss"):
            if len(getattr(self, name)) != len(values):
                raise ValueError(f"{name} must hold one value per frame ({len(values)}), got "
                                 f"{len(getattr(self, name))}")


@dataclass(frozen=True)
class DropRateFrames:
    """Every task's frames at ``drop_rates`` (the first is 0) for network ``seed``."""

    drop_rates: tuple[float, ...]
    seed: int
    tasks: tuple[TaskFrames, ...]

    def __post_init__(self):
        rates = [check_drop_rate(f"drop_rates[{i}]", r) for i, r in enumerate(self.drop_rates)]
        if not rates or rates[0] != 0.0 or any(np.diff(rates) <= 0):
            raise ValueError(f"drop_rates must start at 0 and increase, got {self.drop_rates}")
        for frames in self.tasks:
            if len(frames.z_bar) != len(rates):
                raise ValueError(f"task {frames.task!r} has {len(frames.z_bar)} frames for "
                                 f"{len(rates)} drop_rates")


@dataclass(frozen=True)
class DCurves:
    """Functions of one input on the grid ``start + step * arange(n)``: ``functions``
    maps a label to its n values; ``x_train``, ``y_train``: the task's training points."""

    start: float
    step: float
    functions: dict
    x_train: np.ndarray
    y_train: np.ndarray
    seed: int = 0

    @property
    def n(self) -> int:
        return len(next(iter(self.functions.values())))

    @property
    def stop(self) -> float:
        return self.start + self.step * (self.n - 1)


def _sweeps(spec) -> tuple[SweepSpec, ...]:
    if isinstance(spec, SweepSpec):
        return (spec,)
    if isinstance(spec, ExperimentSpec):
        return tuple(spec)
    raise TypeError(f"spec must be an ExperimentSpec or SweepSpec, got {type(spec).__name__}")


def _record_values(records, task: str, rates, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Z̄ and test loss of (task, rate, seed) for each rate, from the records."""
    found = {}
    for r in records:
        if r.get("task") == task and r.get("seed") == seed and (
                r.get("regularizer") == "none" or r.get("regularizer") == "dropout"):
            rate = 0.0 if r["regularizer"] == "none" else float(r["strength"])
            found[rate] = (r["z_bar"], r["test_loss"])
    missing = [r for r in rates if r not in found or found[r][0] is None]
    if missing:
        raise ValueError(f"records has no Z̄ for task {task!r}, seed {seed}, drop rate "
                         f"{missing[0]:g}: pass the records of the same experiment")
    return (np.array([found[r][0] for r in rates], dtype=float),
            np.array([found[r][1] for r in rates], dtype=float))


def _padded(values: np.ndarray, share: float = 0.05) -> tuple[float, float]:
    low, high = float(np.min(values)), float(np.max(values))
    pad = share * (high - low or 1.0)
    return low - pad, high + pad


def _boundary(function, xs, ys) -> tuple[np.ndarray, ...]:
    from contourpy import contour_generator

    g1, g2 = np.meshgrid(xs, ys)
    logits = function(np.column_stack([g1.ravel(), g2.ravel()]))
    margin = (logits[:, 1] - logits[:, 0]).reshape(g1.shape)
    return tuple(np.asarray(line) for line in contour_generator(xs, ys, margin).lines(0.0))


def task_frames(task: data.Task, functions: Sequence, z_bar, test_loss, *, n_curve: int = 111,
                map_size: tuple[int, int] = (48, 36), n_segment: int = 61) -> TaskFrames:
    """One panel of the drop-rate explorer: the view of ``task`` (:data:`VIEWS`, chosen as
    the module docstring says) of each function of ``functions`` (numpy functions (n, d) ->
    (n, k), e.g. :func:`~essay_lib.measures.linearity.as_function` of a network), one frame
    each, with its ``z_bar`` and ``test_loss``.  ``n_curve``, ``map_size`` (nx, ny) and
    ``n_segment``: points of the curve, the map's grid and the segment; the map's decision
    boundary is traced on a grid three times finer."""
    if not isinstance(task, data.Task):
        raise TypeError(f"task must be a data.Task, got {type(task).__name__}")
    if isinstance(functions, (str, bytes)) or not isinstance(functions, Sequence) or not all(
            callable(f) for f in functions) or not functions:
        raise TypeError("functions must be a non-empty sequence of functions (n, d) -> (n, k)")
    n_curve, n_segment = check_int("n_curve", n_curve, 2), check_int("n_segment", n_segment, 2)
    map_size = tuple(check_int(f"map_size[{i}]", v, 2) for i, v in enumerate(map_size))
    z_bar = check_array("z_bar", z_bar, ndim=1)
    test_loss = check_array("test_loss", test_loss, ndim=1)
    X = np.concatenate([task.X_train, task.X_test]).astype(float)
    common = dict(task=task.name, z_bar=z_bar, test_loss=test_loss)
    if X.shape[1] == 1 and task.kind == "regression":
        x = np.linspace(*_padded(X[:, 0]), n_curve)
        values = np.array([f(x[:, None])[:, 0] for f in functions])
        points = np.column_stack([task.X_train[:, 0], task.y_train[:, 0]]).astype(float)
        return TaskFrames(view="curve", x=x, values=values, xlabel="x", ylabel="output",
                          points=points, **common)
    if X.shape[1] == 2 and task.kind == "classification" and task.n_outputs == 2:
        xs, ys = (np.linspace(*_padded(X[:, k]), n) for k, n in enumerate(map_size))
        g1, g2 = np.meshgrid(xs, ys)
        plane = np.column_stack([g1.ravel(), g2.ravel()])
        outputs = [f(plane) for f in functions]
        values = np.array([(o[:, 1] - o[:, 0]).reshape(g1.shape) for o in outputs])
        fine = [np.linspace(v[0], v[-1], 3 * len(v)) for v in (xs, ys)]
        return TaskFrames(view="map", x=xs, y=ys, values=values, xlabel="x₁", ylabel="x₂",
                          boundaries=tuple(_boundary(f, *fine) for f in functions),
                          points=task.X_test.astype(float), labels=np.ravel(task.y_test),
                          **common)
    t = np.linspace(0.0, 1.0, n_segment)
    first, y_test = 0, np.asarray(task.y_test)
    if task.kind == "classification":
        second = int(np.flatnonzero(y_test != y_test[first])[0])
    else:
        second = 1
    line = task.X_test[first] + t[:, None] * (task.X_test[second] - task.X_test[first])
    outputs = [f(line.astype(float)) for f in functions]
    if task.kind == "classification":
        ci, cj = int(y_test[first]), int(y_test[second])
        values = np.array([o[:, ci] - o[:, cj] for o in outputs])
        ylabel, points = f"logit of {ci} − logit of {cj}", np.zeros((0, 2))
    else:
        values = np.array([o[:, 0] for o in outputs])
        ylabel = "output"
        points = np.array([[0.0, y_test[first, 0]], [1.0, y_test[second, 0]]], dtype=float)
    return TaskFrames(view="segment", x=t, values=values, ylabel=ylabel, points=points,
                      xlabel=f"t along test point {first} → test point {second}", **common)


def drop_rate_frames(spec, records: Sequence[Mapping], *, seed: int | None = None,
                     cache_dir=None) -> DropRateFrames:
    """The drop-rate explorer's frames: each task of ``spec`` (an ``ExperimentSpec`` or one
    ``SweepSpec``) at drop rate 0 (its ``none`` network) and every drop rate of its
    ``dropout`` grid, network ``seed`` (default: the spec's first), with Z̄ and test loss
    from ``records`` (``experiment.run_experiment(spec)``).  Networks come from the sweep
    cache (``cache_dir``), trained only if missing."""
    sweeps = _sweeps(spec)
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Sequence):
        raise TypeError(f"records must be a list of records, got {type(records).__name__}")
    rates = (0.0, *sweeps[0].grid_dict.get("dropout", ()))
    seed = sweeps[0].seeds[0] if seed is None else check_int("seed", seed, minimum=0)
    tasks = []
    for sweep in sweeps:
        if (0.0, *sweep.grid_dict.get("dropout", ())) != rates or "none" not in sweep.grid_dict:
            raise ValueError(f"spec must give every task the grid 'none' and the same drop "
                             f"rates; {sweep.task!r} differs from {rates}")
        if seed not in sweep.seeds:
            raise ValueError(f"seed {seed} is not among the seeds of {sweep.task!r}")
        one = sweep.replace(grid={"none": [0.0], "dropout": list(rates[1:])} if len(rates) > 1
                            else {"none": [0.0]}, seeds=(seed,))
        nets = sweep_models(one, cache_dir=cache_dir)
        functions = [as_function(nets["none" if r == 0 else "dropout", r, seed]) for r in rates]
        z_bar, loss = _record_values(records, sweep.task, rates, seed)
        tasks.append(task_frames(data.load_task(sweep.task, **sweep.task_kwargs), functions,
                                 z_bar, loss))
    return DropRateFrames(drop_rates=tuple(float(r) for r in rates), seed=seed,
                          tasks=tuple(tasks))


def d_curves(spec: SweepSpec, *, drop_rates: Sequence[float] = (0.0, 0.5),
             seed: int | None = None, x_range: Sequence[float] = (-3.0, 3.0),
             step: float = 0.005, cache_dir=None) -> DCurves:
    """The D explorer's curves: the true function (the quadratic's x²) and network ``seed``
    (default: the spec's first) of ``spec``'s 1-D task at each of ``drop_rates`` (0: its
    unregularized network), on the grid ``x_range[0], x_range[0] + step, ..., x_range[1]``,
    rounded to 1e-6 (the explorer shows 3 decimals)."""
    if not isinstance(spec, SweepSpec):
        raise TypeError(f"spec must be a SweepSpec (one task), got {type(spec).__name__}")
    rates = [check_drop_rate(f"drop_rates[{i}]", r) for i, r in enumerate(drop_rates)]
    low = check_number("x_range[0]", x_range[0])
    high = check_number("x_range[1]", x_range[1], minimum=low, low_closed=False)
    step = check_number("step", step, minimum=0, low_closed=False)
    n = int(round((high - low) / step)) + 1
    if n < 2 or abs(low + step * (n - 1) - high) > 1e-9 * max(1.0, abs(high)):
        raise ValueError(f"step must divide x_range {tuple(x_range)} into whole steps, "
                         f"got {step}")
    seed = spec.seeds[0] if seed is None else check_int("seed", seed, minimum=0)
    task = data.load_task(spec.task, **spec.task_kwargs)
    if task.X_train.shape[1] != 1 or task.kind != "regression":
        raise ValueError(f"spec must be a 1-D regression task, got {spec.task!r}")
    grid = (low + step * np.arange(n))[:, None]
    regs = {r: "none" if r == 0 else "dropout" for r in rates}
    one = spec.replace(grid={k: [r for r in rates if regs[r] == k] for k in dict.fromkeys(
        regs.values())}, seeds=(seed,))
    nets = sweep_models(one, cache_dir=cache_dir)
    functions = {"true x²": data.quadratic_target(grid)[:, 0]} if spec.task == "quadratic" else {}
    for r in rates:
        label = "no dropout" if r == 0 else f"drop rate {r:g}"
        functions[label] = as_function(nets[regs[r], r, seed])(grid)[:, 0]
    return DCurves(start=low, step=step, seed=seed,
                   functions={k: np.round(np.asarray(v, float), 6) for k, v in functions.items()},
                   x_train=task.X_train[:, 0].astype(float),
                   y_train=task.y_train[:, 0].astype(float))


def interpolate(values, start: float, step: float, x: float) -> float:
    """``values`` (on the grid ``start + step * i``) at ``x``, linearly interpolated; the
    explorer's script does the same arithmetic in the browser."""
    t = (x - start) / step
    i = min(max(int(np.floor(t)), 0), len(values) - 2)
    return float(values[i] + (t - i) * (values[i + 1] - values[i]))


def second_differences(curves: DCurves, x0: float, a: float, b: float) -> dict:
    """Per function of ``curves``: its values at x0, x0+a, x0+b, x0+a+b (interpolated),
    ``D`` = f(x0+a+b) − f(x0+a) − f(x0+b) + f(x0) and ``Z`` = |D| / (|u| + |v| + |w|)."""
    x0, a, b = (check_number(n, v) for n, v in (("x0", x0), ("a", a), ("b", b)))
    xs = (x0, x0 + a, x0 + b, x0 + a + b)
    for name, x in zip(("x0", "x0 + a", "x0 + b", "x0 + a + b"), xs, strict=True):
        if not curves.start <= x <= curves.stop:
            raise ValueError(f"{name} = {x:g} lies outside the grid [{curves.start:g}, "
                             f"{curves.stop:g}]: change x0, a or b")
    out = {}
    for label, values in curves.functions.items():
        v = [interpolate(values, curves.start, curves.step, x) for x in xs]
        u, w, s = v[1] - v[0], v[2] - v[0], v[3] - v[0]
        d = s - u - w
        total = abs(u) + abs(w) + abs(s)
        out[label] = {"values": v, "D": d, "Z": abs(d) / total if total > 0 else 0.0}
    return out


def drop_rate_explorer_html(frames: DropRateFrames) -> str:
    """The drop-rate explorer (an HTML fragment; :mod:`essay_lib.report.explorer_html`)."""
    from essay_lib.report.explorer_html import drop_rate_html

    if not isinstance(frames, DropRateFrames):
        raise TypeError(f"frames must be DropRateFrames (from drop_rate_frames), got "
                        f"{type(frames).__name__}")
    return drop_rate_html(frames)


def d_explorer_html(curves: DCurves, *, x0: float = -0.6, a: float = 0.4, b: float = 0.9,
                    x0_range: Sequence[float] = (-1.0, 1.0),
                    ab_range: Sequence[float] = (-1.0, 1.0), slider_step: float = 0.05,
                    ylim: Sequence[float] = (-1.5, 4.5), selected: int | None = None) -> str:
    """The D explorer (an HTML fragment): sliders for ``x0`` (over ``x0_range``), ``a`` and
    ``b`` (over ``ab_range``) in steps of ``slider_step``, a choice among the curves
    (``selected``: the one shown first, default the first network), the picture (y range
    ``ylim``; a value beyond it is drawn hollow on the edge) and the numbers."""
    from essay_lib.report.explorer_html import d_html

    if not isinstance(curves, DCurves):
        raise TypeError(f"curves must be DCurves (from d_curves), got {type(curves).__name__}")
    slider_step = check_number("slider_step", slider_step, minimum=0, low_closed=False)
    ranges = {}
    for name, pair in (("x0_range", x0_range), ("ab_range", ab_range), ("ylim", ylim)):
        low = check_number(f"{name}[0]", pair[0])
        ranges[name] = (low, check_number(f"{name}[1]", pair[1], minimum=low, low_closed=False))
    for name, value, span in (("x0", x0, "x0_range"), ("a", a, "ab_range"),
                              ("b", b, "ab_range")):
        check_number(name, value, minimum=ranges[span][0], maximum=ranges[span][1])
    reach = (ranges["x0_range"][0] + 2 * min(ranges["ab_range"][0], 0),
             ranges["x0_range"][1] + 2 * max(ranges["ab_range"][1], 0))
    if reach[0] < curves.start - 1e-9 or reach[1] > curves.stop + 1e-9:
        raise ValueError(f"x0_range and ab_range reach {reach}, beyond the curves' grid "
                         f"[{curves.start:g}, {curves.stop:g}]")
    labels = list(curves.functions)
    if selected is None:
        selected = 1 if labels[0] == "true x²" and len(labels) > 1 else 0
    selected = check_int("selected", selected, minimum=0, maximum=len(labels) - 1)
    state = second_differences(curves, x0, a, b)
    return d_html(curves, state, x0=float(x0), a=float(a), b=float(b), selected=selected,
                  slider_step=slider_step, **ranges)
