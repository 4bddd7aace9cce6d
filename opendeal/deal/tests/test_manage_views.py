"""The staff pages that edit the Deal and record its progress."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from opendeal.core.models import AuditEvent, ImportRun, Job, JobStatus
from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow
from opendeal.deal.importers.progress_job import UPLOAD_FOLDER
from opendeal.deal.models import (
    Commitment,
    Deal,
    Measure,
    Milestone,
    Pledge,
    PledgeStatus,
    ProgressUpdate,
    Reading,
    Status,
    Theme,
    UpdateKind,
)

from .test_editing import SampleDeal, build_sample_deal


@pytest.fixture
def sample(db) -> SampleDeal:
    return build_sample_deal()


def commitment_url(sample: SampleDeal, name: str = "manage-commitment") -> str:
    return reverse(f"deal:{name}", args=[sample.ours.public_id])


# Each page, as a function of the sample Deal, and the permission it needs.
PAGES: dict[str, Callable[[SampleDeal], str]] = {
    "dashboard": lambda s: reverse("deal:manage"),
    "import": lambda s: reverse("deal:manage-import"),
    "deal-create": lambda s: reverse("deal:manage-deal-create"),
    "deal-edit": lambda s: reverse("deal:manage-deal-edit", args=[s.deal.public_id]),
    "theme-create": lambda s: reverse("deal:manage-theme-create", args=[s.deal.public_id]),
    "theme-edit": lambda s: reverse("deal:manage-theme-edit", args=[s.theme.public_id]),
    "commitment-create": lambda s: reverse(
        "deal:manage-commitment-create", args=[s.theme.public_id]
    ),
    "commitment": lambda s: commitment_url(s),
    "your-part-commitment": lambda s: reverse("deal:manage-commitment", args=[s.yours.public_id]),
    "commitment-edit": lambda s: commitment_url(s, "manage-commitment-edit"),
    "commitment-delete": lambda s: commitment_url(s, "manage-commitment-delete"),
    "measure-create": lambda s: commitment_url(s, "manage-measure-create"),
    "measure-edit": lambda s: reverse("deal:manage-measure-edit", args=[s.metric.public_id]),
    "milestone-create": lambda s: reverse(
        "deal:manage-milestone-create", args=[s.milestones_measure.public_id]
    ),
    "milestone-edit": lambda s: reverse(
        "deal:manage-milestone-edit", args=[s.milestones[0].public_id]
    ),
}
# Pages an analyst (who may record progress but not edit or import) can open.
ANALYST_PAGES = {"dashboard", "commitment", "your-part-commitment"}


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, sample, page):
    url = PAGES[page](sample)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('core:sign-in')}?next={url}"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["resident", "practitioner"])
def test_people_without_permission_are_refused(request, sign_in, sample, page, who):
    response = sign_in(request.getfixturevalue(who)).get(PAGES[page](sample))
    assert response.status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_administrators_see_every_page(sign_in, administrator, sample, page):
    response = sign_in(administrator).get(PAGES[page](sample))
    assert response.status_code == 200
    assert b"govuk-error-summary" not in response.content


@pytest.mark.parametrize("page", PAGES)
def test_analysts_record_progress_but_do_not_edit(sign_in, make_user, sample, page):
    response = sign_in(make_user(Role.ANALYST)).get(PAGES[page](sample))
    assert response.status_code == (200 if page in ANALYST_PAGES else 403)


def test_staff_who_have_not_given_their_second_factor_are_sent_to_give_it(
    client, administrator, sample
):
    client.force_login(administrator)
    response = client.get(reverse("deal:manage"))
    assert response.status_code == 302
    assert response.url == reverse("core:two-factor") + "?next=%2Fdeal%2Fmanage%2F"


# Posting progress: the same four callers ------------------------------------------------------

READING_POST = {
    "reading-observed_on": "2025-03-31",
    "reading-value": "65",
    "reading-note": "",
}


def posts(sample: SampleDeal) -> dict[str, tuple[str, dict]]:
    return {
        "reading": (
            commitment_url(sample, "manage-record-reading"),
            {**READING_POST, "reading-measure": str(sample.metric.public_id)},
        ),
        "milestone": (
            commitment_url(sample, "manage-complete-milestone"),
            {
                "milestone-milestone": str(sample.milestones[0].public_id),
                "milestone-completed_on": "2025-05-01",
            },
        ),
        "status": (
            commitment_url(sample, "manage-change-status"),
            {"status-status": Status.AT_RISK, "status-reason": "The survey is late."},
        ),
        "update": (
            commitment_url(sample, "manage-post-update"),
            {"update-occurred_on": "2025-05-01", "update-text": "Work has started."},
        ),
    }


@pytest.mark.parametrize("form", ["reading", "milestone", "status", "update"])
@pytest.mark.parametrize("who", ["anonymous", "resident", "practitioner"])
def test_recording_progress_is_refused_without_permission(
    request, client, sign_in, sample, form, who
):
    caller = client if who == "anonymous" else sign_in(request.getfixturevalue(who))
    url, data = posts(sample)[form]
    response = caller.post(url, data)
    if who == "anonymous":
        assert (response.status_code, response.url) == (
            302,
            f"{reverse('core:sign-in')}?next={url}",
        )
    else:
        assert response.status_code == 403
    assert (Reading.objects.count(), ProgressUpdate.objects.count()) == (0, 0)
    sample.ours.refresh_from_db()
    assert sample.ours.status == Status.NOT_STARTED
    assert not Milestone.objects.filter(completed_on__isnull=False).exists()


def test_recording_a_figure_shows_a_success_banner_and_the_timeline(sign_in, administrator, sample):
    url, data = posts(sample)["reading"]
    response = sign_in(administrator).post(url, {**data, "reading-note": "Survey."}, follow=True)

    assert response.redirect_chain == [(commitment_url(sample), 302)]
    content = response.content.decode()
    assert "govuk-notification-banner--success" in content
    assert "The figure for HW1.1 on 31 March 2025 has been recorded." in content
    assert "Adults who are physically active was 65% on 31 March 2025. Survey." in content
    reading = Reading.objects.get()
    assert (reading.measure, reading.observed_on, reading.value) == (
        sample.metric,
        datetime.date(2025, 3, 31),
        Decimal("65"),
    )
    update = ProgressUpdate.objects.get()
    assert (update.kind, update.recorded_by, update.recorded_by_name) == (
        UpdateKind.READING,
        administrator,
        "Alex Admin",
    )


def test_reaching_a_milestone_changing_status_and_posting_an_update(sign_in, administrator, sample):
    caller = sign_in(administrator)
    messages = []
    for form in ("milestone", "status", "update"):
        url, data = posts(sample)[form]
        response = caller.post(url, data, follow=True)
        assert response.redirect_chain == [(commitment_url(sample), 302)]
        messages.append([str(message) for message in response.context["messages"]])

    assert messages == [
        ["The milestone “Sites agreed” has been marked as reached."],
        ["The status of HW1 is now At risk."],
        ["Your update has been added to the timeline."],
    ]
    sample.milestones[0].refresh_from_db()
    sample.ours.refresh_from_db()
    assert sample.milestones[0].completed_on == datetime.date(2025, 5, 1)
    assert sample.ours.status == Status.AT_RISK
    assert list(ProgressUpdate.objects.order_by("recorded_at").values_list("kind", flat=True)) == [
        UpdateKind.MILESTONE,
        UpdateKind.STATUS,
        UpdateKind.NOTE,
    ]


def test_a_figure_for_a_future_date_shows_the_error_summary(sign_in, administrator, sample):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    url, data = posts(sample)["reading"]
    response = sign_in(administrator).post(url, {**data, "reading-observed_on": tomorrow})

    assert response.status_code == 200
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert '<a href="#id_reading-observed_on">The date must be today or in the past.</a>' in content
    assert "<title>Error: " in content
    assert (Reading.objects.count(), ProgressUpdate.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("form", "data", "messages"),
    [
        (
            "reading",
            {"reading-observed_on": "31/03/2025", "reading-value": "lots"},
            [
                "Select the measure",
                "Enter the date as year-month-day, for example 2025-03-31",
                "Enter a number, like 42.5",
            ],
        ),
        ("milestone", {}, ["Select the milestone reached", "Enter the date it was reached"]),
        ("status", {}, ["Select the new status", "Say why the status changed"]),
        ("update", {}, ["Enter the date", "Enter the update"]),
    ],
)
def test_empty_or_malformed_progress_forms_show_every_error(
    sign_in, administrator, sample, form, data, messages
):
    url, _ = posts(sample)[form]
    response = sign_in(administrator).post(url, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "govuk-error-summary" in content
    for message in messages:
        assert message in content
    assert response.context["form"].prefix == form
    assert (Reading.objects.count(), ProgressUpdate.objects.count()) == (0, 0)


# Editing --------------------------------------------------------------------------------------


def test_creating_a_deal_then_an_empty_form(sign_in, administrator, db):
    caller = sign_in(administrator)
    response = caller.post(
        reverse("deal:manage-deal-create"),
        {
            "title": "The Deal 2030",
            "slug": "deal-2030",
            "area_code": "E08000010",
            "summary": "Our next Deal.",
            "starts_on": "2026-04-01",
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("deal:manage"), 302)]
    assert "The Deal 2030 has been created." in response.content.decode()
    deal = Deal.objects.get()
    assert (deal.slug, deal.starts_on, deal.is_published) == (
        "deal-2030",
        datetime.date(2026, 4, 1),
        False,
    )

    response = caller.post(reverse("deal:manage-deal-create"), {})
    content = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in content
    for message in (
        "Enter the Deal’s title",
        "Enter a short name",
        "Enter the GSS code of the area the Deal covers",
        "Enter a summary of the Deal",
        "Enter the date the Deal starts",
    ):
        assert message in content
    assert Deal.objects.count() == 1


def test_a_duplicate_commitment_reference_is_shown_beside_the_field(sign_in, administrator, sample):
    response = sign_in(administrator).post(
        reverse("deal:manage-commitment-create", args=[sample.theme.public_id]),
        {
            "theme": str(sample.theme.public_id),
            "part": "ours",
            "reference": "HW2",
            "title": "Another commitment",
            "weight": "1",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in content
    assert '<a href="#id_reference">The reference HW2 is already used in this Deal' in content
    assert Commitment.objects.count() == 2


def test_creating_a_commitment_goes_to_its_page(sign_in, administrator, sample):
    response = sign_in(administrator).post(
        reverse("deal:manage-commitment-create", args=[sample.theme.public_id]),
        {
            "theme": str(sample.theme.public_id),
            "part": "ours",
            "reference": "HW3",
            "title": "Fewer people smoke",
            "weight": "2",
        },
    )
    created = Commitment.objects.get(reference="HW3")
    assert response.url == reverse("deal:manage-commitment", args=[created.public_id])
    assert (created.theme, created.weight, created.position) == (sample.theme, Decimal("2"), 2)


def test_editing_a_theme_and_a_measure(sign_in, administrator, sample):
    caller = sign_in(administrator)
    response = caller.post(
        reverse("deal:manage-theme-edit", args=[sample.theme.public_id]),
        {"title": "Health", "slug": "health", "summary": "", "position": "", "weight": "2"},
    )
    assert response.url == reverse("deal:manage")
    sample.theme.refresh_from_db()
    assert (sample.theme.title, sample.theme.weight) == ("Health", Decimal("2"))

    response = caller.post(
        reverse("deal:manage-measure-edit", args=[sample.metric.public_id]),
        {
            "reference": "HW1.1",
            "title": "Active adults",
            "kind": "metric",
            "weight": "1",
            "unit": "%",
            "direction": "increase",
            "baseline_value": "60",
            "baseline_on": "2024-03-31",
            "target_value": "75",
            "target_on": "2030-03-31",
            "source": "Active Lives survey",
        },
    )
    assert response.url == commitment_url(sample)
    sample.metric.refresh_from_db()
    assert (sample.metric.title, sample.metric.target_value, sample.metric.source) == (
        "Active adults",
        Decimal("75"),
        "Active Lives survey",
    )


def test_edit_forms_are_filled_in_with_plain_figures(sign_in, administrator, sample):
    content = (
        sign_in(administrator)
        .get(reverse("deal:manage-measure-edit", args=[sample.metric.public_id]))
        .content.decode()
    )
    assert 'name="baseline_value" type="text" value="60"' in content
    assert 'name="target_value" type="text" value="70"' in content
    assert 'name="baseline_on" type="text" value="2024-03-31"' in content
    assert 'name="weight" type="text" value="1"' in content


def test_a_metric_without_a_target_shows_the_actions_errors(sign_in, administrator, sample):
    response = sign_in(administrator).post(
        reverse("deal:manage-measure-create", args=[sample.ours.public_id]),
        {"reference": "HW1.3", "title": "Swimmers", "kind": "metric", "weight": "1"},
    )
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert '<a href="#id_direction_0">Select whether higher or lower figures are better.</a>' in (
        content
    )
    assert '<a href="#id_target_value">Enter the target figure.</a>' in content
    assert Measure.objects.count() == 2


def test_adding_a_milestone(sign_in, administrator, sample):
    response = sign_in(administrator).post(
        reverse("deal:manage-milestone-create", args=[sample.milestones_measure.public_id]),
        {"title": "Gyms evaluated", "due_on": "2028-01-31", "position": ""},
        follow=True,
    )
    assert "The milestone “Gyms evaluated” has been added." in response.content.decode()
    milestone = Milestone.objects.get(title="Gyms evaluated")
    assert (milestone.due_on, milestone.position) == (datetime.date(2028, 1, 31), 3)


def test_deleting_a_commitment_with_pledges_is_refused_on_the_page(sign_in, administrator, sample):
    Pledge.objects.create(
        commitment=sample.yours, email="a@example.org", status=PledgeStatus.ACTIVE
    )
    url = reverse("deal:manage-commitment-delete", args=[sample.yours.public_id])
    response = sign_in(administrator).post(url)
    assert response.status_code == 200
    assert "Residents have made 1 pledge to this commitment" in response.content.decode()
    assert Commitment.objects.filter(pk=sample.yours.pk).exists()


def test_deleting_a_commitment(sign_in, administrator, sample):
    url = reverse("deal:manage-commitment-delete", args=[sample.yours.public_id])
    response = sign_in(administrator).post(url)
    assert response.url == reverse("deal:manage")
    assert list(Commitment.objects.values_list("reference", flat=True)) == ["HW1"]
    assert AuditEvent.objects.filter(action="deal.commitment.deleted").count() == 1


def test_dashboard_lists_both_parts_of_each_theme(sign_in, administrator, sample):
    Pledge.objects.create(
        commitment=sample.yours, email="a@example.org", status=PledgeStatus.ACTIVE
    )
    Pledge.objects.create(
        commitment=sample.yours, email="b@example.org", status=PledgeStatus.PENDING
    )
    content = sign_in(administrator).get(reverse("deal:manage")).content.decode()
    assert "Health and wellbeing" in content
    assert "Make it easier to be active" in content
    assert "Be active for 30 minutes a day" in content
    assert '<strong class="govuk-tag govuk-tag--grey">Not started</strong>' in content
    assert reverse("deal:manage-import") in content
    assert commitment_url(sample) in content
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in content


def test_the_dashboard_shows_an_analyst_no_edit_or_import_links(sign_in, make_user, sample):
    content = sign_in(make_user(Role.ANALYST)).get(reverse("deal:manage")).content.decode()
    assert commitment_url(sample) in content
    assert commitment_url(sample, "manage-commitment-edit") not in content
    assert reverse("deal:manage-import") not in content


# Import page ----------------------------------------------------------------------------------


def upload(text: str, name: str = "progress.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def import_file(client, sample: SampleDeal, text: str, capture) -> Job:
    """Upload the file; the job's task runs as the upload's transaction commits (as the
    immediate backend in tests does), and the person is sent to the job's status page."""
    with capture(execute=True):
        response = client.post(
            reverse("deal:manage-import"),
            {"deal": str(sample.deal.public_id), "file": upload(text)},
        )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("core:job", args=[job.public_id])
    return job


