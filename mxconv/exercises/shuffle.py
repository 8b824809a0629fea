"""Today's exercise 7, its fix: ShuffleNet's channel shuffle between grouped layers.

A permutation of channel indices: imports no MXNet.
"""
from typing import List, Tuple

from .. import _checks

__all__ = ["channel_shuffle", "channels_in_groups"]


def channel_shuffle(c: int, groups: int) -> List[int]:
    """The permutation of ShuffleNet's channel shuffle: channel ``j`` of the result is
    channel ``order[j]`` of the input, taking one channel from each group in turn."""
    with _checks.scope("channel_shuffle"):
        c, groups = channels_in_groups(c, groups)
    size = c // groups
    return [g * size + i for i in range(size) for g in range(groups)]


def channels_in_groups(c: object, groups: object) -> Tuple[int, int]:
    """c channels (1 to 1024) in ``groups`` groups that divide them, checked."""
    c = _checks.bounded("c", c, 1, 1024, "an int (channels)")
    groups = _checks.bounded("groups", groups, 1, _checks.INT32_MAX, "an int (blocks)")
    _checks.check_groups(groups, c, c)
    return c, groups
