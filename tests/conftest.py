"""Shared fixtures: seeded randomness you can replay, and the contexts to run on."""
import os
import pathlib

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCUMENT = pathlib.Path(__file__).resolve().parent / "data" / "channels-section.txt"

# Seeded randomness: every random test takes its seed from here; override with
# MXCONV_TEST_SEED=N to replay or vary a run. The seed is printed in the header.
SEED = int(os.environ.get("MXCONV_TEST_SEED", "20261127"))

settings.register_profile(
    "mxconv", deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "mxconv"))


def pytest_report_header(config):
    return "mxconv test seed: %d (set MXCONV_TEST_SEED to replay another)" % SEED


@pytest.fixture
def rng(request):
    """A numpy Generator seeded from SEED and the test's name; prints its seed."""
    seed = (SEED + sum(map(ord, request.node.name))) % 2**32
    print("rng seed for %s: %d" % (request.node.name, seed))
    return np.random.default_rng(seed)


def contexts():
    """cpu(0), cpu(1) (a real second context on a CPU build), and gpu(0) when present."""
    import mxnet as mx

    params = [pytest.param(mx.cpu(0), id="cpu0"), pytest.param(mx.cpu(1), id="cpu1")]
    gpu = pytest.mark.skipif(mx.context.num_gpus() == 0, reason="no GPU: mx.context.num_gpus() is 0")
    params.append(pytest.param("gpu0", id="gpu0", marks=gpu))
    return params


@pytest.fixture(params=contexts())
def ctx(request):
    import mxnet as mx

    return mx.gpu(0) if request.param == "gpu0" else request.param
