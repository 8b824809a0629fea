"""Every exercise of either edition under its book's number, answered now by computation
(and, where the book asks how fast, by measurement): the prose of the answers.

The one place that maps the two books' numberings (:data:`EXERCISES`).
"""
import sys
from typing import IO, Callable, Dict, List, Optional, Tuple

import numpy as np

from .. import _checks, fast
from .._environment import D2L_RELEASES, EDITIONS, INSTALL
from .._errors import D2lMissingError
from .composition import compose_kernels, composition_rank
from .cost import conv_cost
from .exactness import MAX_SEEDS, one_by_one_exactness
from .groups import channel_dependence, grouped_speedup
from .machine import cache_sizes
from .strip_model import largest_delta, strip_cost, strip_memory
from .strips import corr2d_strips

__all__ = ["EXERCISES", "exercise_answers", "print_answers"]

_COMPOSE = "two kernels without a nonlinearity between them are one kernel; its size; the converse"
_COST = "cost, memory and backward cost of a convolution with padding and stride"
_DOUBLING = "doubling c_i and c_o; doubling the padding"
_EXACT = "are Y1 and Y2 of the last example exactly the same? why?"
_IM2COL = "convolution as a matrix multiplication for any window"
#: Each edition's exercises, by the book's number: (number, the question in short, the key of
#: its answer in :func:`exercise_answers`). The one place that maps the two numberings.
EXERCISES: Dict[str, Tuple[Tuple[int, str, str], ...]] = {
    "nd": (
        (1, _COMPOSE, "compose_kernels"),
        (2, _COST, "conv_cost"),
        (3, _DOUBLING, "doubling"),
        (4, "the forward cost of a 1x1 convolution", "one_by_one_cost"),
        (5, _EXACT, "one_by_one_exactness"),
        (6, _IM2COL, "im2col"),
    ),
    "np": (
        (1, _COMPOSE, "compose_kernels"),
        (2, _COST, "conv_cost"),
        (3, _DOUBLING, "doubling"),
        (4, _EXACT, "one_by_one_exactness"),
        (5, _IM2COL, "im2col"),
        (6, "k-wide strips against (k + delta)-wide strips; a limit to delta?", "strips"),
        (7, "a c x c matrix in b diagonal blocks: speed-up, downside, fix", "blocks"),
    ),
}
assert tuple(EXERCISES) == EDITIONS

Progress = Callable[[str], object]


def exercise_answers(edition: str = "np", *, seeds: int = 200,
                     progress: Optional[Progress] = None) -> List[Tuple[int, str, List[str]]]:
    """Each exercise of ``edition`` ('nd': 2019's six, 'np': today's seven), with mxconv's
    answer computed now: a list of (the book's number, the question, lines of the answer).

    ``seeds`` draws of the last example, each book's own (``mx.random.seed(s)`` for s in
    ``range(seeds)``), answer "are Y1 and Y2 exactly the same?"; where the edition's d2l
    is not installed, that answer says which install it needs and the others are given.
    ``progress(text)``, if given, is told what is being computed and how far it is.
    """
    with _checks.scope("exercise_answers"):
        edition = _checks.one_of("edition", edition, EDITIONS)
        seeds = _checks.bounded("seeds", seeds, 1, MAX_SEEDS, "an int")
    say = progress or (lambda text: None)
    rng = np.random.default_rng(0)
    answers: Dict[str, List[str]] = {}

    say("exercise 1: composing kernels")
    K1, K2 = rng.uniform(-1, 1, (4, 3, 3, 3)), rng.uniform(-1, 1, (2, 4, 3, 3))
    X = rng.uniform(-1, 1, (3, 10, 10))
    K = compose_kernels(K1, K2)
    two = fast.corr2d_multi_in_out(fast.corr2d_multi_in_out(X, K1), K2).asnumpy()
    one = fast.corr2d_multi_in_out(X, K).asnumpy()
    answers["compose_kernels"] = [
        "K1 %s then K2 %s is one kernel of shape %s (compose_kernels): largest difference %.1e over a "
        "3x10x10 input (float64)" % (K1.shape, K2.shape, tuple(K.shape), float(np.abs(two - one).max())),
        "the window is (k1 + k2 - 1) on each axis: two 3x3 kernels make one 5x5",
        "the converse is false in general: through one middle channel, the 5x5 kernels two 3x3 kernels make "
        "form a set of dimension %d (the rank of the composition's Jacobian at a random pair) in the 25 of all "
        "5x5 kernels, so almost none decompose; with 25 * c_i middle channels every one does (each of its 25 "
        "taps is a product of two 3x3 taps)" % composition_rank(rng, 1),
    ]
    answers.update(_cost_answers())
    answers["one_by_one_exactness"] = _exactness_answer(edition, seeds, say)
    Yi = fast.corr2d_multi_in_out_im2col(X, K1, padding=1).asnumpy()
    Yc = fast.corr2d_multi_in_out(X, K1, padding=1).asnumpy()
    answers["im2col"] = [
        "unfold every window into a column (c_i * k_h * k_w rows), then one matrix product with K as "
        "(c_o, c_i * k_h * k_w) (fast.corr2d_multi_in_out_im2col): largest difference from nd.Convolution "
        "%.1e on 3x10x10 -> 4, 3x3, padding 1" % float(np.abs(Yi - Yc).max()),
    ]
    if edition == "np":
        say("exercise 6: strips")
        answers["strips"] = _strips_answer(rng)
        say("exercise 7: timing grouped against dense convolutions")
        answers["blocks"] = _blocks_answer()
    return [(number, question, answers[key]) for number, question, key in EXERCISES[edition]]


