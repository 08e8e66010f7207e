"""The review side of the evaluation: conflict declarations, review assignments, the
individual scores, the moderator's consensus, reviewers' expertise and the review
reminders sent. The pure algorithms are in review/domain.py and review/assignment.py;
every write goes through review/services.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .enums import AssignmentState, ConflictSource, LockCause, LockPhase, ReviewReminderKind


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

    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="scores"
    )
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

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score} ({self.assignment})"


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

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score} ({self.application})"


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


class PhaseLock(models.Model):
    """A phase of one application's evaluation locked from `locked_at`, for `cause`, until
    staff reopen it with a reason (`reopened_*`). The review deadline locks by itself (no
    row); reopening after it is recorded as a row with that cause, already reopened. The
    latest row of a phase says whether staff reopened it (review.selectors.phase_locks)."""

    application = models.ForeignKey(
        "projects.Application", on_delete=models.CASCADE, related_name="phase_locks"
    )
    phase = models.CharField(_("phase"), max_length=10, choices=LockPhase.choices)
    cause = models.CharField(_("locked because"), max_length=10, choices=LockCause.choices)
    locked_at = models.DateTimeField(_("locked at"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "phase", "locked_at", "pk"]
        verbose_name = _("locked phase")
        verbose_name_plural = _("locked phases")
        constraints = [
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="phase_lock_reopened_with_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} {self.application_id}: {self.get_cause_display()}"


class ConductDeclaration(models.Model):
    """A reviewer's acceptance of the code of conduct and confidentiality declaration, in
    the version then in force (domain.CONDUCT_VERSION). Accepted once per version, before
    the first proposal opens; a new version asks again."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conduct_declarations"
    )
    version = models.CharField(_("version"), max_length=20)
    language = models.CharField(_("language read"), max_length=5)
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reviewer", "-accepted_at"]
        verbose_name = _("code of conduct declaration")
        verbose_name_plural = _("code of conduct declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "version"], name="conduct_declaration_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.version}"


class DiscussionPost(models.Model):
    """A message in the discussion of one proposal between its assigned reviewers and the
    moderator before consensus. Never edited or deleted (the thread is evidence)."""

    application = models.ForeignKey(
        "projects.Application", on_delete=models.CASCADE, related_name="discussion_posts"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Reviewers appear under a number (as in the scores of others); the moderator as such.
    is_moderator = models.BooleanField(_("by the moderator"), default=False)
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "created_at", "pk"]
        verbose_name = _("discussion post")
        verbose_name_plural = _("discussion posts")

    def __str__(self) -> str:
        return f"{self.application_id} · {self.author} · {self.created_at:%Y-%m-%d %H:%M}"
