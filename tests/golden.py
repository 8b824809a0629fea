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

# Today's edition (the book as published today, d2l 1.0.3, tests/data/channels-section-today.md)
# shows the same values as the notebook shows MXNet's numpy arrays: numpy's repr of the
# values above, without numpy's ", dtype=float32" (MXNet's default dtype is not shown).
# Written by hand; test_np_edition.py checks that the numbers are GOLDEN's, each under
# the document's cell it comes from (NP_SOURCE).
NP_TEXT = {
    "Out[3]": "array([[ 56.,  72.],\n       [104., 120.]])",
    "Out[5]": "(3, 2, 2, 2)",
    "Out[6]": ("array([[[ 56.,  72.],\n        [104., 120.]],\n\n       [[ 76., 100.],\n        [148., 172.]],\n\n"
               "       [[ 96., 128.],\n        [192., 224.]]])"),
}
NP_SOURCE = {"Out[3]": "Out[2]", "Out[5]": "Out[4]", "Out[6]": "In[5] print(corr2d_multi_in_out(X, K))"}
# The order in which `python -m mxconv` prints the document's outputs, and today's.
ND_ORDER = ["Out[2]", "Out[4]", "In[5] print(X.shape)", "In[5] print(K.shape)",
            "In[5] print(corr2d_multi_in_out(X, K))", "Out[7]"]
NP_ORDER = ["Out[3]", "Out[5]", "Out[6]"]


def normalise(text):
    """Whitespace folded to single spaces: the document's extraction shifted indentation."""
    return " ".join(text.split())
