"""`INSERT … SELECT` through the ORM's own query: the one piece of SQL the ORM cannot say
that the apps share (the settlements' lines and grants)."""

from django.db import connection


def insert_from(model, rows, fields: dict[str, str]) -> int:
    """`INSERT INTO <model's table> (<fields>) SELECT … FROM (<rows' query>)`: rows the
    database computes and writes without bringing them to Python. `fields`: model field →
    name of its value among `rows`' annotations. Returns the number of rows written."""
    meta, quote = model._meta, connection.ops.quote_name
    sql, params = rows.values(*fields.values()).query.sql_with_params()
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    values = ", ".join(f"source.{quote(alias)}" for alias in fields.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {values} FROM ({sql}) source",
            params,
        )
        return cursor.rowcount
