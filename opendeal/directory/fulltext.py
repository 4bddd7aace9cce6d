"""The full-text index behind directory search, one per database engine.

- PostgreSQL: a stored generated column, `directory_service.search_document`, holding the
  service's document (name weighted A, description B, English stemming), with a GIN index on
  it. Stored, so a search that starts from the places in a small area (a dense city, where
  PostgreSQL rightly does) reads each service's document instead of computing it again:
  measured at 100,000 services, that recomputation was most of a slow search. Queries use
  `SERVICE_DOCUMENT`, which reads the column.
- SQLite: an external-content FTS5 table over `directory_service` (Porter stemming), kept up to
  date by triggers, joined to the table on its rowid.

`ensure_full_text_index` creates what is missing. It runs from a migration and again after every
`migrate` (post_migrate), because on SQLite Django rebuilds a table to alter it, which drops its
triggers and may renumber its rowids; when anything was missing the FTS5 index is rebuilt from
the table. On PostgreSQL a rebuilt table would likewise lose the column, which is made again.
(The test suite, which builds tables without migrations, relies on the same hook.)
A SQLite `VACUUM` may also renumber rowids: run `opendeal migrate` afterwards, or
`INSERT INTO directory_service_fts(directory_service_fts) VALUES('rebuild')`.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import connections
from django.db.models import Expression

SEARCH_CONFIG = "english"
POSTGRES_COLUMN = "search_document"
POSTGRES_INDEX = "directory_service_search_document"
# Before the stored column, the GIN index was on the expression itself.
POSTGRES_OLD_INDEX = "directory_service_search"
POSTGRES_COLUMN_SQL = f"""
ALTER TABLE directory_service ADD COLUMN IF NOT EXISTS {POSTGRES_COLUMN} tsvector
GENERATED ALWAYS AS (
    setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE(name, '')), 'A')
    || setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE(description, '')), 'B')
) STORED
"""
POSTGRES_INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON directory_service "
    f"USING gin ({POSTGRES_COLUMN})"
)


class ServiceDocument(Expression):
    """The service's stored search document (PostgreSQL), read from whichever alias the query
    gives `directory_service`, so it holds in subqueries too."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.{POSTGRES_COLUMN}", []


SERVICE_DOCUMENT = ServiceDocument()

SQLITE_TABLE = "directory_service_fts"
SQLITE_TABLE_SQL = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5(
    name, description,
    content='directory_service', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
)
"""
# External content: the FTS5 table holds only the index, so each change to a service's text
# is told to it, with the old values for a delete.
SQLITE_TRIGGERS = {
    "directory_service_fts_insert": f"""
        CREATE TRIGGER IF NOT EXISTS directory_service_fts_insert
        AFTER INSERT ON directory_service BEGIN
            INSERT INTO {SQLITE_TABLE}(rowid, name, description)
            VALUES (new.rowid, new.name, new.description);
        END
    """,
    "directory_service_fts_delete": f"""
        CREATE TRIGGER IF NOT EXISTS directory_service_fts_delete
        AFTER DELETE ON directory_service BEGIN
            INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, name, description)
            VALUES ('delete', old.rowid, old.name, old.description);
        END
    """,
    "directory_service_fts_update": f"""
        CREATE TRIGGER IF NOT EXISTS directory_service_fts_update
        AFTER UPDATE OF name, description ON directory_service BEGIN
            INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, name, description)
            VALUES ('delete', old.rowid, old.name, old.description);
            INSERT INTO {SQLITE_TABLE}(rowid, name, description)
            VALUES (new.rowid, new.name, new.description);
        END
    """,
}


def ensure_full_text_index(using: str = "default") -> bool:
    """Create the full-text index (and on SQLite its triggers) where missing; True if it did."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 1 FROM information_schema.columns"
                " WHERE table_name = 'directory_service' AND column_name = %s",
                [POSTGRES_COLUMN],
            )
            has_column = cursor.fetchone() is not None
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [POSTGRES_INDEX])
            if has_column and cursor.fetchone():
                return False
            cursor.execute(POSTGRES_COLUMN_SQL)
            cursor.execute(POSTGRES_INDEX_SQL)
            cursor.execute(f"DROP INDEX IF EXISTS {POSTGRES_OLD_INDEX}")
            return True
        if connection.vendor != "sqlite":
            return False
        wanted = {SQLITE_TABLE, *SQLITE_TRIGGERS}
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        if wanted <= {row[0] for row in cursor.fetchall()}:
            return False
        cursor.execute(SQLITE_TABLE_SQL)
        for sql in SQLITE_TRIGGERS.values():
            cursor.execute(sql)
        cursor.execute(f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('rebuild')")
        return True


def drop_full_text_index(using: str = "default") -> None:
    """Undo `ensure_full_text_index` (the migration's reverse)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {POSTGRES_INDEX}")
            cursor.execute(f"ALTER TABLE directory_service DROP COLUMN IF EXISTS {POSTGRES_COLUMN}")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
