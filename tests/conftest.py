"""Fixtures: seeded randomness you can replay, and the contexts to run on."""
import os

import pytest
from hypothesis import HealthCheck, settings

from ._helpers import SEED, book_namespace, seeded_rng

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
    return book_namespace()


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
