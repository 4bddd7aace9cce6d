from django.urls import path

from .views import conversations, demand, extract, people, records, support, teams

app_name = "care"

urlpatterns = [
    path("", people.caseload, name="caseload"),
    path("matches/", people.matches, name="matches"),
    path("people/new/", people.person_create, name="person-create"),
    path("people/<uuid:public_id>/", people.person_detail, name="person"),
    path("people/<uuid:public_id>/edit/", people.person_edit, name="person-edit"),
    path(
        "people/<uuid:public_id>/people-around/new/",
        people.relationship_create,
        name="relationship-create",
    ),
    path(
        "people-around/<uuid:public_id>/edit/", people.relationship_edit, name="relationship-edit"
    ),
    path(
        "people-around/<uuid:public_id>/remove/",
        people.relationship_remove,
        name="relationship-remove",
    ),
    path(
        "people/<uuid:public_id>/conversations/new/",
        conversations.conversation_create,
        name="conversation-create",
    ),
    path("conversations/<uuid:public_id>/", conversations.conversation_detail, name="conversation"),
    path(
        "conversations/<uuid:public_id>/actions/new/",
        conversations.action_create,
        name="action-create",
    ),
    path("actions/<uuid:public_id>/done/", conversations.action_done, name="action-done"),
    path("conversations/<uuid:public_id>/connect/", conversations.connect, name="connect"),
    path(
        "connections/<uuid:public_id>/status/",
        conversations.connection_status,
        name="connection-status",
    ),
    path("people/<uuid:public_id>/packages/new/", support.package_create, name="package-create"),
    path("packages/<uuid:public_id>/edit/", support.package_edit, name="package-edit"),
    path("people/<uuid:public_id>/wellbeing/", support.wellbeing, name="wellbeing"),
    path(
        "people/<uuid:public_id>/wellbeing/swemwbs/new/",
        support.swemwbs_create,
        name="swemwbs-create",
    ),
    path("people/<uuid:public_id>/wellbeing/ons4/new/", support.ons4_create, name="ons4-create"),
    path("people/<uuid:public_id>/audit/", records.audit_trail, name="audit"),
    path("people/<uuid:public_id>/share/", records.share, name="share"),
    path("people/<uuid:public_id>/share/<uuid:user_id>/remove/", records.unshare, name="unshare"),
    path("people/<uuid:public_id>/close/", records.close, name="close"),
    path("people/<uuid:public_id>/subject-access/", records.subject_access, name="subject-access"),
    path(
        "people/<uuid:public_id>/subject-access.json",
        records.subject_access_json,
        name="subject-access-json",
    ),
    path("people/<uuid:public_id>/erase/", records.erase, name="erase"),
    path("connections.csv", records.connections_csv, name="connections-csv"),
    path("extract/", extract.extract_page, name="extract"),
    path("extract.csv", extract.extract_csv, name="extract-csv"),
    path("teams/", teams.team_list, name="teams"),
    path("teams/new/", teams.team_edit, name="team-create"),
    path("teams/<uuid:public_id>/", teams.team_edit, name="team-edit"),
    path("demand/", demand.dashboard, name="demand"),
    path("demand/gaps/", demand.gap_map, name="gaps"),
    path("demand/gaps/map.json", demand.gap_map_json, name="gap-map-json"),
    path("demand/gaps/priorities/", demand.gap_priorities, name="gap-priorities"),
]
