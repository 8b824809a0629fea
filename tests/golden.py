"""The section's printed outputs, written down once, with the cell each comes from.

Source: tests/data/channels-section.txt, the document ("Multiple Input and Output
Channels", Dive into Deep Learning, MXNet edition). Nothing here is computed by
mxconv; test_golden.py also checks that each value appears in the document text.
"""

# In[2]: the inputs the section constructs (nd.array of nested lists: float32).
X_IN2 = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
K_IN2 = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]

GOLDEN = {
    "Out[2]": {
        "values": [[56.0, 72.0], [104.0, 120.0]],
        "text": "[[ 56.  72.]\n [104. 120.]]\n<NDArray 2x2 @cpu(0)>",
    },
    "Out[4]": {"text": "(3, 2, 2, 2)"},
    "In[5] print(X.shape)": {"text": "(2, 3, 3)"},
    "In[5] print(K.shape)": {"text": "(3, 2, 2, 2)"},
    "In[5] print(corr2d_multi_in_out(X, K))": {
        "values": [[[56.0, 72.0], [104.0, 120.0]],
                   [[76.0, 100.0], [148.0, 172.0]],
                   [[96.0, 128.0], [192.0, 224.0]]],
        "text": ("[[[ 56.  72.]\n    [104. 120.]]\n\n[[ 76. 100.]\n [148. 172.]]\n\n"
                 "[[ 96. 128.]\n [192. 224.]]]\n\n<NDArray 3x2x2 @cpu(0)>"),
    },
    "Out[7]": {"text": "True"},
}

# The same outputs as MXNet's numpy arrays print them, for the np edition (the book's
# current MXNet edition, after npx.set_np()): numpy's formatting of the values above,
# without numpy's ", dtype=float32" (MXNet's default dtype is not shown) and without
# the NDArray footer. Written by hand; test_np_edition.py checks that the numbers are
# GOLDEN's.
NP_TEXT = {
    "Out[2]": "array([[ 56.,  72.],\n       [104., 120.]])",
    "In[5] print(corr2d_multi_in_out(X, K))": ("[[[ 56.  72.]\n  [104. 120.]]\n\n [[ 76. 100.]\n  [148. 172.]]\n\n"
                                               " [[ 96. 128.]\n  [192. 224.]]]"),
}


def normalise(text):
    """Whitespace folded to single spaces: the document's extraction shifted indentation."""
    return " ".join(text.split())
