"""Checks on the code base itself: dependencies between the apps go one way.

Lowest first, an app may import its own modules and those of the apps below it, never those
of an app above it, not even inside a function. `config` wires everything and may import
anything; `portal` is the top and composes the others. Templates follow the same order: an
app's templates include or extend only templates of its own app or of a lower one."""

import ast
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

LAYERS = (
    "core",
    "accounts",
    "partners",
    "beneficiaries",
    "marketplace",
    "bookings",
    "financing",
    "portal",
)
RANK = {app: rank for rank, app in enumerate(LAYERS)}
ROOT = Path(settings.BASE_DIR)
TEMPLATE_REFERENCE = re.compile(r"""\{%-?\s*(?:include|extends)\s+["']([\w-]+)/""")


def imported_modules(source: str, module: str) -> list[tuple[int, str]]:
    """(line, module) for every import of the source, wherever it stands: module level,
    functions, classes, conditional blocks; relative imports resolved from `module`, and
    `import_module("…")` / `__import__("…")` with a literal name."""
    found = []
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return sorted(found)


def upward_imports(app: str) -> list[str]:
    """« bookings/services.py:137 imports financing.services » for each import of a higher
    app in `app` (migrations aside)."""
    problems = []
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts:
            continue
        module = ".".join(relative.with_suffix("").parts)
        for line, name in imported_modules(path.read_text(encoding="utf-8"), module):
            target = name.split(".")[0]
            if RANK.get(target, -1) > RANK[app]:
                problems.append(f"{relative}:{line} imports {name}")
    return problems


def upward_templates(app: str) -> list[str]:
    problems = []
    for path in sorted((ROOT / "templates" / app).rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_REFERENCE.finditer(text):
            target = match.group(1)
            if RANK.get(target, -1) > RANK[app]:
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(ROOT)}:{line} uses {target}/ templates")
    return problems


def test_every_app_of_the_project_has_its_layer():
    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT  # not the libraries in .venv
    }
    assert ours == set(LAYERS)


def test_no_app_imports_a_higher_app():
    problems = [problem for app in LAYERS for problem in upward_imports(app)]
    assert problems == []


def test_no_template_uses_a_higher_app_template():
    problems = [problem for app in LAYERS for problem in upward_templates(app)]
    assert problems == []


def test_imports_are_found_wherever_they_stand():
    source = (
        "import core.enums\n"
        "from accounts import models\n"
        "def f():\n"
        "    from financing.services import plan_set\n"
        "class C:\n"
        "    if True:\n"
        "        import bookings.tasks as t\n"
        "from .selectors import x\n"
        "from . import display\n"
        "importlib.import_module('portal.views')\n"
    )
    assert [name for _line, name in imported_modules(source, "partners.views")] == [
        "core.enums",
        "accounts",
        "financing.services",
        "bookings.tasks",
        "partners.selectors",
        "partners",
        "portal.views",
    ]
