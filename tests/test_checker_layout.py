"""The checker's house rules, read from its source: each module imports only those
above it, none imports MXNet, the rest of mxconv or a private name of another, none
is over about 500 lines, and every public name of 0.3.0 still imports."""
import ast
import importlib

import pytest

from ._helpers import ROOT

FOLDER = ROOT / "mxconv" / "baseline"
# The order CONTRIBUTING.md draws: a module may import only those before it.
ORDER = ["errors", "text", "files", "casefile", "fresh", "results", "selection", "adapters", "running", "protocol",
         "judging", "sources", "supervisor", "isolation", "reports", "console", "cli", "pytest_helper", "__init__",
         "__main__"]
PUBLIC_0_3 = ["Case", "Result", "Baseline", "BaselineError", "PortLoadError", "cases", "case_id", "check",
              "check_case", "check_isolated", "assert_case", "load", "load_port", "load_expectations",
              "with_expectations", "md_tabs", "select", "summary", "PROFILES", "FUNCTIONS", "FRAMEWORKS", "STATUSES",
              "to_json", "main", "DEFAULT_PATH"]


def imports(name):
    tree = ast.parse((FOLDER / (name + ".py")).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield node.level, node.module or "", [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield 0, alias.name, []


def test_the_modules_are_the_ones_drawn():
    assert sorted(p.stem for p in FOLDER.glob("*.py")) == sorted(ORDER)


@pytest.mark.parametrize("name", ORDER)
def test_a_module_imports_only_those_above_it_and_nothing_of_mxnet_or_mxconv(name):
    for level, module, names in imports(name):
        if level:
            target = module.split(".")[0] if module else names[0]
            if name != "__main__":
                assert ORDER.index(target) < ORDER.index(name), (name, target)
            assert not any(n.startswith("_") for n in names), (name, module, names)
        else:
            assert module.split(".")[0] not in ("mxnet", "mxconv", "d2l"), (name, module)


@pytest.mark.parametrize("name", ORDER)
def test_no_module_is_over_about_500_lines(name):
    assert len((FOLDER / (name + ".py")).read_text().splitlines()) <= 500


@pytest.mark.parametrize("name", PUBLIC_0_3)
def test_every_public_name_of_0_3_still_imports(name):
    assert hasattr(importlib.import_module("mxconv.baseline"), name)
