"""The roles people hold, as Django groups, and what each may do.

Each app names the permissions its roles need here, so one table shows who can do what.
Groups and their permissions are brought up to date after every migrate.
"""

from django.db import models


class Role(models.TextChoices):
    RESIDENT = "resident", "Resident"
    COMMUNITY_MEMBER = "community_member", "Community organisation member"
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    FUND_OFFICER = "fund_officer", "Fund officer"
    PANEL_MEMBER = "panel_member", "Panel member"
    ANALYST = "analyst", "Analyst"
    # Council editors who moderate the community directory's listings.
    DIRECTORY_EDITOR = "directory_editor", "Directory editor"
    ADMINISTRATOR = "administrator", "Administrator"


# Staff roles must sign in with two factors.
STAFF_ROLES = frozenset(
    {
        Role.PRACTITIONER,
        Role.TEAM_MANAGER,
        Role.FUND_OFFICER,
        Role.PANEL_MEMBER,
        Role.ANALYST,
        Role.DIRECTORY_EDITOR,
        Role.ADMINISTRATOR,
    }
)

# "app_label.codename" permissions each role holds.
ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.RESIDENT: set(),
    # Members edit only their own organisations' listings (directory.OrganizationMember).
    Role.COMMUNITY_MEMBER: {"directory.propose_listing_changes", "fund.apply_to_fund"},
    # Which people a practitioner or manager sees is decided row by row, by team membership and
    # sharing (opendeal.care.access); these only open the care pages at all.
    Role.PRACTITIONER: {"care.work_with_people"},
    Role.TEAM_MANAGER: {"care.work_with_people", "care.manage_team_people", "care.view_demand"},
    Role.FUND_OFFICER: {
        "events.manage_events",
        "events.check_in_attendees",
        "fund.manage_funds",
        "fund.view_applications",
        "fund.check_eligibility",
        "fund.decide_applications",
        "fund.record_payments",
        "fund.manage_grants",
    },
    # Panel members see and score only eligible applications they have no conflict in
    # (opendeal.fund.scoring decides row by row).
    Role.PANEL_MEMBER: {"fund.score_applications"},
    # Analysts see no one's care record: only the pseudonymised extract.
    Role.ANALYST: {"deal.record_progress", "care.download_extract", "care.view_demand"},
    Role.DIRECTORY_EDITOR: {"directory.moderate_listings", "directory.review_problem_reports"},
    Role.ADMINISTRATOR: {
        "deal.edit_deal",
        "deal.record_progress",
        "deal.import_progress",
        "core.view_auditevent",
        # Managing people's roles (the "People" pages under /account/).
        "core.change_user",
        "events.manage_events",
        "events.check_in_attendees",
        "directory.moderate_listings",
        "directory.review_problem_reports",
        "care.view_demand",
    },
}


def sync_role_groups(sender=None, **kwargs) -> None:
    """Create a group for each role and give it exactly the permissions listed above."""
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.label)
        permissions = []
        for code in sorted(codes):
            app_label, codename = code.split(".")
            permission = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)