def print_answers(edition: str = "np", *, seeds: int = 200, file: Optional[IO[str]] = None,
                  progress: Optional[Progress] = None) -> None:
    """Print :func:`exercise_answers` under a title naming the edition, each exercise under
    its book's number (what ``python -m mxconv exercises`` prints)."""
    answers = exercise_answers(edition, seeds=seeds, progress=progress)
    if progress is not None and hasattr(progress, "close"):
        progress.close()  # the progress line, if one was shown, is gone before the answers
    file = sys.stdout if file is None else file
    title = {"nd": "the book's 2019 nd edition (d2l 0.10.3): six exercises",
             "np": "the book as published today (d2l 1.0.3): seven exercises"}[edition]
    print("Exercises of %s, answered by computation" % title, file=file)
    for number, question, lines in answers:
        print("", "%d. %s" % (number, question), *("   - " + line for line in lines), sep="\n", file=file)


def _cost_answers() -> Dict[str, List[str]]:
    c = conv_cost(64, 56, 56, 64, 3, 3, padding=1)
    cs = conv_cost(64, 56, 56, 64, 3, 3, padding=1, stride=2)
    d = conv_cost(128, 56, 56, 128, 3, 3, padding=1)
    p = conv_cost(64, 56, 56, 64, 3, 3, padding=2)
    o = conv_cost(64, 56, 56, 64, 1, 1)
    return {
        "conv_cost": [
            "64x56x56 -> 64 channels, 3x3, padding 1 (conv_cost): output %s, forward %d multiplications and %d "
            "additions" % (c.output_shape, c.forward_mults, c.forward_adds),
            "in general c_o * out_h * out_w * c_i * k_h * k_w multiplications, out = (h + 2p - k) // s + 1; "
            "stride 2: output %s, %d multiplications" % (cs.output_shape, cs.forward_mults),
            "memory: forward %d elements (%d bytes float32); backward adds %d elements (%d bytes)"
            % (c.forward_elements, c.forward_bytes, c.backward_extra_elements, c.backward_extra_bytes),
            "backward: %d multiplications, %d additions (input gradient %d/%d, kernel gradient %d/%d)"
            % (c.backward_mults, c.backward_adds, c.backward_input_mults, c.backward_input_adds,
               c.backward_kernel_mults, c.backward_kernel_adds),
        ],
        "doubling": [
            "doubling c_i and c_o multiplies the work by %.1f (conv_cost)" % (d.forward_mults / c.forward_mults),
            "doubling the padding (1 -> 2) grows the output from %s to %s and the work by %.3f"
            % (c.output_shape[1:], p.output_shape[1:], p.forward_mults / c.forward_mults),
        ],
        "one_by_one_cost": [
            "a 1x1 kernel costs c_i * c_o * h * w = %d multiplications, one matrix product (c_o x c_i) "
            "times (c_i x h*w); %.0f times less than 3x3" % (o.forward_mults, c.forward_mults / o.forward_mults),
        ],
    }


