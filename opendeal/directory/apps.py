from django.apps import AppConfig
from django.db.models.signals import post_migrate

FULL_TEXT_MIGRATION = ("directory", "0005_search_indexes")


def _ensure_full_text_index(sender, using: str = "default", plan=None, **kwargs) -> None:
    from opendeal.directory.fulltext import ensure_full_text_index

    for migration, backwards in plan or ():
        if backwards and (migration.app_label, migration.name) == FULL_TEXT_MIGRATION:
            return  # migrating back to before the index: leave it dropped
    ensure_full_text_index(using)


class DirectoryConfig(AppConfig):
    name = "opendeal.directory"
    label = "directory"
    verbose_name = "Community directory"

    def ready(self) -> None:
        # After every migrate (and in tests, which build tables without migrations): SQLite
        # drops a table's triggers when Django rebuilds it to alter a column.
        post_migrate.connect(_ensure_full_text_index, sender=self)
