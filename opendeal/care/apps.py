from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "opendeal.care"
    label = "care"
    verbose_name = "Adult social care conversations"
