"""Make the golden baseline file from mxconv's reference path (internal; see ``mxconv baseline export``).

The reference path is treated as one more port: each case's inputs are made here
(seeded), the book's code computes its expected output (but for the gradients), and
:mod:`mxconv.baseline` writes the file:

- cases of the document's cells, and float32 cases of varied shapes, straight from
  the reference functions;
- padding, stride and batch cases (which the book's functions do not take) from the
  reference function on numpy-zero-padded input, taking every s-th output, one
  example at a time;
- float64 cases from the book's In[6] (``nd.dot``, which keeps float64) applied to
  numpy-unfolded windows, exercise 6's convolution as matrix multiplication
  (the book's ``d2l.corr2d`` writes into float32 ``nd.zeros``);
- refusal cases (the strict profile) hold no value: mxconv's reference path must
  refuse their inputs, or the export stops;
- gradient cases (the grad profile) from :mod:`mxconv.fast` under
  ``autograd.record()``: the book's code writes in place, which MXNet cannot record
  (tests/test_checker.py checks these values against loops over the definition).

Profiles: batch, im2col and float64 cases are ``extended``; refusal cases ``strict``;
gradient cases ``grad``; the rest, the section's own forms, ``default``.
"""
import numpy as np

from . import __version__, _checks, baseline, fast, reference
from .baseline.files import writable, write_atomically
from ._errors import MxconvError
from ._environment import d2l_version
from ._mxnet import autograd, mx, nd
from .reference import BOOK_K, BOOK_X

SEED = 20261127


def _tolerance(dtype, X, K, terms):
    """rtol, atol: a few units in the last place per term of each output's sum."""
    eps = float(np.finfo(dtype).eps)
    scale = max(float(np.abs(X).max()) * float(np.abs(K).max()), 1.0)
    return (1e-5 if dtype == np.float32 else 1e-12), float("%.3g" % (8 * eps * terms * scale))


def _pad(X, padding):
    p_h, p_w = _checks.pair("padding", padding, 0)
    return np.pad(X, [(0, 0)] * (X.ndim - 2) + [(p_h, p_h), (p_w, p_w)])


def _reference_float32(function, X, K, padding, stride):
    if X.ndim == 4:
        return np.stack([_reference_float32(function, x, K, padding, stride) for x in X])
    s_h, s_w = _checks.pair("stride", stride, 1)
    op = "corr2d_multi_in_out" if function == "corr2d_multi_in_out_im2col" else function
    return getattr(reference, op)(_pad(X, padding), K).asnumpy()[..., ::s_h, ::s_w]


def _unfold(X, k_h, k_w, padding, stride):
    """(c_i * k_h * k_w, out_h, out_w): every window as a column, in K.reshape's order."""
    Xp = _pad(X, padding)
    (s_h, s_w), c_i = _checks.pair("stride", stride, 1), Xp.shape[0]
    out_h, out_w = _checks.output_hw(Xp.shape[1:], (k_h, k_w), (0, 0), (s_h, s_w))
    cols = np.empty((c_i, k_h, k_w, out_h, out_w), dtype=X.dtype)
    for a in range(k_h):
        for b in range(k_w):
            cols[:, a, b] = Xp[:, a:a + s_h * (out_h - 1) + 1:s_h, b:b + s_w * (out_w - 1) + 1:s_w]
    return cols.reshape(c_i * k_h * k_w, out_h, out_w)


def _reference_float64(function, X, K, padding, stride):
    if X.ndim == 4:
        return np.stack([_reference_float64(function, x, K, padding, stride) for x in X])
    K4 = K[None] if function == "corr2d_multi_in" else K
    c_o, _, k_h, k_w = K4.shape
    Y = reference.corr2d_multi_in_out_1x1(_unfold(X, k_h, k_w, padding, stride), K4.reshape(c_o, -1, 1, 1))
    return Y.asnumpy()[0] if function == "corr2d_multi_in" else Y.asnumpy()


EXTENDED_TAGS = ("batch", "im2col", "float64")
FLOAT32_CONVENTION = ("the book's d2l.corr2d writes into float32 zeros, so "
                      "a port that follows the book exactly matches only to float32 precision here")
ZIP_NOTE = ("the section's own code zips X and K and silently drops the extra channel: the book's code, and every "
            "faithful port of it, returns a value here")


