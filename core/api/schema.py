"""Our OpenAPI generation (drf-spectacular): what every operation can answer, documented once.

- Every operation lists the errors it can return, with their shapes: 400 (DRF field errors
  `{field: [messages]}`, or `{detail, code}` for a domain or parse error), 401, 403, 404, 409
  and 429, each where it applies (see `error_statuses`). The `Error` component's `code` is the
  enum of `core.enums.ErrorCode`, read when the schema is generated.
- Decimal strings (`core.api.fields.DecimalStringField`, money included) carry the exact
  pattern the field checks on input, and the one it writes on output.
- Request bodies are documented as JSON, the API's one documented format.
- Lists paginated by hand (`core.api.pagination.paginated_response`) are documented as the
  `{count, next, previous, results}` envelope through the view's `pagination_class`.
"""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers

from core.api.fields import DecimalStringField, TextField
from core.enums import ErrorCode

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Not only whitespace, as DRF's `str.strip()` sees it (it also strips \x1c-\x1f and \x85,
# which ECMA's `\s` does not, and keeps \ufeff, which ECMA's `\s` matches): a required text
# field is refused when nothing is left once trimmed.
NOT_BLANK = r"[^\s\u001c-\u001f\u0085]|\ufeff"

ERROR_DESCRIPTIONS = {
    "400": "Requête invalide : erreurs par champ (`{champ: [messages]}`), ou erreur du "
    "domaine ou de lecture (`{detail, code}`).",
    "401": "Non connecté, ou jeton invalide (`Authorization: Token <jeton>`).",
    "403": "Réservé à d'autres rôles.",
    "404": "Introuvable, ou hors de ce que vous pouvez voir (ou page au-delà de la dernière).",
    "409": "Conflit avec l'état des données (créneau complet, changement d'état impossible, "
    "budget dépassé, doublon...).",
    "429": "Trop de requêtes : réessayez après le délai de l'en-tête `Retry-After`.",
}


def error_schema() -> dict:
    """`{detail, code}`: a domain error (`core.errors.ApplicationError`) or one of DRF's."""
    return {
        "type": "object",
        "description": "Une erreur, en français, et son code stable.",
        "properties": {
            "detail": {"type": "string", "description": "Message en français."},
            "code": {
                "type": "string",
                "enum": list(ErrorCode.values),
                "description": "\n".join(
                    f"* `{value}` - {label}" for value, label in ErrorCode.choices
                ),
            },
        },
        "required": ["detail", "code"],
    }


def validation_error_schema() -> dict:
    """DRF's field errors: messages per field, nested for nested objects and lists."""
    return {
        "type": "object",
        "description": "Erreurs de validation par champ (`non_field_errors` pour l'ensemble) ; "
        "imbriquées pour les objets et les listes.",
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
                {"type": "object"},
            ]
        },
        "minProperties": 1,
    }


class AutoSchema(BaseAutoSchema):
    def get_serializer_name(self, serializer, direction):
        """Name nested serializers after their view: `MeView.OutputSerializer` →
        `MeViewOutput`."""
        qualname = serializer.__class__.__qualname__
        if "." in qualname:
            return "".join(part.removesuffix("Serializer") for part in qualname.split("."))
        return super().get_serializer_name(serializer, direction)

    def map_parsers(self):
        return [media_type for media_type in super().map_parsers() if media_type.endswith("json")]

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, DecimalStringField):
            schema["pattern"] = (
                field.input_pattern if direction == "request" else field.output_pattern
            )
        elif (
            direction == "request"
            and type(field) in (serializers.CharField, TextField)
            and field.trim_whitespace
            and not field.allow_blank
            and "pattern" not in schema
        ):
            schema["pattern"] = NOT_BLANK
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for status in self.error_statuses(operation):
            operation["responses"].setdefault(status, self._error_response(status))
        return operation

    def error_statuses(self, operation: dict) -> list[str]:
        """The error statuses this operation can answer:
        - 400 when it reads input (a body, query parameters) or changes something;
        - 401 when it authenticates, 403 unless it is open to anyone;
        - 404 when it names an object in its path or lists pages (a page past the last);
          unless open to anyone, also when it reads input (ids in a body or filters) or
          changes something;
        - 409 when it changes something (domain conflicts), unless open to anyone;
        - 429 when a throttle applies."""
        parameters = operation.get("parameters", [])
        reads_input = "requestBody" in operation or any(p["in"] == "query" for p in parameters)
        writes = self.method not in SAFE_METHODS
        names_object = any(p["in"] == "path" for p in parameters)
        public = any(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())
        statuses = []
        if reads_input or writes:
            statuses.append("400")
        if self.view.get_authenticators():
            statuses.append("401")
        if not public:
            statuses.append("403")
        pages = self.method == "GET" and getattr(self.view, "pagination_class", None) is not None
        if names_object or pages or (not public and (reads_input or writes)):
            statuses.append("404")
        if writes and not public:
            statuses.append("409")
        if self.view.get_throttles():
            statuses.append("429")
        return statuses

    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=f"{__name__}.{name}", schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _error_response(self, status: str) -> dict:
        error = self._component("Error", error_schema())
        if status == "400":
            fields = self._component("ValidationError", validation_error_schema())
            schema = {"anyOf": [error, fields]}
        else:
            schema = error
        return {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": schema}},
        }


# Response components whose fields depend on who reads them (need-to-know): those fields are
# documented as optional in the answer, since a role that may not read them gets none.
ROLE_DEPENDENT_FIELDS: dict[str, set[str]] = {}


def role_dependent_fields(*names: str):
    """Class decorator for an output serializer that leaves out `names` for some readers."""

    def register(serializer_class):
        component = serializer_class.__name__.removesuffix("Serializer")
        ROLE_DEPENDENT_FIELDS.setdefault(component, set()).update(names)
        return serializer_class

    return register


def optional_role_dependent_fields(result, generator, request, public):
    """drf-spectacular post-processing hook: those fields leave the `required` lists."""
    schemas = result.get("components", {}).get("schemas", {})
    for component, names in ROLE_DEPENDENT_FIELDS.items():
        schema = schemas.get(component)
        if schema and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in names]
    return result
