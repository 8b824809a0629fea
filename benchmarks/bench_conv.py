"""Speed of mxconv's paths against their peers, in one run: ``python benchmarks/bench_conv.py``.

For each shape it prints the median time and GFLOP/s (2 * c_o * c_i * k_h * k_w *
out_h * out_w per example) of mxconv.fast, raw nd.Convolution, mxconv's im2col,
numpy (sliding windows and one tensordot), PyTorch's conv2d when importable (the
``bench`` extra: ``pip install -e ".[bench]"``; measured both in this process and
alone in a process of its own), the book's path where it finishes
in under 10 s, and a numpy float32 matrix product of the same size as the
machine's practical limit; then the ratios fast/PyTorch and fast/limit. Medians
and ratios, not single times: these machines are shared and noisy.

Threads: MXNet 1.9.1 reads OMP_NUM_THREADS once, at import, and otherwise uses
half of the processors; this script sets it (and PyTorch's and numpy's) to
``--threads`` (default: every core) before anything is imported, and prints what
each library then uses.
"""
import argparse
import os
import random
import statistics
import sys
import time

SHAPES = [  # (c_i, h, w, c_o, k, batch)
    (2, 3, 3, 3, 2, 1),  # the book's
    (3, 32, 32, 16, 3, 8),
    (64, 56, 56, 64, 3, 1),
    (256, 14, 14, 256, 3, 1),
    (64, 56, 56, 256, 1, 1),
]
LARGE = SHAPES[2:]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for every library")
    parser.add_argument("--seconds", type=float, default=1.0, help="time budget per method and shape")
    parser.add_argument("--min-repeats", type=int, default=7)
    parser.add_argument("--markdown", action="store_true", help="also print the results as a Markdown table")
    return parser.parse_args()


ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import mxnet as mx  # noqa: E402  (after OMP_NUM_THREADS, which MXNet reads at import)
import numpy as np  # noqa: E402
from mxnet import nd  # noqa: E402

from mxconv import _inputs, fast, reference  # noqa: E402

try:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(ARGS.threads)
except ImportError:  # the bench extra is not installed
    torch = None


def numpy_threads():
    try:
        from threadpoolctl import threadpool_info

        return ", ".join("%s %s threads" % (i["internal_api"], i["num_threads"]) for i in threadpool_info())
    except ImportError:
        return "OPENBLAS_NUM_THREADS=%s" % os.environ["OPENBLAS_NUM_THREADS"]


def median_seconds(methods, budget):
    """Median seconds per call of each method, measured interleaved: every round
    times each method once, in turn, so that the machine's drifts (other tenants,
    frequency changes) fall on all of them alike. Each round runs them in a new
    (seeded) random order: a method pays for the thread pool its predecessor left
    spinning (numpy's OpenBLAS, PyTorch's and MXNet's OpenMP), so every method must
    follow every other alike."""
    inner = {}
    for name, fn in methods.items():
        fn()  # warm up: first-call allocation, oneDNN primitive creation
        t0 = time.perf_counter()
        fn()
        once = time.perf_counter() - t0
        inner[name] = max(1, min(1000, int(1e-3 / max(once, 1e-7))))  # about 1 ms a sample
    times = {name: [] for name in methods}
    order = list(methods)
    shuffle = random.Random(0).shuffle
    start = time.perf_counter()
    while (min(len(t) for t in times.values()) < ARGS.min_repeats
           or time.perf_counter() - start < budget * len(methods)):
        shuffle(order)
        for name in order:
            fn = methods[name]
            t0 = time.perf_counter()
            for _ in range(inner[name]):
                fn()
            times[name].append((time.perf_counter() - t0) / inner[name])
    return {name: statistics.median(t) for name, t in times.items()}