class _Cases:
    def __init__(self):
        self.cases = []
        self.rng = np.random.default_rng(SEED)

    def uniform(self, shape, dtype=np.float32):
        return self.rng.uniform(-1, 1, shape).astype(dtype)

    def add(self, case_id, function, X, K, source, tags, padding=0, stride=1, expected=None):
        X, K = np.asarray(X), np.asarray(K)
        kwargs = {k: v for k, v in (("padding", padding), ("stride", stride)) if v != {"padding": 0, "stride": 1}[k]}
        if expected is None:
            compute = _reference_float64 if X.dtype == np.float64 else _reference_float32
            expected = compute(function, X, K, padding, stride)
        terms = int(np.prod(K.shape[-3:])) if K.ndim >= 3 else int(np.prod(K.shape))
        rtol, atol = _tolerance(expected.dtype.type, X, K, terms)
        profile = "extended" if set(tags) & set(EXTENDED_TAGS) else "default"
        # Only a function that calls d2l.corr2d inherits its float32 zeros.
        calls_corr2d = function in ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out")
        note = FLOAT32_CONVENTION if "float64" in tags and calls_corr2d else ""
        self.cases.append(baseline.Case(case_id, function, profile, source, {"X": X, "K": K}, kwargs,
                                        np.asarray(expected), rtol, atol, tuple(tags), note=note))

    def gradients(self, function, X, K):
        """Two cases of the grad profile: d sum(Y * G) / dX and / dK, for a fixed G."""
        Y = _reference_float32(function, X, K, 0, 1)
        G = self.uniform(Y.shape)
        dX, dK = _gradients(function, X, K, G)
        name = {"corr2d": "corr2d", "corr2d_multi_in": "multi-in", "corr2d_multi_in_out": "multi-out",
                "corr2d_multi_in_out_1x1": "1x1"}[function]
        # each gradient's entry is a sum over output positions (dK) or window places (dX)
        c_o = K.shape[0] if K.ndim == 4 else 1
        terms = {"X": c_o * K.shape[-2] * K.shape[-1], "K": int(np.prod(Y.shape[-2:]))}
        for wrt, expected in (("X", dX), ("K", dK)):
            rtol, atol = _tolerance(np.float32, X, K, terms[wrt] * max(1.0, float(np.abs(G).max())))
            self.cases.append(baseline.Case(
                "grad-%s-d%s" % (name, wrt), function, "grad", GRADIENT, {"X": X, "K": K, "G": G}, {}, expected,
                rtol, atol, ("grad",), grad=wrt))

    def refuse(self, case_id, function, x_shape, k_shape, why, note=""):
        """A strict case: inputs the section's code gets wrong silently or crashes on.
        mxconv's gate is the oracle that they are wrong: it must refuse them."""
        X, K = self.uniform(x_shape), self.uniform(k_shape)
        op = "corr2d_multi_in_out" if function == "corr2d_multi_in_out_im2col" else function
        try:
            getattr(reference, op)(X, K)
        except MxconvError:
            pass
        else:
            raise AssertionError("mxconv computed %s, which it must refuse" % case_id)
        self.cases.append(baseline.Case(case_id, function, "strict", REFUSE, {"X": X, "K": K}, {}, None,
                                        tags=("refusal",), refuse=why, note=note))


REFERENCE = "computed by mxconv.reference (the book's code)"
PADDED = "computed by mxconv.reference on zero-padded input, every stride-th output"
UNFOLDED = "computed by the book's In[6] (nd.dot, float64) over numpy-unfolded windows"
REFUSE = "input mxconv.reference refuses; no value is right"
GRADIENT = ("d sum(Y * G) / dX or dK, Y the function of X and K, computed by mxconv.fast under "
            "mxnet.autograd.record()")


