"""Checks on the code base itself: every app has the shape of STYLE.md, no module grows past
400 lines, views and serializers write nothing themselves, and no template lies unused."""

import ast
import re
from pathlib import Path

import allauth
import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["core", "accounts", "partners", "beneficiaries", "marketplace", "bookings", "financing"]
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
    "financing": DOMAIN_APP | {"tasks"},
    "marketplace": {"selectors", "api", "views", "urls", "forms"},
    "core": {"models", "enums", "errors"},
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
        path.read_text(encoding="utf-8")
        for app in [*APPS, "config", "portal"]
        if (ROOT / app).exists()
        for path in python_files(app)
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
