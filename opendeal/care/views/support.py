"""Formal care packages and wellbeing measures."""

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from opendeal.core.form_pages import form_page, initial_from, posted
from opendeal.deal.charts import line_chart

from .. import selectors, services
from ..forms import Ons4Form, PackageForm, SwemwbsForm
from ..models import Ons4Response, SupportPackage, SwemwbsResponse
from ..scoring import ONS4_QUESTIONS, SWEMWBS_COPYRIGHT, SWEMWBS_ITEMS
from .common import audited_item, care_form_page, person_url, sign_in_required, viewed_person


def wellbeing_url(person) -> str:
    return reverse("care:wellbeing", args=[person.public_id])


@sign_in_required
@require_http_methods(["GET", "POST"])
def package_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "package-create")
    return form_page(
        request,
        PackageForm(posted(request), initial={"starts_on": timezone.localdate()}),
        lambda data: services.add_package(request.user, person, **data),
        heading="Arrange formal support",
        caption=person.display_name,
        back_url=person_url(person),
        done=lambda saved: (f"{saved.get_kind_display()} has been added.", person_url(person)),
    )


@sign_in_required
@require_http_methods(["GET", "POST"])
def package_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    package = audited_item(
        request,
        SupportPackage.objects.select_related("person"),
        public_id,
        "package-edit",
        lambda item: item.person,
    )
    person = package.person
    return form_page(
        request,
        PackageForm(posted(request), initial=initial_from(package, PackageForm)),
        lambda data: services.update_package(request.user, package, **data),
        heading="Formal support",
        caption=person.display_name,
        back_url=person_url(person),
        done=lambda saved: (f"{saved.get_kind_display()} has been updated.", person_url(person)),
    )


@sign_in_required
@require_GET
def wellbeing(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "wellbeing")
    ons4 = selectors.ons4_series(person)
    labels = dict(ONS4_QUESTIONS)
    context = {
        "person": person,
        "swemwbs": SwemwbsResponse.objects.filter(person=person),
        "swemwbs_items": SWEMWBS_ITEMS,
        "swemwbs_chart": line_chart(
            selectors.swemwbs_points(person),
            chart_id="swemwbs-chart",
            title="SWEMWBS metric score over time (7 to 35; higher is better)",
        ),
        "swemwbs_change": selectors.swemwbs_change(person),
        "swemwbs_copyright": SWEMWBS_COPYRIGHT,
        "ons4": Ons4Response.objects.filter(person=person),
        "ons4_charts": [
            line_chart(
                points,
                chart_id=f"ons4-{name.replace('_', '-')}",
                title=labels[name]
                + (
                    " (0 to 10; lower is better)"
                    if name == "anxiety"
                    else " (0 to 10; higher is better)"
                ),
            )
            for name, points in ons4.items()
        ],
    }
    return render(request, "care/wellbeing.html", context)


@sign_in_required
@require_http_methods(["GET", "POST"])
def swemwbs_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "swemwbs-create")
    return care_form_page(
        request,
        SwemwbsForm(posted(request), initial={"recorded_on": timezone.localdate()}),
        lambda data: services.record_swemwbs(
            request.user,
            person,
            data["recorded_on"],
            {name: data.get(name) for name, _ in SWEMWBS_ITEMS},
        ),
        template="care/swemwbs_form.html",
        context={
            "person": person,
            "copyright": SWEMWBS_COPYRIGHT,
            "back_url": wellbeing_url(person),
        },
        done=lambda saved: (
            f"SWEMWBS recorded: raw score {saved.raw_score}, metric score {saved.metric_score}.",
            wellbeing_url(person),
        ),
    )


@sign_in_required
@require_http_methods(["GET", "POST"])
def ons4_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "ons4-create")
    return form_page(
        request,
        Ons4Form(posted(request), initial={"recorded_on": timezone.localdate()}),
        lambda data: services.record_ons4(
            request.user,
            person,
            data["recorded_on"],
            {name: data.get(name) for name, _ in ONS4_QUESTIONS},
        ),
        heading="ONS personal wellbeing questions",
        caption=person.display_name,
        back_url=wellbeing_url(person),
        done=lambda saved: ("The answers have been recorded.", wellbeing_url(person)),
    )
