"""Choices of the decision side: who decides an aid, the funding cut's policy, the
advice and decision outcomes, the kinds of letter."""

from django.db import models
from django.utils.translation import pgettext_lazy


class DecidingLevel(models.TextChoices):
    """Who takes the funding decision for an aid amount (DOMAIN.md §2)."""

    ADMINISTRATOR_GENERAL = (
        "administrator_general",
        pgettext_lazy("deciding level", "Administrator-general"),
    )
    DECISION_COMMITTEE = "decision_committee", pgettext_lazy("deciding level", "Decision committee")


class CutPolicy(models.TextChoices):
    """What the funding cut does with a proposal that does not fit the remaining budget."""

    STOP = "stop", pgettext_lazy("funding cut", "Stop at the first proposal that does not fit")
    SKIP = "skip", pgettext_lazy("funding cut", "Skip it and fund lower-ranked ones that fit")


class AdviceOutcome(models.TextChoices):
    FUND = "fund", pgettext_lazy("advice", "Fund")
    RESERVE = "reserve", pgettext_lazy("advice", "Reserve list")
    REJECT = "reject", pgettext_lazy("advice", "Reject")


class DecisionOutcome(models.TextChoices):
    FUND = "fund", pgettext_lazy("decision", "Funded")
    RESERVE = "reserve", pgettext_lazy("decision", "Reserve list")
    REJECT = "reject", pgettext_lazy("decision", "Rejected")


class LetterKind(models.TextChoices):
    DECISION = "decision", pgettext_lazy("letter", "Decision letter")
    ESR = "esr", pgettext_lazy("letter", "Evaluation Summary Report")
