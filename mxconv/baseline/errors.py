"""The checker's errors: one base, and one type for each kind of problem.

``except CheckerError`` catches everything the checker refuses; a port's own
exceptions never surface as these (they are a case's result).
"""

__all__ = ["CheckerError", "BaselineError", "PortLoadError", "UsageError"]


class CheckerError(Exception):
    """The base of every error the checker raises."""


class BaselineError(CheckerError, ValueError):
    """A baseline or expectation file that is malformed, of another format or version,
    or too large; or an unknown profile or tag."""


class PortLoadError(CheckerError):
    """The port could not be loaded: its file cannot be read, a cell raised, its process
    died or hung while loading."""


class UsageError(CheckerError, ValueError):
    """An argument the checker refuses before any work: an unknown framework, a bad tab
    name, a timeout out of range, an output path that cannot be written."""
