"""ProConnect, the State's OpenID Connect sign-in for public and social-sector staff, through
allauth's `openid_connect` provider (settings: `PROCONNECT_*`, off when unset).

allauth's provider does most of the work (discovery, PKCE, state, token, JWKS). ProConnect
differs from a plain OIDC server in two ways handled here:

- the authorisation request must carry a `nonce`, which the ID token echoes: `ProConnectProvider`
  (swapped in for allauth's class by `SOCIALACCOUNT_PROVIDERS["openid_connect"]
  ["provider_class"]`) adds a fresh one and keeps it in allauth's state; the social account
  adapter (`accounts.adapter.SocialAccountAdapter`) compares them;
- the userinfo endpoint answers a signed JWT (`application/jwt`), not JSON:
  `ProConnectOAuth2Adapter` verifies it with the provider's keys (and verifies the ID token's
  signature too, which allauth skips for tokens fetched over TLS).

allauth's `openid_connect` views build allauth's adapter by name, so the two views below,
identical but for the adapter, sit on the same URLs ahead of allauth's (accounts.urls).
Who may sign in is decided in `accounts.selectors.proconnect_account_for`.
"""

import secrets
from functools import wraps
from urllib.parse import urlencode, urlsplit

import requests
from allauth.account.views import login as allauth_login_page
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

PROVIDER_ID = "proconnect"


class ProConnectOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    def _verify(self, credential: str) -> dict:
        app = self.get_provider().app
        return jwtkit.verify_and_decode(
            credential=credential,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
        )

    def _fetch_user_info(self, access_token: str) -> dict:
        headers = {"Authorization": f"Bearer {access_token}"}
        with get_adapter().get_requests_session() as session:
            response = session.get(self.profile_url, headers=headers)
            response.raise_for_status()
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if content_type == "application/jwt":
            return self._verify(response.text.strip())
        return response.json()

    def _decode_id_token(self, app, id_token: str) -> dict:
        return self._verify(id_token)

    def complete_login(self, request, app, token, **kwargs):
        login = super().complete_login(request, app, token, **kwargs)
        # Kept for the logout (id_token_hint), in the session only: see record_sign_in.
        login.proconnect_id_token = kwargs["response"].get("id_token", "")
        return login


class ProConnectProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider, plus a nonce and ProConnect's claim names."""

    package = "allauth.socialaccount.providers.openid_connect"  # its URLs are allauth's

    def get_oauth2_adapter(self, request):
        return ProConnectOAuth2Adapter(request, self.app.provider_id)

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )

    def extract_common_fields(self, data):
        fields = super().extract_common_fields(data)
        claims = {**data.get("id_token", {}), **data.get("userinfo", {})}
        fields["last_name"] = fields.get("last_name") or claims.get("usual_name")
        return fields


def claims_of(sociallogin) -> dict:
    """The ID token's claims under the userinfo's (ProConnect puts acr/amr in the former)."""
    extra = sociallogin.account.extra_data or {}
    return {**extra.get("id_token", {}), **extra.get("userinfo", {})}


def id_token_claims(sociallogin) -> dict:
    return (sociallogin.account.extra_data or {}).get("id_token", {})


def proconnect_origin() -> str:
    """The origin of the configured ProConnect server ('' when off)."""
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {})
    for app in providers.get("openid_connect", {}).get("APPS", []):
        if app.get("provider_id") == PROVIDER_ID:
            url = urlsplit(app["settings"]["server_url"])
            return f"{url.scheme}://{url.netloc}"
    return ""


def allow_form_action_to_proconnect(view):
    """The page's form posts to our login URL, which redirects to ProConnect: CSP's
    `form-action` covers that redirect, so pages with the button add ProConnect's origin."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        origin = proconnect_origin()
        if origin:
            response._csp_update = {"form-action": [origin]}
            response._csp_update_ro = {"form-action": [origin]}
        return response

    return wrapped


# allauth's sign-in page, which shows the ProConnect button (templates/account/login.html).
sign_in_page = allow_form_action_to_proconnect(allauth_login_page)


@require_http_methods(["GET", "POST"])
@allow_form_action_to_proconnect
def login(request, provider_id: str):
    try:
        view = OAuth2LoginView.adapter_view(ProConnectOAuth2Adapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc


@require_http_methods(["GET"])
def callback(request, provider_id: str):
    try:
        view = OAuth2CallbackView.adapter_view(ProConnectOAuth2Adapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc


def record_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    """allauth's `user_logged_in`: a session opened through ProConnect is audited with how the
    person authenticated (acr, amr) — connected in `AccountsConfig.ready()`."""
    from accounts.services import proconnect_sign_in_record

    if sociallogin is None or sociallogin.account.provider != PROVIDER_ID:
        return
    claims = claims_of(sociallogin)
    proconnect_sign_in_record(user=user, claims=claims, uid=sociallogin.account.uid)
    request.session["proconnect"] = {
        "acr": claims.get("acr"),
        "amr": claims.get("amr"),
        "id_token": getattr(sociallogin, "proconnect_id_token", ""),
    }


# --- Logout: end the ProConnect session too -------------------------------------------------

LOGOUT_SALT = "solimob.proconnect.logout"


def logout_redirect_url(request) -> str:
    """Where signing out goes when the session came from ProConnect ('' otherwise): our page
    that sends the browser on to ProConnect's end_session_endpoint. The ID token (the hint
    ProConnect asks for) travels signed, as the session is gone by then."""
    id_token = (request.session.get("proconnect") or {}).get("id_token")
    if not id_token:
        return ""
    return (
        reverse("proconnect_logout")
        + "?"
        + urlencode({"t": signing.dumps({"id_token": id_token}, salt=LOGOUT_SALT, compress=True)})
    )


@require_http_methods(["GET"])
def logout(request):
    """« Vous êtes déconnecté de Solimob » and on to ProConnect, which ends its own session
    and comes back to the sign-in page. (A page, not a redirect: the sign-out form's
    `form-action` would refuse a redirect to another origin.)"""
    try:
        hint = signing.loads(request.GET.get("t", ""), salt=LOGOUT_SALT, max_age=600)["id_token"]
    except (signing.BadSignature, KeyError, TypeError):
        return redirect("account_login")
    try:
        config = ProConnectOAuth2Adapter(request, PROVIDER_ID).openid_config
    except (SocialApp.DoesNotExist, requests.RequestException, ValueError):
        return redirect("account_login")
    endpoint = config.get("end_session_endpoint")
    if not endpoint:
        return redirect("account_login")
    target = endpoint + "?" + urlencode({
        "id_token_hint": hint,
        "state": secrets.token_urlsafe(16),
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("account_login")),
    })  # fmt: skip
    title = _("Vous êtes déconnecté de Solimob")
    return render(request, "accounts/proconnect_logout.html",
                  {"title": title, "end_session_url": target})  # fmt: skip
