"""The public API is typed: mypy runs clean on mxconv/ (setup.cfg's [mypy]), and the
package says so to type checkers (py.typed)."""
import importlib.util

import pytest

from ._helpers import ROOT, run


@pytest.mark.timeout(300)
def test_mypy_is_clean(tmp_path):
    if importlib.util.find_spec("mypy") is None:  # a failure, not a skip: the check did not run
        pytest.fail("mypy is not installed, so the types were not checked: install the test extra, "
                    "pip install \".[mxnet,test]\" (README.md's test command does)", pytrace=False)
    returncode, out, err = run("-m", "mypy", "--config-file", str(ROOT / "setup.cfg"), "--cache-dir", str(tmp_path),
                               str(ROOT / "mxconv"), cwd=str(ROOT), timeout=300)
    assert returncode == 0, out + err
    assert out.startswith("Success: no issues found")


def test_the_package_is_marked_typed():
    assert (ROOT / "mxconv" / "py.typed").is_file()
    import mxconv.fast
    import mxconv.reference

    assert mxconv.fast.corr2d_multi_in_out.__annotations__["padding"] is not None
    assert set(mxconv.reference.corr2d.__annotations__) == {"X", "K", "ctx", "warn_slow", "return"}
