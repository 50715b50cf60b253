from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import auth, permissions
from accounts.enums import OrganisationKind
from accounts.need_to_know import DataKind, Need
from accounts.scoping import memberships
from core.api.fields import TextField


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
            help_text="Code à 6 chiffres de l'application d'authentification (ou un code de "
            "récupération), si la double authentification est activée.",
        )

    class OutputSerializer(serializers.Serializer):
        token = TextField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer}, auth=[])
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = auth.api_token_obtain(
            request=request,
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            code=data.validated_data.get("code", ""),
        )
        return Response(self.OutputSerializer({"token": token.key}).data)


class MeView(APIView):
    """The signed-in user, their memberships and roles."""

    need_to_know = Need(DataKind.ACCOUNT)

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
