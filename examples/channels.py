"""The section "Multiple Input and Output Channels", run through mxconv's public API.

Run it as ``python examples/channels.py``: it prints what the book prints.
"""
import mxnet as mx
from mxnet import nd

from mxconv import corr2d_multi_in, corr2d_multi_in_out, corr2d_multi_in_out_1x1

# In[2]: the input and kernel of the section's figure.
X = nd.array([[[0, 1, 2], [3, 4, 5], [6, 7, 8]],
              [[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
K = nd.array([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
print(corr2d_multi_in(X, K))

# In[4]: three output channels: K, K + 1 and K + 2.
K = nd.stack(K, K + 1, K + 2)
print(K.shape)

# In[5]
print(X.shape)
print(K.shape)
print(corr2d_multi_in_out(X, K))

# In[7]: a 1x1 convolution is a matrix multiplication (seeded, to be repeatable).
mx.random.seed(0)
X = nd.random.uniform(shape=(3, 3, 3))
K = nd.random.uniform(shape=(2, 3, 1, 1))
Y1 = corr2d_multi_in_out_1x1(X, K)
Y2 = corr2d_multi_in_out(X, K)
print((Y1 - Y2).norm().asscalar() < 1e-6)
