"""mxconv touches nothing global: imports, warnings filters, threads, contexts, modes."""
import threading
import warnings

import mxnet as mx
import numpy as np
import pytest

from mxconv import MxconvError, fast, reference

from ._helpers import installed_edition, needs_2019, run

STAR = """
import sys
from mxconv import *
names = sorted(n for n in dir() if not n.startswith("__") and n != "sys")
print(" ".join(names))
print(" ".join(sorted(m for m in sys.modules if m.startswith("mxconv."))))
"""


def test_star_import_gives_names_not_submodules():
    returncode, out, err = run("-c", STAR)
    assert returncode == 0, err
    names, modules = out.splitlines()
    assert names.split() == sorted(["corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1",
                                    "ContextError", "MxconvError", "MxconvTypeError", "MXNetUnavailableError",
                                    "RecordingError", "SlowReferenceWarning"])
    assert not {"mxconv.cli", "mxconv.figures", "mxconv.fast", "mxconv.exercises", "mxconv.baseline"} & set(
        modules.split())


def test_threads_leave_no_warnings_filter_and_no_context_behind():
    before = list(warnings.filters)
    errors, wrong = [], []
    X, K = np.arange(18, dtype=np.float32).reshape(2, 3, 3), np.ones((2, 2, 2), np.float32)
    expected = fast.corr2d_multi_in(X, K).asnumpy()
    # the book's path of the edition whose d2l is installed: mxnet.numpy arrays run today's code
    book_X = mx.np.array(X) if installed_edition() == "np" else X

    def work(index):
        ctx = mx.cpu(index)
        for _ in range(50):
            try:
                fast.corr2d_multi_in([[[1, 2], [3]]], K)
            except MxconvError:
                pass
            Y = fast.corr2d_multi_in(X.tolist(), K, ctx=ctx)
            if Y.context != ctx or not np.array_equal(Y.asnumpy(), expected):
                wrong.append(index)
        if index % 2:
            with ctx:
                if not np.array_equal(reference.corr2d_multi_in(book_X, K).asnumpy(), expected):
                    wrong.append(index)
                if mx.current_context() != ctx:
                    wrong.append(index)

    def guarded(index):  # a worker's exception fails the test, not only a warning of pytest's
        try:
            work(index)
        except BaseException as err:
            errors.append("thread %d: %s: %s" % (index, type(err).__name__, err))

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert not wrong
    assert warnings.filters == before
    assert mx.current_context() == mx.cpu(0)


@pytest.mark.parametrize("call", ["fast", "reference"])
def test_a_refused_call_leaves_the_context_alone(call):
    fn = fast.corr2d_multi_in if call == "fast" else reference.corr2d_multi_in
    with pytest.raises(MxconvError):
        fn(np.ones((3, 4, 4)), np.ones((2, 2, 2)), ctx=mx.cpu(1))
    assert mx.current_context() == mx.cpu(0)


LOGGING = """
import io, logging
from mxconv import cli
for edition in ("np", "nd", "np"):
    cli.run_section(edition=edition, file=io.StringIO())
root = logging.getLogger()
print(root.handlers, logging.getLevelName(root.level))
"""


@needs_2019
def test_either_edition_leaves_the_root_logger_alone():
    # MXNet's own switch of numpy shapes logs through logging.info, which on first
    # use installs a handler on the root logger (logging.basicConfig), so that a
    # user's own basicConfig afterwards would do nothing. In a process of its own:
    # pytest keeps handlers on the root logger.
    returncode, out, err = run("-c", LOGGING)
    assert returncode == 0, err
    assert out == "[] WARNING\n"
