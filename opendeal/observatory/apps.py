from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "opendeal.observatory"
    label = "observatory"
    verbose_name = "Outcomes observatory"
