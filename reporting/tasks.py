from celery import shared_task

from reporting import services


@shared_task
def report_snapshots_refresh() -> int:
    return services.report_snapshots_refresh()


@shared_task
def report_snapshots_refresh_current() -> int:
    return services.report_snapshots_refresh_current()
