"""essay_lib.report.kernel_check: the appendix reads the kernel-path check's last result."""

from __future__ import annotations

import pytest

from essay_lib.report import kernel_check as K
from essay_lib.util.paths import FIGURES_ENV


def test_a_missing_file_says_plainly_how_to_run_the_check(tmp_path, monkeypatch):
    monkeypatch.setenv(FIGURES_ENV, str(tmp_path))
    check = K.read_kernel_check()
    assert check.path == tmp_path / K.ROBUSTNESS_FILE and not check.exists
    text = K.kernel_check_markdown(check)
    assert "not been run on this machine yet" in text
    assert "run `python -m essay_lib robustness`" in text


def test_front_matter_gives_the_date_and_the_kernel_paths(tmp_path):
    path = tmp_path / "A-robustness.md"
    path.write_text("---\ndate: 2025-12-05 18:40 UTC\nkernel paths: [default, AVX2, "
                    "SSE4_2]\nsentences: 41\n---\n\nAll 41 sentences are the same under "
                    "every kernel path.\n", encoding="utf-8")
    check = K.read_kernel_check(path)
    assert check.exists and check.date == "2025-12-05 18:40 UTC"
    assert check.kernel_paths == ("default", "AVX2", "SSE4_2")
    assert check.fields["sentences"] == "41"
    assert check.body == "All 41 sentences are the same under every kernel path."
    text = K.kernel_check_markdown(check)
    assert text.startswith("**Last run of `python -m essay_lib robustness`:** 2025-12-05 "
                           "18:40 UTC, under `default`, `AVX2`, `SSE4_2`.")
    assert text.endswith("every kernel path.")


def test_labelled_lines_are_read_without_front_matter(tmp_path):
    path = tmp_path / "A-robustness.md"
    path.write_text("# Kernel paths\n\n- **Date:** 2025-12-06\n- Kernel paths: `default`, "
                    "`avx2`\n\nOne sentence differs: ...\n", encoding="utf-8")
    check = K.read_kernel_check(path)
    assert check.date == "2025-12-06" and check.kernel_paths == ("default", "avx2")
    assert "One sentence differs" in K.kernel_check_markdown(check)


def test_a_file_without_metadata_is_shown_and_says_what_it_lacks(tmp_path):
    path = tmp_path / "A-robustness.md"
    path.write_text("", encoding="utf-8")
    text = K.kernel_check_markdown(K.read_kernel_check(path))
    assert "a date it does not record" in text and "kernel paths it does not name" in text
    assert "holds no result" in text


def test_bad_arguments():
    with pytest.raises(TypeError, match="path"):
        K.read_kernel_check(3)
    with pytest.raises(TypeError, match="check"):
        K.kernel_check_markdown("figures/A-robustness.md")


def test_a_sentence_changed_since_the_run_is_named(tmp_path):
    report = tmp_path / "A-robustness.md"
    report.write_text("---\ndate: 2026-12-05\nkernel_paths: default, sse4.2\n---\n```\n"
                      "05-answer: agree\n  The answer.\n  figures/05-answer.md: the same\n\n"
                      "06-mechanism: agree\n  The old mechanism.\n```\n", encoding="utf-8")
    (tmp_path / "05-answer.md").write_text("The answer.\n", encoding="utf-8")
    (tmp_path / "06-mechanism.md").write_text("The new mechanism.\n", encoding="utf-8")
    check = K.read_kernel_check(report)
    assert K.stale_sentences(check) == ["06-mechanism"]
    text = K.kernel_check_markdown(check)
    assert "the sentence of 06-mechanism has changed" in text
    (tmp_path / "06-mechanism.md").write_text("The old mechanism.\n", encoding="utf-8")
    assert K.stale_sentences(K.read_kernel_check(report)) == []
    assert "has changed" not in K.kernel_check_markdown(
        K.read_kernel_check(report))
