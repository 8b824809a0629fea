"""The benchmark scripts still run against the API (a change of signature once broke
bench_conv.py unnoticed). Nothing here is timed: speed is the scripts' own business."""
from ._helpers import ROOT, needs_2019, run


@needs_2019  # bench_conv.py's reference-path column runs the 2019 book's code
def test_bench_conv_runs_with_a_tiny_budget():
    returncode, out, err = run(str(ROOT / "benchmarks" / "bench_conv.py"), "--runs", "1", "--seconds", "0.01",
                               "--min-repeats", "1", timeout=300)
    assert returncode == 0, err
    assert "threads: mxnet 1.9.1 OMP_NUM_THREADS=" in out and "OPENBLAS_CORETYPE=" in out
    for name in ("mxconv.fast", "nd.Convolution", "mxconv im2col", "numpy", "mxconv.reference",
                 "mxconv.fast, no safety net"):
        assert "  %s " % name in out, name
    assert out.count("safety net: time/time without") == 10  # each shape, in its run and in the summary


def test_bench_exercises_runs():
    returncode, out, err = run(str(ROOT / "benchmarks" / "bench_exercises.py"), timeout=300)
    assert returncode == 0, err
    assert "grouped" in out and "dense" in out
