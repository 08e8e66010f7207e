"""The governance bodies of a programme (strategic advisory council, steering group),
their memberships over a term, and their meetings.

Models hold fields, constraints and simple properties. The composition rules and the
quorum live in domain.py; every write goes through services.py. The evaluation itself
(conflict declarations, review assignments and scores, consensus, advice, funding
decisions, letters) is below; its pure algorithms are in assignment.py and ranking.py.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models import MONEY, Bilingual, Organisation, Programme

from . import domain
from .enums import (
    VOTING_SEATS,
    AdviceOutcome,
    AssignmentState,
    BodyKind,
    ConflictSource,
    DecidingLevel,
    DecisionOutcome,
    LetterKind,
    ReviewReminderKind,
    Seat,
)


class Body(Bilingual, models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="bodies", verbose_name=_("programme")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "kind"]
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="body_one_per_kind")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return self.localized("description")


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day: date):
        """Memberships whose term includes `day` (same rule as domain.is_active_on)."""
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Membership(models.Model):
    """A person holding a seat in a body for a term (from `starts_on` to `ends_on`
    inclusive; open-ended without an end date). `organisation` is the organisation they
    represent, taken from their profile when the membership is made."""

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("body")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation represented"),
    )
    seat = models.CharField(_("seat"), max_length=30, choices=Seat.choices)
    starts_on = models.DateField(_("term starts on"))
    ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["body", "seat", "starts_on"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="membership_term_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_seat_display()} ({self.body})"

    @property
    def votes(self) -> bool:
        return self.seat in VOTING_SEATS

    def is_active_on(self, day: date) -> bool:
        return domain.is_active_on(self.starts_on, self.ends_on, day)

    def seat_holder(self) -> domain.SeatHolder:
        organisation = self.organisation
        return domain.SeatHolder(
            seat=self.seat,
            name=str(self.user),
            organisation_kind=organisation.kind if organisation is not None else None,
        )


class Meeting(models.Model):
    """A meeting of a body: who attended, and so whether it had its quorum."""

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("body")
    )
    date = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=200)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("members present"),
    )
    guests = models.TextField(
        _("guests"),
        blank=True,
        help_text=_("External experts and other guests; they do not count for the quorum."),
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[attendees])

    class Meta:
        ordering = ["body", "-date"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.body} — {self.date.isoformat()}"

    def quorum(self) -> tuple[bool, str]:
        """Majority of the voting members on the meeting date present (domain.quorum_met).

        Uses `body.memberships` and `attendees` as loaded: prefetch both in lists.
        """
        terms = [(m.user_id, m.seat, m.starts_on, m.ends_on) for m in self.body.memberships.all()]
        voting = domain.voting_member_ids(terms, self.date)
        return domain.quorum_met(voting, (u.pk for u in self.attendees.all()))


# --- Evaluation: conflicts, assignments, scores, consensus --------------------------------


class ConflictDeclaration(models.Model):
    """A reviewer's statement about one application, made before they may see it:
    no conflict, or a conflict with its reason. Detected conflicts (the reviewer's
    organisation, or one linked to it, is a partner) are recorded with source=detected.
    A conflicted reviewer never sees the application (404) and is never assigned."""

    application = models.ForeignKey(
        "projects.Application", on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    has_conflict = models.BooleanField(_("conflict of interest"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=ConflictSource.choices, default=ConflictSource.DECLARED
    )
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="conflict_declaration_unique"
            ),
            models.CheckConstraint(
                condition=Q(has_conflict=False) | ~Q(reason=""),
                name="conflict_declaration_reason_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} / {self.application_id}: {self.has_conflict}"


class ReviewAssignment(models.Model):
    """A reviewer (council member or external expert) assigned to score one application."""

    application = models.ForeignKey(
        "projects.Application", on_delete=models.CASCADE, related_name="review_assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=AssignmentState.choices, default=AssignmentState.ASSIGNED
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "assigned_at"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="review_assignment_unique"
            ),
            models.CheckConstraint(
                condition=~Q(state="submitted") | Q(submitted_at__isnull=False),
                name="review_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application_id} ({self.state})"


class ReviewScore(models.Model):
    """An individual reviewer's score and comment on one criterion (the call's scale,
    0–5 in half points by default; a comment is required)."""

    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("calls.Criterion", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assignment", "criterion__position"]
        verbose_name = _("review score")
        verbose_name_plural = _("review scores")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="review_score_unique")
        ]


class ConsensusScore(models.Model):
    """The moderator's consensus score and comment per criterion of an application; the
    Evaluation Summary Report shows these (never a reviewer's name)."""

    application = models.ForeignKey(
        "projects.Application", on_delete=models.CASCADE, related_name="consensus_scores"
    )
    criterion = models.ForeignKey("calls.Criterion", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("consensus score"), max_digits=4, decimal_places=1)
    comment = models.TextField(_("consensus comment"))
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "criterion__position"]
        verbose_name = _("consensus score")
        verbose_name_plural = _("consensus scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="consensus_score_unique"
            )
        ]


