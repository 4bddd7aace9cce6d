from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opendeal.core"
    label = "core"
    verbose_name = "OpenDeal core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import sync_role_groups

        # Every app's post_migrate: permissions of later apps exist only once theirs has run.
        post_migrate.connect(sync_role_groups, dispatch_uid="opendeal-sync-role-groups")
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="opendeal-cache-table")


def create_cache_table(sender=None, using: str = "default", **kwargs) -> None:
    """The database cache's table, when CACHE_URL=db:// (createcachetable skips what exists)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
