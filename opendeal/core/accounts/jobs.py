"""The status page of a background job (`opendeal.core.jobs`): /account/jobs/<public_id>/.

Only the person who started the job and administrators see it; to anyone else it does not
exist. While the job waits or runs the page refreshes itself with <meta http-equiv="refresh">,
which needs no JavaScript (and which the Content Security Policy does not govern)."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from opendeal.core.jobs import can_view_job
from opendeal.core.models import Job

# Seconds between refreshes while the job is unfinished.
REFRESH_SECONDS = 3


@require_GET
@never_cache
def job_status(request: HttpRequest, public_id) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    job = Job.objects.select_related("started_by").filter(public_id=public_id).first()
    if job is None or not can_view_job(request.user, job):
        raise Http404("No such job.")
    context = {
        "job": job,
        "refresh_seconds": None if job.is_finished else REFRESH_SECONDS,
        "percent": round(100 * job.done / job.total) if job.total else 0,
        "unit": job.parameters.get("unit", "items"),
    }
    return render(request, "core/account/job.html", context)
