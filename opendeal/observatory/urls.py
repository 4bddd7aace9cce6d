from django.urls import path

from .views import evidence, public

app_name = "observatory"

urlpatterns = [
    path("", public.index, name="index"),
    # Before the indicator pages: "evidence" would otherwise be taken for an indicator's slug.
    path("evidence/", evidence.report, name="evidence"),
    path("evidence.csv", evidence.report_csv, name="evidence_csv"),
    path("<slug:slug>/", public.indicator, name="indicator"),
    path("<slug:slug>/<str:code>/", public.area, name="area"),
]
