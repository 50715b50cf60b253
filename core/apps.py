from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Noyau"

    def ready(self) -> None:
        from core.aggregates import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="core_sqlite_median")
