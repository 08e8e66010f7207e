"""Choices of the projects app: application states and their allowed moves (as data),
consortium parts, cost categories, activities, attachment kinds, admissibility outcomes."""

from django.db import models
from django.utils.translation import gettext as _, pgettext_lazy

from programme.states import Transition, Transitions


class ApplicationState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("application state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("application state", "Submitted")
    COMPLETION_REQUESTED = "completion", pgettext_lazy("application state", "Completion requested")
    ADMISSIBLE = "admissible", pgettext_lazy("application state", "Admissible")
    INADMISSIBLE = "inadmissible", pgettext_lazy("application state", "Inadmissible")
    WITHDRAWN = "withdrawn", pgettext_lazy("application state", "Withdrawn")


def _application_cannot_move(source: str, target: str) -> str:
    return _("An application that is %(state)s cannot become %(to)s.") % {
        "state": ApplicationState(source).label.lower(),
        "to": ApplicationState(target).label.lower(),
    }


_S = ApplicationState
_ADMISSIBILITY = ("admissibility_record",)
_WITHDRAW = ("application_withdraw",)

# Every allowed move: (from, to, the guard in domain.py, the services). Withdrawal is
# possible until the steering group decides (a FundingDecision on the governance side,
# which the guard is told about; the application keeps its state).
APPLICATION_TRANSITIONS = Transitions(
    states=ApplicationState,
    initial=_S.DRAFT,
    moves=(
        Transition(_S.DRAFT, _S.SUBMITTED, "can_submit", ("application_submit",)),
        Transition(_S.SUBMITTED, _S.ADMISSIBLE, "can_record_admissibility", _ADMISSIBILITY),
        Transition(_S.SUBMITTED, _S.INADMISSIBLE, "can_record_admissibility", _ADMISSIBILITY),
        Transition(
            _S.SUBMITTED, _S.COMPLETION_REQUESTED, "can_record_admissibility", _ADMISSIBILITY
        ),
        Transition(
            _S.COMPLETION_REQUESTED, _S.SUBMITTED, "can_complete", ("application_complete",)
        ),
        Transition(
            _S.COMPLETION_REQUESTED, _S.INADMISSIBLE, "can_record_admissibility", _ADMISSIBILITY
        ),
        Transition(_S.SUBMITTED, _S.WITHDRAWN, "can_withdraw", _WITHDRAW),
        Transition(_S.COMPLETION_REQUESTED, _S.WITHDRAWN, "can_withdraw", _WITHDRAW),
        Transition(_S.ADMISSIBLE, _S.WITHDRAWN, "can_withdraw", _WITHDRAW),
    ),
    terminal=frozenset({_S.INADMISSIBLE, _S.WITHDRAWN}),
    not_allowed=_application_cannot_move,
)


# States in which the application counts as handed in (staff see it in their list).
HANDED_IN = (
    ApplicationState.SUBMITTED,
    ApplicationState.COMPLETION_REQUESTED,
    ApplicationState.ADMISSIBLE,
    ApplicationState.INADMISSIBLE,
    ApplicationState.WITHDRAWN,
)


class Part(models.TextChoices):
    """The two parts of an ICON project (DOMAIN.md §4)."""

    RESEARCH = "research", pgettext_lazy("project part", "Research part")
    COMPANY = "company", pgettext_lazy("project part", "Company part")


class CostCategory(models.TextChoices):
    """VLAIO cost model: the categories of a partner's budget, per project year."""

    PERSONNEL = "personnel", pgettext_lazy("cost category", "Personnel")
    OVERHEAD = "overhead", pgettext_lazy("cost category", "Overhead")
    OPERATING = "operating", pgettext_lazy("cost category", "Operating costs")
    SUBCONTRACTING = (
        "subcontracting",
        pgettext_lazy("cost category", "External services (subcontracting)"),
    )
    INVESTMENTS = "investments", pgettext_lazy("cost category", "Investments (depreciation only)")


class Activity(models.TextChoices):
    """What a cost is for. Research-part partners have one column (research, 100%);
    company-part partners split their cost between the two GBER art. 25 activities."""

    RESEARCH = "research", pgettext_lazy("activity", "Non-economic research")
    INDUSTRIAL_RESEARCH = "industrial", pgettext_lazy("activity", "Industrial research")
    EXPERIMENTAL_DEVELOPMENT = "experimental", pgettext_lazy("activity", "Experimental development")


COMPANY_ACTIVITIES = (Activity.INDUSTRIAL_RESEARCH, Activity.EXPERIMENTAL_DEVELOPMENT)
RESEARCH_ACTIVITIES = (Activity.RESEARCH,)


class AttachmentKind(models.TextChoices):
    DESCRIPTION = "description", pgettext_lazy("attachment", "Project description")
    ANNEX = "annex", pgettext_lazy("attachment", "Annex")


class AbstractLanguage(models.TextChoices):
    NL = "nl", "Nederlands"
    EN = "en", "English"


class AdmissibilityOutcome(models.TextChoices):
    ADMISSIBLE = "admissible", pgettext_lazy("admissibility", "Admissible")
    INADMISSIBLE = "inadmissible", pgettext_lazy("admissibility", "Inadmissible")
    COMPLETION = "completion", pgettext_lazy("admissibility", "Completion requested")


class CompletionItem(models.TextChoices):
    """Parts of an application staff may ask the applicant to complete; during a
    completion request the applicant can change only the named ones."""

    GENERAL = "general", pgettext_lazy("completion item", "Project data (title, abstract, …)")
    CONSORTIUM = "consortium", pgettext_lazy("completion item", "Consortium (partners)")
    BUDGET = "budget", pgettext_lazy("completion item", "Budget")
    ATTACHMENTS = "attachments", pgettext_lazy("completion item", "Attachments")
