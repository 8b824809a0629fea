"""Today's exercises 6 and 7, measured: ``python benchmarks/bench_exercises.py``.

- Exercise 6: time per output of mxconv.exercises.corr2d_strips over delta, against
  one nd.Convolution of the whole input. What is measured is mxconv's strip
  implementation, one nd.Convolution per strip: its per-strip overhead shrinks as
  delta grows. The reads per output are the model of exercises.strip_cost, printed
  beside it; cache effects inside oneDNN are not isolated here.
- Exercise 7: a grouped 1x1 convolution (groups=b) against the dense one, for a few
  (c, b): medians of repeated calls, and the ratio.

Reports the threads MXNet uses (OMP_NUM_THREADS; MXNet 1.9.1 uses half the cores
without it). Medians of 7 runs; a shared machine is noisy, so read the ratios.
"""
import os
import statistics
import time

import numpy as np

from mxconv import exercises, fast

RUNS = 7


def median_seconds(fn, runs=RUNS):
    fn()  # warm up: first calls build oneDNN primitives
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    print("OMP_NUM_THREADS=%s (unset: MXNet 1.9.1 uses half of the %d cores)"
          % (os.environ.get("OMP_NUM_THREADS", "unset"), os.cpu_count()))
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (16, 34, 66)).astype(np.float32)
    K = rng.uniform(-1, 1, (16, 16, 3, 3)).astype(np.float32)
    outputs = 16 * 32 * 64
    whole = median_seconds(lambda: fast.corr2d_multi_in_out(X, K))
    print("\nexercise 6: corr2d_strips on 16x34x66 -> 16, 3x3 (%d outputs)" % outputs)
    print("  one nd.Convolution: %.3f us per output" % (whole / outputs * 1e6))
    for delta in (1, 2, 4, 8, 16, 32, 64):
        seconds = median_seconds(lambda: exercises.corr2d_strips(X, K, delta), runs=3 if delta < 4 else RUNS)
        cost = exercises.strip_cost(16, 34, 66, 16, 3, 3, delta)
        print("  delta %2d: %.3f us per output (%.1fx one convolution); model: %.2f reads per output and channel "
              "with rows kept, strip %d values" % (delta, seconds / outputs * 1e6, seconds / whole,
                                                  cost.reads_per_output_rows_kept, cost.strip_elements))
    print("  caches the OS reports: %s" % ({k: "%d KiB" % (v // 1024) for k, v in exercises.cache_sizes().items()}
                                           or "none"))
    print("\nexercise 7: grouped 1x1 convolution against the dense one, batch 8, 28x28")
    for c in (64, 256):
        X = rng.uniform(-1, 1, (8, c, 28, 28)).astype(np.float32)
        dense = median_seconds(lambda: fast.corr2d_multi_in_out(X, np.ones((c, c, 1, 1), np.float32)))
        for b in (2, 4, 8):
            Kg = np.ones((c, c // b, 1, 1), np.float32)
            grouped = median_seconds(lambda: fast.corr2d_multi_in_out(X, Kg, groups=b))
            print("  c=%3d b=%d: dense %.2f ms, grouped %.2f ms: %.2fx faster (b = %d fewer multiplications)"
                  % (c, b, dense * 1e3, grouped * 1e3, dense / grouped, b))


if __name__ == "__main__":
    main()
