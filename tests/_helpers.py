"""What several test files share: paths, the seed, random shapes and inputs, command-line runs."""
import contextlib
import io
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import strategies as st

from mxconv._environment import installed_edition

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCUMENT = pathlib.Path(__file__).resolve().parent / "data" / "channels-section.txt"

# Seeded randomness: every random test takes its seed from here; override with
# MXCONV_TEST_SEED=N to replay or vary a run. The seed is printed in the header.
SEED = int(os.environ.get("MXCONV_TEST_SEED", "20261127"))


# The document's cells that define the section's functions.
BOOK_FUNCTIONS = {1: "corr2d_multi_in", 3: "corr2d_multi_in_out", 6: "corr2d_multi_in_out_1x1"}


def document_cell(n):
    """The code of cell In[n] as the document prints it, with the indentation its
    text extraction lost restored (continuation lines carry an 8-space prompt
    margin; some function bodies lost their 4 spaces)."""
    blocks = re.findall(r"```\n(In \[(\d+)\]: .*?)```", DOCUMENT.read_text(), re.S)
    text = dict((int(num), block) for block, num in blocks)[n]
    lines = []
    in_def = False
    for i, line in enumerate(text.splitlines()):
        line = line.rstrip()
        line = line[len("In [%d]: " % n):] if i == 0 else line[8:] if line.startswith(" " * 8) else line
        if line.startswith("def "):
            in_def = True
        elif in_def and line and not line.startswith(" "):
            line = "    " + line
        lines.append(line)
    return "\n".join(lines) + "\n"


def book_namespace():
    """The section's functions, executed from the document's text."""
    namespace = {}
    exec(compile("".join(document_cell(n) for n in BOOK_FUNCTIONS), str(DOCUMENT), "exec"), namespace)
    return namespace


def seeded_rng(name):
    """A numpy Generator seeded from SEED and ``name``; prints its seed."""
    seed = (SEED + sum(map(ord, name))) % 2**32
    print("rng seed for %s: %d" % (name, seed))
    return np.random.default_rng(seed)


def uniform(rng, shape, dtype=np.float32):
    return rng.uniform(-1, 1, shape).astype(dtype)


@st.composite
def conv_case(draw, batch=False, padded=False, strided=False, max_size=9, max_channels=4, one_by_one=False):
    """A valid (X, K, padding, stride) of the fast path's kinds: X (c_i, h, w), or
    (n, c_i, h, w) with ``batch``, and K (c_o, c_i, k_h, k_w) that fits the padded X."""
    c_i, c_o = draw(st.integers(1, max_channels)), draw(st.integers(1, max_channels))
    h, w = draw(st.integers(1, max_size)), draw(st.integers(1, max_size))
    p_h, p_w = (draw(st.integers(0, 2)), draw(st.integers(0, 2))) if padded else (0, 0)
    if one_by_one:
        k_h = k_w = 1
    else:
        k_h, k_w = draw(st.integers(1, h + 2 * p_h)), draw(st.integers(1, w + 2 * p_w))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if strided else (1, 1)
    n = draw(st.sampled_from([None, 1, 2, 3])) if batch else None
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = uniform(rng, ((n,) if n else ()) + (c_i, h, w))
    K = uniform(rng, (c_o, c_i, k_h, k_w))
    return X, K, (p_h, p_w), stride


def random_inputs(rng, op):
    """Random float32 (X, K) of the book's shapes for ``op`` (reference path sizes)."""
    c_i, c_o = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    h, w = (int(v) for v in rng.integers(1, 8, size=2))
    k_h, k_w = (1, 1) if op == "corr2d_multi_in_out_1x1" else (int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1)))
    X = rng.standard_normal((c_i, h, w)).astype(np.float32)
    k_shape = {"corr2d": (k_h, k_w), "corr2d_multi_in": (c_i, k_h, k_w)}.get(op, (c_o, c_i, k_h, k_w))
    if op == "corr2d":
        X = X[0]
    return X, rng.standard_normal(k_shape).astype(np.float32)


def run(*args, timeout=120, **kwargs):
    """``python args...`` in a subprocess: (returncode, stdout, stderr). For what needs a
    process: closed streams, a fresh interpreter, the exit status Python itself gives."""
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, **kwargs)
    return done.returncode, done.stdout, done.stderr


def run_main(main, *argv, cwd=ROOT):
    """A command line's ``main([...])`` in this process, in ``cwd``: (exit status, stdout,
    stderr), as its process would give them; argparse's SystemExit is its status."""
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(str(cwd))
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(argv))
            except SystemExit as exit:
                status = exit.code
    finally:
        os.chdir(here)
    return status, out.getvalue(), err.getvalue()


def run_checker(*argv, cwd=ROOT):
    """``python -m mxconv.baseline ARGV`` in this process (the port still runs in a child)."""
    from mxconv import baseline

    return run_main(baseline.main, *argv, cwd=cwd)


# Today's edition: tests/data/channels-section-today.md, the book as published today
# (d2l 1.0.3), in its own d2l-book format.
TODAY = pathlib.Path(__file__).resolve().parent / "data" / "channels-section-today.md"
TODAY_FUNCTIONS = ("corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1")


