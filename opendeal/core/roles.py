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
    ADMINISTRATOR = "administrator", "Administrator"


# Staff roles must sign in with two factors.
STAFF_ROLES = frozenset(
    {
        Role.PRACTITIONER,
        Role.TEAM_MANAGER,
        Role.FUND_OFFICER,
        Role.PANEL_MEMBER,
        Role.ANALYST,
        Role.ADMINISTRATOR,
    }
)

# "app_label.codename" permissions each role holds.
ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.RESIDENT: set(),
    Role.COMMUNITY_MEMBER: set(),
    Role.PRACTITIONER: set(),
    Role.TEAM_MANAGER: set(),
    Role.FUND_OFFICER: {"events.manage_events", "events.check_in_attendees"},
    Role.PANEL_MEMBER: set(),
    Role.ANALYST: {"deal.record_progress"},
    Role.ADMINISTRATOR: {
        "deal.edit_deal",
        "deal.record_progress",
        "deal.import_progress",
        "core.view_auditevent",
        # Managing people's roles (the "People" pages under /account/).
        "core.change_user",
        "events.manage_events",
        "events.check_in_attendees",
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
