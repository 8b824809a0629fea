"""The section's exercises made computable, by the numbers of either edition of the book.

The 2019 ``nd`` edition has six exercises, the book as published today seven; one
table, :data:`EXERCISES`, maps each edition's numbers to the answers here, and
``python -m mxconv exercises --edition nd|np`` prints each answer, computed, under
its book's number (:func:`exercise_answers`).

========================================  ======  =====  ==========================================
question                                  2019    today  answer
========================================  ======  =====  ==========================================
two kernels compose into one              1       1      :func:`compose_kernels`
cost, memory, backward; padding, stride   2       2      :func:`conv_cost`
doubling c_i and c_o; doubling padding    3       3      :func:`conv_cost` ratios
the 1x1 cost                              4       --     :func:`conv_cost` with k_h = k_w = 1
are Y1 and Y2 exactly the same?           5       4      :func:`one_by_one_exactness` (per edition)
convolution as a matrix product           6       5      :func:`mxconv.fast.corr2d_multi_in_out_im2col`
k + delta wide strips                     --      6      :func:`corr2d_strips`, :func:`strip_cost`,
                                                         :func:`strip_memory`, :func:`largest_delta`
block-diagonal channels (b blocks)        --      7      ``groups=`` of :func:`conv_cost` and
                                                         :func:`mxconv.fast.corr2d_multi_in_out`,
                                                         :func:`grouped_speedup`,
                                                         :func:`channel_dependence`
========================================  ======  =====  ==========================================

One question per module. Those that count need no MXNet and are imported with the
package: :mod:`~mxconv.exercises.cost`, :mod:`~mxconv.exercises.strip_model`,
:mod:`~mxconv.exercises.shuffle`, :mod:`~mxconv.exercises.machine` (``from
mxconv.exercises import conv_cost`` works on any Python with numpy). Those that
compute import MXNet, and are imported when one of their names is first used:
:mod:`~mxconv.exercises.composition`, :mod:`~mxconv.exercises.exactness`,
:mod:`~mxconv.exercises.strips`, :mod:`~mxconv.exercises.groups`, and
:mod:`~mxconv.exercises.answers`, which words every answer.
"""
import importlib
from typing import Any, List

from .cost import ConvCost, conv_cost
from .machine import cache_sizes
from .shuffle import channel_shuffle
from .strip_model import StripCost, StripMemory, largest_delta, strip_cost, strip_memory, strip_plan

# The names whose modules compute with MXNet: imported on first use (PEP 562).
_ON_MXNET = {
    "compose_kernels": "composition",
    "one_by_one_exactness": "exactness", "Exactness": "exactness", "MAX_SEEDS": "exactness",
    "corr2d_strips": "strips", "MAX_STRIPS": "strips",
    "channel_dependence": "groups", "grouped_speedup": "groups", "GroupedSpeedup": "groups",
    "EXERCISES": "answers", "exercise_answers": "answers", "print_answers": "answers",
}

__all__ = ["compose_kernels", "conv_cost", "ConvCost", "one_by_one_exactness", "Exactness", "im2col",
           "corr2d_strips", "strip_cost", "StripCost", "strip_memory", "StripMemory", "strip_plan", "cache_sizes",
           "largest_delta", "channel_dependence", "channel_shuffle", "grouped_speedup", "GroupedSpeedup",
           "EXERCISES", "exercise_answers", "print_answers"]


def __getattr__(name: str) -> Any:
    if name == "im2col":  # exercise 6 (2019) / 5 (today) is the fast path's im2col
        from .. import fast

        return fast.corr2d_multi_in_out_im2col
    if name == "EDITIONS":
        from .._environment import EDITIONS

        return EDITIONS
    if name in _ON_MXNET:
        return getattr(importlib.import_module("." + _ON_MXNET[name], __name__), name)
    raise AttributeError("module 'mxconv.exercises' has no attribute %r" % (name,))


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