def today_cells():
    """The code cells of today's section that the MXNet tab runs, in order, without
    their ``%%tab`` line, and without d2l-book's preamble (which the book's notebooks leave out)."""
    cells = re.findall(r"```\{\.python \.input\}\n(.*?)```", TODAY.read_text(), re.S)
    mxnet = [cell for cell in cells if not cell.startswith("%%tab") or re.match(r"%%tab .*\b(mxnet|all)\b", cell)]
    return [cell.split("\n", 1)[1] if cell.startswith("%%tab") else cell for cell in mxnet
            if not cell.startswith("%load_ext d2lbook.tab")]


def today_namespace():
    """Today's three functions, executed from the document's text, on the ``d2l`` that
    today's code calls here (d2l 1.x's d2l.mxnet; on d2l 0.10.x, today's names on its corr2d)."""
    from mxconv._d2l import for_edition

    namespace = {"d2l": for_edition("np")}
    source = "".join(cell for cell in today_cells() if cell.startswith("def "))
    exec(compile(source, str(TODAY), "exec"), namespace)
    return namespace


def book_today(op, X, K, ctx=None):
    """Today's book code for ``op`` run verbatim on mxnet.numpy copies of X and K, with
    ``npx.set_np()`` on (and off again after): a numpy array."""
    import mxnet as mx

    from mxconv._mxnet import array_mode

    namespace = today_namespace()
    fn = namespace["d2l"].corr2d if op == "corr2d" else namespace[op]
    ctx = ctx or mx.cpu(0)
    with ctx, array_mode(numpy=True):
        return fn(mx.np.array(X, ctx=ctx), mx.np.array(K, ctx=ctx)).asnumpy()


class Convolution:
    """One public convolution of mxconv: its function, the book function whose shapes
    it takes (``kind``), and its layer ('reference', the book's path, or 'fast')."""

    def __init__(self, fn, kind, layer):
        self.fn, self.kind, self.layer = fn, kind, layer
        self.name = "%s.%s" % (layer, fn.__name__)

    def __repr__(self):
        return self.name


def convolutions():
    """The registry of mxconv's public convolutions, by name: every test that runs
    "each convolution" takes them from here, so adding a path is one line."""
    from mxconv import fast, reference

    entries = [
        Convolution(reference.corr2d, "corr2d", "reference"),
        Convolution(reference.corr2d_multi_in, "corr2d_multi_in", "reference"),
        Convolution(reference.corr2d_multi_in_out, "corr2d_multi_in_out", "reference"),
        Convolution(reference.corr2d_multi_in_out_1x1, "corr2d_multi_in_out_1x1", "reference"),
        Convolution(fast.corr2d_multi_in, "corr2d_multi_in", "fast"),
        Convolution(fast.corr2d_multi_in_out, "corr2d_multi_in_out", "fast"),
        Convolution(fast.corr2d_multi_in_out_im2col, "corr2d_multi_in_out", "fast"),
    ]
    return {entry.name: entry for entry in entries}


#: Tests of the 2019 edition's book path (NDArrays, d2l 0.10.x) run in README's environment,
#: and are skipped with this reason in today's student stack (d2l 1.x).
NEEDS_2019 = "needs d2l 0.10.x, the 2019 nd edition's d2l (runs in README's environment)"
needs_2019 = pytest.mark.skipif(installed_edition() == "np", reason=NEEDS_2019)


def golden_cases(profile="default", **kwargs):
    """The packaged file's cases of ``profile``, without the fresh cases a run adds."""
    from mxconv import baseline

    return baseline.cases(profile, skip=["fresh"] + list(kwargs.pop("skip", ())), **kwargs)


# The JUnit XML schema pytest's own reports follow (junit-10.xsd, as pytest's tests use
# it), its rules written out here: the elements, their attributes and children.
SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]{0,3})?\Z")
JUNIT_RULES = {
    # element: (required attributes, other allowed attributes, allowed children)
    "testsuites": (set(), {"name", "time", "tests", "failures", "errors"}, {"testsuite"}),
    "testsuite": ({"name", "tests", "failures", "errors"},
                  {"group", "time", "skipped", "timestamp", "hostname", "id", "package", "file", "log", "url",
                   "version"}, {"testsuite", "properties", "testcase", "system-out", "system-err"}),
    "properties": (set(), set(), {"property"}),
    "property": ({"name", "value"}, set(), set()),
    # the schema names "errors" where pytest writes "error": both are taken
    "testcase": ({"name"}, {"time", "classname", "group"},
                 {"skipped", "error", "errors", "failure", "system-out", "system-err"}),
    "failure": (set(), {"type", "message"}, set()),
    "error": (set(), {"type", "message"}, set()),
    "skipped": (set(), {"type", "message"}, set()),
}


def check_junit(source):
    """Parse a JUnit report (a path, or its bytes) as XML and hold it to JUNIT_RULES."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(source) if isinstance(source, bytes) else ET.parse(str(source)).getroot()
    assert root.tag == "testsuites"
    for element in root.iter():
        required, allowed, children = JUNIT_RULES[element.tag]
        assert required <= set(element.attrib) <= required | allowed, (element.tag, element.attrib)
        assert {child.tag for child in element} <= children, element.tag
        if element.tag in ("testsuites", "testsuite") and "time" in element.attrib:
            assert SUREFIRE_TIME.match(element.get("time")), element.get("time")
    return root
