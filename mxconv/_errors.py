"""mxconv's exception and warning types (internal module; import them from ``mxconv``).

This module imports nothing, so ``mxconv`` can export the types without pulling in MXNet.
"""


class MxconvError(ValueError):
    """Input mxconv refuses to compute on: the message names the argument, what was
    expected and what came."""


class MxconvTypeError(MxconvError, TypeError):
    """An argument of the wrong kind: not an array of numbers, not a context."""


class ContextError(MxconvError):
    """A context this MXNet build or machine cannot run on, such as ``mx.gpu(0)`` with no GPU."""


class RecordingError(RuntimeError):
    """The book's path was called under ``autograd.record()``, which it cannot be: a
    state of the caller, not a bad argument (so a ``RuntimeError``, not an MxconvError)."""


class D2lMissingError(MxconvError):
    """The book's code of one edition (``.edition``: 'nd' or 'np') needs a d2l release
    that is not installed; the message names both releases and the fix."""

    edition = ""


class MXNetUnavailableError(ImportError):
    """mxconv's MXNet layers cannot run here: MXNet 1.9.1 is missing, or this Python or
    numpy is too new for it. :mod:`mxconv.baseline` works all the same."""


class SlowReferenceWarning(UserWarning):
    """The book's path is estimated to run for longer than ``mxconv.reference.WARN_SECONDS``."""
