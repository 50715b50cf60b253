from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et organisations"

    def ready(self):
        from allauth.account.signals import user_logged_in

        from accounts.proconnect import record_sign_in

        user_logged_in.connect(record_sign_in, dispatch_uid="accounts.proconnect.record_sign_in")
