"""The figures: valid images of a sensible size, whose numbers come from the data,
arguments through the gate, files written whole, and no pyplot state touched."""
import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from mxconv import MxconvError, MxconvTypeError, figures, reference

from ._helpers import run

BOOK_CAPTION = "(1×1+2×2+4×3+5×4)+(0×0+1×1+3×2+4×3)=56"  # the section's figure, as printed


def test_book_caption_is_computed_from_the_arrays():
    assert figures.window_sum_text(reference.BOOK_X, reference.BOOK_K) == BOOK_CAPTION


def test_caption_follows_the_data():
    X = np.array(reference.BOOK_X)
    X[1, 0, 0] = 10  # the second channel's first element, under kernel value 1
    assert figures.window_sum_text(X, reference.BOOK_K) == "(10×1+2×2+4×3+5×4)+(0×0+1×1+3×2+4×3)=65"
    assert figures.window_sum_text(reference.BOOK_X, reference.BOOK_K, 1, 1).endswith("=120")
    # Out[2] is [[56, 72], [104, 120]]: (0, 1) is the right neighbour, (1, 0) the one below.
    assert figures.window_sum_text(reference.BOOK_X, reference.BOOK_K, 0, 1) == \
        "(2×1+3×2+5×3+6×4)+(1×0+2×1+4×2+5×3)=72"
    assert figures.window_sum_text(reference.BOOK_X, reference.BOOK_K, 1, 0) == \
        "(4×1+5×2+7×3+8×4)+(3×0+4×1+6×2+7×3)=104"


@pytest.mark.parametrize("i, j, message", [
    (-1, -1, r"i must be an int in \[0, 2\), got -1"),
    (2, 0, r"i must be an int in \[0, 2\), got 2"),
    (0, 2**32 + 1, r"j must be an int in \[0, 2\), got 4294967297"),
    (0.5, 0, r"i must be an int in \[0, 2\), got 0.5"),
])
def test_caption_position_is_checked(i, j, message):
    with pytest.raises(MxconvError, match="^window_sum_text: " + message):
        figures.window_sum_text(reference.BOOK_X, reference.BOOK_K, i, j)


@pytest.mark.parametrize("X, K, message", [
    (np.ones((3, 4, 4)), np.ones((2, 2, 2)), "X has 3 input channels but K has 2"),
    (np.ones((2, 40, 40)), np.ones((2, 2, 2)), r"X of shape \(2, 40, 40\) is larger than the \(4, 10, 10\)"),
    ("abc", np.ones((2, 2, 2)), "X must be an array of numbers"),
])
def test_figure_inputs_go_through_the_gate(tmp_path, X, K, message):
    for call in (lambda: figures.window_sum_text(X, K), lambda: figures.draw_multi_in(str(tmp_path), X, K)):
        with pytest.raises(MxconvError, match=message):
            call()
    assert not list(tmp_path.iterdir())


def test_command_draws_both_figures(tmp_path):
    returncode, _, err = run("-m", "mxconv", "figures", "--out", str(tmp_path))
    assert returncode == 0, err
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["multi_in.png", "multi_in.svg", "one_by_one.png", "one_by_one.svg"]
    for name in ("multi_in", "one_by_one"):
        with Image.open(tmp_path / (name + ".png")) as image:
            image.verify()
        with Image.open(tmp_path / (name + ".png")) as image:
            assert image.format == "PNG"
            assert 300 <= image.width <= 2000 and 300 <= image.height <= 2000
            assert len(np.unique(np.asarray(image.convert("L")))) > 2  # not blank
        ET.parse(str(tmp_path / (name + ".svg")))  # well-formed XML
    assert BOOK_CAPTION in (tmp_path / "multi_in.svg").read_text(encoding="utf-8")


def _svg_texts(path):
    root = ET.parse(str(path)).getroot()
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text]


def test_drawn_numbers_change_with_the_data(tmp_path):
    X = np.array(reference.BOOK_X) * 2
    figures.draw_multi_in(str(tmp_path), X=X)
    texts = _svg_texts(tmp_path / "multi_in.svg")
    assert "112" in texts  # the output 2 * 56, computed
    assert "(2×1+4×2+8×3+10×4)+(0×0+2×1+6×2+8×3)=112" in texts


def test_one_by_one_outputs_are_the_books_in6(tmp_path):
    X = np.arange(27, dtype=np.float32).reshape(3, 3, 3)
    K = np.array([1, 0, 2, -1, 1, 1], dtype=np.float32).reshape(2, 3, 1, 1)
    figures.draw_one_by_one(str(tmp_path), X=X, K=K)
    texts = _svg_texts(tmp_path / "one_by_one.svg")
    expected = np.einsum("oc,chw->ohw", K[:, :, 0, 0], X)  # numpy oracle
    for value in expected.ravel():
        assert "%d" % value in texts
    assert "1×1 convolution: 1×0+0×9+2×18=36" in texts


def test_svg_is_reproducible(tmp_path):
    figures.draw_multi_in(str(tmp_path / "a"))
    figures.draw_multi_in(str(tmp_path / "b"))
    assert (tmp_path / "a" / "multi_in.svg").read_bytes() == (tmp_path / "b" / "multi_in.svg").read_bytes()


def test_an_existing_file_is_replaced_whole(tmp_path):
    (tmp_path / "multi_in.svg").write_text("old")
    figures.draw_multi_in(str(tmp_path))
    assert (tmp_path / "multi_in.svg").read_text(encoding="utf-8").startswith("<?xml")
    assert sorted(os.listdir(str(tmp_path))) == ["multi_in.png", "multi_in.svg"]  # no temporary file left


def test_out_is_a_file(tmp_path):
    target = tmp_path / "figures"
    target.write_text("a file")
    with pytest.raises(MxconvError, match="^draw_multi_in: the output folder .*figures is a file"):
        figures.draw_all(str(target))
    assert target.read_text() == "a file"


@pytest.mark.parametrize("out_dir", [None, 5, b"x"], ids=repr)
def test_out_must_be_a_path(out_dir):
    with pytest.raises(MxconvTypeError, match=r"^draw_one_by_one: out_dir must be a folder's path, got "):
        figures.draw_one_by_one(out_dir)


PYPLOT_UNTOUCHED = """
import matplotlib
matplotlib.use("svg")  # the student's choice, before mxconv
import mxconv.figures
assert matplotlib.get_backend() == "svg", matplotlib.get_backend()
mxconv.figures.draw_all({out!r})
import matplotlib.pyplot as plt
assert matplotlib.get_backend() == "svg", matplotlib.get_backend()
assert plt.get_fignums() == [], plt.get_fignums()  # no figure left open in pyplot's registry
print("ok")
"""


def test_figures_leave_the_matplotlib_backend_alone(tmp_path):
    returncode, out, err = run("-c", PYPLOT_UNTOUCHED.format(out=str(tmp_path)))
    assert returncode == 0 and out.strip() == "ok", err
