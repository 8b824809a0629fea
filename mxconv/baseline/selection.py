"""Which cases run: the profiles, tags to skip, and expectation files."""
import dataclasses
import os
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

from .casefile import CASE_PROFILES, MAX_TEXT, Case, load
from .errors import BaselineError
from .files import loads_strict, read_regular
from .fresh import TAGS as FRESH_TAGS
from .fresh import check_seed, fresh_cases, new_seed
from .results import EXPECTABLE
from .text import one_line

__all__ = ["PROFILES", "select", "cases", "with_fresh", "load_expectations", "with_expectations"]

# A profile and the case profiles it runs: each adds to the default.
PROFILES = {"default": ("default",), "extended": ("default", "extended"), "strict": ("default", "strict"),
            "grad": ("default", "grad"), "all": CASE_PROFILES}


def _names(what: str, value: Union[str, Iterable[str]]) -> List[str]:
    """A name or an iterable of names, as a list."""
    if isinstance(value, str):
        return [value]
    try:
        names = list(value)
    except TypeError:
        names = [value]  # type: ignore[list-item]
    if not all(isinstance(name, str) for name in names):
        raise BaselineError("%s must be a name or a list of names, got %r" % (what, value))
    return names


def cases(profile: Union[str, Iterable[str]] = "default", path: Union[str, "os.PathLike[str]", None] = None,
          skip: Iterable[str] = (), expect: Union[str, "os.PathLike[str]", None] = None,
          seed: Optional[int] = None) -> List[Case]:
    """The cases of a profile, golden and fresh, ready for
    ``pytest.mark.parametrize("case", cases(), ids=case_id)``.

    Parameters
    ----------
    profile : str or iterable of str
        A name of :data:`PROFILES`, or several (their cases combined).
    path : path, optional
        A baseline file (default: the one packaged with mxconv).
    skip : iterable of str
        Leave out every case that has any of these tags.
    expect : path, optional
        An expectation file (:func:`load_expectations`): its cases report ``xfail``
        for the outcome it lists, ``xpass`` when they pass instead (and
        :func:`assert_case` calls ``pytest.xfail`` with the reason).
    seed : int, optional
        Of the fresh cases (:mod:`fresh`), drawn anew at each call: the same seed gives
        the same cases; default, a fresh seed, shown in their ids (``fresh-SEED-...``).
        ``skip=["fresh"]`` leaves them out.

    Returns
    -------
    list of Case: the file's, in its order, then the fresh ones.

    Raises
    ------
    BaselineError
        An unknown profile or tag (naming the known ones), or a malformed file.
    """
    every = load(path).cases
    chosen = with_fresh(select(every, profile, skip), profile, skip, new_seed() if seed is None else seed)
    return with_expectations(chosen, load_expectations(expect, every)) if expect is not None else chosen


def with_fresh(chosen: Sequence[Case], profile: Union[str, Iterable[str]], skip: Iterable[str],
               seed: int) -> List[Case]:
    """``chosen`` (the file's cases of ``profile``), then the fresh cases of ``seed`` for
    that profile, less those tagged with a tag in ``skip``."""
    skipped = set(_names("skip", skip))
    fresh = [c for c in fresh_cases(check_seed(seed), sorted(_case_profiles(profile))) if not set(c.tags) & skipped]
    return list(chosen) + fresh


def _case_profiles(profile: Union[str, Iterable[str]]) -> Set[str]:
    """The case profiles a profile (or several) runs; BaselineError for an unknown one."""
    names = _names("profile", profile)
    unknown = [p for p in names if p not in PROFILES]
    if unknown or not names:
        raise BaselineError("unknown profile %s; the profiles are %s" % (
            ", ".join(map(repr, unknown)) or "(none given)", ", ".join(PROFILES)))
    return {p for name in names for p in PROFILES[name]}


def select(all_cases: Sequence[Case], profile: Union[str, Iterable[str]] = "default",
           skip: Iterable[str] = ()) -> List[Case]:
    """The cases of ``profile`` among ``all_cases``, less those tagged with a tag in ``skip``."""
    wanted, skip = _case_profiles(profile), _names("skip", skip)
    tags = sorted({t for c in all_cases for t in c.tags} | set(FRESH_TAGS))
    unknown = [t for t in skip if t not in tags]
    if unknown:
        raise BaselineError("unknown tag %s; the tags are %s" % (", ".join(map(repr, unknown)), ", ".join(tags)))
    return [c for c in all_cases if c.profile in wanted and not set(c.tags) & set(skip)]


def load_expectations(path: Union[str, "os.PathLike[str]"], all_cases: Sequence[Case]) -> Dict[str, Tuple[str, str]]:
    """An expectation file: ``{"case-id": {"status": "fail" | "error" | "not implemented",
    "reason": "..."}}``, the outcomes a port knowingly has.

    Raises
    ------
    BaselineError
        For a file that is not such an object, or an id that matches no case of
        ``all_cases`` (naming it: a stale entry must not hide silently).
    """
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise BaselineError("an expectation file is named by a path, got %r" % (path,))
    path = os.fspath(path)
    try:
        raw = read_regular(path)
    except OSError as err:
        raise BaselineError("%s: %s" % (path, err.strerror or err)) from None
    document = loads_strict(raw, path)
    if not isinstance(document, dict):
        raise BaselineError("%s: an expectation file is a JSON object mapping case ids to "
                            "{\"status\": ..., \"reason\": ...}" % path)
    known = {c.id for c in all_cases}
    unknown = sorted(k for k in document if k not in known)
    if unknown:
        raise BaselineError("%s: %s matches no case of the baseline (a stale entry?)" % (
            path, ", ".join(one_line(ascii(k), 90) for k in unknown[:10])))
    expectations = {}
    for case_id, entry in document.items():
        if not (isinstance(entry, dict) and set(entry) == {"status", "reason"} and entry["status"] in EXPECTABLE
                and isinstance(entry["reason"], str) and 0 < len(entry["reason"]) <= MAX_TEXT):
            raise BaselineError("%s: %s must be {\"status\": one of %s, \"reason\": a short text}" % (
                path, case_id, ", ".join(map(repr, EXPECTABLE))))
        expectations[case_id] = (entry["status"], entry["reason"])
    return expectations


def with_expectations(chosen: Sequence[Case], expectations: Dict[str, Tuple[str, str]]) -> List[Case]:
    """The cases, each carrying its expectation (if listed)."""
    return [dataclasses.replace(c, expectation=expectations[c.id]) if c.id in expectations else c for c in chosen]
