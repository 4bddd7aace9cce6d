from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "opendeal.care"
    label = "care"
    verbose_name = "Adult social care conversations"

    def ready(self) -> None:
        from .summaries import connect_signals

        connect_signals()