def build_cases():
    """Every case of the baseline file, in order."""
    c = _Cases()
    X = nd.array(BOOK_X)
    K = nd.array(BOOK_K)
    c.add("book-out2", "corr2d_multi_in", X.asnumpy(), K.asnumpy(),
          "Out[2] of the section (the document's printed values; " + REFERENCE + ")", ["book"])
    K3 = nd.stack(K, K + 1, K + 2)
    c.add("book-in5", "corr2d_multi_in_out", X.asnumpy(), K3.asnumpy(),
          "In[5] of the section, the printed 3x2x2 array (" + REFERENCE + ")", ["book"])
    mx.random.seed(0)
    X7 = nd.random.uniform(shape=(3, 3, 3)).asnumpy()
    K7 = nd.random.uniform(shape=(2, 3, 1, 1)).asnumpy()
    c.add("book-in7-y1", "corr2d_multi_in_out_1x1", X7, K7,
          "In[7] of the section, Y1, inputs of mx.random.seed(0) (" + REFERENCE + ")", ["book"])
    c.add("book-in7-y2", "corr2d_multi_in_out", X7, K7,
          "In[7] of the section, Y2, inputs of mx.random.seed(0) (" + REFERENCE + ")", ["book"])

    for name, (h, w), (k_h, k_w) in [("corr2d-4x5-k2x3", (4, 5), (2, 3)), ("corr2d-k-equals-x", (3, 3), (3, 3)),
                                      ("corr2d-1x1", (3, 4), (1, 1)), ("corr2d-k-column", (6, 2), (3, 1))]:
        c.add(name, "corr2d", c.uniform((h, w)), c.uniform((k_h, k_w)), REFERENCE, ["reference"])
    c.add("corr2d-integers", "corr2d", np.arange(20, dtype=np.float32).reshape(4, 5),
          np.array([[1, -1], [2, 0]], dtype=np.float32), REFERENCE, ["reference"])

    for name, (c_i, h, w), (k_h, k_w) in [("multi-in-1ch", (1, 4, 4), (2, 2)), ("multi-in-3ch", (3, 5, 6), (2, 2)),
                                           ("multi-in-k-equals-x", (3, 4, 4), (4, 4)),
                                           ("multi-in-k-3x1", (2, 5, 4), (3, 1)),
                                           # many channels: a port that drops those past some count fails
                                           ("multi-in-8ch", (8, 4, 5), (3, 2)), ("multi-in-64ch", (64, 4, 4), (2, 2))]:
        c.add(name, "corr2d_multi_in", c.uniform((c_i, h, w)), c.uniform((c_i, k_h, k_w)), REFERENCE, ["reference"])

    for name, (c_i, h, w), (c_o, k_h, k_w) in [
            ("multi-out-1to1", (1, 3, 3), (1, 2, 2)), ("multi-out-3to4-k3", (3, 6, 6), (4, 3, 3)),
            ("multi-out-2to3-k2x3", (2, 5, 7), (3, 2, 3)), ("multi-out-k-equals-x", (2, 3, 4), (3, 3, 4)),
            ("multi-out-1x1-kernel", (3, 4, 4), (2, 1, 1)), ("multi-out-4to1", (4, 4, 5), (1, 3, 2)),
            ("multi-out-8to3", (8, 5, 4), (3, 2, 2)), ("multi-out-64to2-k3", (64, 5, 5), (2, 3, 3))]:
        c.add(name, "corr2d_multi_in_out", c.uniform((c_i, h, w)), c.uniform((c_o, c_i, k_h, k_w)),
              REFERENCE, ["reference"])

    for name, (c_i, h, w), c_o in [("1x1-4to3", (4, 5, 6), 3), ("1x1-1to1", (1, 2, 3), 1), ("1x1-2to5", (2, 1, 7), 5),
                                   ("1x1-16to4", (16, 3, 4), 4), ("1x1-64to8", (64, 2, 3), 8)]:
        c.add(name, "corr2d_multi_in_out_1x1", c.uniform((c_i, h, w)), c.uniform((c_o, c_i, 1, 1)),
              REFERENCE, ["reference"])

    fast_cases = [
        ("pad1-k3", "corr2d_multi_in_out", (2, 5, 5), (3, 2, 3, 3), 1, 1, ["padding"]),
        ("pad2x1-stride2x3", "corr2d_multi_in_out", (3, 7, 8), (2, 3, 3, 2), (2, 1), (2, 3), ["padding", "stride"]),
        ("stride2", "corr2d_multi_in_out", (2, 6, 7), (2, 2, 2, 2), 0, 2, ["stride"]),
        ("batch3", "corr2d_multi_in_out", (3, 2, 4, 5), (3, 2, 2, 3), 0, 1, ["batch"]),
        ("batch2-pad1-stride2", "corr2d_multi_in_out", (2, 3, 6, 6), (4, 3, 3, 3), 1, 2, ["batch", "padding", "stride"]),
        ("multi-in-pad1-stride2", "corr2d_multi_in", (3, 5, 6), (3, 3, 3), 1, 2, ["padding", "stride"]),
        ("multi-in-batch2", "corr2d_multi_in", (2, 2, 4, 4), (2, 2, 2), 0, 1, ["batch"]),
        ("im2col-k3", "corr2d_multi_in_out_im2col", (3, 6, 5), (2, 3, 3, 3), 0, 1, ["im2col"]),
        ("im2col-pad1-stride2", "corr2d_multi_in_out_im2col", (2, 7, 7), (3, 2, 3, 2), 1, (2, 1),
         ["im2col", "padding", "stride"]),
        ("im2col-batch2", "corr2d_multi_in_out_im2col", (2, 2, 5, 5), (2, 2, 2, 2), 0, 1, ["im2col", "batch"]),
    ]
    for name, function, x_shape, k_shape, padding, stride, tags in fast_cases:
        c.add(name, function, c.uniform(x_shape), c.uniform(k_shape), PADDED, tags, padding, stride)

    for name, function, x_shape, k_shape, padding, stride, tags in [
            ("f64-multi-out-k3x2", "corr2d_multi_in_out", (3, 6, 5), (2, 3, 3, 2), 0, 1, []),
            ("f64-multi-in-k2", "corr2d_multi_in", (2, 4, 5), (2, 2, 2), 0, 1, []),
            ("f64-pad1-stride2", "corr2d_multi_in_out", (2, 6, 6), (3, 2, 3, 3), 1, 2, ["padding", "stride"]),
            ("f64-batch2", "corr2d_multi_in_out", (2, 2, 4, 4), (2, 2, 2, 2), 0, 1, ["batch"])]:
        c.add(name, function, c.uniform(x_shape, np.float64), c.uniform(k_shape, np.float64), UNFOLDED,
              ["float64"] + tags, padding, stride)
    X64, K64 = c.uniform((3, 4, 4), np.float64), c.uniform((2, 3, 1, 1), np.float64)
    c.add("f64-1x1", "corr2d_multi_in_out_1x1", X64, K64, REFERENCE + ", float64", ["float64", "reference"],
          expected=reference.corr2d_multi_in_out_1x1(X64, K64).asnumpy())

    c.refuse("refuse-channels-x3-k2", "corr2d_multi_in", (3, 4, 4), (2, 2, 2),
             "X has 3 input channels but K has 2", ZIP_NOTE)
    c.refuse("refuse-channels-x2-k3", "corr2d_multi_in_out", (2, 4, 4), (2, 3, 2, 2),
             "X has 2 input channels but K has 3", ZIP_NOTE)
    c.refuse("refuse-1x1-channels", "corr2d_multi_in_out_1x1", (3, 4, 4), (2, 2, 1, 1),
             "X has 3 input channels but K has 2")
    c.refuse("refuse-kernel-taller", "corr2d_multi_in", (2, 3, 3), (2, 5, 2),
             "K's window 5x2 is larger than X's 3x3: no output")
    c.refuse("refuse-kernel-wider", "corr2d", (3, 3), (2, 5), "K's window 2x5 is larger than X's 3x3: no output")
    c.refuse("refuse-1x1-with-3x3", "corr2d_multi_in_out_1x1", (2, 4, 4), (2, 2, 3, 3),
             "a 1x1 convolution given a 3x3 kernel")
    c.refuse("refuse-no-output-channels", "corr2d_multi_in_out", (2, 4, 4), (0, 2, 2, 2),
             "K has no output channels (an axis of size 0)")
    c.refuse("refuse-no-input-channels", "corr2d_multi_in", (0, 4, 4), (0, 2, 2),
             "X and K have no channels (an axis of size 0)",
             "the book's nd.add_n of no arrays fails; a port whose sum() starts at 0 returns 0 here")

    for function, x_shape, k_shape in [("corr2d", (4, 5), (2, 3)), ("corr2d_multi_in", (3, 5, 4), (3, 2, 2)),
                                       ("corr2d_multi_in_out", (2, 5, 5), (3, 2, 3, 2)),
                                       ("corr2d_multi_in_out_1x1", (4, 3, 4), (2, 4, 1, 1))]:
        c.gradients(function, c.uniform(x_shape), c.uniform(k_shape))
    return c.cases


