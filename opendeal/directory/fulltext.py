"""The full-text index behind directory search, one per database engine.

- PostgreSQL: a GIN index on the expression `SERVICE_DOCUMENT` (name weighted A, description B,
  English stemming). Queries must use exactly that expression for the planner to use the index.
- SQLite: an external-content FTS5 table over `directory_service` (Porter stemming), kept up to
  date by triggers, joined to the table on its rowid.

`ensure_full_text_index` creates what is missing. It runs from a migration and again after every
`migrate` (post_migrate), because on SQLite Django rebuilds a table to alter it, which drops its
triggers and may renumber its rowids; when anything was missing the FTS5 index is rebuilt from
the table. (The test suite, which builds tables without migrations, relies on the same hook.)
A SQLite `VACUUM` may also renumber rowids: run `opendeal migrate` afterwards, or
`INSERT INTO directory_service_fts(directory_service_fts) VALUES('rebuild')`.
"""

from django.contrib.postgres.search import SearchVector
from django.db import connections

SEARCH_CONFIG = "english"

SERVICE_DOCUMENT = SearchVector("name", weight="A", config=SEARCH_CONFIG) + SearchVector(
    "description", weight="B", config=SEARCH_CONFIG
)

POSTGRES_INDEX = "directory_service_search"
# The SQL of SERVICE_DOCUMENT as Django writes it (a test checks that search uses the index).
POSTGRES_INDEX_SQL = f"""
CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON directory_service USING gin ((
    setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE(name, '')), 'A')
    || setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE(description, '')), 'B')
))
"""

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
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [POSTGRES_INDEX])
            if cursor.fetchone():
                return False
            cursor.execute(POSTGRES_INDEX_SQL)
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
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
