"""Whether mxconv's MXNet layers can run in this environment (internal; imports no MXNet)."""
import importlib.util
import sys
from typing import Optional, Tuple

import numpy as np

_BASELINE = ("mxconv.baseline, the checker for other ports, needs only numpy and works here: "
             "python -m mxconv.baseline check PORT")


def why_not(version: Tuple[int, ...] = tuple(sys.version_info[:2]), numpy_version: str = np.__version__,
            installed: Optional[bool] = None) -> Optional[str]:
    """Why mxconv's MXNet layers cannot run in this environment, or None if they can."""
    python = "%d.%d" % version[:2]
    if version >= (3, 12):
        return ("mxconv's MXNet layers need MXNet 1.9.1, which runs on Python 3.8 to 3.11 only (it needs "
                "numpy < 1.24, which has no wheels for Python 3.12 and later); this is Python %s. %s"
                % (python, _BASELINE))
    if installed is None:
        installed = importlib.util.find_spec("mxnet") is not None and importlib.util.find_spec("d2l") is not None
    if not installed:
        return ("mxconv's MXNet layers need MXNet 1.9.1 and d2l 0.10.3, which are not installed here: "
                "pip install 'mxconv[mxnet]' (Python 3.8 to 3.11). %s" % _BASELINE)
    if tuple(int(p) for p in numpy_version.split(".")[:2]) >= (1, 24):
        return ("mxconv's MXNet layers need MXNet 1.9.1, which breaks on numpy 1.24 and later (it uses "
                "np.bool); this environment has numpy %s: install mxconv[mxnet] in a virtual environment "
                "of its own, which pins numpy < 1.24. %s" % (numpy_version, _BASELINE))
    return None
