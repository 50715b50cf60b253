from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partenaires"

    def ready(self):
        from partners import receivers

        receivers.connect()