# --- Advice, decisions, letters -------------------------------------------------------------


class Advice(models.Model):
    """The strategic advisory council's advice on one application, at a meeting."""

    application = models.OneToOneField(
        "projects.Application", on_delete=models.CASCADE, related_name="advice"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="advice")
    outcome = models.CharField(_("advice"), max_length=10, choices=AdviceOutcome.choices)
    motivation = models.TextField(_("motivation"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("advice")
        verbose_name_plural = _("advice")


class FundingDecision(models.Model):
    """The steering group's decision on one application. A funding decision commits the
    aid on an envelope through calls.services.envelope_commit (ledger_entry); a decline
    by the applicant within one month releases it (release_entry)."""

    application = models.OneToOneField(
        "projects.Application", on_delete=models.PROTECT, related_name="decision"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(_("decision"), max_length=10, choices=DecisionOutcome.choices)
    amount = models.DecimalField(_("aid granted (€)"), null=True, blank=True, **MONEY)
    envelope = models.ForeignKey(
        "calls.Envelope", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    deciding_level = models.CharField(
        _("deciding level"), max_length=30, choices=DecidingLevel.choices, blank=True
    )
    decided_by = models.CharField(
        _("decided by"), max_length=200, blank=True,
        help_text=_("Name and function of who took the decision."),
    )
    motivation = models.TextField(_("motivation"), blank=True)
    ledger_entry = models.OneToOneField(
        "calls.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    release_entry = models.OneToOneField(
        "calls.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding decision")
        verbose_name_plural = _("funding decisions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="fund")
                | Q(amount__gt=0, envelope__isnull=False, ledger_entry__isnull=False),
                name="decision_fund_commits_an_amount",
            ),
            models.CheckConstraint(
                condition=Q(outcome="fund") | Q(amount__isnull=True),
                name="decision_amount_only_when_funded",
            ),
        ]


def letter_path(instance: "Letter", filename: str) -> str:
    return f"letters/{instance.application_id}/{filename}"


class Letter(models.Model):
    """A generated PDF sent to the consortium: the decision letter or the Evaluation
    Summary Report, in the applicant's language, made by a Celery worker."""

    application = models.ForeignKey(
        "projects.Application", on_delete=models.CASCADE, related_name="letters"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LetterKind.choices)
    language = models.CharField(_("language"), max_length=2, default="nl")
    file = models.FileField(_("file"), upload_to=letter_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "kind"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="letter_unique_kind")
        ]


# --- Review side: reviewers' expertise and review reminders ------------------------------


class ReviewerExpertise(models.Model):
    """A theme of the programme a reviewer knows well; automatic assignment prefers
    reviewers whose themes match the application's theme. Edited by staff."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expertise"
    )
    theme = models.ForeignKey(
        "programme.Theme", on_delete=models.CASCADE, related_name="+", verbose_name=_("theme")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["user", "theme"]
        verbose_name = _("reviewer expertise")
        verbose_name_plural = _("reviewer expertise")
        constraints = [
            models.UniqueConstraint(fields=["user", "theme"], name="reviewer_expertise_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.theme}"


class ReviewReminderSent(models.Model):
    """Proof that one review-deadline reminder was queued for one reviewer of a call: the
    unique constraint makes each reminder exactly-once, even when beat runs twice."""

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=4, choices=ReviewReminderKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "sent_at"]
        verbose_name = _("review reminder sent")
        verbose_name_plural = _("review reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "user", "kind"], name="review_reminder_sent_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} ({self.call_id})"
