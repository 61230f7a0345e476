"""essay_lib.util.progress: a bar by default; tqdm's TQDM_DISABLE=1 or enabled=False silence it."""

from __future__ import annotations

import pytest

from essay_lib.util.progress import progress_bar, progress_enabled


@pytest.mark.parametrize("enabled, env, expected", [
    (None, None, True),
    (None, "0", True),
    (None, "", True),
    (None, "1", False),
    (None, "true", False),
    (True, "1", True),
    (False, None, False),
    (False, "0", False),
])
def test_progress_enabled(monkeypatch, enabled, env, expected):
    if env is None:
        monkeypatch.delenv("TQDM_DISABLE", raising=False)
    else:
        monkeypatch.setenv("TQDM_DISABLE", env)
    assert progress_enabled(enabled) is expected


def test_bar_iterates_and_writes_to_stderr(monkeypatch, capsys):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    assert list(progress_bar(range(4), desc="counting")) == [0, 1, 2, 3]
    captured = capsys.readouterr()
    assert "counting" in captured.err and captured.out == ""


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_silenced_bar_still_iterates_and_prints_nothing(monkeypatch, capsys, how):
    if how == "environment":
        monkeypatch.setenv("TQDM_DISABLE", "1")
        bar = progress_bar(range(3), desc="quiet")
    else:
        monkeypatch.delenv("TQDM_DISABLE", raising=False)
        bar = progress_bar(range(3), enabled=False, desc="quiet")
    assert list(bar) == [0, 1, 2]
    bar.set_postfix(loss=1.0)  # the training loop's calls work on a silenced bar
    bar.close()
    assert capsys.readouterr() == ("", "")


def test_bar_does_not_stay_by_default_and_passes_tqdm_options(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert progress_bar(range(2)).leave is False
    bar = progress_bar(total=5, leave=True, desc="manual")
    assert bar.leave is True and bar.total == 5
    bar.update(5)
    bar.close()
