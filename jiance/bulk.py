"""Plain rows into a model's table, fast: COPY on PostgreSQL, one executemany per batch elsewhere.

For the bulk writes of the roster import and the student draw, where the ORM's bulk_create costs
more than the work itself. The rows must already be prepared the way the fields would prepare
them (encrypted values, adapted dates): this writes them as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]],
                *, batch: int = 10_000) -> int:
    """Insert `rows` (tuples in `columns` order) into `model`'s table; returns how many."""
    if not rows:
        return 0
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # psycopg's COPY sends each value in its binary-safe text form: no SQL per row
            with cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
            for start in range(0, len(rows), batch):
                cur.executemany(sql, rows[start:start + batch])
    return len(rows)
