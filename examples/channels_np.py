"""The section "Multiple Input and Multiple Output Channels" as the book publishes it
today (d2l 1.0.3, the MXNet tab), on ``mxnet.numpy`` arrays after ``npx.set_np()``,
with mxconv's three functions in place of the book's definitions.

Run it as ``python examples/channels_np.py``. mxnet.numpy arrays run today's code
(Python's ``sum`` over the channels, ``d2l.stack(..., 0)``, ``d2l.matmul``), and
every result is an ``mxnet.numpy`` array the next line computes with. The book's
``d2l.tensor``, ``d2l.stack``, ``d2l.normal`` and ``d2l.abs`` are d2l 1.0.3's names
for the ``np`` functions called here, so this runs with either d2l installed.
"""
import mxnet as mx
from mxnet import np, npx

from mxconv import corr2d_multi_in, corr2d_multi_in_out, corr2d_multi_in_out_1x1
from mxconv.fast import corr2d_multi_in_out as fast_corr2d_multi_in_out

npx.set_np()

# In [3]: the input and kernel of the section's figure.
X = np.array([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
              [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
K = np.array([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
print(repr(corr2d_multi_in(X, K)))

# In [5], In [6]: three output channels, K, K + 1 and K + 2.
K = np.stack((K, K + 1, K + 2), 0)
print(K.shape)
Y = corr2d_multi_in_out(X, K)
print(repr(Y))

# The results are mxnet.numpy arrays: they compute with the book's np code.
print(type(Y).__module__, type(Y).__name__, (Y - np.ones((3, 2, 2))).sum().item())

# The fast path (one nd.Convolution) agrees, and takes padding and stride.
print(float(np.abs(fast_corr2d_multi_in_out(X, K) - Y).sum()))
print(fast_corr2d_multi_in_out(X, K, padding=1, stride=2).shape)

# In [8], In [9]: a 1x1 convolution is a matrix multiplication (seeded, to be repeatable).
mx.random.seed(0)
X = np.random.normal(0, 1, (3, 3, 3))
K = np.random.normal(0, 1, (2, 3, 1, 1))
Y1 = corr2d_multi_in_out_1x1(X, K)
Y2 = corr2d_multi_in_out(X, K)
print(float(np.abs(Y1 - Y2).sum()) < 1e-6)
