from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import permissions
from accounts.enums import OrganisationKind
from accounts.scoping import memberships
from core.api.fields import TextField
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError


class TokenObtainView(APIView):
    """Exchange an e-mail and password (and a TOTP code when 2FA is on) for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = TextField(trim_whitespace=False, style={"input_type": "password"})
        code = TextField(
            required=False,
            allow_blank=True,
            help_text="Code à 6 chiffres de l'application d'authentification, si la double "
            "authentification est activée.",
        )

    class OutputSerializer(serializers.Serializer):
        token = TextField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer}, auth=[])
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        credentials = {
            "email": data.validated_data["email"].strip().lower(),
            "password": data.validated_data["password"],
        }
        # allauth's adapter applies the same per-account and per-IP failure limits as the
        # sign-in page.
        adapter = get_account_adapter(django_request)
        try:
            user = adapter.authenticate(django_request, **credentials)
        except forms.ValidationError as exc:
            raise ApplicationError(
                _("Trop de tentatives de connexion échouées. Réessayez dans quelques minutes."),
                code=ErrorCode.TOO_MANY_ATTEMPTS,
                status=429,
            ) from exc
        if user is None or not user.is_active:
            raise ApplicationError(
                _("Adresse e-mail ou mot de passe incorrect."), code=ErrorCode.INVALID_CREDENTIALS
            )
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise ApplicationError(
                _("Confirmez d'abord votre adresse e-mail avec le lien reçu par e-mail."),
                code=ErrorCode.EMAIL_UNVERIFIED,
            )
        if get_mfa_adapter().is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            code = data.validated_data.get("code", "").strip()
            totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
            if not code:
                raise ApplicationError(
                    _("La double authentification est activée : indiquez le code à 6 chiffres."),
                    code=ErrorCode.MFA_REQUIRED,
                )
            if not TOTP(totp).validate_code(code):
                # A wrong second factor counts as a failed sign-in for the account.
                ratelimit.consume(
                    django_request,
                    action="login_failed",
                    key=adapter._get_login_attempts_cache_key(django_request, **credentials),
                )
                raise ApplicationError(
                    _("Code de double authentification incorrect."),
                    code=ErrorCode.INVALID_CREDENTIALS,
                )
        token, _created = Token.objects.get_or_create(user=user)
        audit_log(actor=user, action="api.token_obtained", target=user)
        return Response(self.OutputSerializer({"token": token.key}).data)


class MeView(APIView):
    """The signed-in user, their memberships and roles."""

    class OrganisationSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = TextField()
        kind = serializers.ChoiceField(choices=OrganisationKind.choices)

    class MembershipSerializer(serializers.Serializer):
        organisation = serializers.SerializerMethodField()
        role = TextField()

        def get_organisation(self, obj) -> dict:
            return {
                "id": obj.organisation_id,
                "name": obj.organisation_name,
                "kind": obj.organisation_kind,
            }

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        first_name = TextField()
        last_name = TextField()
        phone = TextField()
        preferred_channel = TextField()
        language = TextField()
        memberships = serializers.ListField(child=serializers.DictField())
        roles = serializers.ListField(child=TextField())
        is_beneficiary = serializers.BooleanField()

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request):
        user = request.user
        rows = memberships(user)
        payload = {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "preferred_channel": user.preferred_channel,
            "language": user.language,
            "memberships": self.MembershipSerializer(rows, many=True).data,
            "roles": sorted({m.role for m in rows}),
            "is_beneficiary": permissions.is_beneficiary(user),
        }
        return Response(self.OutputSerializer(payload).data)
