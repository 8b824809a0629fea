"""Fixtures: seeded randomness you can replay, and the contexts to run on."""
import os

import pytest
from hypothesis import HealthCheck, settings

from ._helpers import NEEDS_2019, SEED, book_namespace, installed_edition, run_main, seeded_rng

# pytest's own runner of nested pytest sessions, for the tests of the checker's pytest helper.
pytest_plugins = ["pytester"]

# The hostile ports are for the checker, never for doctest collection: one ends the
# process on import (pytest would exit 0 having run nothing), one raises on any lookup.
collect_ignore = [os.path.join("ports", name) for name in (
    "exits_on_import.py", "hostile.py", "raising_getattr.py", "torch_wrong_backward.py", "jax_port.py",
    "orphan_frame.py", "forged_load.py", "forged_version.py", "lookup.py", "_channel.py")]
# The fixture notebooks are ports for the checker, not notebooks for nbval (one raises on purpose).
collect_ignore_glob = [os.path.join("ports", "*.ipynb")]

settings.register_profile(
    "mxconv", deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "mxconv"))


def pytest_report_header(config):
    return "mxconv test seed: %d (set MXCONV_TEST_SEED to replay another)" % SEED


@pytest.fixture
def rng(request):
    """A numpy Generator seeded from SEED and the test's name; prints its seed."""
    return seeded_rng(request.node.name)


@pytest.fixture(scope="session")
def book():
    """The section's functions, executed from the document's text: the oracle of the book's path."""
    if installed_edition() != "nd":
        pytest.skip(NEEDS_2019)
    return book_namespace()


@pytest.fixture(scope="session")
def fresh_export(tmp_path_factory):
    """``mxconv baseline export PATH`` run once a session, in this process, over a file
    that held "old": (exit status, stdout, stderr, PATH). Building the cases runs the
    book's loop over every case; the tests that need an export share this one."""
    if installed_edition() != "nd":
        pytest.skip(NEEDS_2019)
    from mxconv import cli

    path = tmp_path_factory.mktemp("export") / "baseline.json"
    path.write_text("old")
    return run_main(cli.main, "baseline", "export", str(path)) + (path,)


def contexts():
    """cpu(0), cpu(1) (a real second context on a CPU build), and gpu(0) when present."""
    try:
        import mxnet as mx
    except ImportError:  # the checker's own tests also run where only numpy is installed
        return [pytest.param(None, id="no-mxnet", marks=pytest.mark.skip(reason="MXNet is not installed"))]

    params = [pytest.param(mx.cpu(0), id="cpu0"), pytest.param(mx.cpu(1), id="cpu1")]
    gpu = pytest.mark.skipif(mx.context.num_gpus() == 0, reason="no GPU: mx.context.num_gpus() is 0")
    params.append(pytest.param("gpu0", id="gpu0", marks=gpu))
    return params


@pytest.fixture(params=contexts())
def ctx(request):
    import mxnet as mx

    return mx.gpu(0) if request.param == "gpu0" else request.param


# Where d2l 1.x is installed (today's student stack), the 2019 edition's book path
# cannot run: its tests, doctests and notebook run in README's environment (d2l 0.10.3)
# and are reported here as skipped, with the reason NEEDS_2019; every other test runs in both.


def pytest_collection_modifyitems(config, items):
    if installed_edition() != "np":
        return
    skip = pytest.mark.skip(reason=NEEDS_2019)
    for item in items:
        module = getattr(item, "name", "")
        doctest_of_book = type(item).__name__ == "DoctestItem" and (
            module == "mxconv" or module.startswith(("mxconv.reference", "mxconv.figures", "mxconv.cli")))
        if doctest_of_book or str(getattr(item, "fspath", "")).endswith(".ipynb"):
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    error = outcome.excinfo[1] if outcome.excinfo else None
    from mxconv._errors import D2lMissingError  # imports no MXNet: the checker's tests run without it

    # A test that reaches the 2019 book path through mxconv (lists, NDArrays) without a marker.
    if isinstance(error, D2lMissingError) and error.edition == "nd" and installed_edition() == "np":
        outcome.force_exception(pytest.skip.Exception(NEEDS_2019, _use_item_location=True))
