"""Who may see an application and its supporting documents.

- People who act for the applying organisation (its `OrganisationMember`s);
- fund officers (`fund.view_applications`);
- panel members, once an officer has found the application eligible, unless they have
  declared a conflict of interest in it: that rule is fund-decide's
  (`opendeal.fund.scoring.can_see_application`, which reads `fund.ConflictOfInterest`), and
  is used here so the two can never disagree.
"""

from opendeal.core.models import User

from .models import Application, OrganisationMember

VIEW_ALL_PERMISSION = "fund.view_applications"


def is_member(user: User, organisation_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return OrganisationMember.objects.filter(
        organisation_id=organisation_id, user_id=user.pk
    ).exists()


def can_view_application(user: User, application: Application) -> bool:
    """Whether `user` may see the application, its answers and its documents."""
    if user is None or not user.is_authenticated:
        return False
    if user.has_perm(VIEW_ALL_PERMISSION):
        return True
    if is_member(user, application.organisation_id):
        return True
    # Imported here: scoring imports the models, and this module is imported by views that
    # load before it.
    from .scoring import can_see_application

    allowed, _reason = can_see_application(user, application)
    return allowed


def can_edit_application(user: User, application: Application) -> bool:
    """Only the applying organisation's people change an application, and only as a draft."""
    return application.is_draft and is_member(user, application.organisation_id)
