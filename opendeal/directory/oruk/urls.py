"""The Open Referral UK API's paths, as the standard names them (a trailing slash is allowed)."""

from django.urls import re_path

from . import api

app_name = "oruk"

ID = r"(?P<id>[^/]+)"

urlpatterns = [
    re_path(r"^$", api.index, name="index"),
    re_path(r"^services/?$", api.services, name="services"),
    re_path(rf"^services/{ID}/?$", api.service, name="service"),
    re_path(r"^taxonomies/?$", api.taxonomies, name="taxonomies"),
    re_path(rf"^taxonomies/{ID}/?$", api.taxonomy, name="taxonomy"),
    re_path(r"^taxonomy_terms/?$", api.taxonomy_terms, name="taxonomy_terms"),
    re_path(rf"^taxonomy_terms/{ID}/?$", api.taxonomy_term, name="taxonomy_term"),
    re_path(r"^organizations/?$", api.organizations, name="organizations"),
    re_path(rf"^organizations/{ID}/?$", api.organization, name="organization"),
    re_path(r"^service_at_locations/?$", api.service_at_locations, name="service_at_locations"),
    re_path(rf"^service_at_locations/{ID}/?$", api.service_at_location, name="service_at_location"),
]
