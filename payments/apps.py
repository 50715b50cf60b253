from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Paiements en ligne"

    def ready(self):
        from payments import receivers

        receivers.connect()
