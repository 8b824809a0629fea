"""The reports of a check: the JSON and JUnit XML files, and the scoreboard.

Every string in them that came from a port or a file passes through :func:`text.one_line`
(or is the case file's validated id), so each report is one line per item on a terminal
and a well-formed file.
"""
import math
import platform
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from .casefile import Baseline
from .results import ERROR, FAIL, NOT_IMPLEMENTED, PASS, XFAIL, XPASS, Result, counts
from .text import one_line

__all__ = ["REPORT_SCHEMA_VERSION", "SCOREBOARD_PROFILES", "Run", "json_report", "junit_report",
           "scoreboard_markdown"]

REPORT_SCHEMA_VERSION = 2  # 2: "unavailable" apart from "error"; the grad profile; the fresh cases' seed
SCOREBOARD_PROFILES = ("default", "extended", "strict", "grad")


@dataclass
class Run:
    """One port (or one tab of a d2l-book file) checked: what the reports say of it."""

    port: str
    tab: Optional[str]
    results: List[Result] = field(default_factory=list)
    seconds: List[float] = field(default_factory=list)
    framework: str = ""
    framework_version: str = ""
    error: str = ""  # why it could not be loaded: a failure of the run
    unavailable: str = ""  # why it was not checked here (its framework does not import): not a failure

    @property
    def name(self) -> str:
        return "%s%s" % (self.port, " --tab %s" % self.tab if self.tab else "")


def _mxconv_version() -> str:
    try:
        from importlib.metadata import version

        return version("mxconv")
    except Exception:  # a copied folder: no installed distribution
        return "unknown"


def _number(value: float) -> Optional[float]:
    return None if math.isnan(value) or math.isinf(value) else value


def json_report(runs: Sequence[Run], case_set: Baseline, profiles: Sequence[str], seed: int) -> Dict[str, Any]:
    """The --json report (schema: ``data/report.schema.json`` beside this module)."""
    return {
        "schema": "mxconv-baseline-report", "schema_version": REPORT_SCHEMA_VERSION, "seed": seed,
        "case_set": {"format": case_set.format, "format_version": case_set.version,
                     "version": one_line(case_set.case_set_version, 100), "sha256": case_set.sha256,
                     "cases": len(case_set.cases)},
        "environment": {"mxconv": _mxconv_version(), "python": sys.version.split()[0], "numpy": np.__version__,
                        "platform": sys.platform},
        "profiles": list(profiles),
        "runs": [{
            "port": one_line(run.port, 1000), "tab": None if run.tab is None else one_line(run.tab, 60),
            "framework": one_line(run.framework, 100) or None,
            "framework_version": one_line(run.framework_version, 100) or None,
            "error": one_line(run.error, 2000) or None, "unavailable": one_line(run.unavailable, 2000) or None,
            "summary": counts(run.results),
            "cases": [{"id": r.case.id, "function": r.case.function, "status": r.status,
                       "max_abs_error": _number(r.max_abs_error), "max_rel_error": _number(r.max_rel_error),
                       "rtol": r.case.rtol, "atol": r.case.atol,
                       "index": list(r.index) if r.index is not None else None,
                       "message": one_line(r.message, 2000), "seconds": round(t, 6)}
                      for r, t in zip(run.results, run.seconds)],
        } for run in runs],
    }


_JUNIT_TAGS = {FAIL: "failure", XPASS: "failure", ERROR: "error", NOT_IMPLEMENTED: "skipped", XFAIL: "skipped"}


def junit_report(runs: Sequence[Run], case_set: Baseline, profiles: Sequence[str], seed: int) -> bytes:
    """The --junit-xml report: a ``testsuite`` per run, a ``testcase`` per case (as
    pytest's --junitxml writes them: N/I and XFAIL are ``skipped``, FAIL and XPASS
    ``failure``, ERROR ``error``, each with the report's line). Each suite's properties
    name the profile, the case set and the framework."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="mxconv.baseline %s" % case_set.identity())
    for run in runs:
        count = counts(run.results)
        loaded = not (run.error or run.unavailable)  # else one testcase "load" says why
        suite = ET.SubElement(root, "testsuite", name="mxconv.baseline %s" % one_line(run.name, 1000),
                              tests=str(len(run.results) + (not loaded)),
                              failures=str(count[FAIL] + count[XPASS]), errors=str(count[ERROR] + bool(run.error)),
                              skipped=str(count[NOT_IMPLEMENTED] + count[XFAIL] + bool(run.unavailable)),
                              time="%.3f" % sum(run.seconds),
                              timestamp=time.strftime("%Y-%m-%dT%H:%M:%S"), hostname=one_line(platform.node(), 100))
        properties = ET.SubElement(suite, "properties")
        for key, value in (("profile", "+".join(profiles)), ("seed", str(seed)), ("case_set", case_set.identity()),
                           ("case_set_version", case_set.case_set_version), ("case_set_sha256", case_set.sha256),
                           ("framework", run.framework), ("framework_version", run.framework_version)):
            ET.SubElement(properties, "property", name=key, value=one_line(value or "", 200))
        if not loaded:
            case = ET.SubElement(suite, "testcase", classname="mxconv.baseline", name="load", time="0")
            if run.error:
                ET.SubElement(case, "error", message=one_line(run.error, 2000)).text = one_line(run.error, 2000)
            else:
                ET.SubElement(case, "skipped", type="pytest.skip", message=one_line(run.unavailable, 2000))
        for result, seconds in zip(run.results, run.seconds):
            case = ET.SubElement(suite, "testcase", classname="mxconv.baseline.%s" % result.case.function,
                                 name=result.case.id, time="%.3f" % seconds)
            tag = _JUNIT_TAGS.get(result.status)
            if tag:
                said = "; ".join(p for p in (result.error_size(), result.message) if p) or result.status
                element = ET.SubElement(case, tag, message=one_line(said, 2000))
                if tag == "skipped":
                    element.set("type", "pytest.xfail" if result.status == XFAIL else "pytest.skip")
                else:
                    element.text = result.line()
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def scoreboard_markdown(case_set: Baseline, rows: Sequence[Dict[str, Any]], seed: int) -> List[str]:
    """The scoreboard's lines: a Markdown table, a row per port, a column per profile
    (passed / failed / errors / not implemented, or why the port could not load)."""
    lines = ["Scoreboard of %s and fresh cases (seed %d): each profile's own cases (passed / failed / errors / "
             "not implemented)." % (case_set.identity(), seed), "",
             "| port | framework | " + " | ".join(SCOREBOARD_PROFILES) + " |",
             "| --- | --- |" + " --- |" * len(SCOREBOARD_PROFILES)]
    for row in rows:
        cells = []
        for profile in SCOREBOARD_PROFILES:
            count = row["profiles"][profile]
            if "cannot load" in count:
                cells.append("cannot load: %s" % one_line(count["cannot load"], 120).replace("|", "\\|"))
            else:
                cells.append("%d / %d / %d / %d" % (count[PASS], count[FAIL], count[ERROR], count[NOT_IMPLEMENTED]))
        framework = one_line("%s %s" % (row["framework"], row["version"]), 100).strip() or "none"
        lines.append("| `%s` | %s | %s |" % (one_line(row["port"], 200), framework, " | ".join(cells)))
    return lines
