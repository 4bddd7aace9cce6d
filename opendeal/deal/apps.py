from django.apps import AppConfig


class DealConfig(AppConfig):
    name = "opendeal.deal"
    label = "deal"
    verbose_name = "The Deal"
