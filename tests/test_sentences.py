"""The computed sentences' home (``essay_lib.report.sentences``) and ``python -m essay_lib
sentences``: the registry matches the files the README quotes, the file written is the text
and a newline, pending and failing sentences are reported, and bad arguments are refused.
Nothing here trains a network (the registry's functions are replaced where one is run)."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest
from conftest import NOTEBOOKS, REPO

from essay_lib import cli
from essay_lib.report import sentences
from essay_lib.util import session


def test_the_registry_matches_the_sentence_files():
    """Every figures/*.md is a registered sentence (apart from the kernel-path check's
    report, which the robustness command writes about the sentences), and every registered
    sentence has its file, except the documented NOT_YET_WRITTEN (which must not have one
    yet: then it leaves that list)."""
    from essay_lib.report.kernel_check import ROBUSTNESS_FILE

    written = ({p.stem for p in (REPO / "figures").glob("*.md")} - {Path(ROBUSTNESS_FILE).stem}
               - set(sentences.TABLES))  # the index's tables: products, not sentences
    names = set(sentences.SENTENCES)
    assert written <= names, f"figures/*.md not in the registry: {sorted(written - names)}"
    assert set(sentences.NOT_YET_WRITTEN) <= names
    assert names - written == set(sentences.NOT_YET_WRITTEN), (
        "registered sentences without figures/<name>.md must be listed in NOT_YET_WRITTEN, "
        "and those written must leave it")
    for name in names:
        assert re.fullmatch(r"\d\d-[a-z0-9-]+", name), name


@pytest.mark.parametrize("name", list(sentences.SENTENCES))
def test_every_sentence_function_takes_cache_dir_and_progress(name):
    parameters = inspect.signature(sentences.SENTENCES[name]).parameters
    assert {"cache_dir", "progress"} <= set(parameters)
    assert all(p.default is not p.empty for p in parameters.values()), "callable with no args"


def test_notebooks_write_sentences_only_through_the_package():
    for path in NOTEBOOKS:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"\.md\"\)\.write_text\(", source), (
            f"{path.name} writes a figures/*.md itself: use sentences.write_sentence")


def test_write_sentence_writes_the_text_and_a_newline(tmp_path, monkeypatch):
    text = "Dropout's Z̄ falls on 2 of 4 tasks — “quoted”."
    path = sentences.write_sentence("06-mechanism", text, figures_dir=tmp_path)
    assert path == tmp_path / "06-mechanism.md"
    assert path.read_bytes() == (text + "\n").encode("utf-8")
    monkeypatch.setenv("ESSAY_FIGURES_DIR", str(tmp_path / "env"))
    assert sentences.write_sentence("07-beyond", "b") == tmp_path / "env" / "07-beyond.md"
    assert (tmp_path / "env" / "07-beyond.md").read_text(encoding="utf-8") == "b\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["06-mechanism.md", "07-beyond.md",
                                                           "env"]


@pytest.mark.parametrize("name, text, error, match", [
    ("99-nothing", "a sentence", ValueError, "name must be one of"),
    ("06-mechanism", "two\nlines", ValueError, "one non-empty line"),
    ("06-mechanism", "   ", ValueError, "one non-empty line"),
    ("06-mechanism", None, TypeError, "text must be a str"),
])
def test_write_sentence_refuses_bad_input(tmp_path, name, text, error, match):
    with pytest.raises(error, match=match):
        sentences.write_sentence(name, text, figures_dir=tmp_path)
    assert not list(tmp_path.iterdir())


@pytest.fixture
def fake_registry(monkeypatch):
    """Replace the registry's functions: one sentence, one pending, one that fails; each
    records the keyword arguments it was called with."""
    calls = []

    def ok(**kw):
        calls.append(kw)
        return "The mechanism, in one sentence."

    def pending(**kw):
        raise sentences.SentencePending("not built yet")

    def broken(**kw):
        raise RuntimeError("boom")

    for name, function in (("06-mechanism", ok), ("05-answer", pending), ("07-beyond", broken),
                           ("07-verdict", ok)):
        monkeypatch.setitem(sentences.SENTENCES, name, function)
    monkeypatch.setattr(session, "setup", lambda **kw: calls.append(("setup", kw)))
    return calls


def test_compute_sentences_reports_pending_and_errors(fake_registry, tmp_path):
    lines = []
    results = sentences.compute_sentences(["07-beyond", "05-answer", "06-mechanism",
                                           "06-mechanism"], cache_dir=tmp_path,
                                          progress=False, report=lines.append)
    assert [(r.name, r.status) for r in results] == [
        ("07-beyond", "error"), ("05-answer", "pending"), ("06-mechanism", "ok")]
    assert results[0].error == "RuntimeError: boom" and results[1].pending == "not built yet"
    assert results[2].text == "The mechanism, in one sentence."
    assert fake_registry == [{"cache_dir": tmp_path, "progress": False}]
    assert lines[0] == "07-beyond: computing" and "error" in lines[1]
    with pytest.raises(ValueError, match=r"names\[0\] must be one of"):
        sentences.compute_sentences(["nope"])


def test_the_sentences_command_prints_json(fake_registry, capsys, tmp_path):
    code = cli.main(["sentences", "--json", "--only", "06-mechanism", "05-answer",
                     "--cache-dir", str(tmp_path)])
    out = capsys.readouterr()
    payload = json.loads(out.out)
    assert code == 0
    assert payload["sentences"] == {"06-mechanism": "The mechanism, in one sentence."}
    assert payload["pending"] == {"05-answer": "not built yet"} and payload["errors"] == {}
    assert list(payload["seconds"]) == ["05-answer", "06-mechanism"]  # the registry's order
    assert {"version", "cpu_capability", "threads"} <= set(payload["torch"])
    assert ("setup", {"seed": 0, "threads": 2}) in fake_registry
    assert fake_registry[-1] == {"cache_dir": str(tmp_path), "progress": None}
    assert "sentences: 06-mechanism: computing" in out.err


def test_the_sentences_command_fails_on_an_error(fake_registry, capsys):
    assert cli.main(["sentences"]) == 1
    out = capsys.readouterr().out
    assert "06-mechanism: The mechanism, in one sentence." in out
    assert "07-beyond: (error: RuntimeError: boom)" in out
    assert "05-answer: (pending: not built yet)" in out


@pytest.mark.parametrize("args, message", [
    (["--only", "nope"], "--only: no sentence named 'nope'"),
    (["--only"], "expected at least one argument"),
    (["--threads", "0"], "--threads must be a positive integer"),
    (["--threads", "two"], "invalid int value"),
    (["--cache-dir", "FILE"], "is not a folder"),
    (["--jsn"], "unrecognized arguments"),
])
def test_the_sentences_command_refuses_bad_arguments(args, message, fake_registry, capsys,
                                                     tmp_path):
    (tmp_path / "FILE").write_text("x")
    args = [str(tmp_path / a) if a == "FILE" else a for a in args]
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["sentences", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not fake_registry  # nothing computed, no setup


def test_write_table_writes_a_markdown_table(tmp_path):
    table = "| claim | two moons |\n|---|---|\n| dropout → Z̄ ↓ | ✓ ρ −0.5 |"
    path = sentences.write_table("08-analogy-table", table + "\n", figures_dir=tmp_path)
    assert path == tmp_path / "08-analogy-table.md"
    assert path.read_text(encoding="utf-8") == table + "\n"
    assert set(sentences.TABLES).isdisjoint(sentences.SENTENCES)
    with pytest.raises(ValueError, match="name must be one of"):
        sentences.write_table("05-answer", table, figures_dir=tmp_path)
    with pytest.raises(ValueError, match="must be a table"):
        sentences.write_table("08-analogy-table", "one line", figures_dir=tmp_path)
