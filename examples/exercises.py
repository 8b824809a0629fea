"""The section's exercises, answered by computation, by the numbers of either edition:
``python examples/exercises.py [nd|np]`` (default: the edition of the installed d2l).

The 2019 edition has six exercises, the book as published today seven; each answer
below is computed by mxconv now (mxconv.exercises.exercise_answers), not written down.
``python -m mxconv exercises --edition nd|np`` prints the same.
"""
import sys

from mxconv._environment import installed_edition
from mxconv.exercises import print_answers

edition = sys.argv[1] if len(sys.argv) > 1 else (installed_edition() or "np")
print_answers(edition, seeds=100)
