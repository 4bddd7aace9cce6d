"""Background jobs started from the web: run by a task, followed on a status page that only their
starter and administrators see, and counted on /metrics."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django_tasks.base import TaskResultStatus

from opendeal.core.jobs import UNEXPECTED_FAILURE, Progress, run_job, start_job
from opendeal.core.models import ImportRun, Job, JobStatus
from opendeal.core.roles import Role
from opendeal.core.tests.worker_tasks import counting_job

REFRESH = '<meta http-equiv="refresh" content="3">'


def start(user, outcome: str = "succeed", items: int = 3) -> Job:
    return start_job(
        counting_job,
        kind="test.count",
        title="Count to three",
        started_by=user,
        parameters={"items": items, "outcome": outcome, "unit": "rows"},
        next_url="/deal/manage/import/",
    )


def page(client, job: Job):
    return client.get(reverse("core:job", args=[job.public_id]))


# Running ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_runs_once_its_transaction_commits_and_records_its_result(
    administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(administrator)
        assert Job.objects.get().status == JobStatus.QUEUED  # not before the commit

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.summary, job.errors) == (
        JobStatus.SUCCEEDED,
        3,
        3,
        "Counted 3.",
        [],
    )
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert ImportRun.objects.filter(importer="job-test").count() == 3


@pytest.mark.django_db
def test_a_failed_job_lists_its_problems_and_its_work_is_undone(
    administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(administrator, outcome="fail", items=2)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.summary == "The file has 2 problems."
    assert job.errors == ["a.csv: Row 2: bad", "a.csv: Row 3: worse"]
    assert not ImportRun.objects.filter(importer="job-test").exists()


@pytest.mark.django_db
def test_an_unforeseen_error_fails_the_job_and_its_task_without_showing_the_error(
    administrator, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(administrator, outcome="crash")
    job.refresh_from_db()
    assert (job.status, job.summary, job.errors) == (JobStatus.FAILED, UNEXPECTED_FAILURE, [])
    assert not ImportRun.objects.filter(importer="job-test").exists()


@pytest.mark.django_db
def test_a_finished_job_is_not_run_again(administrator):
    job = Job.objects.create(
        kind="test.count",
        title="Done",
        started_by=administrator,
        status=JobStatus.SUCCEEDED,
        parameters={"items": 1, "outcome": "succeed"},
    )
    result = counting_job.enqueue(job_id=str(job.public_id))
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, "skipped")
    assert not ImportRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_while_the_work_is_still_in_its_transaction(administrator):
    """On PostgreSQL the figure is written from a connection of its own, so another request
    sees it move before the work commits; SQLite's single writer keeps it until then."""
    job = Job.objects.create(kind="test.count", title="Watch", started_by=administrator)
    seen: list[tuple[str, int, int | None]] = []

    def look() -> None:
        try:
            seen.append(Job.objects.values_list("status", "done", "total").get(pk=job.pk))
        finally:
            connection.close()

    def work(job: Job, progress: Progress) -> str:
        progress.every_seconds = 0
        progress.start(4)
        with transaction.atomic():
            for number in progress.track(range(4)):
                ImportRun.objects.create(importer="job-test", source=str(number))
                if number == 1:
                    watcher = threading.Thread(target=look)
                    watcher.start()
                    watcher.join(timeout=30)
        return "Done."

    assert run_job(str(job.public_id), work) == JobStatus.SUCCEEDED
    if connection.vendor == "postgresql":
        assert seen == [(JobStatus.RUNNING, 1, 4)]  # row 2 not yet counted: it is in hand
    else:
        assert seen == [(JobStatus.RUNNING, 0, 4)]
    job.refresh_from_db()
    assert (job.done, job.total) == (4, 4)


# The status page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_refreshes_itself_and_shows_progress_while_the_job_runs(sign_in, administrator):
    job = start(administrator)  # the test's transaction never commits: the job stays queued
    content = page(sign_in(administrator), job).content.decode()
    assert REFRESH in content
    assert "Waiting to start" in content
    assert "waiting for a background worker" in content

    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=1, total=3)
    response = page(sign_in(administrator), job)
    content = response.content.decode()
    assert REFRESH in content
    assert "1 of 3 rows" in content
    assert (
        '<progress class="opendeal-progress" id="job-progress" max="3" value="1">33%</progress>'
        in content
    )
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_finished_page_stops_refreshing_and_shows_the_result_or_the_problems(
    sign_in, administrator, django_capture_on_commit_callbacks
):
    client = sign_in(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        done = start(administrator)
        failed = start(administrator, outcome="fail")
    content = page(client, done).content.decode()
    assert REFRESH not in content
    assert "Counted 3." in content
    assert "govuk-notification-banner--success" in content
    assert "3 of 3 rows" in content

    content = page(client, failed).content.decode()
    assert REFRESH not in content
    assert "There is a problem" in content
    assert "<li>a.csv: Row 2: bad</li>" in content
    assert "<li>a.csv: Row 3: worse</li>" in content
    assert '<a class="govuk-link" href="/deal/manage/import/">Try again</a>' in content


@pytest.mark.django_db
def test_only_the_starter_and_administrators_see_a_job(client, sign_in, make_user):
    starter = make_user(Role.ANALYST)
    job = start(starter)
    url = reverse("core:job", args=[job.public_id])

    assert page(sign_in(starter), job).status_code == 200
    assert page(sign_in(make_user(Role.ADMINISTRATOR)), job).status_code == 200
    assert page(sign_in(make_user(Role.ANALYST)), job).status_code == 404
    assert page(sign_in(make_user(Role.RESIDENT)), job).status_code == 404
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('core:sign-in')}?next={url}"
    missing = client.get(reverse("core:job", args=["00000000-0000-0000-0000-000000000000"]))
    assert missing.status_code == 302  # sign in first: nothing is given away


# Metrics ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_jobs_are_counted_by_status_on_metrics(client, administrator):
    start(administrator)
    start(administrator)
    Job.objects.create(kind="x", title="x", status=JobStatus.FAILED)
    body = client.get("/metrics").content.decode()
    assert 'opendeal_jobs{status="queued"} 2.0' in body
    assert 'opendeal_jobs{status="running"} 0.0' in body
    assert 'opendeal_jobs{status="failed"} 1.0' in body
