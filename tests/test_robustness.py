"""``python -m essay_lib robustness``: the comparison, the word diff, the report and the exit
status on fake subprocess outputs (the real check trains everything once per kernel path:
minutes; README, "Tests and benchmarks", says how to run it), and the environment each
path's subprocess gets."""

from __future__ import annotations

import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from essay_lib import cli
from essay_lib.cli import robustness
from essay_lib.cli.robustness import KERNEL_PATHS, PathRun, compare, format_report, word_diff

BASE = "dropout's sub-networks add up more as the drop rate rises on 4 of 4 tasks"
OTHER = "dropout's sub-networks add up more as the drop rate rises on 3 of 4 tasks"


def payload(sentences=None, pending=None, errors=None, capability="AVX512"):
    return {"sentences": sentences or {}, "pending": pending or {}, "errors": errors or {},
            "seconds": {}, "torch": {"cpu_capability": capability}}


def fake_runs(texts_by_path: dict, **extra) -> list[PathRun]:
    return [PathRun(KERNEL_PATHS[name], 0, payload(texts, **extra), 1.5, Path("/tmp/x"))
            for name, texts in texts_by_path.items()]


def test_word_diff_marks_removed_and_added_words():
    assert word_diff("a b c", "a x c") == "a [-b-] {+x+} c"
    assert word_diff("a b", "a b c") == "a b {+c+}"
    assert word_diff("a b c", "a c") == "a [-b-] c"
    assert word_diff("same words", "same words") == "same words"
    long_a = " ".join(f"w{i}" for i in range(40))
    long_b = long_a.replace("w20", "W20")
    assert word_diff(long_a, long_b, context=2) == "… w18 w19 [-w20-] {+W20+} w21 w22 …"
    twice = long_b.replace("w30", "W30")
    assert word_diff(long_a, twice, context=2) == (
        "… w18 w19 [-w20-] {+W20+} w21 w22 … w28 w29 [-w30-] {+W30+} w31 w32 …")
    assert word_diff(long_a, twice, context=5).count("…") == 2  # w21-w29: nothing to cut
    assert word_diff("a b c d", "x b c d", context=1) == "[-a-] {+x+} b …"


def test_agreeing_paths():
    runs = fake_runs({"default": {"06-mechanism": BASE}, "sse4.2": {"06-mechanism": BASE},
                      "avx2": {"06-mechanism": BASE}})
    comparisons = compare(runs, ("06-mechanism",))
    assert [c.status for c in comparisons] == ["agree"]
    assert robustness.all_agree(comparisons)
    report = format_report(runs, comparisons)
    assert "06-mechanism: agree" in report
    assert report.splitlines()[-1] == "robustness: 1 of 1 sentences agree on 3 kernel paths"


def test_disagreeing_paths_are_word_diffed_against_the_first():
    runs = fake_runs({"default": {"06-mechanism": BASE, "07-beyond": "b"},
                      "sse4.2": {"06-mechanism": OTHER, "07-beyond": "b"},
                      "avx2": {"06-mechanism": BASE, "07-beyond": "b"}})
    comparisons = compare(runs, ("06-mechanism", "07-beyond"))
    assert [c.status for c in comparisons] == ["differ", "agree"]
    assert not robustness.all_agree(comparisons)
    report = format_report(runs, comparisons)
    assert "06-mechanism: DIFFER" in report
    assert f"  default: {BASE}" in report
    assert "  sse4.2: … as the drop rate rises on [-4-] {+3+} of 4 tasks" in report
    assert "  avx2: the same" in report
    assert report.splitlines()[-1] == "robustness: 1 of 2 sentences agree on 3 kernel paths"


def test_pending_is_listed_not_counted_and_failures_fail():
    runs = fake_runs({"default": {"06-mechanism": BASE}, "avx2": {"06-mechanism": BASE}},
                     pending={"05-answer": "not built"}, errors={"07-verdict": "KeyError: 'x'"})
    runs.append(PathRun(KERNEL_PATHS["sse4.2"], 1, None, 0.2, Path("/tmp/y")))
    comparisons = compare(runs, ("05-answer", "06-mechanism", "07-verdict"))
    assert [c.status for c in comparisons] == ["failed", "failed", "failed"]
    assert "sse4.2: exit status 1, no JSON" in comparisons[1].why
    report = format_report(runs, comparisons)
    assert "07-verdict: FAILED (default: KeyError: 'x'; avx2: KeyError: 'x'; sse4.2:" in report
    runs.pop()
    comparisons = compare(runs, ("05-answer", "06-mechanism"))
    assert [c.status for c in comparisons] == ["pending", "agree"]
    assert robustness.all_agree(comparisons)
    assert format_report(runs, comparisons).splitlines()[-1] == (
        "robustness: 1 of 1 sentences agree on 2 kernel paths (1 pending: 05-answer)")
    assert not robustness.all_agree(compare(runs, ("05-answer",)))  # nothing compared


def test_the_report_names_each_path_its_kernels_and_time_and_the_committed_file():
    runs = fake_runs({"default": {"06-mechanism": BASE}, "sse4.2": {"06-mechanism": BASE}})
    runs[1].payload["torch"]["cpu_capability"] = "DEFAULT"
    report = format_report(runs, compare(runs, ("06-mechanism",)),
                           committed={"06-mechanism": OTHER})
    first, default, sse = report.splitlines()[:3]
    assert first == "robustness: 2 kernel paths, each from an empty sweep cache"
    assert default.startswith("  default         (the machine's own)") and "AVX512" in default
    assert "MKL_ENABLE_INSTRUCTIONS=SSE4_2 ATEN_CPU_CAPABILITY=default" in sse
    assert "DEFAULT" in sse and sse.endswith("1.5 s")
    assert ("  figures/06-mechanism.md: differs from the first path's: … as the drop rate rises "
            "on [-3-] {+4+} of 4 tasks") in report


