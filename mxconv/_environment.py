"""Whether mxconv's MXNet layers can run here, and which d2l is installed (internal; imports no MXNet)."""
import importlib.util
import sys
from typing import Optional, Tuple

import numpy as np

_BASELINE = ("mxconv.baseline, the checker for other ports, needs only numpy and works here: "
             "python -m mxconv.baseline check PORT")

#: The d2l release of each edition of the book, and the command that installs it beside MXNet 1.9.1.
D2L_RELEASES = {"nd": "0.10.3", "np": "1.0.3"}
#: The two editions of the book, by the array API their code runs on: 2019's ``nd``, today's ``np``.
EDITIONS = tuple(D2L_RELEASES)
INSTALL = {
    "nd": 'pip install "mxconv[mxnet]" (mxnet 1.9.1, d2l 0.10.3) in a virtual environment of its own',
    "np": 'pip install -U pip && pip install mxnet==1.9.1 d2l==1.0.3, then pip install mxconv',
}


def why_not(version: Tuple[int, ...] = tuple(sys.version_info[:2]), numpy_version: str = np.__version__,
            installed: Optional[bool] = None) -> Optional[str]:
    """Why mxconv's MXNet layers cannot run in this environment, or None if they can.

    d2l is not asked for here: only the book's path needs it, and each edition asks
    for its own (:func:`d2l_version`)."""
    python = "%d.%d" % version[:2]
    if version >= (3, 12):
        return ("mxconv's MXNet layers need MXNet 1.9.1, which runs on Python 3.8 to 3.11 only (it needs "
                "numpy < 1.24, which has no wheels for Python 3.12 and later); this is Python %s. %s"
                % (python, _BASELINE))
    if installed is None:
        installed = importlib.util.find_spec("mxnet") is not None
    if not installed:
        return ("mxconv's MXNet layers need MXNet 1.9.1, which is not installed here: for the book's 2019 "
                "edition, %s; for today's edition, %s (Python 3.8 to 3.11). %s"
                % (INSTALL["nd"], INSTALL["np"], _BASELINE))
    if tuple(int(p) for p in numpy_version.split(".")[:2]) >= (1, 24):
        return ("mxconv's MXNet layers need MXNet 1.9.1, which breaks on numpy 1.24 and later (it uses "
                "np.bool); this environment has numpy %s: install mxconv[mxnet] in a virtual environment "
                "of its own, which pins numpy < 1.24. %s" % (numpy_version, _BASELINE))
    return None


def d2l_version() -> Optional[str]:
    """The version of the installed distribution ``d2l``, read from its metadata without
    importing it; None where d2l is not installed."""
    from importlib import metadata

    try:
        return metadata.version("d2l")
    except metadata.PackageNotFoundError:
        return None


def d2l_edition(version: Optional[str]) -> Optional[str]:
    """The edition of the book a d2l release serves: 'nd' (0.x, ``import d2l``), 'np'
    (1.x, ``from d2l import mxnet as d2l``), or None (none installed, or another)."""
    if version is None:
        return None
    major = version.split(".")[0]
    return {"0": "nd", "1": "np"}.get(major)


def installed_edition() -> Optional[str]:
    """The edition of the book whose d2l is installed here ('nd', 'np'), or None."""
    return d2l_edition(d2l_version())
