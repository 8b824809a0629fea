"""What a case came to on a port: the statuses, the Result record, and counting them."""
import math
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

from .casefile import Case
from .text import one_line

__all__ = ["PASS", "FAIL", "ERROR", "NOT_IMPLEMENTED", "XFAIL", "XPASS", "STATUSES", "LABELS", "EXPECTABLE",
           "Result", "counts", "summary"]

PASS, FAIL, ERROR, NOT_IMPLEMENTED = "pass", "fail", "error", "not implemented"
# With an expectation file: the outcome it lists (XFAIL), or a pass where it lists one (XPASS).
XFAIL, XPASS = "xfail", "xpass"
STATUSES = (PASS, FAIL, ERROR, NOT_IMPLEMENTED, XFAIL, XPASS)
LABELS = {PASS: "PASS", FAIL: "FAIL", ERROR: "ERROR", NOT_IMPLEMENTED: "N/I", XFAIL: "XFAIL", XPASS: "XPASS"}
EXPECTABLE = (FAIL, ERROR, NOT_IMPLEMENTED)  # what an expectation file may list


@dataclass(frozen=True, eq=False)
class Result:
    """The outcome of one case on one port."""

    case: Case
    status: str  # one of STATUSES
    max_abs_error: float = math.nan
    max_rel_error: float = math.nan
    message: str = ""
    index: Optional[Tuple[int, ...]] = None  # a failure's index of the largest error

    @property
    def ok(self) -> bool:
        """True unless the port failed or raised (a case not implemented is not a failure,
        nor an expected failure); an unexpected pass is not ok."""
        return self.status in (PASS, NOT_IMPLEMENTED, XFAIL)

    def error_size(self) -> str:
        """``'max abs err 0.5, max rel err 1 (rtol 1e-05, atol 1e-06)'``, or '' where
        nothing was compared."""
        if math.isnan(self.max_abs_error):
            return ""
        return "max abs err %.3g, max rel err %.3g (rtol %g, atol %g)" % (
            self.max_abs_error, self.max_rel_error, self.case.rtol, self.case.atol)

    def line(self) -> str:
        """One line of the checker's report, whatever the port's messages hold."""
        text = "%-5s %-32s %-27s" % (LABELS[self.status], one_line(self.case.id, 200), self.case.function)
        if self.error_size():
            text += " " + self.error_size()
        if self.message:
            text += "  " + one_line(self.message, 2000)
        return text


def counts(results: Sequence[Result]) -> Dict[str, int]:
    """How many results have each status: every status of STATUSES, in that order."""
    count = dict.fromkeys(STATUSES, 0)
    for result in results:
        count[result.status] += 1
    return count


def summary(results: Sequence[Result]) -> str:
    """``'N passed, N failed, N errors, N not implemented'``, then ``', N xfail, N xpass'``
    where an expectation file listed any case."""
    count = counts(results)
    text = "%d passed, %d failed, %d errors, %d not implemented" % (
        count[PASS], count[FAIL], count[ERROR], count[NOT_IMPLEMENTED])
    if any(r.case.expectation is not None for r in results):
        text += ", %d xfail, %d xpass" % (count[XFAIL], count[XPASS])
    return text
