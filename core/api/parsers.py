"""The API's JSON parser: strict JSON of bounded depth, or a 400 `malformed_request`.

DRF's own parser lets Python's recursive decoder overflow the stack on deeply nested input
(a 500) and accepts `NaN` and `Infinity`, which JSON does not have. The body is already in
memory and bounded by `DATA_UPLOAD_MAX_MEMORY_SIZE` (DRF reads it through `request.body`).
"""

import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from core.enums import ErrorCode

MAX_DEPTH = 32  # the deepest body the API takes is 3 levels (a plan's lines)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _too_deep(data) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            data = json.loads(stream.read().decode(encoding), parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            raise ParseError(
                _("JSON invalide (ligne %(line)s, colonne %(column)s).")
                % {"line": exc.lineno, "column": exc.colno},
                code=ErrorCode.MALFORMED_REQUEST,
            ) from exc
        except (ValueError, RecursionError) as exc:  # undecodable bytes, NaN, nesting
            raise ParseError(_("JSON invalide."), code=ErrorCode.MALFORMED_REQUEST) from exc
        if _too_deep(data):
            raise ParseError(
                _("JSON trop imbriqué (%(max)s niveaux au plus).") % {"max": MAX_DEPTH},
                code=ErrorCode.MALFORMED_REQUEST,
            )
        return data
