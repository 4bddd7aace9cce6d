"""Conversations, what was agreed in them, and connecting people to community services from
inside a conversation."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendeal.core.form_pages import form_page, posted
from opendeal.directory.models import Service
from opendeal.directory.search import ServiceQuery, search_services
from opendeal.geography.geocoding import InvalidPostcode, UnknownPostcode, locate_postcode

from .. import services
from ..forms import ActionForm, ConnectionStatusForm, ConversationForm, ServiceSearchForm
from ..models import AgreedAction, Connection, Conversation
from .common import audited_item, care_form_page, person_url, sign_in_required, viewed_person

RESULTS_PER_PAGE = 10


def conversation_url(conversation: Conversation) -> str:
    return reverse("care:conversation", args=[conversation.public_id])


def _conversation(request: HttpRequest, public_id: uuid.UUID, page: str) -> Conversation:
    return audited_item(
        request,
        Conversation.objects.select_related("person__team", "practitioner"),
        public_id,
        page,
        lambda item: item.person,
    )


@sign_in_required
@require_http_methods(["GET", "POST"])
def conversation_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "conversation-create")
    follows_up = None
    follows = request.GET.get("follows", "")
    if follows:
        try:
            follows_up = person.conversations.filter(public_id=uuid.UUID(follows)).first()
        except ValueError:
            follows_up = None
    initial = {"held_on": timezone.localdate()}
    if follows_up is not None:
        initial["kind"] = follows_up.kind
    return care_form_page(
        request,
        ConversationForm(posted(request), initial=initial),
        lambda data: services.record_conversation(
            request.user, person, follows_up=follows_up, **data
        ),
        template="care/conversation_form.html",
        context={"person": person, "follows_up": follows_up, "back_url": person_url(person)},
        done=lambda saved: ("The conversation has been recorded.", conversation_url(saved)),
    )


@sign_in_required
@require_GET
def conversation_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    conversation = _conversation(request, public_id, "conversation")
    context = {
        "conversation": conversation,
        "person": conversation.person,
        "heard": conversation.heard_needs.select_related("taxonomy_term"),
        "actions": conversation.actions.all(),
        "connections": conversation.connections.select_related("service"),
        "follow_ups": conversation.follow_ups.all(),
        "today": timezone.localdate(),
    }
    return render(request, "care/conversation.html", context)


@sign_in_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    conversation = _conversation(request, public_id, "action-create")
    return form_page(
        request,
        ActionForm(posted(request)),
        lambda data: services.add_action(request.user, conversation, **data),
        heading="Add an agreed action",
        caption=conversation.person.display_name,
        back_url=conversation_url(conversation),
        done=lambda saved: ("The action has been added.", conversation_url(conversation)),
    )


@sign_in_required
@require_POST
def action_done(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    action = audited_item(
        request,
        AgreedAction.objects.select_related("conversation__person"),
        public_id,
        "action-done",
        lambda item: item.conversation.person,
    )
    services.complete_action(request.user, action, timezone.localdate())
    messages.success(request, "The action is marked as done.")
    return redirect(conversation_url(action.conversation))


def _search(conversation: Conversation, form: ServiceSearchForm):
    """The directory services matching the form, near the person's home when a distance is
    chosen; and a note when their home cannot be placed."""
    data = form.cleaned_data
    near, note = None, ""
    within = int(data["within"]) if data.get("within") else None
    person = conversation.person
    if within:
        try:
            place = locate_postcode(person.postcode)
        except (InvalidPostcode, UnknownPostcode):
            note = "Their postcode cannot be placed, so services are shown from anywhere."
            within = None
        else:
            near = (float(place.latitude), float(place.longitude))
    query = ServiceQuery(
        text=data.get("text") or "",
        taxonomy_term_ids=(data["term"].id,) if data.get("term") else (),
        near=near,
        within_metres=within,
    )
    return search_services(query, page=1, per_page=RESULTS_PER_PAGE), note


@sign_in_required
@require_http_methods(["GET", "POST"])
def connect(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Search the directory from inside the conversation, and connect the person to a service."""
    conversation = _conversation(request, public_id, "connect")
    if request.method == "POST":
        service = (
            Service.objects.filter(id=request.POST.get("service", "")).first()
            if (_is_uuid(request.POST.get("service", "")))
            else None
        )
        if service is None:
            messages.error(request, "Choose a service from the results.")
            return redirect(reverse("care:connect", args=[conversation.public_id]))
        try:
            services.connect_to_service(request.user, conversation, service)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(reverse("care:connect", args=[conversation.public_id]))
        messages.success(
            request, f"{conversation.person.display_name} is connected to {service.name}."
        )
        return redirect(conversation_url(conversation))
    searched = bool(request.GET)
    form = ServiceSearchForm(request.GET if searched else None)
    results, note = None, ""
    if searched and form.is_valid():
        results, note = _search(conversation, form)
    connected = set(conversation.person.connections.values_list("service_id", flat=True))
    context = {
        "conversation": conversation,
        "person": conversation.person,
        "form": form,
        "results": results,
        "note": note,
        "connected": connected,
    }
    return render(request, "care/connect.html", context)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@sign_in_required
@require_http_methods(["GET", "POST"])
def connection_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    connection = audited_item(
        request,
        Connection.objects.select_related("person", "service", "conversation"),
        public_id,
        "connection-status",
        lambda item: item.person,
    )
    person = connection.person
    back = (
        conversation_url(connection.conversation) if connection.conversation else person_url(person)
    )
    return form_page(
        request,
        ConnectionStatusForm(
            posted(request), initial={"status": connection.status, "on": timezone.localdate()}
        ),
        lambda data: services.change_connection_status(request.user, connection, **data),
        heading=f"Connection to {connection.service.name}",
        caption=person.display_name,
        back_url=back,
        done=lambda saved: (f"The connection is now {saved.get_status_display().lower()}.", back),
    )
