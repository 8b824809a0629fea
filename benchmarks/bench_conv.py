"""Speed of mxconv's paths against their peers, in one run: ``python benchmarks/bench_conv.py``.

For each shape it measures, as medians, mxconv.fast, a bare nd.Convolution,
mxconv's im2col, numpy (sliding windows and one tensordot) and, on the book's tiny
shape, the book's path; each MXNet method twice: until the result is computed
(``wait_to_read``) and until it is read into host memory (``asnumpy``), so that
oneDNN's blocked output layout flatters nothing. PyTorch's conv2d (the ``bench``
extra) runs in a process of its own, as the headline peer, with the same threads,
also until ``.numpy()``. The machine's peak is measured, not assumed: the best
float32 matrix product of 2048 x 2048 by MXNet's oneDNN (``nd.FullyConnected``),
MXNet's BLAS (``nd.dot``) and PyTorch (``torch.mm``); mxconv.fast's GFLOP/s are
quoted as a fraction of it.

The whole measurement runs ``--runs`` times (default 3); the summary gives each
ratio's range over the runs. These machines are shared and noisy: read medians
and ratios, not single times.

Threads: MXNet 1.9.1 reads OMP_NUM_THREADS once, at import, and otherwise uses
half of the processors. This script sets it (and PyTorch's and OpenBLAS's thread
counts) to ``--threads`` (default: every core) before anything is imported, and
also measures mxconv.fast in a process of its own with MXNet's default threads.
OPENBLAS_CORETYPE is printed, never set.
"""
import argparse
import json
import os
import platform
import random
import statistics
import subprocess
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
PEAK_N = 2048
# The shapes of mxconv.reference.SECONDS_PER_TERM's measurement: (c_i, h, c_o, k).
REFERENCE_SHAPES = [(3, 12, 4, 3), (2, 20, 2, 3), (1, 30, 1, 1), (4, 8, 4, 5)]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for every library")
    parser.add_argument("--seconds", type=float, default=0.5, help="time budget per method and shape")
    parser.add_argument("--min-repeats", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3, help="whole measurements, for the ratios' ranges")
    parser.add_argument("--markdown", action="store_true", help="also print the last run as a Markdown table")
    parser.add_argument("--child", choices=["torch", "mxnet-default-threads"], help=argparse.SUPPRESS)
    return parser.parse_args()


ARGS = parse_args()
if ARGS.child != "mxnet-default-threads":
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread variables, which libraries read at import)


def median_seconds(methods, budget):
    """Median seconds per call of each method, measured interleaved: every round
    times each method once, in a new (seeded) random order, so that the machine's
    drifts, and the thread pools a predecessor leaves spinning, fall on all alike."""
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


def inputs(shape):
    c_i, h, w, c_o, k, n = shape
    rng = np.random.default_rng(0)
    return (rng.uniform(-1, 1, (n, c_i, h, w)).astype(np.float32),
            rng.uniform(-1, 1, (c_o, c_i, k, k)).astype(np.float32))


def flops(shape):
    c_i, h, w, c_o, k, n = shape
    return 2.0 * c_o * c_i * k * k * (h - k + 1) * (w - k + 1) * n


# -- children: PyTorch, and MXNet with its default threads, each in a process of its own


def torch_child():
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(ARGS.threads)
    results = {"version": torch.__version__, "threads": torch.get_num_threads(), "shapes": {}}
    for shape in SHAPES:
        X, K = (torch.from_numpy(a) for a in inputs(shape))

        def conv(X=X, K=K):
            with torch.no_grad():
                return F.conv2d(X, K)

        results["shapes"][repr(shape)] = median_seconds(
            {"compute": conv, "to host": lambda: conv().numpy()}, ARGS.seconds)
    A = torch.from_numpy(np.random.default_rng(1).uniform(-1, 1, (PEAK_N, PEAK_N)).astype(np.float32))
    results["peak"] = median_seconds({"torch.mm": lambda: torch.mm(A, A)}, ARGS.seconds)["torch.mm"]
    print(json.dumps(results))


