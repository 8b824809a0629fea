"""``python -m mxconv.baseline``, or ``python path/to/baseline check PORT`` for a copied folder."""
import sys

if __package__:
    from .cli import main
else:  # run as a folder: import it as the package it is
    import importlib
    import os

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main = importlib.import_module(os.path.basename(os.path.dirname(os.path.abspath(__file__))) + ".cli").main

if __name__ == "__main__":
    sys.exit(main())
