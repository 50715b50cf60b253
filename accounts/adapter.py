from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect

from core.enums import NotificationChannel
from core.notifications import outbox_write


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from invitations only; allauth's mail goes through our outbox."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_logout_redirect_url(self, request) -> str:
        """A session opened through ProConnect ends ProConnect's too (accounts.proconnect)."""
        from accounts.proconnect import logout_redirect_url

        return logout_redirect_url(request) or super().get_logout_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from accounts.models import User

        request = context.get("request")
        ctx = {"email": email, "site_url": settings.SITE_URL, **context}
        if request is not None:
            ctx["request"] = request
        message = self.render_mail(template_prefix, email, ctx)
        html_body = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html_body = content
        outbox_write(
            channel=NotificationChannel.EMAIL,
            recipient=email,
            user=User.objects.filter(email__iexact=email).first(),
            template=template_prefix,
            subject=message.subject,
            body=message.body,
            html_body=html_body,
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """ProConnect opens a session on an existing staff account, never creates one.

    The e-mail ProConnect vouches for (the State's federation of identity providers) is
    matched with an account (`accounts.selectors.proconnect_account_for`): found and allowed,
    the ProConnect identity is linked to it and the person is signed in; otherwise a French
    message on the sign-in page, nothing created, nothing linked. A linked identity is checked
    again at every sign-in (a membership revoked since, a deactivated account)."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        from accounts.proconnect import claims_of, id_token_claims
        from accounts.selectors import ProConnectRefusal, proconnect_account_for
        from accounts.services import proconnect_refusal_record

        claims = claims_of(sociallogin)
        email = (claims.get("email") or "").strip()
        expected_nonce = sociallogin.state.get("nonce")
        if not expected_nonce or id_token_claims(sociallogin).get("nonce") != expected_nonce:
            user, reason = None, ProConnectRefusal.NONCE  # every request carries one
        else:
            linked = sociallogin.user if sociallogin.is_existing else None
            user, reason = proconnect_account_for(email=email, user=linked)
        if user is None:
            proconnect_refusal_record(email=email, reason=reason, claims=claims)
            messages.error(request, ProConnectRefusal.message(reason, email))
            raise ImmediateHttpResponse(redirect("account_login"))
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)
