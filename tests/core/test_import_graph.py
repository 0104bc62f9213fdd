"""The dependency rule, checked on every module's imports (ast): domains import only what lies below them.

    core ← accounts ← standards ← content ← learning ← {quizzes, scenarios} ← certificates ← registry

`core` (with `extensions` and `config`) is the shared kernel. Among the three learner domains, `learning` owns
enrolment, completion and the resume position: quizzes and scenarios may call its services (they complete items
when passed); learning reaches quizzes and scenarios only through the content kind registry (their player endpoint
and the evidence they report), and quizzes and scenarios never import each other. `site`, `manage`, `demo`, `cli`
and the factory assemble the application and may import any domain; no domain imports them.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "academy"

#: Layer of each top-level module or package under `academy`; a module may import its own layer and those below.
LAYERS = {
    "core": 0, "extensions": 0, "config": 0,
    "accounts": 1,
    "standards": 2,
    "content": 3,
    "learning": 4,
    "quizzes": 5, "scenarios": 5,
    "certificates": 6,
    "registry": 7,
    # The application's assembly: may import everything, imported by no domain.
    "site": 9, "manage": 9, "demo": 9, "cli": 9, "__init__": 9,
}
#: Same-layer packages that must not import each other.
SIBLINGS = {("quizzes", "scenarios"), ("scenarios", "quizzes")}
#: Where an import inside a function is allowed: the factory (importing `academy.*` runs academy/__init__ first,
#: so it cannot import the domains at module level).
NESTED_ALLOWED = {PACKAGE / "__init__.py"}


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _area(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.name != "__init__.py" else "__init__"


def _imports(tree: ast.Module):
    """(target area, line, nested) for every `academy.*` import, with whether it sits inside a function."""
    nested_nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nested_nodes.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module + ("." + a.name if node.module == "academy" else "") for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] != "academy":
                continue
            target = parts[1] if len(parts) > 1 else "__init__"
            if node.__class__ is ast.ImportFrom and node.module == "academy" and target not in LAYERS:
                target = "__init__"  # a name defined in academy/__init__.py (create_app, __version__)
            yield target, node.lineno, id(node) in nested_nodes


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_the_layers(path):
    source = _area(path)
    assert source in LAYERS, f"{path}: add '{source}' to the layers of this test and docs/architecture.md"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = []
    for target, line, nested in _imports(tree):
        # academy/__init__ holds the factory and __version__; reading the version is harmless.
        if target == "__init__" and source != "__init__" and LAYERS[source] < 9 and all(
                a.name == "__version__" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                and n.module == "academy" and n.lineno == line for a in n.names):
            continue
        level = LAYERS.get(target)
        if level is None:
            wrong.append(f"{line}: unknown area '{target}'")
        elif target != source and (level > LAYERS[source] or (source, target) in SIBLINGS):
            wrong.append(f"{line}: {source} must not import {target}")
        if nested and path not in NESTED_ALLOWED:
            wrong.append(f"{line}: import inside a function (import at the top; a cycle means a layer is wrong)")
    assert not wrong, f"{path.relative_to(ROOT)}:\n" + "\n".join(wrong)


def test_the_rule_catches_an_upward_import(tmp_path):
    bad = ast.parse("from academy.quizzes.models import QuizAttempt\n\ndef f():\n    import academy.content\n")
    found = list(_imports(bad))
    assert ("quizzes", 1, False) in found and ("content", 4, True) in found
    assert LAYERS["quizzes"] > LAYERS["content"]
