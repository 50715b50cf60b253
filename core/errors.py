"""Domain errors. Every foreseeable failure raises one of these, never a bare exception."""

from core.enums import ErrorCode


class ApplicationError(Exception):
    status = 400
    default_code = ErrorCode.INVALID

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.message = str(message)
        # An unknown code fails loudly here: every code the API answers is in the enum.
        self.code = str(ErrorCode(code or self.default_code))
        if status is not None:
            self.status = status
        self.extra = extra or {}  # more machine-readable facts for the API answer

    def __str__(self) -> str:
        return self.message


class ConflictError(ApplicationError):
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
