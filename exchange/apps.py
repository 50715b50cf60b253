from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "Échanges avec d'autres systèmes"

    def ready(self):
        from exchange import receivers

        receivers.connect()
