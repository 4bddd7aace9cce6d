from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from .api import api

# The Django admin is for administrators only, and only after two-factor sign-in.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", include("opendeal.core.urls")),
    path("deal/", include("opendeal.deal.urls")),
    path("events/", include("opendeal.events.urls")),
    path("directory/", include("opendeal.directory.urls")),
    path("oruk/", include("opendeal.directory.oruk.urls")),
    path("fund/", include("opendeal.fund.urls")),
    path("care/", include("opendeal.care.urls")),
    path("observatory/", include("opendeal.observatory.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]
