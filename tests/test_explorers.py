"""essay_lib.report.explorers and explorer_html: the browser explorers' frames equal the
records and the networks, D is the second difference, bad input is refused by name, and
the HTML asks for nothing (no ``http``, no external script) and reads without JavaScript.

A tiny experiment (the four tasks, 8 × 8 networks, 20 epochs, no dropout and two drop rates,
two seeds) is trained once into a temporary cache."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from essay_lib import data, experiment
from essay_lib.measures.linearity import as_function
from essay_lib.report import explorer_html, explorers

pytestmark = pytest.mark.usefixtures("single_torch_thread")

RATES = (0.3, 0.6)
SEEDS = (0, 1)


def tiny_experiment() -> experiment.ExperimentSpec:
    measures = experiment.MeasureSpec(z_triples=50, scope="verdict")
    return experiment.ExperimentSpec(tuple(
        experiment.SweepSpec(task, grid={"none": [0.0], "dropout": list(RATES)}, seeds=SEEDS,
                             hidden=(8, 8), epochs=20, measures=measures,
                             task_args={"test_fraction": 0.7} if task == "digits" else {})
        for task in ("quadratic", "moons", "diabetes", "digits")))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(spec, records, cache folder) of the tiny experiment."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        cache = tmp_path_factory.mktemp("explorer-cache")
        spec = tiny_experiment()
        return spec, experiment.run_experiment(spec, cache_dir=cache, progress=False), cache
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def frames(trained):
    spec, records, cache = trained
    return explorers.drop_rate_frames(spec, records, cache_dir=cache)


def _record(records, task, rate, seed):
    regularizer = "none" if rate == 0 else "dropout"
    return next(r for r in records if (r["task"], r["regularizer"], r["strength"], r["seed"])
                == (task, regularizer, rate, seed))


# ----------------------------------------------------------------------------- the frames
def test_the_frames_are_the_records_and_the_networks(trained, frames):
    spec, records, cache = trained
    assert frames.drop_rates == (0.0, *RATES) and frames.seed == 0
    views = {t.task: (t.view, t.values.shape) for t in frames.tasks}
    assert views == {"quadratic": ("curve", (3, 111)), "moons": ("map", (3, 36, 48)),
                     "diabetes": ("segment", (3, 61)), "digits": ("segment", (3, 61))}
    for t in frames.tasks:
        want = [_record(records, t.task, r, 0) for r in frames.drop_rates]
        np.testing.assert_array_equal(t.z_bar, [r["z_bar"] for r in want])
        np.testing.assert_array_equal(t.test_loss, [r["test_loss"] for r in want])
        nets = experiment.sweep_models(spec[t.task].replace(seeds=(0,)), cache_dir=cache)
        task = data.load_task(t.task, **spec[t.task].task_kwargs)
        for i, rate in enumerate(frames.drop_rates):
            f = as_function(nets["none" if rate == 0 else "dropout", rate, 0])
            if t.view == "curve":
                expected = f(t.x[:, None])[:, 0]
            elif t.view == "map":
                g1, g2 = np.meshgrid(t.x, t.y)
                out = f(np.column_stack([g1.ravel(), g2.ravel()]))
                expected = (out[:, 1] - out[:, 0]).reshape(g1.shape)
            else:
                second = 1 if task.kind == "regression" else int(
                    np.flatnonzero(task.y_test != task.y_test[0])[0])
                line = task.X_test[0] + t.x[:, None] * (task.X_test[second] - task.X_test[0])
                out = f(line.astype(float))
                expected = (out[:, 0] if task.kind == "regression" else
                            out[:, int(task.y_test[0])] - out[:, int(task.y_test[second])])
            np.testing.assert_allclose(t.values[i], expected, rtol=0, atol=1e-12)


def test_the_map_boundary_separates_the_signs(frames):
    moons = next(t for t in frames.tasks if t.view == "map")
    assert len(moons.boundaries) == len(frames.drop_rates)
    for values, lines in zip(moons.values, moons.boundaries, strict=True):
        if values.min() < 0 < values.max():
            assert lines and all(line.shape[1] == 2 for line in lines)


def test_another_seed_reads_its_own_records(trained):
    spec, records, cache = trained
    other = explorers.drop_rate_frames(spec.only("quadratic"), records, seed=1, cache_dir=cache)
    assert other.seed == 1
    np.testing.assert_array_equal(other.tasks[0].z_bar, [
        _record(records, "quadratic", r, 1)["z_bar"] for r in other.drop_rates])


@pytest.mark.parametrize("change, error, name", [
    ({"spec": "quadratic"}, TypeError, "spec"),
    ({"records": {"z_bar": 0.1}}, TypeError, "records"),
    ({"records": []}, ValueError, "records"),
    ({"seed": 7}, ValueError, "seed"),
    ({"seed": True}, TypeError, "seed"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_drop_rate_frames_refuses_bad_input_by_name(trained, change, error, name):
    spec, records, cache = trained
    kwargs = {"spec": spec.only("quadratic"), "records": records, "cache_dir": cache, **change}
    with pytest.raises(error, match=rf"\b{name}\b"):
        explorers.drop_rate_frames(**kwargs)


def test_every_task_needs_the_same_drop_rates(trained):
    spec, records, cache = trained
    odd = experiment.ExperimentSpec((spec["quadratic"], spec["moons"].replace(
        grid={"none": [0.0], "dropout": [0.3]})))
    with pytest.raises(ValueError, match=r"\bspec\b.*same drop rates"):
        explorers.drop_rate_frames(odd, records, cache_dir=cache)


def test_the_frame_containers_check_their_shapes():
    quadratic = data.quadratic_task(n_train=6, n_test=6, seed=0)
    with pytest.raises(TypeError, match=r"\bfunctions\b"):
        explorers.task_frames(quadratic, [], [0.1], [0.2])
    with pytest.raises(ValueError, match=r"\bz_bar\b"):
        explorers.task_frames(quadratic, [lambda x: x ** 2], [0.1, 0.2], [0.3])
    with pytest.raises(ValueError, match=r"\bn_curve\b"):
        explorers.task_frames(quadratic, [lambda x: x ** 2], [0.1], [0.3], n_curve=1)
    with pytest.raises(ValueError, match=r"\bvalues\b"):
        explorers.TaskFrames("quadratic", "curve", np.zeros(4), np.zeros((2, 5)), np.zeros(2),
                             np.zeros(2), "x", "y")
    one = explorers.task_frames(quadratic, [lambda x: x ** 2], [0.1], [0.3])
    with pytest.raises(ValueError, match=r"\bdrop_rates\b"):
        explorers.DropRateFrames((0.5,), 0, (one,))
    with pytest.raises(ValueError, match=r"\bdrop_rates\[0\]"):
        explorers.DropRateFrames((1.5,), 0, (one,))


# ----------------------------------------------------------------------------- D
def square_curves() -> explorers.DCurves:
    grid = np.linspace(-3, 3, 1201)
    return explorers.DCurves(start=-3.0, step=0.005, functions={
        "true x²": grid ** 2, "net": np.sin(2 * grid) + grid ** 3 / 3},
        x_train=np.array([-1.0, 0.0, 1.0]), y_train=np.array([1.0, 0.0, 1.0]))


@pytest.mark.parametrize("x0, a, b", [(-0.6, 0.4, 0.9), (0.3, -0.55, 0.25), (1.0, 1.0, 1.0)])
def test_d_is_the_second_difference_read_off_the_grid(x0, a, b):
    out = explorers.second_differences(square_curves(), x0, a, b)
    assert out["true x²"]["D"] == pytest.approx(2 * a * b, abs=1e-9)
    f = lambda x: np.sin(2 * x) + x ** 3 / 3  # noqa: E731 - the net's curve, exactly
    values = [f(x) for x in (x0, x0 + a, x0 + b, x0 + a + b)]
    np.testing.assert_allclose(out["net"]["values"], values, atol=1e-9)
    d = values[3] - values[1] - values[2] + values[0]
    total = sum(abs(v - values[0]) for v in values[1:])
    assert out["net"]["D"] == pytest.approx(d, abs=1e-9)
    assert out["net"]["Z"] == pytest.approx(abs(d) / total, abs=1e-9)


def test_interpolation_is_linear_between_grid_points():
    values = np.array([0.0, 1.0, 4.0])
    assert explorers.interpolate(values, 0.0, 1.0, 1.0) == 1.0
    assert explorers.interpolate(values, 0.0, 1.0, 1.25) == pytest.approx(1.75)
    assert explorers.interpolate(values, 0.0, 1.0, 2.0) == 4.0


def test_second_differences_refuses_points_off_the_grid():
    with pytest.raises(ValueError, match=r"x0 \+ a \+ b = 3.5 lies outside"):
        explorers.second_differences(square_curves(), 1.5, 1.0, 1.0)
    with pytest.raises(TypeError, match=r"\ba\b"):
        explorers.second_differences(square_curves(), 0.0, True, 1.0)


def test_d_curves_are_the_networks_on_the_grid(trained):
    spec, _, cache = trained
    curves = explorers.d_curves(spec["quadratic"], drop_rates=(0.0, 0.6), cache_dir=cache,
                                x_range=(-2.0, 2.0), step=0.01)
    assert list(curves.functions) == ["true x²", "no dropout", "drop rate 0.6"]
    assert (curves.start, curves.stop, curves.n) == (-2.0, pytest.approx(2.0), 401)
    grid = (-2.0 + 0.01 * np.arange(401))[:, None]
    nets = experiment.sweep_models(spec["quadratic"].replace(seeds=(0,)), cache_dir=cache)
    np.testing.assert_allclose(curves.functions["true x²"], grid[:, 0] ** 2, atol=5e-7)
    for label, key in (("no dropout", ("none", 0.0, 0)), ("drop rate 0.6", ("dropout", 0.6, 0))):
        np.testing.assert_allclose(curves.functions[label], as_function(nets[key])(grid)[:, 0],
                                   atol=5e-7)


@pytest.mark.parametrize("change, error, name", [
    ({"spec": "quadratic"}, TypeError, "spec"),
    ({"drop_rates": (1.0,)}, ValueError, r"drop_rates\[0\]"),
    ({"step": 0.007}, ValueError, "step"),
    ({"step": 0.0}, ValueError, "step"),
    ({"x_range": (1.0, -1.0)}, ValueError, r"x_range\[1\]"),
    ({"seed": True}, TypeError, "seed"),
])
def test_d_curves_refuses_bad_input_by_name(trained, change, error, name):
    spec, _, cache = trained
    kwargs = {"spec": spec["quadratic"], "cache_dir": cache, **change}
    with pytest.raises(error, match=rf"\b{name}"):
        explorers.d_curves(**kwargs)
    with pytest.raises(ValueError, match=r"\bspec\b.*1-D regression"):
        explorers.d_curves(spec["moons"], cache_dir=cache)


# ----------------------------------------------------------------------------- the HTML
def _hidden_frames(page: str) -> list[str]:
    return re.findall(r'data-frame="(\d+)" style="display:none"', page)


def test_the_drop_rate_html_holds_every_frame_and_shows_the_first(frames):
    page = explorers.drop_rate_explorer_html(frames)
    assert "http" not in page and "<script src" not in page and "@import" not in page
    n = len(frames.drop_rates)
    shown = re.findall(r'data-frame="(\d+)"(?! style="display:none")', page)
    assert set(shown) == {"0"}  # without JavaScript: drop rate 0 everywhere
    assert len(_hidden_frames(page)) == len(re.findall(r'data-frame="', page)) - len(shown)
    assert sorted(set(_hidden_frames(page)), key=int) == [str(i) for i in range(1, n)]
    assert page.count('<svg viewBox') == len(frames.tasks)
    assert 'data-needs-js hidden' in page and "data-without-js" in page
    assert f'max="{n - 1}"' in page
    for t in frames.tasks:  # the numbers a reader sees are the records', as written
        for z in t.z_bar:
            assert f">{explorer_html.number_text(z)}</span>" in page
    with pytest.raises(TypeError, match=r"\bframes\b"):
        explorers.drop_rate_explorer_html(frames.tasks)


def test_the_d_html_carries_the_grid_and_the_python_numbers():
    curves = square_curves()
    page = explorers.d_explorer_html(curves, x0=-0.6, a=0.4, b=0.9)
    assert "http" not in page and "<script src" not in page
    payload = json.loads(re.search(r'<script type="application/json">(.*?)</script>',
                                   page).group(1))
    assert payload["start"] == -3.0 and payload["step"] == 0.005 and payload["selected"] == 1
    for entry in payload["functions"]:
        np.testing.assert_array_equal(entry["values"], curves.functions[entry["label"]])
    state = explorers.second_differences(curves, -0.6, 0.4, 0.9)
    for label, numbers in state.items():  # the table a reader without JavaScript sees
        row = re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', page).group(1)
        cells = re.findall(r"<td>(.*?)</td>", row)
        assert cells == [explorer_html.number_text(v) for v in
                         [*numbers["values"], numbers["D"], numbers["Z"]]]
    assert f'<output data-two-ab>{explorer_html.number_text(0.72)}</output>' in page
    assert 'data-needs-js hidden' in page


@pytest.mark.parametrize("change, error, name", [
    ({"x0": 1.5}, ValueError, "x0"),
    ({"a": True}, TypeError, "a"),
    ({"b": float("nan")}, ValueError, "b"),
    ({"slider_step": 0}, ValueError, "slider_step"),
    ({"selected": 2}, ValueError, "selected"),
    ({"ylim": (1.0, 0.0)}, ValueError, r"ylim\[1\]"),
    ({"ab_range": (-2.0, 2.0)}, ValueError, "ab_range"),
    ({"curves": {"true x²": [0.0, 1.0]}}, TypeError, "curves"),
])
def test_d_explorer_html_refuses_bad_input_by_name(change, error, name):
    kwargs = {"curves": square_curves(), **change}
    with pytest.raises(error, match=rf"\b{name}"):
        explorers.d_explorer_html(**kwargs)


@pytest.mark.parametrize("name", ["CSS", "DROP_RATE_JS", "D_JS"])
def test_the_style_and_scripts_request_nothing(name):
    from essay_lib.report import explorer_assets

    text = getattr(explorer_assets, name)
    assert not re.search(r"http|fetch\(|XMLHttpRequest|@import|import\(|url\(|src\s*=|</script",
                         text)
