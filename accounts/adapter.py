from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from core.enums import NotificationChannel
from core.notifications import outbox_write


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from invitations only; allauth's mail goes through our outbox."""

    def is_open_for_signup(self, request) -> bool:
        return False

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
