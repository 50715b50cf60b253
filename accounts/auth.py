"""Signing in outside allauth's pages: the API's token endpoint.

It goes through allauth's public API only, so that it keeps the sign-in page's rules:
- the account adapter's `authenticate` applies the page's failure limits (per account and
  per address, `ACCOUNT_RATE_LIMITS["login_failed"]`) and raises when they are reached;
- the second factor is checked by `allauth.mfa.base.forms.AuthenticateForm`, the form of the
  page's 2FA step: the same rate limit on wrong codes, a TOTP code accepted once, recovery
  codes accepted too.
The rate limits live in the default cache, which survives a Redis outage (`core.cache`).

It takes the request (allauth limits per client address) but no HTTP answer comes out: a
refusal is an ApplicationError, which the API turns into `{"detail", "code"}`.
"""

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import User
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError

# allauth's code for "the failure limit is reached" (account adapter and MFA form alike).
TOO_MANY = "too_many_login_attempts"


def _too_many_attempts() -> ApplicationError:
    return ApplicationError(
        _("Trop de tentatives de connexion échouées. Réessayez dans quelques minutes."),
        code=ErrorCode.TOO_MANY_ATTEMPTS,
        status=429,
    )


def _check_second_factor(user: User, code: str) -> None:
    if not get_mfa_adapter().is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        return
    code = code.strip()
    if not code:
        raise ApplicationError(
            _("La double authentification est activée : indiquez le code à 6 chiffres."),
            code=ErrorCode.MFA_REQUIRED,
        )
    form = AuthenticateForm(user=user, data={"code": code})
    if form.is_valid():
        return
    errors = form.errors.as_data().get("code", [])
    if any(error.code == TOO_MANY for error in errors):
        raise _too_many_attempts()
    raise ApplicationError(
        _("Code de double authentification incorrect."), code=ErrorCode.INVALID_CREDENTIALS
    )


def api_token_obtain(*, request, email: str, password: str, code: str = "") -> Token:
    """The user's API token for these credentials (and TOTP code when 2FA is on)."""
    credentials = {"email": email.strip().lower(), "password": password}
    try:
        user = get_account_adapter(request).authenticate(request, **credentials)
    except ValidationError as exc:  # allauth's failure limit
        raise _too_many_attempts() from exc
    if user is None or not user.is_active:
        raise ApplicationError(
            _("Adresse e-mail ou mot de passe incorrect."), code=ErrorCode.INVALID_CREDENTIALS
        )
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise ApplicationError(
            _("Confirmez d'abord votre adresse e-mail avec le lien reçu par e-mail."),
            code=ErrorCode.EMAIL_UNVERIFIED,
        )
    _check_second_factor(user, code)
    with transaction.atomic():
        token, _created = Token.objects.get_or_create(user=user)
        audit_log(actor=user, action="api.token_obtained", target=user)
    return token
