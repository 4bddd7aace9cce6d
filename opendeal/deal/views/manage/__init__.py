"""Staff pages that edit the Deal and record its progress. Each view checks permission, binds a
form, calls one action from `editing`, `services` or the CSV importer, and redirects with a
success banner, or shows the form again with the GOV.UK error summary."""

from django.urls import path

from .recording import (
    change_status,
    commitment_progress,
    complete_milestone,
    import_progress,
    post_update,
    record_reading,
)
from .structure import (
    commitment_create,
    commitment_delete,
    commitment_edit,
    dashboard,
    deal_create,
    deal_edit,
    measure_create,
    measure_edit,
    milestone_create,
    milestone_edit,
    theme_create,
    theme_edit,
)

urlpatterns = [
    path("manage/", dashboard, name="manage"),
    path("manage/import/", import_progress, name="manage-import"),
    path("manage/deals/new/", deal_create, name="manage-deal-create"),
    path("manage/deals/<uuid:deal_id>/edit/", deal_edit, name="manage-deal-edit"),
    path("manage/deals/<uuid:deal_id>/themes/new/", theme_create, name="manage-theme-create"),
    path("manage/themes/<uuid:theme_id>/edit/", theme_edit, name="manage-theme-edit"),
    path(
        "manage/themes/<uuid:theme_id>/commitments/new/",
        commitment_create,
        name="manage-commitment-create",
    ),
    path("manage/commitments/<uuid:commitment_id>/", commitment_progress, name="manage-commitment"),
    path(
        "manage/commitments/<uuid:commitment_id>/edit/",
        commitment_edit,
        name="manage-commitment-edit",
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/delete/",
        commitment_delete,
        name="manage-commitment-delete",
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/readings/",
        record_reading,
        name="manage-record-reading",
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/milestones/",
        complete_milestone,
        name="manage-complete-milestone",
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/status/",
        change_status,
        name="manage-change-status",
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/updates/", post_update, name="manage-post-update"
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/measures/new/",
        measure_create,
        name="manage-measure-create",
    ),
    path("manage/measures/<uuid:measure_id>/edit/", measure_edit, name="manage-measure-edit"),
    path(
        "manage/measures/<uuid:measure_id>/milestones/new/",
        milestone_create,
        name="manage-milestone-create",
    ),
    path(
        "manage/milestones/<uuid:milestone_id>/edit/", milestone_edit, name="manage-milestone-edit"
    ),
]