def test_importing_a_good_file_runs_as_a_job_that_says_what_was_recorded(
    sign_in, administrator, sample, django_capture_on_commit_callbacks
):
    text = (
        "measure,date,value,milestone,note\n"
        "HW1.1,2025-03-31,62,,\n"
        "HW1.1,2025-06-30,63,,\n"
        "HW1.2,2025-05-01,,Sites agreed,\n"
    )
    client = sign_in(administrator)
    job = import_file(client, sample, text, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.kind, job.status, job.done, job.total) == (
        "deal.progress_import",
        JobStatus.SUCCEEDED,
        3,
        3,
    )
    assert job.started_by == administrator
    content = client.get(reverse("core:job", args=[job.public_id])).content.decode()
    assert "Import progress from progress.csv" in content
    assert "progress.csv: recorded 2 readings and 1 milestone reached, on 1 commitment." in content
    assert "3 of 3 rows" in content
    assert 'http-equiv="refresh"' not in content
    assert Reading.objects.count() == 2
    assert ProgressUpdate.objects.count() == 3
    assert set(ProgressUpdate.objects.values_list("recorded_by", flat=True)) == {administrator.pk}
    assert ImportRun.objects.get(importer="deal_progress").succeeded is True
    assert not _stored_uploads()  # the upload is deleted once imported


