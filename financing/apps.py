from django.apps import AppConfig


class FinancingConfig(AppConfig):
    name = "financing"
    verbose_name = "Financements"

    def ready(self):
        from financing import receivers

        receivers.connect()
