"""Adult social care: the people practitioners support and the strengths-based conversations
they hold with them (the Three Conversations model), with what they lead to.

What each model is for, and what the managers' demand figures and the gap map read from it:

- `Team`, `Person`, `PersonShare` (`people.py`): who is supported and who may see them. A
  person is allocated to one team; practitioners see the people of the teams they are members
  of, or people shared with them by name; team managers see the people of the teams they manage.
  `Person.lsoa21_code` / `ward_code` come from the postcode (`opendeal.geography`).
- `Relationship`: the people around someone (family, friends, neighbours), with contact details.
- `Conversation` (`conversations.py`): one contact. `held_on` (a date, never in the future),
  `kind` (which of the three conversations), `outcome` (how the contact ended; the demand
  dashboard's "resolved without formal care" is `OUTCOMES_WITHOUT_FORMAL_CARE`), `team` and
  the neighbourhood (`lsoa21_code`, `ward_code`) as they were on the day, so figures by team
  and place do not move when a person moves or changes team.
- `HeardNeed`: a need or an interest heard in a conversation, as a directory taxonomy term
  (`opendeal.directory.models.TaxonomyTerm`), with the date and neighbourhood it was heard in:
  the gap map's input (needs per term per LSOA/ward).
- `AgreedAction`: what was agreed, who does it and by when.
- `Connection` (`support.py`): a person connected to a directory service (`Service`), with its
  status (suggested, contacted, attended, stopped, declined) and the dates; exported with the
  SNOMED CT social-prescribing codes.
- `SupportPackage`: formal care: reablement or long-term, `weekly_cost` (Decimal, pence-exact),
  `starts_on`, `ends_on` (empty while it goes on). Spend over a period is weekly cost times the
  weeks of the period it covers (`SupportPackage.cost_between`).
- `SwemwbsResponse`, `Ons4Response` (`wellbeing.py`): wellbeing measured over time; SWEMWBS
  keeps the raw and the metric score (converted with the published table).

For the figures: contacts per month are conversations by `held_on`; new long-term packages are
`SupportPackage` with `kind=LONG_TERM` by `starts_on`; age at a contact comes from
`Person.date_of_birth` (empty once erased, and maybe unknown); needs by neighbourhood are
`HeardNeed` by `taxonomy_term` and `lsoa21_code`/`ward_code`; a service's connections,
attendance and wellbeing change are `care.outcomes.outcomes_for_services`. Demo data
(`care/demo.py`) is marked `Person.is_fictional`.

Erasure (`erasure.py`) removes everything that identifies a person and keeps these structured,
non-identifying facts, so the borough's figures do not change when someone is erased.
"""

from .conversations import (
    OUTCOMES_WITHOUT_FORMAL_CARE,
    AgreedAction,
    Conversation,
    ConversationKind,
    HeardNeed,
    Outcome,
)
from .people import (
    ArticleNineCondition,
    ArticleSixBasis,
    Person,
    PersonShare,
    Relationship,
    RelationshipKind,
    Team,
)
from .summaries import FirstContact, WellbeingSummary
from .support import Connection, ConnectionStatus, PackageKind, PackageSetting, SupportPackage
from .wellbeing import Ons4Response, SwemwbsResponse

__all__ = [
    "OUTCOMES_WITHOUT_FORMAL_CARE",
    "AgreedAction",
    "ArticleNineCondition",
    "ArticleSixBasis",
    "Connection",
    "ConnectionStatus",
    "Conversation",
    "ConversationKind",
    "FirstContact",
    "HeardNeed",
    "Ons4Response",
    "Outcome",
    "PackageKind",
    "PackageSetting",
    "Person",
    "PersonShare",
    "Relationship",
    "RelationshipKind",
    "SupportPackage",
    "SwemwbsResponse",
    "Team",
    "WellbeingSummary",
]
