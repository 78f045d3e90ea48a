"""Fast bulk INSERT of many rows: COPY on PostgreSQL, one executemany on SQLite.

Values are converted to what each driver stores for the ORM's column types (dates as ISO text and
JSON as text on SQLite), so rows written here read back through the ORM like any other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session


def driver_value(session: Session, value: Any) -> Any:
    """`value` as the session's driver takes it for bulk rows: on SQLite, times and dates as the
    text SQLAlchemy stores; JSON (dicts, lists) as text on both. Convert constants once."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if session.get_bind().dialect.name == "postgresql":
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    convert: bool = False,
) -> int:
    """Insert `rows` (tuples in `columns` order) in the session's transaction; returns the count.

    Values must already be in driver form (see :func:`driver_value`) unless `convert` is set,
    which converts every value (simple, but slower on millions of rows).
    """
    if not rows:
        return 0
    if convert:
        rows = [tuple(driver_value(session, v) for v in row) for row in rows]
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)
    marks = ", ".join("?" for _ in columns)
    # Only identifiers from the ORM metadata are formatted in; every value is a bound parameter.
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608
    conn.exec_driver_sql(sql, list(rows))
    return len(rows)
