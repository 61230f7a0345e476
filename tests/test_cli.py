"""The command-line dispatcher ``python -m essay_lib <command>``."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

from essay_lib import cli

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "essay_lib", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=120)


def test_help_lists_every_command():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert "usage: python -m essay_lib" in result.stdout
    for name, (_, help_text) in cli.COMMANDS.items():
        assert name in result.stdout and help_text in result.stdout


def test_unknown_command_is_a_usage_error():
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr
    assert "usage: python -m essay_lib" in result.stderr


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2
    assert "required" in capsys.readouterr().err


def test_build_has_its_own_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["build", "--help"])
    assert exit_info.value.code == 0
    assert "usage: python -m essay_lib build" in capsys.readouterr().out


@pytest.fixture
def fake_command(monkeypatch):
    """Register ``hello`` -> a module in sys.modules that records what it was given."""
    module = types.ModuleType("essay_lib_fake_hello")
    module.calls = []
    module.add_arguments = lambda parser: parser.add_argument("--times", type=int, default=1)
    module.run = lambda args: module.calls.append(args.times) or 3
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(cli.COMMANDS, "hello", (module.__name__, "say hello"))
    return module


def test_dispatches_to_the_command_module_and_returns_its_status(fake_command):
    assert cli.main(["hello", "--times", "2"]) == 3
    assert fake_command.calls == [2]


def test_a_command_returning_none_exits_zero(fake_command):
    fake_command.run = lambda args: None
    assert cli.main(["hello"]) == 0


def test_only_the_chosen_command_module_is_imported(monkeypatch, fake_command):
    imported = []
    real_import = cli.importlib.import_module
    monkeypatch.setattr(cli.importlib, "import_module",
                        lambda name: imported.append(name) or real_import(name))
    cli.main(["hello"])
    assert "essay_lib.cli.sweep" not in imported and "essay_lib.cli.build" not in imported


def test_a_missing_dependency_of_a_command_is_not_hidden(fake_command):
    def add_arguments(parser):
        raise ModuleNotFoundError("No module named 'somedep'", name="somedep")

    fake_command.add_arguments = add_arguments
    with pytest.raises(ModuleNotFoundError, match="somedep"):
        cli.main(["hello"])


# ------------------------------------------------------------------ chapter 07's variants
def test_sweep_lists_the_variants(capsys):
    from essay_lib.experiment import beyond

    assert cli.main(["sweep", "--list-variants"]) == 0
    out = capsys.readouterr().out
    for name in beyond.variant_names():
        assert name in out
    assert "width 256        width" in out


def test_sweep_runs_variants_on_one_task_and_prints_their_verdicts(tmp_path, capsys):
    argv = ["sweep", "--variant", "base", "--variant", "input dropout", "--task", "moons",
            "--seeds", "2", "--epochs", "3", "--quiet", "--cache-dir", str(tmp_path),
            "--metric", "z_bar"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "base · moons: 14 members, mlp hidden=(64, 64), adam, epochs=3, 2 seeds" in out
    assert "input dropout · moons: 18 members" in out
    assert "Chapter 07's verdict per variant and task" in out
    table = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + 2 and "input dropout: " in table[-1]
    # the base's 14 networks are shared with the input-dropout variant: 18 entries in all
    assert len(list(tmp_path.rglob("*.npz"))) == 18


def test_sweep_refuses_what_it_cannot_run(monkeypatch, capsys):
    from essay_lib.experiment import beyond

    with pytest.raises(SystemExit, match="name what to run"):
        cli.main(["sweep", "--quiet"])
    with pytest.raises(SystemExit, match="has no task 'mnist1d'"):
        cli.main(["sweep", "--task", "mnist1d"])
    with pytest.raises(SystemExit, match="drop --task"):
        cli.main(["sweep", "--all", "--task", "moons"])
    with pytest.raises(SystemExit, match="does not run on task|none of the chosen"):
        cli.main(["sweep", "--variant", "CNN", "--task", "moons"])
    with pytest.raises(SystemExit):
        cli.main(["sweep", "--variant", "width 512"])
    with pytest.raises(SystemExit):
        cli.main(["sweep", "--all", "--variants"])
    odd = beyond.Recipe("odd", "width", "an optimizer nobody has", ("optimizer",),
                        lambda s, st: {"optimizer": "lion"})
    monkeypatch.setattr(beyond, "RECIPES", (*beyond.RECIPES, odd))
    with pytest.raises(SystemExit, match="'odd' cannot run here: optimizer"):
        cli.main(["sweep", "--variant", "odd"])
    assert cli.main(["sweep", "--list-variants"]) == 0
    assert "odd              pending: optimizer" in capsys.readouterr().out
