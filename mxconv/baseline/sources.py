"""Where a port's code lives: a module, a file, a Jupyter notebook, a d2l-book source.

Notebook and tab cells run in order in a fresh module, which is the port. Lines that
IPython would not run as Python (magics, shell escapes) are skipped, as is d2l-book's
own machinery; the names of skipped lines go to ``verbose``. Every reader here is
linear in the size of its file.
"""
import importlib
import importlib.util
import json
import os
import re
import sys
import types
from typing import Any, Dict, List, Optional, Tuple

from .errors import PortLoadError, UsageError
from .files import read_regular
from .running import raised
from .text import one_line

__all__ = ["DEFAULT_TAB", "load_port", "md_tabs", "md_cells", "is_d2l_book", "check_port", "check_tab_name",
           "runnable"]

Port = Any
Cells = List[Tuple[str, str]]  # (label, source)

DEFAULT_TAB = "mxnet"  # d2l-book gives an untagged cell to its first tab, MXNet
_TAB_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}\Z")
_FENCE = re.compile(r"```\{\.python \.input[^}]*\}[ \t]*\Z")
_TAB_LINE = re.compile(r"\s*(?:%%tab|#@tab)\s+(.*?)\s*\Z")
# d2l-book's preamble: the first cell of every chapter, which sets up its tabs
_PREAMBLE = re.compile(r"\s*%load_ext\s+d2lbook\.tab\b")
_RUN_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")  # their body is Python
_ASSIGNED = re.compile(r"[A-Za-z_][\w, ]*=\s*[!%]")  # x = !ls, x = %timeit f()


def is_d2l_book(port: str) -> bool:
    """Whether ``port`` names a d2l-book source (``.md``), whose tabs are ports."""
    return port.partition(":")[0].lower().endswith(".md")


def check_port(port: Any, tab: Any = None, port_name: str = "port", tab_name: str = "tab") -> str:
    """``port`` if it names a port (a non-empty str) and ``tab`` fits it (None or empty,
    or a tab's name for a d2l-book source): the one check of both, for Python and the
    command line. TypeError for a non-str, UsageError for any other value."""
    if not isinstance(port, str):
        raise TypeError("%s must be a non-empty str (MODULE, MODULE:OBJECT or a path), got %r" % (port_name, port))
    if not port:
        raise UsageError("%s is empty: name a module, a file, a notebook or a d2l-book source" % port_name)
    check_tab_name(tab, tab_name)
    if tab and not is_d2l_book(port):
        raise UsageError("%s selects a tab of a d2l-book source (.md); %s is not one" % (tab_name, one_line(port, 200)))
    return port


def check_tab_name(tab: Any, name: str = "tab") -> Optional[str]:
    """``tab`` if None, empty (no tab chosen) or a d2l-book tab's name (1 to 40 letters,
    digits, _ or -); TypeError for a non-str, UsageError naming ``name`` for any other."""
    if tab is not None and not isinstance(tab, str):
        raise TypeError("%s must be a str, got %r" % (name, tab))
    if tab and not _TAB_NAME.match(tab):
        raise UsageError("%s: a tab's name is 1 to 40 letters, digits, _ or -, got %s" % (
            name, one_line(ascii(tab), 60)))
    return tab


def load_port(spec: str, *, tab: Optional[str] = None, verbose: Optional[List[str]] = None) -> Port:
    """A port from where its code lives.

    ``spec`` is ``MODULE``, ``MODULE:OBJECT``, ``path/to/file.py[:OBJECT]``, a Jupyter
    notebook ``path/to/file.ipynb`` (its code cells run in order in a fresh namespace,
    IPython magics and shell lines skipped), or a d2l-book source ``path/to/file.md``
    with ``tab`` naming the tab whose cells (and those of ``all``) run, d2l-book's
    preamble skipped. What was skipped is appended to ``verbose``, where given.

    Raises
    ------
    PortLoadError
        For a notebook or tab that cannot be read, or a cell that raises (naming the
        cell and the port's line). Importing a module raises what the import raises.
    UsageError
        For a bad tab name, or ``tab`` with a port that is not a d2l-book source.
    """
    check_port(spec, tab)
    target, _, attribute = spec.partition(":")
    lowered = target.lower()
    skipped = [] if verbose is None else verbose
    if lowered.endswith((".ipynb", ".md")):
        if attribute:
            raise PortLoadError("%s: a notebook or tab is a port as a whole, without :OBJECT" % target)
        if lowered.endswith(".md"):
            if not tab:
                raise PortLoadError("%s: name the tab to check with --tab (its tabs: %s)" % (
                    target, ", ".join(md_tabs(target)) or "none"))
            cells = md_cells(target, tab, skipped)
        else:
            cells = _notebook_cells(target)
        return _run_cells(target, cells, skipped)
    if target.endswith(".py"):
        module_name = os.path.splitext(os.path.basename(target))[0]
        module_spec = importlib.util.spec_from_file_location(module_name, target)
        if module_spec is None or module_spec.loader is None:
            raise ImportError("cannot load %s" % target)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    port: Port = module
    for name in filter(None, attribute.split(".")):
        port = getattr(port, name)
    return port


