from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "opendeal.fund"
    label = "fund"
    verbose_name = "Community investment fund"
