from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Réservations"

    def ready(self):
        from bookings import receivers

        receivers.connect()