def test_importing_a_bad_file_lists_every_problem_on_the_job_page_and_writes_nothing(
    sign_in, administrator, sample, django_capture_on_commit_callbacks
):
    text = (
        "measure,date,value,milestone,note\n"
        "HW1.1,2025-03-31,62,,\n"
        "HW1.1,2025-06-31,63,,\n"
        "HW7.1,2025-05-01,1,,\n"
    )
    client = sign_in(administrator)
    job = import_file(client, sample, text, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    content = client.get(reverse("core:job", args=[job.public_id])).content.decode()
    assert "There is a problem" in content
    assert (
        "<li>progress.csv: Row 3, column date: “2025-06-31” is not a date written as "
        "YYYY-MM-DD, like 2025-03-31.</li>" in content
    )
    assert (
        "<li>progress.csv: Row 4, column measure: There is no measure “HW7.1” in "
        "The Deal for Testborough.</li>" in content
    )
    assert "The file has 2 problems. Nothing has been imported." in content
    assert (Reading.objects.count(), ProgressUpdate.objects.count()) == (0, 0)
    assert ImportRun.objects.get(importer="deal_progress").succeeded is False
    assert not _stored_uploads()


def test_an_upload_waits_in_the_private_store_until_a_worker_imports_it(
    sign_in, administrator, sample
):
    text = "measure,date,value,milestone,note\nHW1.1,2025-03-31,62,,\n"
    response = sign_in(administrator).post(
        reverse("deal:manage-import"), {"deal": str(sample.deal.public_id), "file": upload(text)}
    )
    job = Job.objects.get()  # the test's transaction never commits, so the task never runs
    assert response.url == reverse("core:job", args=[job.public_id])
    assert job.status == JobStatus.QUEUED
    stored = _stored_uploads()
    assert stored == [job.parameters["stored_as"]]
    assert storages["private"].open(stored[0]).read() == text.encode()
    assert Reading.objects.count() == 0
    storages["private"].delete(stored[0])


def _stored_uploads() -> list[str]:
    storage = storages["private"]
    if not storage.exists(UPLOAD_FOLDER):
        return []
    return [f"{UPLOAD_FOLDER}/{name}" for name in storage.listdir(UPLOAD_FOLDER)[1]]


def test_importing_without_a_file_or_with_a_file_that_is_not_utf8(sign_in, administrator, sample):
    caller = sign_in(administrator)
    response = caller.post(reverse("deal:manage-import"), {"deal": str(sample.deal.public_id)})
    assert "Select a CSV file" in response.content.decode()
    latin1 = SimpleUploadedFile(
        "old.csv", "measure,date,value,milestone,note\nHW1.1,2025-03-31,£1,,\n".encode("latin-1")
    )
    response = caller.post(
        reverse("deal:manage-import"), {"deal": str(sample.deal.public_id), "file": latin1}
    )
    assert "The selected file must be a CSV file saved as UTF-8" in response.content.decode()
    assert Reading.objects.count() == 0
    assert not Job.objects.exists()


# In a browser ---------------------------------------------------------------------------------


@pytest.mark.browser
def test_recording_a_figure_in_a_browser(
    transactional_db, page, live_server, sign_in, administrator
):
    sample = build_sample_deal()
    client = sign_in(administrator)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto("/deal/manage/")
    assert_accessible(page)
    page.get_by_role("link", name="Record progress on HW1").click()
    page.wait_for_url(f"**{commitment_url(sample)}")
    assert_accessible(page)

    page.get_by_label("Date of the figure").fill("2025-03-31")
    page.get_by_label("Figure", exact=True).fill("abc")
    page.get_by_role("button", name="Record the figure").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Figure", exact=True).fill("66.5")
    follow(page.get_by_role("button", name="Record the figure"))
    banner = page.locator(".govuk-notification-banner--success")
    assert "The figure for HW1.1 on 31 March 2025 has been recorded." in banner.inner_text()
    assert_accessible(page)
    assert Reading.objects.get().value == Decimal("66.5")


@pytest.mark.browser
def test_manage_forms_are_accessible(transactional_db, page, live_server, sign_in, administrator):
    sample = build_sample_deal()
    client = sign_in(administrator)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    for name in (
        "import",
        "deal-edit",
        "commitment-edit",
        "measure-edit",
        "milestone-edit",
        "your-part-commitment",
        "commitment-delete",
    ):
        page.goto(PAGES[name](sample))
        assert_accessible(page)
    page.goto(PAGES["measure-create"](sample))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    assert Theme.objects.count() == 1


@pytest.mark.browser
def test_importing_a_file_in_a_browser_shows_the_job_page(
    transactional_db, page, live_server, sign_in, administrator, tmp_path
):
    sample = build_sample_deal()
    client = sign_in(administrator)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("measure,date,value,milestone,note\nHW1.1,2025-06-31,63,,\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("measure,date,value,milestone,note\nHW1.1,2025-03-31,62,,\n", encoding="utf-8")

    page.goto(PAGES["import"](sample))
    page.get_by_label("Upload a CSV file").set_input_files(str(bad))
    follow(page.get_by_role("button", name="Upload and import"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "bad.csv: Row 2, column date: “2025-06-31” is not a date written as YYYY-MM-DD"
    )
    expect(page.locator("#job-status")).to_have_text("Failed")
    assert_accessible(page)
    assert Reading.objects.count() == 0

    follow(page.get_by_role("link", name="Try again"))
    page.get_by_label("Upload a CSV file").set_input_files(str(good))
    follow(page.get_by_role("button", name="Upload and import"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "good.csv: recorded 1 reading and 0 milestones reached, on 1 commitment."
    )
    expect(page.locator("#job-progress-text")).to_have_text("1 of 1 rows")
    assert_accessible(page)
    assert Reading.objects.get().value == Decimal("62")


@pytest.mark.browser
def test_a_running_job_page_refreshes_itself_without_javascript(
    transactional_db, browser, live_server, sign_in, administrator
):
    client = sign_in(administrator)
    job = Job.objects.create(
        kind="deal.progress_import",
        title="Import progress from big.csv",
        started_by=administrator,
        status=JobStatus.RUNNING,
        done=40,
        total=120,
        parameters={"unit": "rows"},
    )
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    try:
        page.goto(reverse("core:job", args=[job.public_id]))
        expect(page.locator("#job-progress-text")).to_have_text("40 of 120 rows")
        expect(page.locator("progress#job-progress")).to_have_attribute("value", "40")
        Job.objects.filter(pk=job.pk).update(done=80)
        expect(page.locator("#job-progress-text")).to_have_text("80 of 120 rows")
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED, done=120, summary="big.csv: recorded 120 readings."
        )
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "big.csv: recorded 120 readings."
        )
        expect(page.locator("#job-status")).to_have_text("Finished")
        assert page.locator('meta[http-equiv="refresh"]').count() == 0
    finally:
        context.close()
