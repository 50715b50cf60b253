"""Aggregates the ORM lacks, written once for both databases.

`Median(expression)`: PostgreSQL's `percentile_cont(0.5) WITHIN GROUP (ORDER BY …)`; on
SQLite an aggregate function `MEDIAN` that `register_sqlite_functions` adds to every new
connection (`connection_created`, connected in `core.apps`). Durations work on both: SQLite
hands Django's duration arithmetic as microseconds (an integer: the median is rounded to the
microsecond), PostgreSQL as an interval. Works with `filter=` like any aggregate."""

from django.db.models import Aggregate, FloatField


class Median(Aggregate):
    function = "MEDIAN"
    name = "Median"
    allow_distinct = False

    def __init__(self, expression, output_field=None, **extra):
        super().__init__(expression, output_field=output_field or FloatField(), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        # A copy with PostgreSQL's template (Aggregate.as_sql wraps `self.template` in its
        # FILTER clause itself, so the template cannot be passed as an argument).
        clone = self.copy()
        clone.template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
        return super(Median, clone).as_sql(compiler, connection, **extra_context)


class _SqliteMedian:
    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        if not self.values:
            return None
        values = sorted(self.values)
        middle = len(values) // 2
        if len(values) % 2:
            result = values[middle]
        else:
            result = (values[middle - 1] + values[middle]) / 2
        if all(isinstance(v, int) for v in values):
            return round(result)  # durations are microseconds: keep an integer
        return result


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("MEDIAN", 1, _SqliteMedian)
