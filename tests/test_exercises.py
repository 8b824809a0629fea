"""The exercises: composition as a property, costs against a counting loop and real arrays,
exercise 5's record against a count of its own, and every argument through the gate."""
import re

import mxnet as mx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mxnet import autograd, nd
from mxnet.test_utils import assert_almost_equal

from mxconv import MxconvError, MxconvTypeError, SlowReferenceWarning, exercises, fast
from mxconv.exercises import (
    EXERCISES,
    cache_sizes,
    grouped_speedup,
    channel_dependence,
    channel_shuffle,
    compose_kernels,
    conv_cost,
    corr2d_strips,
    largest_delta,
    one_by_one_exactness,
    strip_cost,
    strip_memory,
    strip_plan,
)

from ._helpers import installed_edition
from .oracles import numpy_conv


@st.composite
def stacked(draw):
    c_i, c_m, c_o = (draw(st.integers(1, 3)) for _ in range(3))
    a_h, a_w, b_h, b_w = (draw(st.integers(1, 3)) for _ in range(4))
    h = draw(st.integers(a_h + b_h - 1, 8))
    w = draw(st.integers(a_w + b_w - 1, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return (rng.uniform(-1, 1, (c_i, h, w)), rng.uniform(-1, 1, (c_m, c_i, a_h, a_w)),
            rng.uniform(-1, 1, (c_o, c_m, b_h, b_w)))


@settings(max_examples=60)
@given(stacked())
def test_composed_kernel_equals_two_stacked_correlations(case):
    X, K1, K2 = case
    two_layers = numpy_conv(numpy_conv(X, K1), K2)  # independent oracle, float64
    K = compose_kernels(K1, K2)
    assert K.shape == (K2.shape[0], K1.shape[1], K1.shape[2] + K2.shape[2] - 1, K1.shape[3] + K2.shape[3] - 1)
    assert_almost_equal(numpy_conv(X, K.asnumpy()), two_layers, rtol=1e-10, atol=1e-12)
    assert_almost_equal(fast.corr2d_multi_in_out(X, K).asnumpy(), two_layers, rtol=1e-10, atol=1e-12)


def test_compose_kernels_is_differentiable():
    K1, K2 = nd.ones((2, 1, 2, 2)), nd.ones((1, 2, 2, 2))
    K1.attach_grad()
    with autograd.record():
        compose_kernels(K1, K2).sum().backward()
    np.testing.assert_array_equal(K1.grad.asnumpy(), np.full((2, 1, 2, 2), 4.0))


@pytest.mark.parametrize("K1, K2, message", [
    (np.ones((2, 2, 3)), np.ones((1, 2, 2, 2)), r"K1 must have 4 axes \(c_m, c_i, a_h, a_w\), got 3 axes"),
    (np.ones((2, 1, 3, 3)), np.ones((2, 2, 2)), r"K2 must have 4 axes"),
    (np.ones((2, 1, 3, 3)), np.ones((1, 3, 2, 2)), r"K2 takes 3 input channels but K1 makes 2 \(K1.shape=\(2, 1, 3, 3\)"),
    (np.ones((2, 0, 3, 3)), np.ones((1, 2, 2, 2)), r"K1 has an axis of size 0"),
])
def test_compose_kernels_refuses_bad_shapes(K1, K2, message):
    with pytest.raises(MxconvError, match=message):
        compose_kernels(K1, K2)


def count_by_loop(c_i, h, w, c_o, k_h, k_w, p, s):
    """Run a plain convolution and its backward pass on symbols, counting every
    multiplication and every addition (a sum's first term is not an addition)."""
    out_h, out_w = (h + 2 * p[0] - k_h) // s[0] + 1, (w + 2 * p[1] - k_w) // s[1] + 1
    counts = dict.fromkeys(["fm", "fa", "im", "ia", "km", "ka"], 0)
    started = set()

    def accumulate(mult, add, key):
        counts[mult] += 1
        if key in started:
            counts[add] += 1
        started.add(key)

    for o in range(c_o):
        for i in range(out_h):
            for j in range(out_w):
                for c in range(c_i):
                    for a in range(k_h):
                        for b in range(k_w):
                            y, x = i * s[0] + a - p[0], j * s[1] + b - p[1]
                            accumulate("fm", "fa", ("Y", o, i, j))  # X[c, y, x] * K[o, c, a, b], zeros too
                            accumulate("km", "ka", ("dK", o, c, a, b))  # dY[o, i, j] * X[c, y, x]
                            if 0 <= y < h and 0 <= x < w:
                                accumulate("im", "ia", ("dX", c, y, x))  # dY[o, i, j] * K[o, c, a, b]
    return counts, (c_o, out_h, out_w)


SMALL = [(2, 3, 3, 3, 2, 2, (0, 0), (1, 1)), (1, 5, 4, 2, 3, 2, (1, 0), (1, 1)), (3, 6, 7, 2, 3, 3, (1, 1), (2, 2)),
         (2, 7, 5, 1, 2, 1, (2, 1), (3, 2)), (1, 4, 4, 1, 1, 1, (0, 0), (3, 3)), (2, 5, 5, 3, 5, 5, (0, 0), (1, 1)),
         (1, 3, 3, 2, 3, 3, (2, 2), (1, 1)), (2, 6, 6, 2, 1, 2, (0, 1), (4, 1))]


@pytest.mark.parametrize("shape", SMALL, ids=str)
def test_costs_equal_a_counting_loop(shape):
    counts, output_shape = count_by_loop(*shape)
    c_i, h, w, c_o, k_h, k_w, p, s = shape
    cost = conv_cost(c_i, h, w, c_o, k_h, k_w, padding=p, stride=s)
    assert cost.output_shape == output_shape
    assert (cost.forward_mults, cost.forward_adds) == (counts["fm"], counts["fa"])
    assert (cost.backward_input_mults, cost.backward_input_adds) == (counts["im"], counts["ia"])
    assert (cost.backward_kernel_mults, cost.backward_kernel_adds) == (counts["km"], counts["ka"])
    assert cost.backward_mults == counts["im"] + counts["km"]
    assert cost.backward_adds == counts["ia"] + counts["ka"]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shape", SMALL[:4], ids=str)
def test_memory_equals_real_arrays(shape, dtype):
    c_i, h, w, c_o, k_h, k_w, p, s = shape
    cost = conv_cost(c_i, h, w, c_o, k_h, k_w, padding=p, stride=s, dtype=dtype)
    X, K = nd.ones((c_i, h, w), dtype=dtype), nd.ones((c_o, c_i, k_h, k_w), dtype=dtype)
    X.attach_grad()
    K.attach_grad()
    with autograd.record():
        Y = fast.corr2d_multi_in_out(X, K, padding=p, stride=s)
    Y.backward()
    assert Y.shape == cost.output_shape
    arrays = {"input": X, "kernel": K, "output": Y}
    for name, array in arrays.items():
        assert getattr(cost, name + "_elements") == array.size
    assert cost.forward_bytes == sum(a.size * a.dtype(0).itemsize for a in arrays.values())
    grads = [Y, X.grad, K.grad]  # dY has the output's shape
    assert cost.backward_extra_bytes == sum(g.size * np.dtype(dtype).itemsize for g in grads)


def test_doubling_questions():
    # Exercise 3: doubling c_i and c_o quadruples the work; doubling padding grows the output.
    base = conv_cost(16, 32, 32, 16, 3, 3, padding=1)
    double = conv_cost(32, 32, 32, 32, 3, 3, padding=1)
    assert double.forward_mults / base.forward_mults == 4.0
    padded = conv_cost(16, 32, 32, 16, 3, 3, padding=2)
    assert padded.output_shape == (16, 34, 34)
    assert padded.forward_mults / base.forward_mults == (34 * 34) / (32 * 32)
    # Exercise 4: a 1x1 kernel costs c_i * c_o * h * w multiplications: a matrix product.
    assert conv_cost(16, 32, 32, 8, 1, 1).forward_mults == 16 * 8 * 32 * 32


@pytest.mark.parametrize("kwargs, error, message", [
    ({"c_i": 0}, MxconvError, "c_i must be an int >= 1, got 0"),
    ({"h": 2.5}, MxconvError, "h must be an int >= 1"),
    ({"k_h": 9}, MxconvError, "K's window 9x3 is larger than X's input 8x8"),
    ({"padding": -1}, MxconvError, r"padding must be an int in \[0, 2\*\*31\)"),
    ({"stride": 0}, MxconvError, r"stride must be an int in \[1, 2\*\*31\)"),
    ({"stride": 2**32 + 1}, MxconvError, r"stride must be an int in \[1, 2\*\*31\)"),
    ({"c_o": -1}, MxconvError, "c_o must be an int >= 1, got -1"),
    ({"c_o": True}, MxconvError, "c_o must be an int >= 1, got True"),
    ({"dtype": "int8"}, MxconvTypeError, "dtype must be one of float16/float32/float64, got 'int8'"),
    ({"dtype": "nonsense"}, MxconvTypeError, "dtype must be one of"),
    ({"dtype": None}, MxconvTypeError, "dtype must be one of float16/float32/float64, got None"),
])
def test_conv_cost_refuses_bad_arguments(kwargs, error, message):
    args = dict(c_i=2, h=8, w=8, c_o=2, k_h=3, k_w=3)
    args.update(kwargs)
    with pytest.raises(error, match="^conv_cost: .*" + message):
        conv_cost(**args)


@settings(max_examples=200)
@given(st.integers(1, 9), st.integers(0, 3), st.integers(1, 9), st.integers(1, 5), st.integers(1, 3))
def test_cost_formulas_equal_the_loop_on_one_axis(size, padding, k, stride, c):
    # One axis at a time against the counting loop, over many more shapes than SMALL.
    if k > size + 2 * padding:
        return
    counts, _ = count_by_loop(1, size, 1, c, k, 1, (padding, 0), (stride, 1))
    cost = conv_cost(1, size, 1, c, k, 1, padding=(padding, 0), stride=(stride, 1))
    assert (cost.backward_input_mults, cost.backward_input_adds) == (counts["im"], counts["ia"])


def test_costs_of_any_size_are_exact_python_ints():
    # No arrays: sizes that would need 74.5 GiB, or overflow int64, cost nothing.
    big = conv_cost(1, 100000, 100000, 1, 1, 1)
    assert big.forward_mults == 10**10 and big.backward_input_adds == 0
    wide = conv_cost(1, 4096, 4096, 2**40, 1, 1)
    assert wide.forward_mults == 4096 * 4096 * 2**40 and wide.forward_adds == 0
    assert wide.backward_input_mults == 2**40 * 4096 * 4096
    assert wide.backward_input_adds == (2**40 - 1) * 4096 * 4096
    assert all(type(v) is int for v in (wide.forward_mults, wide.backward_kernel_adds, wide.forward_bytes))


def test_one_by_one_exactness_measures_exercise_5(book):
    # An independent count: the document's own cells on the document's own draws, made
    # here as a notebook makes them (mx.random.seed(s), then In[7]'s nd.random.uniform).
    seeds = [0, 1, 2, 3, 4, 5, 6, 7, 8, 2**31, 2**32 - 1]
    result = exercises.one_by_one_exactness(seeds)
    identical = elements = same = 0
    max_diff = max_norm = 0.0
    failing = []
    for seed in seeds:
        mx.random.seed(seed)
        X, K = nd.random.uniform(shape=(3, 3, 3)), nd.random.uniform(shape=(2, 3, 1, 1))
        Y1 = book["corr2d_multi_in_out_1x1"](X, K)
        Y2 = book["corr2d_multi_in_out"](X, K)
        if not (Y1 - Y2).norm().asscalar() < 1e-6:  # Out[7], as the document computes it
            failing.append(seed)
        Y1, Y2 = Y1.asnumpy(), Y2.asnumpy()
        identical += int((Y1 == Y2).all())
        same += int((Y1 == Y2).sum())
        elements += Y1.size
        max_diff = max(max_diff, float(np.abs(Y1 - Y2).max()))
        max_norm = max(max_norm, float(np.sqrt(((Y1.astype(np.float64) - Y2) ** 2).sum())))
    assert (result.seeds, result.bit_identical, result.elements, result.elements_identical) == (
        len(seeds), identical, elements, same)
    assert result.failing_seeds == tuple(failing) and result.check_failures == len(failing)
    assert result.max_abs_difference == max_diff
    assert result.max_norm == pytest.approx(max_norm, rel=1e-6)
    assert result.fraction_identical == identical / len(seeds)
    assert result.fraction_elements_identical == same / elements


def test_todays_exactness_counts_the_seeds_on_which_todays_cell_8_fails():
    # Today's cell 8 run verbatim (its code from the extract) on its own draws
    # (mx.random.seed(s), then d2l.normal(0, 1, ...)): the seeds whose assert raises.
    from ._helpers import today_namespace
    from mxconv._mxnet import array_mode

    seeds = list(range(60))
    result = one_by_one_exactness(seeds, edition="np")
    book = today_namespace()
    # d2l 1.0.3's d2l.normal, d2l.abs and d2l.reduce_sum are mxnet.np's normal, abs and
    # sum (tests/test_editions.py checks it where d2l 1.x is installed)
    normal = getattr(book["d2l"], "normal", mx.np.random.normal)
    failing = []
    for seed in seeds:
        with array_mode(numpy=True):
            mx.random.seed(seed)
            X, K = normal(0, 1, (3, 3, 3)), normal(0, 1, (2, 3, 1, 1))
            Y1, Y2 = book["corr2d_multi_in_out_1x1"](X, K), book["corr2d_multi_in_out"](X, K)
            if not float(mx.np.abs(Y1 - Y2).sum()) < 1e-6:
                failing.append(seed)
    assert result.failing_seeds == tuple(failing), (result.failing_seeds, failing)
    print("today's assert fails on %d of %d seeds here: %s" % (len(failing), len(seeds), failing))


def test_one_by_one_exactness_leaves_mxnet_random_alone():
    mx.random.seed(123)
    expected = nd.random.uniform(shape=(5,)).asnumpy()
    mx.random.seed(123)
    exercises.one_by_one_exactness([7, 8])
    np.testing.assert_array_equal(nd.random.uniform(shape=(5,)).asnumpy(), expected)


@pytest.mark.parametrize("kwargs, message", [
    ({"seeds": []}, "seeds must hold 1 to 10000 seeds, got none"),
    ({"seeds": range(10**12)}, "seeds must hold 1 to 10000 seeds, got more"),
    ({"seeds": [-1]}, r"a seed must be an int in \[0, 2\*\*32\), got -1"),
    ({"seeds": [2**32]}, r"a seed must be an int in \[0, 2\*\*32\), got 4294967296"),
    ({"seeds": [1.5]}, r"a seed must be an int"),
    ({"seeds": 5}, "seeds must be an iterable of ints, got 5"),
    ({"shape": (3, 3)}, r"shape must be a tuple \(c_i, h, w\) of ints >= 1, got \(3, 3\)"),
    ({"shape": (3, 0, 3)}, "h must be an int >= 1, got 0"),
    ({"shape": (10**6, 10**6, 10)}, "X would hold 10000000000000 elements"),
    ({"c_o": 0}, "c_o must be an int >= 1, got 0"),
    ({"ctx": mx.cpu(10**9)}, r"a CPU device id must be in 0\.\.1023"),
])
def test_one_by_one_exactness_refuses_bad_arguments(kwargs, message):
    with pytest.raises(MxconvError, match="^one_by_one_exactness: .*" + message):
        exercises.one_by_one_exactness(**kwargs)


def test_one_by_one_exactness_warns_when_slow(monkeypatch):
    from mxconv import reference

    monkeypatch.setattr(reference, "SECONDS_PER_TERM", 1.0)
    edition = installed_edition() or "nd"
    with pytest.warns(SlowReferenceWarning, match=r"one_by_one_exactness: 2 seeds of the book's path will take"):
        exercises.one_by_one_exactness([1, 2], edition=edition)


def test_compose_kernels_keeps_float16_and_leaves_no_pending_error():
    K1, K2 = nd.ones((2, 1, 2, 2), dtype="float16"), nd.ones((1, 2, 2, 2), dtype="float16")
    K = compose_kernels(K1, K2)
    assert K.dtype == np.float16
    np.testing.assert_array_equal(K.asnumpy(), [[[[2, 4, 2], [4, 8, 4], [2, 4, 2]]]])
    nd.waitall()
    assert fast.corr2d_multi_in_out(np.ones((1, 3, 3)), K).asnumpy().item() == 32


def test_compose_kernels_refuses_hostile_sizes():
    K2 = np.broadcast_to(np.ones(1, np.float32), (1, 1, 30000, 30000))  # a view: no memory
    with pytest.raises(MxconvError, match=r"^compose_kernels: K1 padded by K2's window would hold %d elements"
                                          % (59999 ** 2)):
        compose_kernels(np.ones((1, 1, 1, 1), np.float32), K2)


def test_exercise_6_is_the_im2col_path():
    assert exercises.im2col is fast.corr2d_multi_in_out_im2col


# -- today's exercises 6 and 7; the numbering of both editions ----------------------------


def grouped_oracle(X, K, groups):
    """Grouped convolution from the definition: each group of channels on its own (numpy, float64)."""
    c_in, c_out = X.shape[-3] // groups, K.shape[0] // groups
    return np.concatenate([numpy_conv(X[..., g * c_in:(g + 1) * c_in, :, :], K[g * c_out:(g + 1) * c_out])
                           for g in range(groups)], axis=-3)


@pytest.mark.parametrize("groups", [1, 2, 3, 6])
def test_grouped_convolution_equals_the_oracle(groups, rng):
    X = rng.uniform(-1, 1, (2, 6, 7, 8))
    K = rng.uniform(-1, 1, (12, 6 // groups, 3, 2))
    for padding, stride in ((0, 1), (1, 2)):
        Y = fast.corr2d_multi_in_out(X, K, groups=groups, padding=padding, stride=stride)
        expected = grouped_oracle(X, K, groups) if padding == 0 else \
            grouped_oracle(np.pad(X, ((0, 0), (0, 0), (1, 1), (1, 1))), K, groups)[..., ::2, ::2]
        assert Y.dtype == np.float64
        np.testing.assert_allclose(Y.asnumpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("groups,message", [
    (4, r"groups=4 must divide both X's 6 input channels and K's 6 output channels"),
    (7, r"groups=7 is more than X's 6 input channels"),
    (0, r"groups must be an int in \[1, 2\*\*31 - 1\], got 0"),
    (2**31, r"groups must be an int in \[1, 2\*\*31 - 1\], got 2147483648"),
    (-1, r"groups must be an int"), (2.0, r"groups must be an int"), (True, r"groups must be an int"),
])
def test_bad_groups_are_refused_naming_both_counts(groups, message):
    with pytest.raises(MxconvError, match=r"^corr2d_multi_in_out: " + message):
        fast.corr2d_multi_in_out(np.ones((6, 4, 4)), np.ones((6, 1, 3, 3)), groups=groups)
    with pytest.raises(MxconvError, match=r"^conv_cost: " + message.replace("K's 6", "K's 6")):
        conv_cost(6, 4, 4, 6, 3, 3, groups=groups)


def test_groups_must_divide_the_output_channels_too():
    # 3 divides X's 6 input channels but not K's 4 output channels: refused before MXNet
    # sees it (MXNet itself would raise "Shape inconsistent"), and no cost is counted
    message = r"groups=3 must divide both X's 6 input channels and K's 4 output channels"
    with pytest.raises(MxconvError, match=r"^corr2d_multi_in_out: " + message):
        fast.corr2d_multi_in_out(np.ones((6, 4, 4)), np.ones((4, 2, 3, 3)), groups=3)
    with pytest.raises(MxconvError, match=r"^conv_cost: " + message):
        conv_cost(6, 4, 4, 4, 3, 3, groups=3)


def test_the_bound_on_strips_is_the_number_of_strips(monkeypatch):
    from mxconv.exercises import strips

    monkeypatch.setattr(strips, "MAX_STRIPS", 4)
    X, K = np.ones((1, 1, 4)), np.ones((1, 1, 1, 1))
    assert corr2d_strips(X, K, 1).shape == (1, 1, 4)  # 4 strips: at the bound, computed
    with pytest.raises(MxconvError, match=r"delta=1 makes 5 strips of an output 5 wide, more than the 4 .*"
                                          r"take delta >= 2"):
        corr2d_strips(np.ones((1, 1, 5)), K, 1)
    assert corr2d_strips(np.ones((1, 1, 5)), K, 2).shape == (1, 1, 5)


@pytest.mark.parametrize("delta", [1, 2, 3])
def test_float16_strips_compute_as_float32_does(delta):
    rng = np.random.default_rng(delta)
    X, K = rng.uniform(-1, 1, (2, 5, 6)).astype(np.float16), rng.uniform(-1, 1, (3, 2, 2, 2)).astype(np.float16)
    Y = corr2d_strips(X, K, delta)
    assert Y.dtype == np.float16
    expected = corr2d_strips(X.astype(np.float32), K.astype(np.float32), delta).asnumpy()
    np.testing.assert_array_equal(Y.asnumpy(), expected.astype(np.float16))  # one rounding, at the end
    nd.waitall()


def test_groups_with_the_wrong_kernel_channels_are_refused():
    with pytest.raises(MxconvError, match=r"K must have c_i / groups = 6 / 2 = 3 input channels \(axis 1\), got 6"):
        fast.corr2d_multi_in_out(np.ones((6, 4, 4)), np.ones((4, 6, 3, 3)), groups=2)


@pytest.mark.parametrize("b", [1, 2, 4, 8, 64])
def test_grouped_cost_is_the_dense_cost_divided_by_b(b):
    dense, grouped = conv_cost(64, 14, 14, 128, 3, 3, padding=1), conv_cost(64, 14, 14, 128, 3, 3, padding=1, groups=b)
    assert grouped.forward_mults * b == dense.forward_mults
    assert grouped.backward_input_mults * b == dense.backward_input_mults
    assert grouped.backward_kernel_mults * b == dense.backward_kernel_mults
    assert grouped.kernel_elements * b == dense.kernel_elements
    # and the count is the plain loop's: each output sums (c_i / b) * k_h * k_w products
    assert grouped.forward_mults == 128 * 14 * 14 * (64 // b) * 9


def test_channel_dependence_is_block_diagonal_and_a_shuffle_mixes_it():
    one = channel_dependence(6, 3)
    assert one.tolist() == [[o // 2 == i // 2 for i in range(6)] for o in range(6)]
    assert channel_dependence(6, 3, layers=2).tolist() == one.tolist()  # stacking keeps the blocks apart
    assert channel_dependence(9, 3, layers=2, shuffle=True).all()
    assert channel_shuffle(6, 3) == [0, 2, 4, 1, 3, 5]
    assert channel_dependence(4, 1).all()


@pytest.mark.parametrize("x_shape,k_shape", [((1, 5, 9), (1, 1, 3, 3)), ((3, 6, 11), (2, 3, 2, 4)),
                                             ((2, 4, 4), (3, 2, 4, 1)), ((1, 1, 7), (1, 1, 1, 1))])
def test_strips_equal_the_oracle_for_every_delta(x_shape, k_shape, rng):
    X, K = rng.uniform(-1, 1, x_shape), rng.uniform(-1, 1, k_shape)
    expected = numpy_conv(X, K)
    for delta in range(1, expected.shape[-1] + 1):
        Y = corr2d_strips(X, K, delta)
        np.testing.assert_allclose(Y.asnumpy(), expected, rtol=1e-12, atol=1e-12, err_msg="delta %d" % delta)


def test_strips_refuse_a_delta_beyond_the_output_width():
    for delta in (0, 8, -1, 2**32 + 1, 1.5):
        with pytest.raises(MxconvError, match=r"^corr2d_strips: delta must be an int \(output columns per strip\) "
                                              r"in \[1, 7\]"):
            corr2d_strips(np.ones((1, 3, 9)), np.ones((1, 1, 3, 3)), delta)


def counted_reads(c_i, h, w, k_h, k_w, delta):
    """Walk corr2d_strips' own plan row by row and count the reads of each model."""
    out_h, out_w = h - k_h + 1, w - k_w + 1
    no_reuse = rows_kept = 0
    for _, width in strip_plan(out_w, delta):
        held = set()
        for i in range(out_h):
            window = {(r, c) for r in range(i, i + k_h) for c in range(width + k_w - 1)}
            no_reuse += len(window)
            rows_kept += len(window - held)
            held = window
    return c_i * no_reuse, c_i * rows_kept


@pytest.mark.parametrize("shape", [(1, 8, 8, 3, 3), (3, 10, 13, 2, 4), (2, 5, 5, 5, 1), (1, 34, 34, 3, 3)])
def test_strip_cost_is_the_instrumented_count_of_the_same_algorithm(shape):
    c_i, h, w, k_h, k_w = shape
    for delta in range(1, w - k_w + 2):
        cost = strip_cost(c_i, h, w, 2, k_h, k_w, delta)
        assert (cost.reads_no_reuse, cost.reads_rows_kept) == counted_reads(c_i, h, w, k_h, k_w, delta)
        assert cost.strip_elements == c_i * k_h * (k_w + delta - 1)


def test_strip_reads_per_output_follow_the_docstrings_formulas():
    # a width the strips divide: no narrower last strip
    for delta in (1, 2, 4, 8, 16, 32):
        cost = strip_cost(1, 10**4, 34, 1, 3, 3, delta)
        assert cost.reads_per_output_no_reuse == pytest.approx(3 * (3 + delta - 1) / delta)
        assert cost.reads_per_output_rows_kept == pytest.approx((3 + delta - 1) / delta, rel=1e-3)


def _step_bytes(c_i, k, delta, c_o_block):
    """One step of the strip algorithm counted by hand, in float32 bytes: the input rows
    under a window delta outputs wide, the kernels of c_o_block output channels, and
    c_o_block * delta partial sums."""
    strip = sum(1 for _ in range(c_i) for _ in range(k) for _ in range(k + delta - 1))
    kernels = c_o_block * c_i * k * k
    return 4 * (strip + kernels + c_o_block * delta)


@pytest.mark.parametrize("c_o_block", [1, 8])
def test_largest_delta_fits_the_strip_the_kernels_and_the_sums_in_the_cache(c_o_block):
    for cache, c_i, k in ((48 * 1024, 64, 3), (32 * 1024, 16, 5), (1024, 128, 3), (32 * 1024, 64, 3)):
        delta = largest_delta(cache, c_i, k, k, 10**6, c_o_block=c_o_block)
        m = strip_memory(c_i, k, k, max(delta, 1), c_o_block=c_o_block)
        if delta:
            assert _step_bytes(c_i, k, delta, c_o_block) == 4 * m.values <= cache
            assert _step_bytes(c_i, k, delta + 1, c_o_block) > cache
        else:
            assert _step_bytes(c_i, k, 1, c_o_block) > cache
    assert largest_delta(10**9, 1, 3, 3, 56) == 56


def test_the_whole_kernel_of_64_by_64_channels_overflows_a_32k_l1d():
    # the example: 64 x 64 x 3 x 3 float32 values are 144 KiB
    assert strip_memory(64, 3, 3, 1, c_o_block=64).kernel * 4 == 144 * 1024
    assert largest_delta(32 * 1024, 64, 3, 3, 56, c_o_block=64) == 0


def test_cache_sizes_are_what_the_os_says():
    sizes = cache_sizes()
    assert all(isinstance(v, int) and v > 0 for v in sizes.values())
    assert set(sizes) <= {"L1d", "L2", "L3"}


@pytest.mark.parametrize("edition,count", [("nd", 6), ("np", 7)])
def test_each_edition_numbers_its_own_exercises(edition, count):
    assert [number for number, _, _ in EXERCISES[edition]] == list(range(1, count + 1))
    today = dict((q, n) for n, q, _ in EXERCISES["np"])
    old = dict((q, n) for n, q, _ in EXERCISES["nd"])
    assert old["are Y1 and Y2 of the last example exactly the same? why?"] == 5
    assert today["are Y1 and Y2 of the last example exactly the same? why?"] == 4
    assert today["convolution as a matrix multiplication for any window"] == 5


def test_exactness_is_measured_for_each_editions_code():
    nd_result = one_by_one_exactness(range(30), edition="nd")
    np_result = one_by_one_exactness(range(30), edition="np")
    assert (nd_result.edition, np_result.edition) == ("nd", "np")
    for result in (nd_result, np_result):
        assert 0 <= result.bit_identical <= 30 and result.max_abs_difference < 1e-5
        assert result.check_failures <= 30 - result.bit_identical  # an identical pair passes either check


# Hostile values at every new argument: refused in mxconv's words, at once.

HOSTILE = [2**31, 2**32 + 1, -1, 0, 10**6, 10**30, 1.5, float("nan"), float("inf"), None, "3", True, []]


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_hostile_delta_groups_and_sizes_are_refused_at_once(value):
    X, K = np.ones((2, 4, 9)), np.ones((2, 2, 3, 3))
    calls = {
        "corr2d_strips": lambda: corr2d_strips(X, K, value),
        "fast.corr2d_multi_in_out": lambda: fast.corr2d_multi_in_out(X, K[:, :1], groups=value),
        "conv_cost": lambda: conv_cost(2, 4, 9, 2, 3, 3, groups=value),
        "strip_cost": lambda: strip_cost(2, 4, 9, 2, 3, value, 1),
        "strip_plan": lambda: list(strip_plan(value, 1)),
        "largest_delta": lambda: largest_delta(value, 64, 3, 3, 56),
        "channel_shuffle": lambda: channel_shuffle(value, 2),
        "channel_dependence": lambda: channel_dependence(4, value),
        "strip_memory": lambda: strip_memory(64, 3, 3, value),
        "largest_delta.c_o_block": lambda: largest_delta(48 * 1024, 64, 3, 3, 56, c_o_block=value),
        "grouped_speedup": lambda: grouped_speedup(16, 4, k=value),
        "grouped_speedup.size": lambda: grouped_speedup(16, 4, size=value),
    }
    for name, call in calls.items():
        if name == "strip_memory" and value in (2**31, 2**32 + 1, 10**6, 10**30):
            continue  # a count of values: arithmetic, answered
        if name == "largest_delta.c_o_block" and value in (2**31, 2**32 + 1, 10**6, 10**30):
            assert call() == 0  # that many output channels' kernels fit in no cache
            continue
        if name == "largest_delta" and value in (2**31, 2**32 + 1, 10**6, 10**30):
            continue  # a cache of any size is arithmetic there: answered, below
        if name == "strip_plan" and value == 10**6:
            continue  # a valid width
        with pytest.raises(MxconvError, match=r"^%s: " % name.split(".")[0].replace("fast", "corr2d_multi_in_out")):
            call()


def test_sizes_whose_work_is_arithmetic_are_answered_at_once():
    # strip_cost and the plan count strips in O(1): a 2**30-wide input is no slower
    cost = strip_cost(1, 3, 2**30, 1, 3, 3, 1)
    assert cost.strips == 2**30 - 2
    assert largest_delta(10**6, 64, 3, 3, 56) == 56 and largest_delta(10**30, 1, 1, 1, 7) == 7
    assert next(iter(strip_plan(2**31 - 1, 1))) == (0, 1)


def test_corr2d_strips_refuses_more_strips_than_it_computes_in_seconds():
    X, K = np.ones((1, 1, 5000), np.float32), np.ones((1, 1, 1, 1), np.float32)
    with pytest.raises(MxconvError, match=r"^corr2d_strips: delta=1 makes 5000 strips of an output 5000 wide, more "
                                          r"than the 4096 .*take delta >= 2"):
        corr2d_strips(X, K, 1)
    assert corr2d_strips(X, K, 2).shape == (1, 1, 5000)


def test_the_command_prints_each_editions_answers_under_its_numbers():
    from mxconv import cli

    from ._helpers import run_main

    code, out, err = run_main(cli.main, "exercises", "--edition", "np", "--seeds", "5")
    assert code == 0, err
    numbered = [line.split(".")[0] for line in out.splitlines() if line[:1].isdigit()]
    assert numbered == [str(n) for n in range(1, 8)]
    assert "bit-identical in" in out and "of 5" in out and "grouped 1x1 convolution of 256 channels" in out
    assert "mx.random.seed(0) to mx.random.seed(4) (--seeds N changes how many)" in out
    measured = re.search(r"measured here, b = 8, .*1x1 on .*, (\d+\.\d+)x faster; 3x3 on .*, (\d+\.\d+)x faster", out)
    assert measured and all(float(v) > 0 for v in measured.groups())
    assert "vectorise" not in out  # a claim nothing measures
    assert err == ""  # stderr is not a terminal here: no progress line
    for bad, message in ((["--seeds", "0"], "--seeds must be an int in [1, 10000], got '0'"),
                         (["--seeds", str(2**32 + 1)], "--seeds must be an int in [1, 10000]"),
                         (["--edition", "tf"], "invalid choice: 'tf'")):
        code, out, err = run_main(cli.main, "exercises", *bad)
        assert code == 2 and out == "" and len(err.splitlines()) == 1 and message in err, err


def test_the_2019_exercises_on_todays_stack_answer_all_but_the_one_that_needs_d2l_0_10(monkeypatch):
    import io

    from mxconv import _d2l
    from mxconv.exercises import print_answers

    monkeypatch.setattr(_d2l, "d2l_version", lambda: "1.0.3")  # today's student stack, as d2l says
    out = io.StringIO()
    print_answers("nd", seeds=3, file=out)
    text = out.getvalue()
    numbered = [line.split(".")[0] for line in text.splitlines() if line[:1].isdigit()]
    assert numbered == [str(n) for n in range(1, 7)]
    fifth = text.split("\n5. ")[1].split("\n6. ")[0]
    assert "d2l 0.10.3" in fifth and 'pip install "mxconv[mxnet]"' in fifth
    assert "bit-identical" not in text and "64x56x56 -> 64 channels" in text and "fast.corr2d_multi_in_out_im2col" in text


def test_the_answers_say_what_they_compute_and_how_far_the_seeds_are():
    from mxconv.exercises import exercise_answers

    said = []
    exercise_answers("np", seeds=3, progress=said.append)
    assert said[0] == "exercise 1: composing kernels"
    assert "exercise 4: seed 3 of 3 through the book's loop (--seeds N changes how many)" in said
    assert said[-1] == "exercise 7: timing grouped against dense convolutions"


def test_grouped_speedup_times_both_convolutions():
    r = grouped_speedup(32, 4, k=3, batch=1, size=8, repeats=3)
    assert (r.c, r.groups, r.k, r.batch, r.size, r.repeats) == (32, 4, 3, 1, 8, 3)
    assert r.dense_seconds > 0 and r.grouped_seconds > 0 and r.speedup == r.dense_seconds / r.grouped_seconds
    with pytest.raises(MxconvError, match=r"^grouped_speedup: groups=3 must divide both"):
        grouped_speedup(32, 3)


