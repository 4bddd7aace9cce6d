from .views import apply, assess, grants, public, rounds

app_name = "fund"

urlpatterns: list = [
    *public.urlpatterns,
    *assess.urlpatterns,
    *grants.urlpatterns,
    *rounds.urlpatterns,
    *apply.urlpatterns,
]