def _read_text(path: str) -> str:
    try:
        raw = read_regular(path, PortLoadError)
    except OSError as err:
        raise PortLoadError("%s: %s" % (path, err.strerror or err)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise PortLoadError("%s: not UTF-8 (%s)" % (path, err)) from None


# -- notebooks -----------------------------------------------------------------------------


def _notebook_cells(path: str) -> Cells:
    """The code cells of an nbformat 4 notebook: (label, source), in order."""
    try:
        notebook = json.loads(_read_text(path))
    except (ValueError, RecursionError) as err:
        raise PortLoadError("%s: not a notebook (%s)" % (path, err)) from None
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4 or not isinstance(notebook.get("cells"), list):
        raise PortLoadError("%s: not an nbformat 4 notebook" % path)
    cells = []
    for number, cell in enumerate(notebook["cells"], 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise PortLoadError("%s: cell %d has no readable source" % (path, number))
        cells.append(("cell %d" % number, source))
    return cells


# -- d2l-book sources ------------------------------------------------------------------------


def _md_blocks(path: str) -> List[Tuple[int, List[str], str]]:
    """The ``{.python .input}`` cells of a d2l-book file: (line of the code, tabs, code
    without its tab line), in one pass over the lines. Other fenced blocks are passed
    over whole; a fence left open at the end of the file is not a cell."""
    blocks = []
    fence: Optional[Tuple[bool, int]] = None  # inside a fence: (a Python cell?, its first line)
    body: List[str] = []
    for number, line in enumerate(_read_text(path).split("\n"), 1):
        if fence is None:
            if line.startswith("```"):
                fence, body = (bool(_FENCE.match(line.rstrip("\r"))), number + 1), []
            continue
        if line.rstrip(" \t\r") == "```":
            if fence[0]:
                blocks.append(_md_block(fence[1], body))
            fence = None
        elif fence[0]:
            body.append(line)
    return blocks


def _md_block(line: int, body: List[str]) -> Tuple[int, List[str], str]:
    tab_line = _TAB_LINE.match(body[0]) if body else None
    if tab_line:
        tabs = [t.strip() for t in tab_line.group(1).split(",") if t.strip()]
        return line, tabs, "\n" + "\n".join(body[1:])  # a blank first line keeps the line numbers
    return line, [DEFAULT_TAB], "\n".join(body)


def md_tabs(path: str) -> List[str]:
    """The tabs of a d2l-book file, in the order they first appear (``all`` aside)."""
    return list(dict.fromkeys(t for _, tabs, code in _md_blocks(path) if not _is_preamble(code)
                              for t in tabs if t != "all"))


def _is_preamble(code: str) -> bool:
    return bool(_PREAMBLE.match(code.lstrip("\n")))


def md_cells(path: str, tab: str, skipped: List[str]) -> Cells:
    """The cells ``tab`` of a d2l-book file runs: (label, code), d2l-book's preamble
    skipped (and named in ``skipped``)."""
    blocks = _md_blocks(path)
    tabs = md_tabs(path)
    if tab not in tabs:
        raise PortLoadError("%s has no tab %r; its tabs: %s" % (path, tab, ", ".join(tabs) or "none"))
    cells = []
    for line, names, code in blocks:
        if _is_preamble(code):  # d2l-book's, not the port's
            skipped.append("the cell at line %d: d2l-book's preamble (%s)" % (
                line, one_line(code.strip().split("\n")[0], 80)))
        elif tab in names or "all" in names:
            cells.append(("the cell at line %d" % line, code))
    return cells


# -- cells as IPython runs them ----------------------------------------------------------------


def runnable(label: str, source: str, skipped: List[str]) -> str:
    """``source`` with the lines IPython would not run as Python made ``pass`` (line
    numbers kept): a cell magic's cell (but %%time, %%timeit, %%capture, whose body is
    Python), and a line magic or shell escape where it begins a logical line, never a
    ``%`` or ``!`` inside brackets, a string or a continued line."""
    lines = source.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        if first.split()[0] not in _RUN_CELL_MAGICS:
            skipped.append("%s: the whole cell (%s)" % (label, one_line(first, 120)))
            return ""
        index = next(i for i, line in enumerate(lines) if line.strip())
        skipped.append("%s line %d: %s" % (label, index + 1, one_line(first, 120)))
        lines[index] = ""
    for i, first_line in sorted(_escapes(lines).items()):
        stripped = lines[i].lstrip()
        skipped.append("%s line %d: %s" % (label, i + 1, one_line(stripped, 120)))
        # a magic's first line becomes pass (keeping the block's indentation), the lines
        # a backslash continues it on become blank
        lines[i] = lines[i][:len(lines[i]) - len(stripped)] + "pass" if first_line else ""
    return "\n".join(lines)


def _escapes(lines: List[str]) -> Dict[int, bool]:
    """The lines that are magics or shell escapes: index -> whether it is the escape's
    first line (not one a backslash continues it on). Found in one pass that tracks
    brackets, strings and continued lines as Python's tokenizer does."""
    found: Dict[int, bool] = {}
    depth, quote, continued, magic = 0, "", False, False
    for number, line in enumerate(lines):
        if magic or (depth == 0 and not quote and not continued and _is_escape(line)):
            found[number] = not magic
            magic = line.rstrip("\r").endswith("\\")  # a backslash continues a magic too
            continue
        depth, quote, continued = _scan(line.rstrip("\r"), depth, quote)
    return found


def _is_escape(line: str) -> bool:
    stripped = line.lstrip()
    return stripped.startswith(("%", "!")) or bool(_ASSIGNED.match(stripped))


def _scan(line: str, depth: int, quote: str) -> Tuple[int, str, bool]:
    """After ``line``: the bracket depth, the open string's quote ('' for none), and
    whether a backslash continues the line."""
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 2
            elif line.startswith(quote, i):
                i += len(quote)
                quote = ""
            else:
                i += 1
            continue
        if ch == "#":  # a comment: a backslash at its end continues nothing
            return depth, "", False
        if ch in "\"'":
            quote = ch * 3 if line.startswith(ch * 3, i) else ch
            i += len(quote)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        i += 1
    continued = line.endswith("\\")
    if len(quote) == 1 and not continued:
        quote = ""  # a one-quote string left open ends with its line (Python reports the error)
    return depth, quote, continued


def _run_cells(path: str, cells: Cells, skipped: List[str]) -> Port:
    """Run the cells in order in a fresh module; the module is the port."""
    module = types.ModuleType(re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0]) or "port")
    module.__file__ = os.path.abspath(path)
    # Its folder comes first on sys.path while the cells run (as in Jupyter, where a
    # notebook imports the modules beside it), and the caller's sys.path comes back.
    saved = list(sys.path)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        for label, source in cells:
            filename = "<%s, %s>" % (path, label)
            code = runnable(label, source, skipped)
            try:
                exec(compile(code, filename, "exec"), module.__dict__)
            except BaseException as err:
                line = _cell_line(err, filename, code)
                raise PortLoadError("%s raised %s%s" % (label, raised(err), line)) from None
    finally:
        sys.path[:] = saved
    return module


def _cell_line(err: BaseException, filename: str, code: str) -> str:
    """``' (line 3: x = 1 / 0)'``: the port's own line where the cell failed."""
    number = getattr(err, "lineno", None) if isinstance(err, SyntaxError) else None
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            number = tb.tb_lineno
        tb = tb.tb_next
    lines = code.split("\n")
    if not isinstance(number, int) or not 1 <= number <= len(lines):
        return ""
    return " (line %d: %s)" % (number, one_line(lines[number - 1].strip(), 120))
