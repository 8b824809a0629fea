"""The pytest helper: each golden case as a test of a port's own suite."""
from typing import Any, Callable, Optional

from .casefile import Case
from .judging import check_case
from .results import NOT_IMPLEMENTED, XFAIL, Result

__all__ = ["assert_case"]

Hook = Callable[[Any], Any]


def assert_case(port: Any, case: Case, *, to_native: Optional[Hook] = None,
                to_numpy: Optional[Hook] = None, framework: Optional[str] = None) -> Result:
    """For a port's own pytest suite: pass, skip (not implemented, with the reason), or
    fail with the checker's line.

    Parameters
    ----------
    port, case, to_native, to_numpy, framework
        As :func:`check_case`.

    Returns
    -------
    Result
        The passing result. A case not implemented calls ``pytest.skip``, an expected
        failure (``cases(expect=...)``) ``pytest.xfail``, any other outcome (an
        unexpected pass included) ``pytest.fail``, each with a message that starts
        with the case's id.

    A port's test file, for example PyTorch's::

        import pytest, torch, my_port
        from mxconv import baseline

        @pytest.mark.parametrize("case", baseline.cases("default"), ids=baseline.case_id)
        def test_mxconv_baseline(case):
            baseline.assert_case(my_port, case, to_native=torch.from_numpy,
                                 to_numpy=lambda t: t.detach().numpy())
    """
    import pytest  # only here: the checker itself needs no pytest

    result = check_case(port, case, to_native=to_native, to_numpy=to_numpy, framework=framework)
    if result.status == NOT_IMPLEMENTED:
        pytest.skip("%s: not implemented: %s" % (case.id, result.message))
    if result.status == XFAIL:
        pytest.xfail("%s: %s" % (case.id, result.message))
    if not result.ok:
        pytest.fail("%s: %s" % (case.id, result.line()), pytrace=False)
    return result
