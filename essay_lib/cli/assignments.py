"""``python -m essay_lib assignments``: an nbgrader course, one assignment per chapter.

Examples::

    python -m essay_lib assignments                        # build/course/ from chapters 00-08
    python -m essay_lib assignments --only 00 --only 01    # two chapters
    python -m essay_lib assignments --generate             # and nbgrader's student versions
                                                           # (release/; needs the teach extra)

The work is :func:`essay_lib.site.course.write_course` (the conversion:
:mod:`essay_lib.site.assignments`); the course's ``README.md`` tells the instructor how to
release and grade.  The appendix has no assignment unless named (``--only A``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from essay_lib.site import course
from essay_lib.site.build import notebook_paths
from essay_lib.util.paths import REPO_DIR


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``assignments`` command."""
    parser.add_argument("--out", type=Path, default=REPO_DIR / "build" / "course",
                        help="the course folder to write (default: build/course/)")
    parser.add_argument("--notebooks", type=Path, default=REPO_DIR / "notebooks",
                        help="the chapter notebooks NN_name.py (default: notebooks/)")
    parser.add_argument("--only", action="append", metavar="NN",
                        help="only this chapter (number or letter, repeatable), e.g. --only 00")
    parser.add_argument("--course-id", default=course.COURSE_ID,
                        help=f"nbgrader's course id (default: {course.COURSE_ID})")
    parser.add_argument("--generate", action="store_true",
                        help="then run `nbgrader generate_assignment` on each (student "
                             "versions in release/; needs nbgrader: pip install -e .[teach])")


def chapter_paths(notebooks_dir: Path, only: list[str] | None = None) -> list[Path]:
    """The chapters ``NN_name.py`` of ``notebooks_dir`` (with ``only``: those whose prefix
    before ``_`` is in it, appendices included); ``ValueError`` for an unknown prefix."""
    paths = notebook_paths(Path(notebooks_dir))
    if not only:
        return [p for p in paths if p.stem[:2].isdigit()]
    chosen = [p for p in paths if p.stem.split("_")[0] in only]
    missing = sorted(set(only) - {p.stem.split("_")[0] for p in chosen})
    if missing:
        raise ValueError(f"--only {', '.join(missing)}: no such notebook in {notebooks_dir}")
    return chosen


def run(args: argparse.Namespace) -> int:
    """Write the course; 1 (with the reason) when a chapter breaks the exercise format,
    nbgrader is missing for ``--generate`` or ``generate_assignment`` fails."""
    if args.generate and not course.nbgrader_available():
        print("--generate needs nbgrader: pip install -e \".[teach]\" (or make assignments)",
              file=sys.stderr)
        return 1
    try:
        paths = chapter_paths(args.notebooks, args.only)
        if not paths:
            raise ValueError(f"no chapter notebooks NN_name.py in {args.notebooks}")
        assignments = course.write_course(paths, args.out, course_id=args.course_id)
    except ValueError as error:
        print(f"assignments: {error}", file=sys.stderr)
        return 1
    for a in assignments:
        kinds = ", ".join(f"{e.number}: {'★' * e.stars} {e.kind}" for e in a.exercises)
        print(f"{a.name}: {len(a.exercises)} exercises, {a.points} points ({kinds})")
    plural = "s" * (len(assignments) != 1)
    print(f"wrote {len(assignments)} assignment{plural} to {args.out / 'source'}; "
          f"see {args.out / 'README.md'}")
    if not args.generate:
        return 0
    # One nbgrader process for all when source/ holds exactly these (nbgrader reads the
    # assignment id as a glob): its start-up, not the conversion, takes the time.
    names = [a.name for a in assignments]
    present = sorted(p.name for p in (args.out / "source").iterdir() if p.is_dir())
    for pattern in ["*"] if present == sorted(names) else names:
        result = course.run_nbgrader(args.out, "generate_assignment", pattern, "--force")
        if result.returncode != 0:
            print(f"nbgrader generate_assignment {pattern} failed:\n{result.stderr[-3000:]}",
                  file=sys.stderr)
            return 1
    print(f"nbgrader generated the student versions in {args.out / 'release'}")
    return 0