@pytest.fixture
def fake_paths(monkeypatch, tmp_path):
    """``run_path`` replaced: each path answers ``answers[path name]`` (a sentences dict);
    the calls are recorded with whether their cache folder was empty and new."""
    calls, answers = [], {}

    def run_path(path, names, cache_dir, timeout=None):
        calls.append((path.name, names, cache_dir, cache_dir.is_dir()
                      and not any(cache_dir.iterdir())))
        (cache_dir / "trained.json").write_text("{}")  # what a real run leaves
        return PathRun(path, 0, payload(answers[path.name]), 2.0, cache_dir)

    monkeypatch.setattr(robustness, "run_path", run_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # kept caches land here
    monkeypatch.setenv("ESSAY_FIGURES_DIR", str(tmp_path / "figures"))
    return calls, answers


def test_the_command_agrees_exit_0(fake_paths, capsys):
    calls, answers = fake_paths
    for name in robustness.DEFAULT_PATHS:
        answers[name] = {"06-mechanism": BASE, "07-beyond": "b"}
    assert cli.main(["robustness", "--only", "07-beyond", "06-mechanism"]) == 0
    out = capsys.readouterr()
    assert [c[0] for c in calls] == ["default", "sse4.2", "avx2"]
    assert all(c[1] == ("06-mechanism", "07-beyond") for c in calls)  # the registry's order
    assert all(c[3] for c in calls), "every path starts from an empty cache folder"
    assert len({c[2] for c in calls}) == 3
    assert not any(c[2].exists() for c in calls), "caches removed without --keep-caches"
    assert out.out.splitlines()[-1] == "robustness: 2 of 2 sentences agree on 3 kernel paths"
    assert "[2/3] sse4.2" in out.err and "from an empty cache" in out.err


def test_the_command_disagrees_exit_1_and_keeps_caches(fake_paths, capsys):
    calls, answers = fake_paths
    answers.update({"default": {"06-mechanism": BASE}, "mkl-compatible": {"06-mechanism": OTHER}})
    assert cli.main(["robustness", "--only", "06-mechanism", "--path", "default",
                     "--path", "mkl-compatible", "--keep-caches"]) == 1
    out = capsys.readouterr()
    assert "  mkl-compatible: … as the drop rate rises on [-4-] {+3+} of 4 tasks" in out.out
    assert out.out.splitlines()[-1] == "robustness: 0 of 1 sentences agree on 2 kernel paths"
    assert all((c[2] / "trained.json").exists() for c in calls)
    assert "caches kept in" in out.err


@pytest.mark.parametrize("args, message", [
    (["--only", "nope"], "no sentence named 'nope'"),
    (["--path", "avx2"], "at least two different kernel paths"),
    (["--path", "default", "--path", "default"], "at least two different kernel paths"),
    (["--path", "avx9"], "invalid choice: 'avx9'"),
    (["--timeout", "0"], "--timeout must be positive"),
])
def test_the_command_refuses_bad_arguments(args, message, fake_paths, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["robustness", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not fake_paths[0]


def test_each_path_gets_its_switches_and_nothing_else(tmp_path):
    base = {"PATH": "/usr/bin", "ATEN_CPU_CAPABILITY": "avx512", "MKL_CBWR": "AUTO",
            "TQDM_DISABLE": "0"}
    default = robustness.path_environment(KERNEL_PATHS["default"], tmp_path, base)
    assert "ATEN_CPU_CAPABILITY" not in default and "MKL_CBWR" not in default
    assert default["PATH"] == "/usr/bin" and default["TQDM_DISABLE"] == "1"
    assert default["ESSAY_CACHE_DIR"] == str(tmp_path)
    assert default["ESSAY_FIGURES_DIR"] == str(tmp_path / "figures")
    sse = robustness.path_environment(KERNEL_PATHS["sse4.2"], tmp_path, base)
    assert sse["ATEN_CPU_CAPABILITY"] == "default" and sse["MKL_ENABLE_INSTRUCTIONS"] == "SSE4_2"
    assert "MKL_CBWR" not in sse


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86 kernel paths")
def test_the_switch_reaches_torch_in_the_subprocess(tmp_path):
    """One real subprocess: torch reports the capability the path asks for."""
    code = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120,
                          env=robustness.path_environment(KERNEL_PATHS["sse4.2"], tmp_path))
    assert done.stdout.strip() == "DEFAULT", done.stderr


def test_the_result_is_written_for_the_appendix_to_read(tmp_path):
    from essay_lib.cli.robustness import write_result
    from essay_lib.report.kernel_check import read_kernel_check

    runs = fake_runs({"default": {"05-answer": BASE}, "sse4.2": {"05-answer": BASE}})
    path = write_result("robustness: 1 of 1 sentences agree on 2 kernel paths", runs,
                        folder=tmp_path)
    check = read_kernel_check(path)
    assert check.exists and check.kernel_paths == ("default", "sse4.2")
    assert "1 of 1 sentences agree" in check.body
