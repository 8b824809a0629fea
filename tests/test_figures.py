"""The figures: valid images of a sensible size, whose numbers come from the data."""
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
from PIL import Image

from mxconv import figures, reference

BOOK_CAPTION = "(1×1+2×2+4×3+5×4)+(0×0+1×1+3×2+4×3)=56"  # the section's figure, as printed


def test_book_caption_is_computed_from_the_arrays():
    assert figures.window_sum_text(reference.BOOK_X, reference.BOOK_K) == BOOK_CAPTION


def test_caption_follows_the_data():
    X = np.array(reference.BOOK_X)
    X[1, 0, 0] = 10  # the second channel's first element, under kernel value 1
    assert figures.window_sum_text(X, reference.BOOK_K) == "(10×1+2×2+4×3+5×4)+(0×0+1×1+3×2+4×3)=65"
    assert figures.window_sum_text(reference.BOOK_X, reference.BOOK_K, 1, 1).endswith("=120")


def test_command_draws_both_figures(tmp_path):
    run = subprocess.run([sys.executable, "-m", "mxconv", "figures", "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
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
