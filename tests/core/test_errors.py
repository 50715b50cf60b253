import pytest
from django.test import RequestFactory
from rest_framework import exceptions

from core.api.exceptions import exception_handler
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError, InvalidTransition, NotFoundError


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (ApplicationError("Données invalides.", code=ErrorCode.INVALID), 400, "invalid"),
        (InvalidTransition("Déjà confirmée."), 409, "invalid_transition"),
        (ConflictError("Créneau complet.", code=ErrorCode.SLOT_FULL), 409, "slot_full"),
        (NotFoundError("Introuvable."), 404, "not_found"),
    ],
)
def test_domain_errors_become_detail_and_code(error, status, code):
    response = exception_handler(error, {})
    assert response.status_code == status
    assert response.data == {"detail": error.message, "code": code}


def test_drf_errors_carry_a_code_too():
    response = exception_handler(exceptions.NotAuthenticated(), {})
    assert response.status_code in (401, 403)
    assert response.data["code"] == "not_authenticated"


def test_validation_errors_keep_drf_field_format():
    response = exception_handler(exceptions.ValidationError({"email": ["Requis."]}), {})
    assert response.status_code == 400
    assert response.data == {"email": ["Requis."]}


@pytest.mark.django_db
def test_pages_show_domain_errors_in_french_with_their_status(admin_user):
    from core.middleware import ApplicationErrorMiddleware

    request = RequestFactory().get("/")
    request.user = admin_user
    middleware = ApplicationErrorMiddleware(lambda r: None)
    error = ConflictError("Ce créneau est complet.", code=ErrorCode.SLOT_FULL)
    response = middleware.process_exception(request, error)
    assert response.status_code == 409
    assert "Ce créneau est complet." in response.content.decode()
    assert middleware.process_exception(request, ValueError("boom")) is None
