from django.apps import AppConfig


class BeneficiariesConfig(AppConfig):
    name = "beneficiaries"
    verbose_name = "Personnes accompagnées"

    def ready(self):
        from beneficiaries import receivers

        receivers.connect()
