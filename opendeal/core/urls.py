from django.urls import include, path

from . import views
from .metrics import metrics_view

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("brand.css", views.brand_css, name="brand-css"),
    path("accessibility", views.accessibility, name="accessibility"),
    path("cookies", views.cookies, name="cookies"),
    path("privacy", views.privacy, name="privacy"),
    path("account/", include("opendeal.core.accounts.urls")),
]