def mxnet_default_threads_child():
    from mxnet import nd

    from mxconv import fast

    results = {}
    for shape in LARGE:
        X, K = inputs(shape)
        X1, K1 = nd.array(X[0]), nd.array(K)
        results[repr(shape)] = median_seconds(
            {"compute": lambda: fast.corr2d_multi_in_out(X1, K1).wait_to_read()}, ARGS.seconds)["compute"]
    print(json.dumps(results))


def child(kind):
    env = dict(os.environ)
    if kind == "mxnet-default-threads":
        env.pop("OMP_NUM_THREADS", None)
    command = [sys.executable, os.path.abspath(__file__), "--child", kind, "--threads", str(ARGS.threads),
               "--seconds", str(ARGS.seconds), "--min-repeats", str(ARGS.min_repeats)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        if kind == "torch" and "No module named 'torch'" in done.stderr:
            return None
        raise RuntimeError("%s child failed:\n%s" % (kind, done.stderr))
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the main process: MXNet's methods and numpy


def numpy_conv(X, K):
    """Sliding windows (a strided view) and one tensordot: numpy's best plain route."""
    n, c_i, h, w = X.shape
    c_o, _, k_h, k_w = K.shape
    out_h, out_w = h - k_h + 1, w - k_w + 1
    s = X.strides
    windows = np.lib.stride_tricks.as_strided(
        X, (n, out_h, out_w, c_i, k_h, k_w), (s[0], s[2], s[3], s[1], s[2], s[3]), writeable=False)
    return np.tensordot(windows, K, axes=([3, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)


def without_safety_net(fn, *args):
    """``fn(*args)`` with mxconv's wait for the result inside the call (``_inputs.settled``,
    which turns a late MXNet error into an MxconvError at the call) replaced by nothing:
    what the safety net costs is this method's time against mxconv.fast's, both waited for."""
    from mxconv import _inputs

    saved = _inputs.settled
    _inputs.settled = lambda Y: Y
    try:
        return fn(*args)
    finally:
        _inputs.settled = saved


def run_shape(shape):
    from mxnet import nd

    from mxconv import fast, reference

    c_i, h, w, c_o, k, n = shape
    X, K = inputs(shape)
    Xn = nd.array(X)
    # One kernel array per MXNet method: oneDNN reorders a kernel into its blocked
    # layout in place and keeps it for the next call, while a reshape (im2col's)
    # turns it back; sharing one array would charge one method for another's reorder.
    Kn, Kfast, Kim2col, Kref, Knp = (nd.array(K) for _ in range(5))
    X1 = nd.array(X[0]) if n == 1 else Xn  # one example in the section's layout (c_i, h, w)
    X1np, Knp = X1.as_np_ndarray(), Knp.as_np_ndarray()  # the np edition's arrays, same memory

    def conv():
        return nd.Convolution(Xn, Kn, kernel=(k, k), num_filter=c_o, no_bias=True)

    methods = {
        ("mxconv.fast", "compute"): lambda: fast.corr2d_multi_in_out(X1, Kfast).wait_to_read(),
        ("mxconv.fast", "to host"): lambda: fast.corr2d_multi_in_out(X1, Kfast).asnumpy(),
        ("mxconv.fast, mxnet.numpy in", "compute"): lambda: fast.corr2d_multi_in_out(X1np, Knp).wait_to_read(),
        ("mxconv.fast, no safety net", "compute"): lambda: without_safety_net(
            fast.corr2d_multi_in_out, X1, Kfast).wait_to_read(),
        ("nd.Convolution", "compute"): lambda: conv().wait_to_read(),
        ("nd.Convolution", "to host"): lambda: conv().asnumpy(),
        ("mxconv im2col", "compute"): lambda: fast.corr2d_multi_in_out_im2col(X1, Kim2col).wait_to_read(),
        ("mxconv im2col", "to host"): lambda: fast.corr2d_multi_in_out_im2col(X1, Kim2col).asnumpy(),
        ("numpy", "to host"): lambda: numpy_conv(X, K),
    }
    if n == 1 and reference.estimated_seconds((c_i, h, w), K.shape) < 1:
        methods[("mxconv.reference", "to host")] = lambda: reference.corr2d_multi_in_out(X1, Kref).asnumpy()
    return median_seconds(methods, ARGS.seconds)


def peak_mxnet():
    from mxnet import nd

    A = nd.array(np.random.default_rng(1).uniform(-1, 1, (PEAK_N, PEAK_N)).astype(np.float32))
    return median_seconds({
        "nd.FullyConnected (oneDNN)": lambda: nd.FullyConnected(A, A, num_hidden=PEAK_N, no_bias=True).wait_to_read(),
        "nd.dot (BLAS)": lambda: nd.dot(A, A).wait_to_read(),
    }, ARGS.seconds)


def reference_ms_per_product():
    """The book's path on SECONDS_PER_TERM's four shapes: milliseconds per window product."""
    from mxconv import reference

    per_product = []
    rng = np.random.default_rng(2)
    for c_i, h, c_o, k in REFERENCE_SHAPES:
        X = rng.uniform(-1, 1, (c_i, h, h)).astype(np.float32)
        K = rng.uniform(-1, 1, (c_o, c_i, k, k)).astype(np.float32)
        t0 = time.perf_counter()
        reference.corr2d_multi_in_out(X, K).wait_to_read()
        per_product.append((time.perf_counter() - t0) / reference.terms(X.shape, K.shape))
    return 1e3 * statistics.median(per_product)


def one_run():
    run = {"shapes": {shape: run_shape(shape) for shape in SHAPES}}
    torch = child("torch")
    default = child("mxnet-default-threads")
    peaks = {name: 2.0 * PEAK_N ** 3 / s for name, s in peak_mxnet().items()}
    if torch:
        peaks["torch.mm"] = 2.0 * PEAK_N ** 3 / torch["peak"]
        run["torch"] = torch
    for shape in SHAPES:
        results = run["shapes"][shape]
        if torch:
            for what, seconds in torch["shapes"][repr(shape)].items():
                results[("torch conv2d, own process", what)] = seconds
        if repr(shape) in default:
            results[("mxconv.fast, MXNet's default threads", "compute")] = default[repr(shape)]
    run["peaks"] = peaks
    run["reference ms per product"] = reference_ms_per_product()
    return run


def ratios(shape, results, peak):
    """Ratios of speed (above 1: mxconv.fast is the faster), and the fraction of peak."""
    fast = results[("mxconv.fast", "compute")]
    fast_host = results[("mxconv.fast", "to host")]
    out = {}
    if ("torch conv2d, own process", "compute") in results:
        out["fast/PyTorch"] = results[("torch conv2d, own process", "compute")] / fast
        out["fast/PyTorch, to host"] = results[("torch conv2d, own process", "to host")] / fast_host
    out["fast/nd.Convolution"] = results[("nd.Convolution", "compute")] / fast
    out["fast/nd.Convolution, to host"] = results[("nd.Convolution", "to host")] / fast_host
    out["im2col time/fast time"] = results[("mxconv im2col", "compute")] / fast
    out["np in time/nd in time"] = results[("mxconv.fast, mxnet.numpy in", "compute")] / fast
    out["safety net: time/time without"] = fast / results[("mxconv.fast, no safety net", "compute")]
    out["fast/peak"] = flops(shape) / fast / peak
    if ("mxconv.fast, MXNet's default threads", "compute") in results:
        out["%d threads/default threads" % ARGS.threads] = results[("mxconv.fast, MXNet's default threads",
                                                                     "compute")] / fast
    return out


def isa():
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return platform.machine()
    found = [f for f in ("avx512f", "avx512_bf16", "avx512_vnni", "amx_tile", "avx2", "fma") if f in flags]
    return "%s (%s)" % (platform.machine(), " ".join(found) or "no AVX")


def numpy_threads():
    try:
        from threadpoolctl import threadpool_info

        return ", ".join("%s %s threads" % (i["internal_api"], i["num_threads"]) for i in threadpool_info())
    except ImportError:
        return "OPENBLAS_NUM_THREADS=%s" % os.environ["OPENBLAS_NUM_THREADS"]


def main():
    import mxnet as mx

    print("mxconv benchmark: %d cores, %s; python %s; %d runs" % (
        os.cpu_count(), isa(), sys.version.split()[0], ARGS.runs))
    print("OPENBLAS_CORETYPE=%s (read, not set)" % os.environ.get("OPENBLAS_CORETYPE", "(unset)"))
    runs = []
    for number in range(1, ARGS.runs + 1):
        run = one_run()
        runs.append(run)
        if number == 1:
            torch = run.get("torch")
            print("threads: mxnet %s OMP_NUM_THREADS=%s (set before import; also MXNet's default in a process of "
                  "its own); torch %s" % (mx.__version__, os.environ["OMP_NUM_THREADS"],
                                          "%s, %d threads, own process" % (torch["version"], torch["threads"])
                                          if torch else "not installed (the bench extra)"))
            print("numpy %s: %s" % (np.__version__, numpy_threads()))
        print("\nrun %d: peak %s; the book's path %.2f ms per window product" % (
            number, ", ".join("%s %.1f GFLOP/s" % (name, value / 1e9) for name, value in run["peaks"].items()),
            run["reference ms per product"]))
        peak = max(run["peaks"].values())
        for shape, results in run["shapes"].items():
            print("(c_i, h, w -> c_o, k, batch) = %s: %.3g MFLOP" % (shape, flops(shape) / 1e6))
            for (name, what), seconds in sorted(results.items()):
                print("  %-40s %-8s %10.3f ms  %8.2f GFLOP/s" % (name, what, seconds * 1e3,
                                                                 flops(shape) / seconds / 1e9))
            print("  " + ", ".join("%s %.2f" % item for item in ratios(shape, results, peak).items()))
    print("\nsummary over %d runs: each ratio's range (speed ratios above 1: mxconv.fast is the faster)" % len(runs))
    for shape in SHAPES:
        per_run = [ratios(shape, run["shapes"][shape], max(run["peaks"].values())) for run in runs]
        print("  %-26s %s" % (shape, ", ".join("%s %.2f-%.2f" % (name, min(r[name] for r in per_run),
                                                                 max(r[name] for r in per_run))
                                               for name in per_run[0])))
    print("  peak GFLOP/s: %s" % ", ".join("%s %.0f-%.0f" % (name, min(r["peaks"][name] for r in runs) / 1e9,
                                                              max(r["peaks"][name] for r in runs) / 1e9)
                                           for name in runs[0]["peaks"]))
    print("  the book's path, ms per window product: %.2f-%.2f (mxconv.reference.SECONDS_PER_TERM: 0.65)" % (
        min(r["reference ms per product"] for r in runs), max(r["reference ms per product"] for r in runs)))
    if ARGS.markdown:
        print_markdown(runs[-1])


def print_markdown(run):
    names = list(dict.fromkeys(key for results in run["shapes"].values() for key in results))
    print("\n| (c_i, h, w -> c_o, k, batch) | " + " | ".join("%s (%s)" % key for key in names) + " |")
    print("| --- |" + " ---: |" * len(names))
    for shape, results in run["shapes"].items():
        cells = ["%.3f ms" % (results[key] * 1e3) if key in results else "-" for key in names]
        print("| %s | %s |" % (shape, " | ".join(cells)))


if __name__ == "__main__":
    if ARGS.child == "torch":
        torch_child()
    elif ARGS.child == "mxnet-default-threads":
        mxnet_default_threads_child()
    else:
        main()
