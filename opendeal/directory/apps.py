from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "opendeal.directory"
    label = "directory"
    verbose_name = "Community directory"
