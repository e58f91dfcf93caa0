"""The indexes of the events' and figures' tables: none that another one already
serves. Each costs every save and, in seed_demo, a build from a sort of the whole
table (at 10M events over 200 territories, a few seconds each)."""

import pytest
from django.db import connection

from indicators import demo_writes

# Django's table for the co-organisers link indexes its event column beside the
# unique (event, partner) pair: a table it makes, left as it makes it.
LEFT_AS_DJANGO_MAKES_THEM = {demo_writes.CoOrganizer._meta.db_table}


def _indexes():
    """(table, index, its key columns, whether partial) of the tables seed_demo writes."""
    tables = [
        model._meta.db_table
        for model in (*demo_writes.WRITTEN, *demo_writes.FIGURES)
        if model._meta.db_table not in LEFT_AS_DJANGO_MAKES_THEM
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, "
            "(SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(i.indkey) WITH ORDINALITY "
            "AS k(attnum, n) JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = k.attnum WHERE k.n <= i.indnkeyatts), "
            "i.indpred IS NOT NULL, i.indisunique "
            "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND i.indexprs IS NULL",
            [tables],
        )
        return cursor.fetchall()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's catalogue")
def test_no_plain_index_is_the_beginning_of_another_index_of_its_table():
    indexes = _indexes()
    redundant = [
        (name, other)
        for table, name, columns, partial, unique in indexes
        if not partial and not unique
        for other_table, other, other_columns, other_partial, _ in indexes
        if other_table == table
        and other != name
        and not other_partial
        and other_columns[: len(columns)] == columns
    ]
    assert redundant == []
    # What the migration 0019 replaced: a lookup by a user is served by a partial
    # index, never by one listing every event without a user.
    partial = {name for _, name, _, is_partial, _ in indexes if is_partial}
    assert {"event_validated_by_idx", "event_created_by_idx", "event_updated_by_idx"} <= partial