def _gradients(function, X, K, G):
    """d sum(Y * G) / dX and / dK of the section's ``function``, by mxconv's fast path under
    autograd.record() (the book's own path writes in place and cannot be recorded)."""
    Xn, Kn, Gn = nd.array(X), nd.array(K), nd.array(G)
    Xn.attach_grad()
    Kn.attach_grad()
    with autograd.record():
        if function == "corr2d":
            Y = fast.corr2d_multi_in_out(Xn.expand_dims(0), Kn.reshape((1, 1) + K.shape)).reshape(G.shape)
        elif function == "corr2d_multi_in":
            Y = fast.corr2d_multi_in(Xn, Kn)
        else:
            Y = fast.corr2d_multi_in_out(Xn, Kn)
        loss = (Y * Gn).sum()
    loss.backward()
    return Xn.grad.asnumpy(), Kn.grad.asnumpy()


def generated_by():
    return {"mxconv": __version__, "mxnet": mx.__version__, "d2l": d2l_version() or "none", "numpy": np.__version__}


def export(path):
    """Write the baseline file to ``path``; returns (path, number of cases). A path that
    cannot be written is refused before the cases are built."""
    writable(path, "the baseline file")
    cases = build_cases()
    text = baseline.to_json(cases, generated_by())
    write_atomically(path, lambda f: f.write(text.encode("utf-8")), "the baseline file")
    return path, len(cases)
