"""Command line: ``python -m essay_lib <command>``.

Commands are registered here and implemented in their own modules of this package:

* ``build``  execute the notebooks and render the site (:mod:`essay_lib.cli.build`)
* ``sweep``  run or complete a cached sweep and print a summary (:mod:`essay_lib.cli.sweep`)
* ``figures``  list the figures with their captions, or zip them (:mod:`essay_lib.cli.figures`)
* ``pdf``  print the built site as one PDF (:mod:`essay_lib.cli.pdf`)
* ``sentences``  compute the essay's sentences in this process, print them
  (:mod:`essay_lib.cli.sentences`)
* ``robustness``  the sentences on three CPU kernel paths, each from an empty cache: do they
  agree? (:mod:`essay_lib.cli.robustness`)
* ``screenshots``  PNG screenshots of a built site at 1280 and 390 px: the index, chapter 05
  and its first figure, the two explorers (:mod:`essay_lib.cli.screenshots`)
* ``assignments``  an nbgrader course folder, one assignment per chapter
  (:mod:`essay_lib.cli.assignments`)
* ``lab-settings``  make JupyterLab open ``.py`` notebooks as notebooks, no news pop-up
  (:mod:`essay_lib.cli.lab`)
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: command name -> (module, help).  Each module defines ``add_arguments(parser)``
#: and ``run(args) -> int``.
COMMANDS = {
    "build": ("essay_lib.cli.build", "execute every notebook and render the HTML site"),
    "sweep": ("essay_lib.cli.sweep", "run or complete a regularization sweep (cached)"),
    "figures": ("essay_lib.cli.figures", "list the figures with their captions, or zip them"),
    "pdf": ("essay_lib.cli.pdf", "print the built site as one PDF (make pdf)"),
    "sentences": ("essay_lib.cli.sentences", "compute the essay's sentences and print them"),
    "robustness": ("essay_lib.cli.robustness", "do the sentences agree on 3 CPU kernel paths?"),
    "screenshots": ("essay_lib.cli.screenshots", "screenshots of a built site, two widths"),
    "assignments": ("essay_lib.cli.assignments",
                    "write an nbgrader course: one assignment per chapter"),
    "lab-settings": ("essay_lib.cli.lab", "make JupyterLab open the .py notebooks as notebooks"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="python -m essay_lib",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    # Only the chosen command's module is imported (the sweep command pulls in torch,
    # which would add seconds to every `make essay`).
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        command.set_defaults(module=module_name)
        if name == chosen:
            importlib.import_module(module_name).add_arguments(command)
    args = parser.parse_args(argv)
    return int(importlib.import_module(args.module).run(args) or 0)