def numpy_conv(X, K):
    """Sliding windows (a strided view) and one tensordot: numpy's best plain route."""
    n, c_i, h, w = X.shape
    c_o, _, k_h, k_w = K.shape
    out_h, out_w = h - k_h + 1, w - k_w + 1
    s = X.strides
    windows = np.lib.stride_tricks.as_strided(
        X, (n, out_h, out_w, c_i, k_h, k_w), (s[0], s[2], s[3], s[1], s[2], s[3]), writeable=False)
    return np.tensordot(windows, K, axes=([3, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)


TORCH_ALONE = """
import statistics, sys, time
import numpy as np, torch, torch.nn.functional as F
torch.set_num_threads(%(threads)d)
c_i, h, w, c_o, k, n = %(shape)r
rng = np.random.default_rng(0)
X = torch.from_numpy(rng.uniform(-1, 1, (n, c_i, h, w)).astype(np.float32))
K = torch.from_numpy(rng.uniform(-1, 1, (c_o, c_i, k, k)).astype(np.float32))
def once():
    with torch.no_grad():
        F.conv2d(X, K)
once()
t0 = time.perf_counter(); once(); inner = max(1, min(1000, int(1e-3 / max(time.perf_counter() - t0, 1e-7))))
times, start = [], time.perf_counter()
while len(times) < %(min_repeats)d or time.perf_counter() - start < %(budget)r:
    t0 = time.perf_counter()
    for _ in range(inner):
        once()
    times.append((time.perf_counter() - t0) / inner)
print(statistics.median(times))
"""


def torch_alone(shape):
    """PyTorch's conv2d in a process of its own: two OpenMP runtimes (MXNet's and
    PyTorch's) in one process on few cores slow each other down, PyTorch more."""
    import subprocess

    code = TORCH_ALONE % {"threads": ARGS.threads, "shape": shape, "min_repeats": ARGS.min_repeats,
                          "budget": ARGS.seconds}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def run_shape(shape):
    c_i, h, w, c_o, k, n = shape
    out_h, out_w = h - k + 1, w - k + 1
    flops = 2.0 * c_o * c_i * k * k * out_h * out_w * n
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (n, c_i, h, w)).astype(np.float32)
    K = rng.uniform(-1, 1, (c_o, c_i, k, k)).astype(np.float32)
    Xn = nd.array(X)
    # One kernel array per MXNet method: oneDNN reorders a kernel into its blocked
    # layout in place and keeps it for the next call, while a reshape (im2col's)
    # turns it back; sharing one array would charge one method for another's reorder.
    Kn, Kfast, Kim2col, Kref = (nd.array(K) for _ in range(4))
    X1 = nd.array(X[0]) if n == 1 else Xn  # the section's layout for one example: its own (c_i, h, w) array
    A = rng.uniform(-1, 1, (c_o, c_i * k * k)).astype(np.float32)
    B = rng.uniform(-1, 1, (c_i * k * k, n * out_h * out_w)).astype(np.float32)

    methods = {
        "mxconv.fast": lambda: fast.corr2d_multi_in_out(X1, Kfast).wait_to_read(),
        "nd.Convolution": lambda: nd.Convolution(Xn, Kn, kernel=(k, k), num_filter=c_o,
                                                 no_bias=True).wait_to_read(),
        "mxconv im2col": lambda: fast.corr2d_multi_in_out_im2col(X1, Kim2col).wait_to_read(),
        "numpy": lambda: numpy_conv(X, K),
    }
    if torch is not None:
        Xt, Kt = torch.from_numpy(X), torch.from_numpy(K)

        def torch_conv():
            with torch.no_grad():
                F.conv2d(Xt, Kt)

        methods["torch conv2d"] = torch_conv
    if n == 1 and _inputs.reference_seconds("corr2d_multi_in_out", (c_i, h, w), K.shape) < 10:
        methods["mxconv.reference"] = lambda: reference.corr2d_multi_in_out(X1, Kref).wait_to_read()
    methods["numpy matmul (limit)"] = lambda: A @ B

    results = median_seconds(methods, ARGS.seconds)
    if torch is not None:
        results["torch (own process)"] = torch_alone(shape)
    return flops, results


def main():
    print("mxconv benchmark: %d cores, %d threads each; python %s" % (
        os.cpu_count(), ARGS.threads, sys.version.split()[0]))
    print("threads: mxnet %s (OMP_NUM_THREADS=%s, set before import); torch %s; numpy %s" % (
        mx.__version__, os.environ["OMP_NUM_THREADS"],
        "%s %d threads" % (torch.__version__, torch.get_num_threads()) if torch else "not installed",
        numpy_threads()))
    print("median time in ms (GFLOP/s); float32; NCHW\n")
    summary, table = [], []
    for shape in SHAPES:
        c_i, h, w, c_o, k, n = shape
        flops, results = run_shape(shape)
        print("(c_i, h, w -> c_o, k, batch) = (%d, %d, %d -> %d, %d, %d): %.3g MFLOP" % (
            c_i, h, w, c_o, k, n, flops / 1e6))
        for name, seconds in results.items():
            print("  %-22s %10.3f ms  %8.2f GFLOP/s" % (name, seconds * 1e3, flops / seconds / 1e9))
        fast_s = results["mxconv.fast"]
        ratios = ["fast/limit %.2f" % (results["numpy matmul (limit)"] / fast_s),
                  "fast/nd.Convolution %.2f" % (results["nd.Convolution"] / fast_s)]
        if "torch conv2d" in results:
            ratios[:0] = ["fast/PyTorch %.2f" % (results["torch conv2d"] / fast_s),
                          "fast/PyTorch alone %.2f" % (results["torch (own process)"] / fast_s)]
        print("  speed ratios (>1: mxconv.fast is faster): " + ", ".join(ratios) + "\n")
        summary.append((shape, ratios))
        table.append((shape, flops, results, ratios))
    print("summary (speed of mxconv.fast relative to each peer):")
    for shape, ratios in summary:
        print("  %-26s %s" % (shape, ", ".join(ratios)))
    if ARGS.markdown:
        print_markdown(table)


def print_markdown(table):
    names = list(dict.fromkeys(name for _, _, results, _ in table for name in results))
    print("\n| (c_i, h, w -> c_o, k, batch) | " + " | ".join(names) + " | ratios |")
    print("| --- |" + " ---: |" * len(names) + " --- |")
    for (c_i, h, w, c_o, k, n), flops, results, ratios in table:
        cells = ["%.3f ms (%.1f GFLOP/s)" % (results[m] * 1e3, flops / results[m] / 1e9) if m in results else "-"
                 for m in names]
        print("| (%d, %d, %d -> %d, %d, %d) | %s | %s |" % (c_i, h, w, c_o, k, n, " | ".join(cells), ", ".join(ratios)))


if __name__ == "__main__":
    main()
