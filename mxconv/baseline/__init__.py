"""Golden cases of the section for other ports, and a checker: numpy and the standard library only.

This package imports neither MXNet nor the rest of mxconv, so a PyTorch, TensorFlow,
JAX, Paddle or NumPy port can run it in its own CI, on Python 3.8 to 3.13 with any
numpy from 1.17 to 2.x; its folder can be copied into a port's repository whole.

A *port* is any module or object with some of the functions ``corr2d``,
``corr2d_multi_in``, ``corr2d_multi_in_out``, ``corr2d_multi_in_out_1x1`` and
``corr2d_multi_in_out_im2col``, called as ``f(X, K, **kwargs)`` (kwargs: ``padding``
and ``stride``), returning anything ``numpy.asarray`` reads as real numbers.
Optional hooks adapt other array types: ``to_native(ndarray)`` converts each input
before the call, ``to_numpy(result)`` converts the result (a PyTorch port passes
``torch.from_numpy`` and ``lambda t: t.detach().numpy()``), either as attributes of
the port or as arguments of :func:`check`.

Profiles choose the cases (:data:`PROFILES`), each adding to the default:

- ``default`` asks what the section's code does: one example (c_i, h, w), float32
  inputs, the four book functions, and padding and stride for functions whose
  signature takes those keywords. A faithful port of the book passes it.
- ``extended`` adds batches (n, c_i, h, w), im2col and float64 end to end.
- ``strict`` adds refusal cases: inputs the section's code gets wrong silently or
  crashes on. A port passes one by raising any exception.
- ``grad`` adds gradients: d sum(Y * G) / dX and dK of each book function, by the
  port's framework (or its own ``grad(fn, X, K, G)`` hook).
- ``all`` is every case.

Besides the golden cases of the packaged file (MXNet's own numbers, the document's
outputs), every run adds fresh cases drawn from a seed (:mod:`.fresh`), whose answers
exist only in the checker's process: a port must compute, not look its answers up.

A case a port cannot take (no such function, keywords its function lacks, a batch
where it takes one example) is *not implemented*, not failed.

>>> import numpy as np
>>> class Port:
...     def corr2d(X, K):
...         h, w = K.shape
...         return np.array([[(X[i:i + h, j:j + w] * K).sum()
...                           for j in range(X.shape[1] - w + 1)]
...                          for i in range(X.shape[0] - h + 1)])
>>> results = check(Port)
>>> sorted(set(r.status for r in results))
['not implemented', 'pass']

Command line: ``python -m mxconv.baseline check PORT [--profile extended]`` prints a
line per case and exits 1 on any failure; in a port's pytest suite,
:func:`assert_case` turns each case into a test.

The modules, each importing only those above it:

- ``errors``, ``text``: the error types; text made safe for one line.
- ``files``: reading a file, strict JSON, writing a file whole or not at all.
- ``casefile``: the case file's format, Case, Baseline, :func:`load`, :func:`to_json`.
- ``fresh``: cases drawn from a seed at every run, with a float64 NumPy reference.
- ``results``: statuses, Result, :func:`summary`.
- ``selection``: profiles, tags, expectation files, :func:`cases`.
- ``adapters``: the per-framework table: hooks, gradients, float32 causes.
- ``running``: one case's inputs through a port, as a plain Outcome.
- ``protocol``: the frames between the checker and the port's process, each checked.
- ``judging``: an Outcome against its case; :func:`check_case`, :func:`check`.
- ``sources``: a port from a module, a file, a notebook or a d2l-book tab.
- ``supervisor``, ``isolation``: the port in processes of its own, none outliving its
  case; :func:`check_isolated`.
- ``reports``, ``console``, ``cli``: the JSON, JUnit and scoreboard reports, and the
  command line; ``pytest_helper``: :func:`assert_case`.
"""
from .adapters import FRAMEWORKS
from .casefile import DEFAULT_PATH, FUNCTIONS, Baseline, Case, case_id, load, to_json
from .cli import main
from .errors import BaselineError, CheckerError, PortLoadError, UsageError
from .isolation import DEFAULT_TIMEOUT, check_isolated
from .judging import check, check_case
from .pytest_helper import assert_case
from .results import STATUSES, Result, summary
from .selection import PROFILES, cases, load_expectations, select, with_expectations
from .sources import load_port, md_tabs

__all__ = ["Case", "Result", "Baseline", "CheckerError", "BaselineError", "PortLoadError", "UsageError", "cases",
           "case_id", "check", "check_case", "check_isolated", "assert_case", "load", "load_port",
           "load_expectations", "with_expectations", "md_tabs", "select", "summary", "to_json", "main",
           "PROFILES", "FUNCTIONS", "FRAMEWORKS", "STATUSES", "DEFAULT_PATH", "DEFAULT_TIMEOUT"]
