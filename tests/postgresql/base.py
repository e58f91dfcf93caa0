"""Django's PostgreSQL backend, but a transactional test's tables are emptied with
DELETE instead of TRUNCATE.

A test with real transactions (two connections, the live server of the browser
tests) cannot be rolled back: Django empties every table after it. TRUNCATE gives
each of the ~55 tables, its indexes and its TOAST table new files, 0.4 s a test
where their few rows take 4 ms to DELETE; some 150 such tests made it a minute of
the suite. Every foreign key is deferrable and checked at the commit, when every
table is empty. Emptying with reset sequences stays Django's TRUNCATE … RESTART
IDENTITY."""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SET CONSTRAINTS ALL DEFERRED",
            *(f"{style.SQL_KEYWORD('DELETE FROM')} {self.quote_name(table)}" for table in tables),
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
