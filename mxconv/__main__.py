"""``python -m mxconv``: see :mod:`mxconv.cli`."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
