from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = "Agenda des conseillers"

    def ready(self):
        from agenda import receivers

        receivers.connect()
