"""Demo accounts: one fictional person for each role, labelled as fictional."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from .models import User
from .roles import Role

DEMO_PASSWORD = "demo-deal-2026"
DEMO_EMAIL_DOMAIN = "demo.opendeal.example"


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    email: str
    totp_secret: str  # empty for roles that sign in with a password only


_DEMO_NAMES = {
    Role.RESIDENT: "Jo Fletcher",
    Role.COMMUNITY_MEMBER: "Priya Shah",
    Role.PRACTITIONER: "Dan Okafor",
    Role.TEAM_MANAGER: "Helen Marsh",
    Role.FUND_OFFICER: "Tom Birchall",
    Role.PANEL_MEMBER: "Aisha Rahman",
    Role.ANALYST: "Sam Patel",
    Role.DIRECTORY_EDITOR: "Megan Lowe",
    Role.ADMINISTRATOR: "Chris Hughes",
}


def demo_email(role: Role) -> str:
    return f"{role.value.replace('_', '-')}@{DEMO_EMAIL_DOMAIN}"


@transaction.atomic
def load_demo_accounts() -> list[DemoLogin]:
    """Create (or bring back to their demo state) one account per role. Idempotent."""
    from .accounts.services import enrol_totp_device, totp_secret_base32

    logins = []
    for role, name in _DEMO_NAMES.items():
        user, _ = User.objects.update_or_create(
            email=demo_email(role),
            defaults={"full_name": f"{name} (fictional {role.label.lower()})", "is_demo": True},
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role.label)])
        secret = ""
        if user.needs_two_factor:
            device = user.totpdevice_set.filter(confirmed=True).first() or enrol_totp_device(user)
            secret = totp_secret_base32(device)
        logins.append(DemoLogin(role, user.email, secret))
    return logins
