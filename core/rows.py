"""Hand-written SQL for the booking's hot path, with model instances in and out.

There, building and compiling ORM queries cost several times what the database spends
answering them. The SQL is written once, its column lists generated from the models; rows
become instances with the backend's own converters (SQLite hands back text for datetimes
and decimals), as the ORM does (`Columns`, `fetch_one`), and new instances are written as
`save()` would write them (`insert`). On PostgreSQL the statements are also prepared once
per connection (`_cursor`). Everywhere else, use the ORM.
"""

from django.db import connections, models
from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
from django.db.backends.utils import CursorWrapper


class _PreparingCursor(ServerBindingCursor):
    def execute(self, query, params=None, **options):
        return super().execute(query, params, prepare=True)


class _PreparingDebugCursor(CursorDebugWrapper):
    """Logs the statement as written (psycopg keeps no text of a prepared execution)."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


class Columns:
    """The columns of `model` under a table `alias`: those of `names` (attnames, the primary
    key always included) or every concrete one."""

    def __init__(self, model: type[models.Model], alias: str, names: tuple[str, ...] = ()):
        wanted = set(names) | {model._meta.pk.attname}
        self.model, self.alias = model, alias
        self.fields = [f for f in model._meta.concrete_fields if not names or f.attname in wanted]
        self.table = f"{model._meta.db_table} {alias}"
        self.sql = ", ".join(f'{alias}."{f.column}"' for f in self.fields)
        self.attnames = [f.attname for f in self.fields]
        self.pk_index = self.attnames.index(model._meta.pk.attname)
        self._converters_by_vendor: dict[str, list] = {}

    def _converters(self, connection) -> list:
        """(index, converters, column) for each field the backend converts on the way out."""
        vendor = connection.vendor
        if vendor not in self._converters_by_vendor:
            found = []
            for index, model_field in enumerate(self.fields):
                column = model_field.get_col(self.alias)
                converters = connection.ops.get_db_converters(column)
                converters += model_field.get_db_converters(connection)
                if converters:
                    found.append((index, converters, column))
            self._converters_by_vendor[vendor] = found
        return self._converters_by_vendor[vendor]

    def load(self, values, using: str = "default") -> models.Model:
        """An instance from this part of a row, as the ORM would have read it."""
        connection = connections[using]
        values = list(values)
        for index, converters, column in self._converters(connection):
            for convert in converters:
                values[index] = convert(values[index], column, connection)
        return self.model.from_db(using, self.attnames, values)


def _cursor(connection):
    """Django's cursor, except on PostgreSQL: there one that binds its parameters on the
    server and asks for its statement to be prepared, so that these few statements are
    planned once per connection instead of once per request (planning the booking's read of
    the person and the service costs PostgreSQL more than running it). It is still Django's
    cursor wrapper: errors are Django's and `assertNumQueries` counts it. Whether PostgreSQL
    prepares is the connection's `prepare_threshold` (config/settings.py)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = _PreparingCursor(connection.connection)
    if connection.queries_logged:
        return _PreparingDebugCursor(raw, connection)
    return connection.make_cursor(raw)


def fetch_one(sql: str, params, *parts: Columns, using: str = "default"):
    """Run `sql` (which selects the columns of `parts`, in order) and return one instance per
    part from its first row (None for a part whose primary key is NULL), or None when there
    is no row."""
    with _cursor(connections[using]) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for part in parts:
        end = start + len(part.fields)
        values = row[start:end]
        # A part left empty by an outer join is None.
        instances.append(None if values[part.pk_index] is None else part.load(values, using))
        start = end
    return tuple(instances)


class _Insert:
    """The INSERT of one model (every concrete column but an automatic primary key)."""

    def __init__(self, model: type[models.Model]):
        pk = model._meta.pk
        self.fields = [f for f in model._meta.concrete_fields if not (f is pk and f.auto_created)]
        self.pk = pk if pk not in self.fields else None
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        self.head = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES "
        self.row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.tail = f' RETURNING "{self.pk.column}"' if self.pk else ""


_INSERTS: dict[type[models.Model], _Insert] = {}


def insert(*objs: models.Model, using: str = "default") -> None:
    """Write new instances of one model in one statement, as `save()` would for a new row
    (defaults, `auto_now`, each field's conversion) but without building an ORM query: for
    the booking's hot path. It sends no `pre_save`/`post_save` signals (the project has none)
    and refuses a model whose own `save()` does more, unless it says `save_adds_nothing`.
    Sets each instance's primary key."""
    model = type(objs[0])
    if any(type(obj) is not model or not obj._state.adding for obj in objs):
        raise TypeError("insert() writes new instances of one model.")
    if model.save is not models.Model.save and not getattr(model, "save_adds_nothing", False):
        raise TypeError(f"{model.__name__}.save() does more than save: use it.")
    plan = _INSERTS.get(model) or _INSERTS.setdefault(model, _Insert(model))
    connection = connections[using]
    values = [
        f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in plan.fields
    ]
    with _cursor(connection) as cursor:
        cursor.execute(plan.head + ", ".join([plan.row] * len(objs)) + plan.tail, values)
        keys = cursor.fetchall() if plan.pk else []
    if plan.pk:
        for obj, (key,) in zip(objs, keys, strict=True):
            setattr(obj, plan.pk.attname, key)
    for obj in objs:
        obj._state.adding, obj._state.db = False, using
