"""The section "Multiple Input and Output Channels" as the book's current MXNet
edition writes it, on ``mxnet.numpy`` arrays after ``npx.set_np()``, run through
mxconv's public API.

Run it as ``python examples/channels_np.py``. mxconv hands back the kind of array it
is given, so every result here is an ``mxnet.numpy`` array that the next line can
compute with, as the book's own code would give.
"""
import mxnet as mx
from mxnet import np, npx

from mxconv import corr2d_multi_in, corr2d_multi_in_out, corr2d_multi_in_out_1x1
from mxconv.fast import corr2d_multi_in_out as fast_corr2d_multi_in_out

npx.set_np()

# The input and kernel of the section's figure.
X = np.array([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
              [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
K = np.array([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
print(repr(corr2d_multi_in(X, K)))

# Three output channels: K, K + 1 and K + 2.
K = np.stack((K, K + 1, K + 2), 0)
print(K.shape)
Y = corr2d_multi_in_out(X, K)
print(Y)

# The results are mxnet.numpy arrays: they compute with the book's np code.
print(type(Y).__module__, type(Y).__name__, (Y - np.ones((3, 2, 2))).sum().item())

# The fast path (one nd.Convolution) agrees, and takes padding and stride.
print(float(np.abs(fast_corr2d_multi_in_out(X, K) - Y).sum()))
print(fast_corr2d_multi_in_out(X, K, padding=1, stride=2).shape)

# A 1x1 convolution is a matrix multiplication (seeded, to be repeatable).
mx.random.seed(0)
X = np.random.uniform(size=(3, 3, 3))
K = np.random.uniform(size=(2, 3, 1, 1))
Y1 = corr2d_multi_in_out_1x1(X, K)
Y2 = corr2d_multi_in_out(X, K)
print(float(np.abs(Y1 - Y2).sum()) < 1e-6)
