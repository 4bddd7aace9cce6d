from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "opendeal.geography"
    label = "geography"
    verbose_name = "Geography"
