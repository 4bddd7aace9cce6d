from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "opendeal.events"
    label = "events"
    verbose_name = "Events"