def _exactness_answer(edition: str, seeds: int, say: Progress) -> List[str]:
    number = dict((key, n) for n, _, key in EXERCISES[edition])["one_by_one_exactness"]
    cell = "In[7]" if edition == "nd" else "cell 8"

    def tick(done: int, total: int) -> None:
        say("exercise %d: seed %d of %d through the book's loop (--seeds N changes how many)"
            % (number, done, total))

    say("exercise %d: drawing the book's X and K for %d seeds" % (number, seeds))
    try:
        ex = one_by_one_exactness(range(seeds), edition=edition, progress=tick)
    except D2lMissingError:
        return ["needs the book's own code of this edition, which calls d2l %s's d2l.corr2d; d2l %s is not "
                "what is installed here. %s; the other answers need no d2l"
                % (D2L_RELEASES[edition], D2L_RELEASES[edition], INSTALL[edition])]
    check = "(Y1 - Y2).norm().asscalar() < 1e-6" if edition == "nd" else \
        "assert float(d2l.reduce_sum(d2l.abs(Y1 - Y2))) < 1e-6"
    failing = ", ".join(map(str, ex.failing_seeds[:10])) + (", ..." if len(ex.failing_seeds) > 10 else "")
    return [
        "measured over the book's own draws for mx.random.seed(0) to mx.random.seed(%d) (--seeds N changes "
        "how many), %s code: Y1 and Y2 bit-identical in %d of %d (%.1f%% of elements); largest difference %.2e"
        % (ex.seeds - 1, "the 2019 edition's" if edition == "nd" else "today's", ex.bit_identical, ex.seeds,
           100 * ex.fraction_elements_identical, ex.max_abs_difference),
        "the book's own check in %s, %s, %s" % (
            cell, check, "holds on every one of these seeds" if not ex.check_failures else
            "fails on %d of %d seeds here (%s): a notebook run after one of those seeds %s; mxconv's Y1 and Y2 "
            "are the book's bit for bit, so they fail on the same seeds" % (
                ex.check_failures, ex.seeds, failing,
                "prints False" if edition == "nd" else "raises AssertionError")),
        "why: %s; Y1 sums the same products inside one matrix product (sgemm), in its own blocking, "
        "perhaps with fused multiply-add (one rounding for a product and a sum). Float addition is not "
        "associative: %s" % (
            "Y2 adds the channels with nd.add_n, which groups them its own way" if edition == "nd" else
            "Y2 adds the channels with Python's sum, from 0, left to right, each product rounded first",
            "here the two orders agreed on every draw" if ex.bit_identical == ex.seeds else
            "where the orders or roundings differ, so can the last bit, as on %d of these %d draws"
            % (ex.seeds - ex.bit_identical, ex.seeds)),
    ]


