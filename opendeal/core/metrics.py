"""Prometheus metrics at /metrics: request latency, the task queue, background jobs started
from the web, and import failures.

Request latency is measured in each web process. Under gunicorn with several workers, set
PROMETHEUS_MULTIPROC_DIR to an empty directory (and use `opendeal/gunicorn_conf.py`), so a
scrape sees every worker's figures. The task queue, jobs and import failures are read from the
database at scrape time, so they are the same whichever server answers and whichever machine
ran the work.

Labels are route names, never paths, so no id or token in a URL reaches the metrics.
"""

import contextlib
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .models import ImportRun, Job, JobStatus
from .redaction import redact

REQUEST_SECONDS = Histogram(
    "opendeal_request_duration_seconds",
    "Time to answer a request, by route, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class RequestMetricsMiddleware:
    """Times every request under its route's name ("deal:scorecard"), or "unrouted"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match is not None else "") or "unrouted"
        REQUEST_SECONDS.labels(
            route=route, method=request.method or "", status=f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
        return response


class DatabaseCollector(Collector):
    """Figures that live in the database: tasks and jobs by status, and import runs that failed."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        queue = GaugeMetricFamily(
            "opendeal_tasks",
            "Background tasks in the database queue, by status.",
            labels=["status"],
        )
        for status, count in _task_counts().items():
            queue.add_metric([status], count)
        yield queue
        jobs = GaugeMetricFamily(
            "opendeal_jobs",
            "Background jobs started from the web (e.g. CSV imports), by status.",
            labels=["status"],
        )
        job_counts = dict(Job.objects.values_list("status").annotate(count=Count("id")).order_by())
        for status in JobStatus.values:
            jobs.add_metric([status], job_counts.get(status, 0))
        yield jobs
        failures = GaugeMetricFamily(
            "opendeal_import_errors",
            "Import runs that failed, by importer (all time).",
            labels=["importer"],
        )
        counts = (
            ImportRun.objects.filter(succeeded=False)
            .values_list("importer")
            .annotate(count=Count("id"))
            .order_by()
        )
        for importer, count in counts:
            failures.add_metric([importer], count)
        yield failures


def _task_counts() -> dict[str, int]:
    from django_tasks_db.models import DBTaskResult

    counts = DBTaskResult.objects.values_list("status").annotate(count=Count("id")).order_by()
    return {status.lower(): count for status, count in counts}


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(DatabaseCollector())
    return registry


def _allowed(request: HttpRequest) -> bool:
    token = settings.OPENDEAL_METRICS_TOKEN
    if token:
        return request.headers.get("Authorization", "") == f"Bearer {token}"
    return request.META.get("REMOTE_ADDR", "") in settings.OPENDEAL_METRICS_ALLOWED_ADDRESSES


def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format, for a bearer token or an allowed address only: the figures
    say how busy the council's services are, which is no one else's business."""
    if not _allowed(request):
        return HttpResponse("Not found", status=404, content_type="text/plain")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


@contextlib.contextmanager
def import_run(importer: str, source: str = "") -> Iterator[ImportRun]:
    """Record one run of an importer around the block: failed if it raises (and re-raise)."""
    run = ImportRun.objects.create(importer=importer, source=str(source)[:500])
    try:
        yield run
    except BaseException as error:
        run.succeeded = False
        run.error = redact(str(error))[:2000] or type(error).__name__
        run.finished_at = timezone.now()
        run.save(update_fields=["succeeded", "error", "finished_at"])
        raise
    run.succeeded = True
    run.finished_at = timezone.now()
    run.save(update_fields=["succeeded", "finished_at"])
