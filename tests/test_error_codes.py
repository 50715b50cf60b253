"""Checks on the code base itself: every domain error carries a stable `ErrorCode`.

Every app module is parsed with `ast`. An error built from `ApplicationError`, or from a
subclass that has no `default_code` of its own (`ConflictError`), must name its code as
`code=ErrorCode.<MEMBER>`; any `code=` given to a domain error is a member, never a string.
Every member of the enum is raised somewhere in the apps, or listed below with where it
comes from.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError

ROOT = Path(settings.BASE_DIR)


def app_modules() -> list[Path]:
    """Every Python module of the project's own apps (migrations aside)."""
    folders = [Path(app.path) for app in apps.get_app_configs()]
    folders = [folder for folder in folders if folder.is_relative_to(ROOT)]
    assert {folder.name for folder in folders} >= {"core", "bookings", "financing"}
    return sorted(
        path
        for folder in folders + [ROOT / "config"]
        for path in folder.rglob("*.py")
        if "migrations" not in path.parts
    )


def parsed() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(), filename=str(path)) for path in app_modules()}


def error_classes(modules: dict[Path, ast.Module]) -> dict[str, bool]:
    """Name of each domain error class → whether it (or a parent) has its own code."""
    known = {"ApplicationError": False, "ConflictError": False}
    classes = {
        node.name: node
        for tree in modules.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    changed = True
    while changed:
        changed = False
        for name, node in classes.items():
            parents = [base.id for base in node.bases if isinstance(base, ast.Name)]
            if name in known or not any(parent in known for parent in parents):
                continue
            own = any(
                isinstance(statement, ast.Assign)
                and any(getattr(t, "id", "") == "default_code" for t in statement.targets)
                for statement in node.body
            )
            known[name] = own or any(known.get(parent, False) for parent in parents)
            changed = True
    return known


def is_member(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "ErrorCode"
        and node.attr in ErrorCode.__members__
    )


def called_name(node: ast.expr) -> str:
    """`Error` for `Error(...)`, `raise Error` and `module.Error(...)`."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def offences(modules: dict[Path, ast.Module]) -> list[str]:
    classes = error_classes(modules)
    found = []
    for path, tree in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and not isinstance(node.exc, ast.Call | None):
                node = node.exc  # `raise Error` builds it without arguments
            elif not isinstance(node, ast.Call):
                continue
            name = called_name(node)
            if name not in classes:
                continue
            keywords = node.keywords if isinstance(node, ast.Call) else []
            code = next((k.value for k in keywords if k.arg == "code"), None)
            where = (str(path.relative_to(ROOT)), node.lineno, name)
            if code is None and not classes[name]:
                found.append((*where, "no code=ErrorCode.<MEMBER>"))
            elif code is not None and not is_member(code):
                found.append((*where, f"code={ast.unparse(code)} is not an ErrorCode member"))
    return [f"{path}:{line} {name}: {problem}" for path, line, name, problem in sorted(found)]


def test_every_domain_error_names_an_error_code_member():
    modules = parsed()
    assert offences(modules) == []


def test_the_check_catches_a_missing_or_bare_code():
    source = (
        "class Refused(ConflictError):\n    pass\n"
        "class Full(ConflictError):\n    default_code = ErrorCode.SLOT_FULL\n"
        "def f():\n"
        "    raise ApplicationError('a')\n"
        "    raise Refused('b')\n"
        "    raise ConflictError('c', code='budget_exceeded')\n"
        "    raise Full('d')\n"
        "    raise ConflictError('e', code=ErrorCode.BUDGET_EXCEEDED)\n"
        "    raise ApplicationError('f', code=ErrorCode.NO_SUCH_MEMBER)\n"
        "    raise errors.ConflictError('g')\n"
        "    raise ConflictError\n"
        "    error = Refused('h', code=ErrorCode.SLOT_FULL)\n"
    )
    found = offences({ROOT / "example.py": ast.parse(source)})
    assert [line.split(" ", 1)[0] for line in found] == [
        "example.py:6",
        "example.py:7",
        "example.py:8",
        "example.py:11",
        "example.py:12",
        "example.py:13",
    ]


# Members the apps do not raise themselves, each with where it comes from (none today).
# Codes the API answers for Django REST framework's own refusals (core.api.exceptions maps
# them into the same {detail, code} shape); no app raises them itself.
NOT_RAISED_BY_THE_APPS: dict[str, str] = {
    "NOT_AUTHENTICATED": "DRF: no credentials (401)",
    "AUTHENTICATION_FAILED": "DRF: a bad token (401)",
    "THROTTLED": "DRF: a throttle (429)",
    "PARSE_ERROR": "DRF: a body no parser reads",
    "METHOD_NOT_ALLOWED": "DRF: a method the view has not (405)",
    "NOT_ACCEPTABLE": "DRF: no renderer for the Accept header (406)",
    "UNSUPPORTED_MEDIA_TYPE": "DRF: a content type no parser takes (415)",
}


def test_every_error_code_is_raised_or_documented():
    used = {
        node.attr
        for tree in parsed().values()
        for node in ast.walk(tree)
        if is_member(node) and not isinstance(node.ctx, ast.Store)
    }
    unused = [member.name for member in ErrorCode if member.name not in used]
    assert sorted(unused) == sorted(NOT_RAISED_BY_THE_APPS)


@pytest.mark.parametrize("code", ["invalid", "slot_full", None, 3])
def test_a_code_that_is_not_a_member_is_refused(code):
    with pytest.raises(TypeError):
        ApplicationError("Refusé.", code=code)


def test_generic_errors_need_a_code_and_subclasses_keep_their_default():
    with pytest.raises(TypeError):
        ConflictError("Refusé.")
    assert ConflictError("Refusé.", code=ErrorCode.SLOT_FULL).code == "slot_full"