def _strips_answer(rng: np.random.Generator) -> List[str]:
    Xs, Ks = rng.uniform(-1, 1, (3, 12, 20)), rng.uniform(-1, 1, (2, 3, 3, 3))
    Yd = fast.corr2d_multi_in_out(Xs, Ks).asnumpy()
    strip_error = max(float(np.abs(corr2d_strips(Xs, Ks, delta).asnumpy() - Yd).max()) for delta in (1, 4, 18))
    lines = ["corr2d_strips computes the convolution strip by strip (largest difference %.1e for delta 1, 4, 18)"
             % strip_error]
    for delta in (1, 2, 4, 8, 16):
        sc = strip_cost(64, 58, 58, 64, 3, 3, delta)
        lines.append("model, delta %2d: %.2f input reads per output and channel with no reuse, %.2f with the "
                     "rows kept (strip_cost, 64x58x58, 3x3)" % (delta, sc.reads_per_output_no_reuse,
                                                               sc.reads_per_output_rows_kept))
    lines.append("why larger delta (model): each strip re-reads the k_w - 1 columns it shares with its neighbour; "
                 "a wider strip shares that overlap among more outputs, so fewer reads per output")
    m = strip_memory(64, 3, 3, 8)
    caches = cache_sizes()
    lines.append("the limit (model): delta <= the output width, and one step must keep in fast memory the input "
                 "strip c_i * k_h * (k_w + delta - 1), the kernels of the output channels it makes, c_i * k_h * k_w "
                 "each, and delta accumulators each (strip_memory: %d + %d + %d values for 64 channels, 3x3, "
                 "delta 8, one output channel at a time); all 64 output channels' kernels at once are %d KiB "
                 "of float32" % (m.input_strip, m.kernel, m.accumulators, 64 * 64 * 9 * 4 // 1024))
    if "L1d" in caches:
        lines.append("this machine's L1d is %d KiB (the OS says): one output channel at a time, delta <= %d for 64 "
                     "channels of 3x3 float32 and <= %d for 256; 8 output channels at once, <= %d and <= %d "
                     "(largest_delta)" % (
                         caches["L1d"] // 1024, largest_delta(caches["L1d"], 64, 3, 3, 56),
                         largest_delta(caches["L1d"], 256, 3, 3, 56),
                         largest_delta(caches["L1d"], 64, 3, 3, 56, c_o_block=8),
                         largest_delta(caches["L1d"], 256, 3, 3, 56, c_o_block=8)))
    else:
        lines.append("the OS does not tell this machine's cache sizes: largest_delta(cache_bytes, ...) takes one")
    lines.append("measured, not modelled: the time per output over delta, python benchmarks/bench_exercises.py")
    return lines


def _blocks_answer() -> List[str]:
    dense, grouped = conv_cost(256, 28, 28, 256, 1, 1), conv_cost(256, 28, 28, 256, 1, 1, groups=8)
    one_by_one = grouped_speedup(256, 8, k=1, batch=16, size=28, repeats=7)
    three = grouped_speedup(256, 8, k=3, batch=8, size=28, repeats=7)
    one_layer = channel_dependence(8, 2)
    stacked = channel_dependence(8, 2, layers=2)
    shuffled = channel_dependence(8, 2, layers=2, shuffle=True)
    return [
        "counted: b diagonal blocks of a c x c matrix need b times fewer multiplications; a grouped 1x1 "
        "convolution of 256 channels in 8 groups: %d against %d dense (conv_cost(groups=8): %dx)"
        % (grouped.forward_mults, dense.forward_mults, dense.forward_mults // grouped.forward_mults),
        "measured here, b = 8, 256 channels (grouped_speedup, medians of %d calls, OMP_NUM_THREADS %s): "
        "1x1 on 16x256x28x28, grouped %.2f ms against dense %.2f ms, %.2fx faster; 3x3 on 8x256x28x28, "
        "%.2f ms against %.2f ms, %.2fx faster" % (
            one_by_one.repeats, one_by_one.threads, one_by_one.grouped_seconds * 1e3,
            one_by_one.dense_seconds * 1e3, one_by_one.speedup, three.grouped_seconds * 1e3,
            three.dense_seconds * 1e3, three.speedup),
        "why not b times: the grouped convolution reads the same input and writes the same output as the dense "
        "one, and its b small matrix products use the processor's vector units and caches less well; a 1x1 "
        "convolution does so little arithmetic per value that memory traffic and call overhead are much of "
        "its time (python benchmarks/bench_exercises.py measures more sizes)",
        "the downside: each output sees only c / b inputs: with 8 channels in 2 groups each output depends on "
        "%d inputs, and still %d after two grouped layers (channel_dependence)"
        % (int(one_layer.sum(axis=1).max()), int(stacked.sum(axis=1).max())),
        "a fix, at least partly: shuffle the channels between grouped layers (ShuffleNet): then every output "
        "depends on %d of 8 inputs; or alternate with dense 1x1 layers" % int(shuffled.sum(axis=1).min()),
    ]
