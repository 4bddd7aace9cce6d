from .views import listings, manage, problem_reports, public

app_name = "directory"

urlpatterns = [
    *public.urlpatterns,
    *problem_reports.urlpatterns,
    *listings.urlpatterns,
    *manage.urlpatterns,
]
