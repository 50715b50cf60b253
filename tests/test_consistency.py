"""Checks on the code base itself (STYLE.md): dependencies between the apps go one way;
every app has the shape of the style guide; no module grows past 400 lines; views, API and
forms write nothing themselves; no template lies unused. (Every domain error carries an
ErrorCode: tests/test_error_codes.py.)

Lowest first, an app may import its own modules and those of the apps below it, never those
of an app above it, not even inside a function. `config` wires everything and may import
anything; `portal` is the top and composes the others. Templates follow the same order: an
app's templates include or extend only templates of its own app or of a lower one."""

import ast
import re
from pathlib import Path

import allauth
import pytest
from django.apps import apps
from django.conf import settings

LAYERS = (
    "core",
    "accounts",
    "partners",
    "beneficiaries",
    "marketplace",
    "bookings",
    "agenda",  # issue 16: adviser agendas, sessions, outreach dates
    "financing",
    "payments",
    "settlements",
    "reporting",
    "exchange",
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


# --- the shape of each app ------------------------------------------------------------------
APPS = list(LAYERS)
MAX_LINES = 400

# What each app must have (STYLE.md, "Shape of an app"). A module may be split into
# `name_*.py` files or a `name/` package. Apps that keep no rows of their own (marketplace)
# and the shared kernel (core) have the parts they need.
DOMAIN_APP = {"models", "enums", "services", "selectors", "permissions", "api", "views", "urls",
              "admin"}  # fmt: skip
SHAPE = {
    "accounts": DOMAIN_APP,
    "partners": DOMAIN_APP | {"tasks"},
    "beneficiaries": DOMAIN_APP | {"tasks"},
    "bookings": DOMAIN_APP | {"tasks"},
    "agenda": DOMAIN_APP | {"tasks"},
    "financing": DOMAIN_APP | {"tasks"},
    "settlements": DOMAIN_APP | {"tasks"},
    "payments": DOMAIN_APP | {"tasks", "gateway", "webhooks"},
    "marketplace": {"selectors", "api", "views", "urls", "forms"},
    "core": {"models", "enums", "errors"},
    "exchange": DOMAIN_APP | {"tasks"},
    "reporting": {"selectors", "permissions", "api", "views", "urls"},  # keeps no rows
    "portal": {"views", "urls"},
}


def python_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def has_part(app: str, part: str) -> bool:
    folder = ROOT / app
    return (
        (folder / f"{part}.py").exists()
        or (folder / part / "__init__.py").exists()
        or any(folder.glob(f"{part}_*.py"))
    )


@pytest.mark.parametrize("app", sorted(SHAPE))
def test_every_app_has_the_shape_of_the_style_guide(app):
    missing = sorted(part for part in SHAPE[app] if not has_part(app, part))
    assert not missing, f"{app}/ lacks {', '.join(missing)} (STYLE.md, Shape of an app)"


def test_no_module_is_over_400_lines():
    long = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for app in APPS
        for path in python_files(app)
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, "Split these modules (STYLE.md: past ~400 lines):\n" + "\n".join(long)


WRITES = {"save", "delete", "create", "update", "bulk_create", "bulk_update", "get_or_create",
          "update_or_create"}  # fmt: skip
PRESENTATION = re.compile(r"^(views|api|forms|serializers)(_\w+)?\.py$")


def _writes(tree: ast.AST):
    """Calls like `x.objects.create(...)`, `obj.save()`, `qs.update(...)`, `qs.delete()`."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, owner = node.func.attr, node.func.value
        if name not in WRITES:
            continue
        # `context.update(...)`, `dict.update`: only ORM-looking receivers count.
        receiver = ast.unparse(owner)
        if (
            name in {"update", "create"}
            and ".objects" not in receiver
            and "filter(" not in receiver
        ):
            continue
        yield node.lineno, ast.unparse(node)[:80]


def test_views_api_and_forms_write_nothing_themselves():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {code}"
        for app in APPS
        for path in python_files(app)
        if PRESENTATION.match(path.name)
        for line, code in _writes(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not found, "Writes belong in services (STYLE.md):\n" + "\n".join(found)


# --- templates ---------------------------------------------------------------------------

TEMPLATES = ROOT / "templates"
# Overrides of django-allauth's templates: used by allauth itself, so each must override a
# template allauth really has.
THIRD_PARTY = {"account": allauth, "allauth": allauth, "mfa": allauth}


def _sources() -> str:
    texts = [
        path.read_text(encoding="utf-8") for app in [*APPS, "config"] for path in python_files(app)
    ]
    texts += [path.read_text(encoding="utf-8") for path in TEMPLATES.rglob("*.*")]
    return "\n".join(texts)


def _is_used(name: str, sources: str, app_sources: dict[str, str]) -> bool:
    if name in sources:
        return True
    parts = name.split("/")
    if parts[0] == "notifications":
        # core.notifications renders notifications/<template>.<channel>.txt
        key = "/".join(parts[1:]).split(".")[0]
        return f'"{key}"' in sources
    # An app's views name their templates as a folder constant + the file name.
    return f'"{parts[-1]}"' in app_sources.get(parts[0], "")


def test_every_template_is_used():
    sources = _sources()
    app_sources = {
        app: "\n".join(p.read_text(encoding="utf-8") for p in python_files(app))
        for app in APPS
        if (ROOT / app).exists()
    }
    unused = []
    for path in sorted(TEMPLATES.rglob("*.*")):
        name = path.relative_to(TEMPLATES).as_posix()
        top = name.split("/")[0]
        if top in THIRD_PARTY:
            package = Path(THIRD_PARTY[top].__file__).parent / "templates"
            if not (package / name).exists():
                unused.append(f"{name} (overrides nothing in {THIRD_PARTY[top].__name__})")
            continue
        if not _is_used(name, sources, app_sources):
            unused.append(name)
    assert not unused, "Unused templates:\n" + "\n".join(unused)
