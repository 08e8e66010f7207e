"""The governance bodies of a programme (strategic advisory council, steering group),
their memberships over a term, and their meetings.

Models hold fields, constraints and simple properties. The composition rules and the
quorum live in bodies/domain.py; every write goes through bodies/services.py.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models import Bilingual, Organisation, Programme

from . import domain
from .enums import VOTING_SEATS, BodyKind, Seat


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
