"""Names for the types of mxconv's public signatures (internal; imports nothing heavy).

MXNet 1.9.1 ships no type information, so its types read as ``Any`` to a type
checker; these aliases still say, in every signature, what a function takes.
"""
from typing import Any, Sequence, Tuple, Union

#: An array argument: ``mx.nd.NDArray``, ``mxnet.numpy.ndarray``, a numpy array, or nested lists of numbers.
ArrayLike = Any
#: What the MXNet layers return: ``mx.nd.NDArray``, or ``mxnet.numpy.ndarray`` in the np edition.
NDArray = Any
#: An ``mx.Context`` such as ``mx.cpu(1)`` or ``mx.gpu(0)``.
Context = Any
#: padding or stride: an int, or a pair (h, w) of ints.
IntOrPair = Union[int, Tuple[int, int], Sequence[int]]
