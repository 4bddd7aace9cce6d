from .views import manage, pledges, public

app_name = "deal"

urlpatterns = [*public.urlpatterns, *pledges.urlpatterns, *manage.urlpatterns]
