from .views import manage, public

app_name = "events"

urlpatterns = [*public.urlpatterns, *manage.urlpatterns]
