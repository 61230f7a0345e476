"""``python -m essay_lib``: the command line (:mod:`essay_lib.cli`)."""

import sys

from essay_lib.cli import main

if __name__ == "__main__":
    sys.exit(main())
