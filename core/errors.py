"""Domain errors. Every foreseeable failure raises one of these, never a bare exception."""

from core.enums import ErrorCode


class ApplicationError(Exception):
    """A foreseeable refusal: a French message, a stable `ErrorCode`, an HTTP status.

    The generic classes (this one, `ConflictError`) take an explicit `code`; a subclass that
    stands for one kind of refusal sets `default_code`. A code that is not an `ErrorCode`
    member is a programming error (TypeError), so the API's codes stay a closed list."""

    status = 400
    default_code: ErrorCode | None = None

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        status: int | None = None,
        extra: dict | None = None,
    ):
        code = self.default_code if code is None else code
        if not isinstance(code, ErrorCode):
            raise TypeError(
                f"{type(self).__name__} needs a core.enums.ErrorCode member as code, not {code!r}"
            )
        super().__init__(message)
        self.message = str(message)
        self.code = str(code)
        if status is not None:
            self.status = status
        self.extra = extra or {}  # more machine-readable facts for the API answer

    def __str__(self) -> str:
        return self.message


class ConflictError(ApplicationError):
    """409: the request is fine but the state of things refuses it (give the code)."""

    status = 409


class InvalidTransition(ConflictError):
    default_code = ErrorCode.INVALID_TRANSITION


class PermissionDeniedError(ApplicationError):
    status = 403
    default_code = ErrorCode.PERMISSION_DENIED


class NotFoundError(ApplicationError):
    status = 404
    default_code = ErrorCode.NOT_FOUND


def get_or_not_found(queryset, pk, message: str):
    """The row with this primary key, or a NotFoundError (404) saying `message`."""
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist as exc:
        raise NotFoundError(message) from exc
