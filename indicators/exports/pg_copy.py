"""The CSV files of `writer`, written by PostgreSQL's COPY.

Building each line in Python caps a download at about 25,000 rows a second; a
`COPY (SELECT …) TO STDOUT WITH (FORMAT csv)` streams the same rows several times
faster. The SELECT computes `writer.cell` of each value (formula protection,
dialect's dates, French labels) and COPY's CSV writer quotes them as `writer` does:
a cell holding the delimiter, a double quote, a CR or an LF (COPY's defaults, which
the statement keeps). Its rules and `writer`'s differ in two ways, each undone:

- COPY quotes an empty string (to tell it from NULL): empty text is sent as NULL;
- COPY ends lines with LF: the dialect's CRLF is put back, row by row.

The tests compare the bytes of both paths: the Python writer stays the reference,
and the path on SQLite.

A column's value is one of the fields below: called on a row (a dict) it gives the
value that `writer.cell` formats; its `sql()` gives that cell, before quoting,
from the column of the same name in the source query."""

from dataclasses import dataclass

from django.db import connections
from django.utils import timezone

from indicators.exports import writer
from indicators.exports.chunks import iterating

# Rows come one by one from COPY; they are sent in blocks of this many (~100 kB).
BLOCK_ROWS = 400

# strftime directives and their to_char() equivalents. FM drops the zeros that
# to_char adds to a year before 1000, as strftime does.
_TO_CHAR = {"%d": "DD", "%m": "MM", "%Y": "FMYYYY", "%H": "HH24", "%M": "MI"}


def can_copy(using):
    """True when the database behind `using` is PostgreSQL through psycopg 3."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def _check(dialect):
    if dialect.lineterminator not in ("\n", "\r\n") or len(dialect.delimiter.encode()) != 1:
        raise ValueError(f"COPY cannot write the {dialect.key} dialect.")


@dataclass(frozen=True)
class Field:
    name: str

    def __call__(self, row):
        return row[self.name]

    def column(self, quote_name):
        return f"s.{quote_name(self.name)}"


class Text(Field):
    """Text, an apostrophe before a leading formula trigger; NULL if empty."""

    def sql(self, dialect, quote_name):
        return text_cell(self.column(quote_name), dialect)


class Integer(Field):
    def sql(self, dialect, quote_name):
        return self.column(quote_name), []


class Date(Field):
    def sql(self, dialect, quote_name):
        return f"to_char({self.column(quote_name)}, %s)", [
            _to_char_format(dialect.date_format, dialect)
        ]


class DateTime(Field):
    """A timestamp in the current time zone, as `timezone.localtime` gives it."""

    def sql(self, dialect, quote_name):
        return (
            f"to_char({self.column(quote_name)} AT TIME ZONE %s, %s)",
            [
                timezone.get_current_timezone_name(),
                _to_char_format(f"{dialect.date_format} %H:%M", dialect),
            ],
        )


@dataclass(frozen=True)
class Label(Field):
    """The label of a choice, whose cell is computed here, in Python."""

    choices: type = None

    def __call__(self, row):
        return self.choices(row[self.name]).label

    def sql(self, dialect, quote_name):
        column = self.column(quote_name)
        whens, params = [], []
        for value, label in self.choices.choices:
            whens.append("WHEN %s THEN %s")
            params += [value, writer.cell(label, dialect)]
        # A code outside the choices (which the Python writer refuses) is written as is.
        other, other_params = text_cell(column, dialect)
        return f"CASE {column} {' '.join(whens)} ELSE {other} END", [*params, *other_params]


def _to_char_format(strftime_format, dialect):
    result = strftime_format
    for directive, pattern in _TO_CHAR.items():
        result = result.replace(directive, pattern)
    if "%" in result or any(c in result for c in f'"{dialect.delimiter}\r\n'):
        raise ValueError(f"No to_char() equivalent for {strftime_format!r} in {dialect.key}.")
    return result


def text_cell(column, dialect):
    """SQL for `writer.cell` of a text column: `writer.looks_like_formula` in SQL.

    ascii() reads the first character's code, cheaper than a substring; ltrim(),
    which copies the text, runs only for a text that starts with a character of
    `writer.INVISIBLE`: below 33 all are, above 126 the array says which (an
    accented capital is not; ltrim() on each would double the export's time)."""
    _check(dialect)
    formula = [ord(start) for start in writer.FORMULA_STARTS]
    guarded = [ord(start) for start in writer.GUARDED_STARTS]
    # PostgreSQL's text never holds NUL, and refuses it as a parameter.
    invisible = writer.INVISIBLE.replace("\x00", "")
    above_ascii = [ord(char) for char in invisible if ord(char) > 126]
    first = f"ascii({column})"
    sql = (
        f"CASE WHEN {first} IN ({_placeholders(formula + guarded)}) "
        f"OR (({first} < 33 OR ({first} > 126 AND {first} = ANY(%s))) "
        f"AND ascii(ltrim({column}, %s)) IN ({_placeholders(formula)})) "
        f"THEN '''' || {column} ELSE NULLIF({column}, '') END"
    )
    return sql, [*formula, *guarded, above_ascii, invisible, *formula]


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


@dataclass(frozen=True)
class Source:
    """A SELECT whose columns are named as the fields' names, and the columns that
    order its rows."""

    sql: str
    params: tuple
    order: tuple


def statement(columns, source, dialect, using):
    """The COPY statement, its parameters bound (COPY takes none of its own)."""
    connection = connections[using]
    quote_name = connection.ops.quote_name
    cells, params = [], []
    for column in columns:
        sql, cell_params = column.value.sql(dialect, quote_name)
        cells.append(sql)
        params += cell_params
    order = ", ".join(f"s.{quote_name(name)}" for name in source.order)
    select = f"SELECT {', '.join(cells)} FROM ({source.sql}) AS s ORDER BY {order}"
    return connection.ops.compose_sql(
        f"COPY ({select}) TO STDOUT WITH (FORMAT csv, DELIMITER %s)",
        [*params, *source.params, dialect.delimiter],
    )


def _block(rows, dialect):
    """Rows as COPY sent them (one a message, each ended by LF), in the dialect."""
    if dialect.lineterminator == "\n":
        return b"".join(rows)
    terminator = dialect.lineterminator.encode()
    return terminator.join([row[:-1] for row in rows]) + terminator


def lines(columns, sources, dialect, using):
    """The file in blocks of bytes: the header, then the rows of each of `sources`
    in turn, as COPY sends them."""
    yield writer.header(columns, dialect).encode()
    connection = connections[using]
    with iterating(sources) as remaining:
        for source in remaining:
            with (
                connection.wrap_database_errors,
                connection.cursor() as cursor,
                cursor.copy(statement(columns, source, dialect, using)) as copy,
            ):
                rows = []
                for row in copy:
                    rows.append(row)
                    if len(rows) == BLOCK_ROWS:
                        yield _block(rows, dialect)
                        rows = []
                if rows:
                    yield _block(rows, dialect)


def response(filename, columns, sources, dialect, using):
    return writer.attachment(filename, lines(columns, sources, dialect, using))
