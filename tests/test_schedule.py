"""The build's chapter scheduler (essay_lib.site.schedule): order, concurrency, errors.
Fast: the work is a Python function, no kernel."""

from __future__ import annotations

import threading
import time

import pytest

from essay_lib.site import build, schedule


class Recorder:
    """``work`` for run_ordered: records start/end order and the most calls at once."""

    def __init__(self, seconds=0.02, fail=None):
        self.seconds, self.fail = seconds, fail
        self.events, self.active, self.most = [], 0, 0
        self.lock = threading.Lock()

    def __call__(self, item):
        with self.lock:
            self.events.append(("start", item))
            self.active += 1
            self.most = max(self.most, self.active)
        time.sleep(self.seconds)
        with self.lock:
            self.active -= 1
            self.events.append(("end", item))
        if item == self.fail:
            raise RuntimeError(f"{item} failed")
        return item * 10

    def position(self, kind, item):
        return self.events.index((kind, item))


NEEDS = {3: (2,), 4: (3,), 5: (3,), 6: (4, 5)}


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_every_item_runs_once_after_what_it_needs(jobs):
    work = Recorder()
    results = schedule.run_ordered([0, 1, 2, 3, 4, 5, 6], work, needs=NEEDS, jobs=jobs)
    assert results == {i: 10 * i for i in range(7)} and list(results) == list(range(7))
    assert sorted(item for kind, item in work.events if kind == "start") == list(range(7))
    for item, needed in NEEDS.items():
        for other in needed:
            assert work.position("end", other) < work.position("start", item)
    assert work.most <= jobs


def test_two_jobs_run_side_by_side_and_the_most_needed_item_starts_first():
    work = Recorder(seconds=0.05)
    schedule.run_ordered([0, 1, 2, 3, 4], work, needs={4: (2,), 3: (2,)}, jobs=2)
    assert work.most == 2
    assert work.events[0] == ("start", 2)  # two items wait for it: it goes first


def test_one_job_runs_in_this_thread_in_dependency_order():
    threads = []
    schedule.run_ordered(["a", "b"], lambda i: threads.append(threading.get_ident()),
                         needs={"a": ("b",)}, jobs=1)
    assert threads == [threading.get_ident()] * 2


def test_a_failure_stops_new_starts_and_is_raised():
    work = Recorder(fail=2)
    with pytest.raises(RuntimeError, match="2 failed"):
        schedule.run_ordered([0, 1, 2, 3, 4], work, needs={3: (2,), 4: (3,)}, jobs=2)
    started = {item for kind, item in work.events if kind == "start"}
    assert 3 not in started and 4 not in started


def test_needs_outside_the_items_are_dropped_and_cycles_are_refused():
    assert schedule.needs_of(["b"], {"b": ("a",)}) == {"b": ()}
    assert schedule.dependents(["a", "b", "c"], {"b": ("a",), "c": ("b",)}) == \
        {"a": 2, "b": 1, "c": 0}
    with pytest.raises(ValueError, match="needs itself"):
        schedule.needs_of(["a", "b"], {"a": ("b",), "b": ("a",)})


@pytest.mark.parametrize("jobs, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError),
                                          (True, TypeError)])
def test_bad_jobs_are_refused(jobs, error):
    with pytest.raises(error, match="jobs"):
        schedule.run_ordered([1], lambda i: i, jobs=jobs)


def test_chapter_needs_name_real_chapters_and_follow_reading_order():
    stems = list(build.CHAPTERS)
    for chapter, needed in schedule.CHAPTER_NEEDS.items():
        assert chapter in stems
        for other in needed:
            assert other in stems and stems.index(other) < stems.index(chapter)


def test_chapters_that_read_the_experiment_or_its_sentences_wait_for_chapter_05():
    """A chapter that trains or reads chapter 05's experiment, or reads a sentence a later
    chapter writes, must be scheduled after that chapter (else it redoes the work or reads
    an old sentence)."""
    readers = {"essay_experiment(": "05_experiment", "mechanism_tests_of(": "06_mechanism",
               "beyond_variants(": "07_beyond", "read_kernel_check(": "07_beyond"}
    stems = list(build.CHAPTERS)
    needed = schedule.needs_of(stems, schedule.CHAPTER_NEEDS)
    waits_for = {stem: set() for stem in stems}
    for stem in stems:
        stack = list(needed[stem])
        while stack:
            other = stack.pop()
            waits_for[stem].add(other)
            stack.extend(needed[other])
    for path in build.notebook_paths(build.REPO / "notebooks"):
        text = path.read_text(encoding="utf-8")
        for call, producer in readers.items():
            later = path.stem in stems and stems.index(path.stem) > stems.index(producer)
            if call in text and later:
                assert producer in waits_for[path.stem], \
                    f"{path.stem} calls {call} but does not wait for {producer}"
