"""The command line: ``python -m mxconv.baseline check PORT`` and ``scoreboard PORT...``.

Every argument is checked before any work, by the same function the Python API uses;
a user's error is one line ``python -m mxconv.baseline: error: ...`` and exit status 2.
"""
import argparse
import importlib.util
import json
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

from .adapters import FRAMEWORKS, check_framework
from .casefile import load
from .console import Parser, error, reader_went_away, say, standard_streams
from .errors import CheckerError, PortLoadError, UsageError
from .files import write_atomically, writable
from .isolation import DEFAULT_TIMEOUT, check_isolated, check_timeout
from .reports import SCOREBOARD_PROFILES, Run, json_report, junit_report, scoreboard_markdown
from .results import NOT_IMPLEMENTED, XPASS, Result, counts, summary
from .fresh import check_seed, new_seed
from .selection import PROFILES, load_expectations, select, with_expectations, with_fresh
from .sources import check_port, check_tab_name, is_d2l_book, md_tabs
from .text import one_line

__all__ = ["main"]

PROG = "python -m mxconv.baseline"


def _seconds(text: str) -> Any:
    """``--timeout``'s text as a number where it is one (check_timeout judges it)."""
    try:
        return float(text)
    except ValueError:
        return text


def _number(text: str) -> Any:
    """``--seed``'s text as an int where it is one (check_seed judges it)."""
    try:
        return int(text)
    except ValueError:
        return text


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m mxconv.baseline check PORT [options]`` and ``scoreboard PORT...``."""
    standard_streams()
    parser = Parser(prog=PROG, description="Check a port of the section against mxconv's golden cases.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("check", help="run the cases of a profile on a port, in a process of its own")
    run.add_argument("port", help="MODULE, MODULE:OBJECT, path/to/port.py[:OBJECT], a notebook (.ipynb) or a "
                                  "d2l-book source (.md)")
    _common_options(run)
    run.add_argument("--profile", action="append", default=None, metavar="NAME",
                     help="%s (default: default; give it more than once to combine)" % ", ".join(PROFILES))
    run.add_argument("--skip", action="append", default=[], metavar="TAG",
                     help="leave out cases with this tag (padding, stride, batch, float64, ...)")
    run.add_argument("--tab", default=None, metavar="NAME",
                     help="of a d2l-book .md: the tab to check (default: every tab, each whose framework imports "
                          "here checked)")
    run.add_argument("--require-all", action="store_true", help="count 'not implemented' as a failure")
    run.add_argument("--expect", default=None, metavar="FILE",
                     help="a JSON file of the outcomes the port knowingly has: those cases report XFAIL")
    run.add_argument("--allow-xpass", action="store_true", help="an expected failure that passes (XPASS) is not a "
                                                                 "failure of the run")
    run.add_argument("--junit-xml", default=None, metavar="FILE", help="also write a JUnit XML report")
    run.add_argument("--json", default=None, metavar="FILE", help="also write a JSON report")
    run.add_argument("-v", "--verbose", action="store_true",
                     help="say which adapter runs, and each line skipped (magics, shell lines, d2l-book's preamble)")
    board = sub.add_parser("scoreboard", help="every profile on each port: a Markdown table (or JSON)")
    board.add_argument("ports", nargs="+", metavar="PORT", help="as for check; PORT@TAB for a tab of a .md file")
    _common_options(board)
    board.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    try:
        return _check_command(args) if args.command == "check" else _scoreboard_command(args)
    except (CheckerError, OSError) as err:  # an argument or file refused before any work
        return error(PROG, str(err))
    except BrokenPipeError:  # the reader went away (check ... | head): stop quietly
        return reader_went_away()
    except KeyboardInterrupt:
        return 130


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", default=None, help="a baseline file (default: the packaged one)")
    parser.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="for each case, and for loading the port (default: %g)" % DEFAULT_TIMEOUT)
    parser.add_argument("--seed", type=_number, default=None, metavar="N",
                        help="of the fresh cases each run adds (default: a new one, printed in the report's first "
                             "line); --skip fresh leaves them out")
    parser.add_argument("--framework", default=None, metavar="NAME",
                        help="the built-in adapter to use: %s (default: the framework the port's code imports)"
                             % ", ".join(FRAMEWORKS))


def _targets(port: str, tab: Optional[str]) -> List[Tuple[str, Optional[str], str]]:
    """(port, tab, why it is not checked here) for each run: a d2l-book file without
    --tab is each of its tabs, those whose framework does not import here not checked."""
    if tab is not None or not is_d2l_book(port):
        return [(port, tab, "")]
    try:
        tabs = md_tabs(port)
    except PortLoadError as err:
        return [(port, None, str(err))]
    targets: List[Tuple[str, Optional[str], str]] = []
    for name in tabs:
        module = FRAMEWORKS.get(name)
        why = "" if module and importlib.util.find_spec(module) is not None else (
            "%s does not import here" % module if module else "no framework of that name")
        try:
            check_tab_name(name)
        except UsageError:
            why = "not a tab's name (1 to 40 letters, digits, _ or -)"
        targets.append((port, name, why))
    return targets


def _check_command(args: argparse.Namespace) -> int:
    port = check_port(args.port, args.tab, "PORT", "--tab")
    check_framework(args.framework)
    timeout = check_timeout(args.timeout, "--timeout")
    seed = new_seed() if args.seed is None else check_seed(args.seed, "--seed")
    for option, path in (("--json", args.json), ("--junit-xml", args.junit_xml)):
        if path is not None:  # before the run, not after it
            writable(path, option)
    case_set = load(args.file)
    profiles = args.profile or ["default"]
    golden = select(case_set.cases, profiles, args.skip)
    chosen = with_fresh(golden, profiles, args.skip, seed)
    if args.expect:
        chosen = with_expectations(chosen, load_expectations(args.expect, case_set.cases))
    targets = _targets(port, args.tab)
    several = len(targets) > 1
    header = ["%s; profile %s: %d cases and %d fresh (seed %d)" % (
        case_set.identity(), "+".join(profiles), len(golden), len(chosen) - len(golden), seed)]

    def tell(text: str) -> None:  # the report's first line, once, before its first other line
        while header:
            say(header.pop())
        say(text)

    runs: List[Run] = []
    for target, tab, why in targets:
        run = Run(target, tab)
        runs.append(run)
        if several:
            tell("== tab %s ==" % one_line(str(tab), 60))
        if why:
            run.unavailable = why
            if not several:
                return error(PROG, "cannot load the port %s: %s" % (target, why))
            tell("not checked: %s" % why)
            continue
        last = [time.monotonic()]

        def loaded(info: Dict[str, Any], run: Run = run) -> None:
            run.framework, run.framework_version = info.get("framework") or "", info.get("version") or ""
            tell("port %s: %s" % (one_line(run.name, 300), "adapter %s %s" % (
                run.framework, run.framework_version) if run.framework else "no adapter"))
            if args.verbose:
                for line in info.get("skipped") or []:
                    say("skipped %s" % one_line(str(line), 300), sys.stderr)
            last[0] = time.monotonic()

        def reported(result: Result, run: Run = run) -> None:
            now = time.monotonic()
            run.seconds.append(now - last[0])
            last[0] = now
            tell(result.line())

        try:
            run.results = check_isolated(target, chosen, timeout=timeout, tab=tab, framework=args.framework,
                                         on_load=loaded, on_result=reported)
        except PortLoadError as err:
            run.error = "cannot load the port %s%s: %s" % (target, " (tab %s)" % tab if tab else "", err)
            if several:
                tell(one_line(run.error, 2000))
            continue
        tell(summary(run.results))
    if several:
        for run in runs:
            tell("tab %-12s %s" % ("%s:" % one_line(str(run.tab), 60), one_line(run.error or run.unavailable, 2000)
                                   or summary(run.results)))
    try:
        if args.json:
            text = json.dumps(json_report(runs, case_set, profiles, seed), indent=1, allow_nan=False) + "\n"
            write_atomically(args.json, lambda f: f.write(text.encode("utf-8")), "--json")
        if args.junit_xml:
            xml = junit_report(runs, case_set, profiles, seed)
            write_atomically(args.junit_xml, lambda f: f.write(xml), "--junit-xml")
    except OSError as err:
        return error(PROG, "cannot write the report: %s" % err)
    if not several and runs[0].error:  # a port that cannot be loaded: a usage error, the reports written
        return error(PROG, runs[0].error)
    checked = [run for run in runs if not run.error and not run.unavailable]
    if not checked or not any(r.status != NOT_IMPLEMENTED for run in checked for r in run.results):
        error(PROG, "nothing was checked: %s" % (
            "the port implements none of these cases" if checked else
            "no tab loaded (see the lines above)" if any(run.error for run in runs) else
            "no tab's framework is installed here"))
        return 1
    failed = any(
        not r.ok and not (args.allow_xpass and r.status == XPASS) or (args.require_all and r.status == NOT_IMPLEMENTED)
        for run in checked for r in run.results)
    return 1 if failed or any(run.error for run in runs) else 0


def _scoreboard_command(args: argparse.Namespace) -> int:
    ports = [check_port(spec, None, "a PORT") for spec in args.ports]
    check_framework(args.framework)
    timeout = check_timeout(args.timeout, "--timeout")
    seed = new_seed() if args.seed is None else check_seed(args.seed, "--seed")
    case_set = load(args.file)
    rows = []
    for spec in ports:
        port, _, tab = spec.rpartition("@") if "@" in spec else (spec, "", "")
        row: Dict[str, Any] = {"port": spec, "framework": "", "version": "", "profiles": {}}
        for profile in SCOREBOARD_PROFILES:
            # the profile's own cases, golden and fresh
            chosen = [c for c in with_fresh(case_set.cases, "all", (), seed) if c.profile == profile]
            info: Dict[str, Any] = {}
            try:
                results = check_isolated(port, chosen, timeout=timeout, tab=tab or None,
                                         framework=args.framework, on_load=info.update)
            except PortLoadError as err:
                row["profiles"][profile] = {"cannot load": one_line(str(err), 2000)}
                continue
            row["framework"], row["version"] = info.get("framework") or "", info.get("version") or ""
            row["profiles"][profile] = counts(results)
        rows.append(row)
    if args.json:
        say(json.dumps({"case_set": {"version": one_line(case_set.case_set_version, 100), "sha256": case_set.sha256},
                        "seed": seed, "profiles": list(SCOREBOARD_PROFILES), "ports": rows}, indent=1))
        return 0
    for line in scoreboard_markdown(case_set, rows, seed):
        say(line)
    return 0
