"""Writes of the budget envelopes and their append-only ledger: create, edit, reserve,
commit, release, transfer.

Envelope guarantee: every movement locks the envelope row (SELECT ... FOR UPDATE) before
checking it, and the CheckConstraint `envelope_never_over_allocated` makes PostgreSQL
refuse an over-allocation even if some code skipped the lock.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from programme.enums import BudgetLineKind, Role
from programme.formats import round_cents
from programme.models import BudgetLine, ProgrammeYear, User
from programme.services import audited_save
from programme.states import Refused

from .. import domain
from ..enums import CallState, LedgerEntryKind
from ..models import (
    Call,
    Envelope,
    EnvelopeAmendment,
    LedgerEntry,
)
from .call import ZERO

# --- Envelopes ------------------------------------------------------------------------------


def _year_figures(programme_year: ProgrammeYear) -> tuple[Decimal, Decimal]:
    """(project-budget line total, sum of the envelopes) of a programme year."""
    line = (
        BudgetLine.objects.filter(
            programme_year=programme_year, kind=BudgetLineKind.PROJECT_BUDGET
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    envelopes = (
        Envelope.objects.filter(call__programme_year=programme_year).aggregate(total=Sum("amount"))[
            "total"
        ]
        or ZERO
    )
    return line, envelopes


def _check_year(programme_year: ProgrammeYear, increase: Decimal) -> None:
    """Refuse when the year's envelopes would exceed its project budget. Locks the
    programme year row first, so two envelopes created at once are checked in turn."""
    locked = ProgrammeYear.objects.select_for_update().get(pk=programme_year.pk)
    line, envelopes = _year_figures(locked)
    ok, reason = domain.year_envelopes_fit(
        year=locked.year, budget_line=line, envelopes_total=envelopes, increase=increase
    )
    if not ok:
        raise Refused(reason)


@transaction.atomic
def envelope_create(
    *,
    actor: User | None,
    call: Call,
    name_nl: str,
    name_en: str,
    amount: Decimal,
    action_domain=None,
) -> Envelope:
    """Create a budget envelope of `call`, drawn from the project budget of its year.

    Side effects, in order: locks the programme year and refuses when the year's
    envelopes would exceed its project-budget line (with the figures); saves (audited).
    """
    amount = round_cents(amount)
    if call.state == CallState.ARCHIVED:
        raise Refused(_("The call is archived; it takes no new envelopes."))
    if amount <= 0:
        raise Refused(_("An envelope needs an amount of more than zero."))
    _check_year(call.programme_year, amount)
    envelope = Envelope(
        call=call,
        name_nl=name_nl,
        name_en=name_en,
        action_domain=action_domain,
        initial_amount=amount,
        amount=amount,
    )
    audited_save(envelope, actor=actor, reason="envelope created")
    return envelope


@transaction.atomic
def envelope_update(
    *,
    actor: User | None,
    envelope: Envelope,
    name_nl: str,
    name_en: str,
    action_domain=None,
    amount: Decimal | None = None,
    justification: str = "",
) -> Envelope:
    """Rename an envelope, change its action domain or its amount.

    In a draft call the amount may change only while the ledger is empty (afterwards
    money moves by transfers, with a decision). In an open or later call the envelope is
    part of the published call: a change of amount or action domain needs an
    administrator and a justification, and the amount never drops below what is
    reserved and committed (domain.can_amend_envelope); the names stay editable.

    Side effects, in order: locks the envelope row; refuses (with the figures) when a
    rule above is broken; on a raise, locks the programme year and refuses beyond its
    project budget; moves the initial amount by the same difference (amount = initial
    amount ± transfers still holds); records an EnvelopeAmendment (old and new values,
    full justification) when the call is frozen; saves (audited with the justification).
    """
    locked = _lock_envelope(envelope)
    amount_before = locked.amount
    new_amount = locked.amount if amount is None else round_cents(amount)
    amount_changes = new_amount != locked.amount
    domain_changes = (action_domain.pk if action_domain else None) != locked.action_domain_id
    frozen = domain.envelope_is_frozen(locked.call)
    if amount_changes or (frozen and domain_changes):
        if new_amount <= 0:
            raise Refused(_("An envelope needs an amount of more than zero."))
        is_admin = actor is not None and actor.has_role(Role.ADMIN)
        _refuse_unless(
            domain.can_amend_envelope(
                locked, new_amount=new_amount, is_admin=is_admin, justification=justification
            )
        )
        if not frozen and locked.ledger.exists():
            raise Refused(_("This envelope has ledger entries; change its amount with a transfer."))
    if amount_changes:
        difference = new_amount - locked.amount
        if difference > 0:
            _check_year(locked.call.programme_year, difference)
        locked.amount = new_amount
        locked.initial_amount += difference
    if frozen and (amount_changes or domain_changes):
        audited_save(
            EnvelopeAmendment(
                call=locked.call,
                envelope=locked,
                actor=actor,
                justification=justification,
                amount_before=amount_before,
                amount_after=new_amount,
                action_domain_before_id=locked.action_domain_id,
                action_domain_after=action_domain,
            ),
            actor=actor,
            reason="envelope amended",
        )
    locked.name_nl, locked.name_en, locked.action_domain = name_nl, name_en, action_domain
    reason = justification.strip() or "envelope edited"
    audited_save(locked, actor=actor, reason=reason)
    _copy_totals(locked, envelope)
    envelope.name_nl, envelope.name_en, envelope.action_domain = name_nl, name_en, action_domain
    return locked


def _lock_envelope(envelope: Envelope) -> Envelope:
    """The envelope row, locked until the transaction ends (FOR UPDATE of this row only)."""
    return (
        Envelope.objects.select_for_update(of=("self",)).select_related("call").get(pk=envelope.pk)
    )


def _copy_totals(source: Envelope, target: Envelope) -> None:
    for name in ("amount", "initial_amount", "reserved", "committed", "paid"):
        setattr(target, name, getattr(source, name))


def _refuse_unless(ok_reason: tuple[bool, str]) -> None:
    ok, reason = ok_reason
    if not ok:
        raise Refused(reason)


def _movement(
    *,
    actor: User | None,
    envelope: Envelope,
    kind: str,
    amount: Decimal,
    reason: str,
    reference: str = "",
    decision_reference: str = "",
    counterpart: LedgerEntry | None = None,
) -> LedgerEntry:
    """Save the envelope's new running totals and append the ledger row. The caller holds
    the row lock and has checked the rule; the CheckConstraint is the last word."""
    try:
        with transaction.atomic():
            audited_save(envelope, actor=actor, reason=f"{kind} {amount}"[:100])
            entry = LedgerEntry(
                envelope=envelope,
                kind=kind,
                amount=amount,
                reason=reason,
                reference=reference,
                decision_reference=decision_reference,
                counterpart=counterpart,
                created_by=actor if actor is not None and actor.pk else None,
            )
            entry.full_clean()
            entry.save()
    except IntegrityError:
        # Only reachable if some code changed the totals without the row lock.
        raise Refused(
            _("Refused by the database: envelope “%(envelope)s” would be over-allocated.")
            % {"envelope": envelope.name}
        ) from None
    return entry


def _prepare(envelope: Envelope, amount, reason: str) -> tuple[Envelope, Decimal]:
    amount = round_cents(amount)
    if not reason.strip():
        raise Refused(_("Every ledger entry needs a reason."))
    locked = _lock_envelope(envelope)
    if locked.call.state == CallState.ARCHIVED:
        raise Refused(_("The call is archived; its envelopes are closed."))
    return locked, amount


@transaction.atomic
def envelope_reserve(
    *, actor: User | None, envelope: Envelope, amount: Decimal, reason: str, reference: str = ""
) -> LedgerEntry:
    """Reserve money (e.g. for a ranked proposal awaiting decision).

    Side effects, in order: locks the envelope row; refuses when reserved + committed
    would exceed the amount; raises reserved; appends a `reserve` ledger entry.
    """
    locked, amount = _prepare(envelope, amount, reason)
    _refuse_unless(domain.can_reserve(locked, amount))
    locked.reserved += amount
    entry = _movement(
        actor=actor,
        envelope=locked,
        kind=LedgerEntryKind.RESERVE,
        amount=amount,
        reason=reason,
        reference=reference,
    )
    _copy_totals(locked, envelope)
    return entry


@transaction.atomic
def envelope_unreserve(
    *, actor: User | None, envelope: Envelope, amount: Decimal, reason: str, reference: str = ""
) -> LedgerEntry:
    """Lift (part of) a reservation: locks the row, refuses more than is reserved,
    lowers reserved, appends an `unreserve` entry."""
    locked, amount = _prepare(envelope, amount, reason)
    _refuse_unless(domain.can_unreserve(locked, amount))
    locked.reserved -= amount
    entry = _movement(
        actor=actor,
        envelope=locked,
        kind=LedgerEntryKind.UNRESERVE,
        amount=amount,
        reason=reason,
        reference=reference,
    )
    _copy_totals(locked, envelope)
    return entry


@transaction.atomic
def envelope_commit(
    *,
    actor: User | None,
    envelope: Envelope,
    amount: Decimal,
    reason: str,
    reference: str = "",
    from_reservation: bool = False,
) -> LedgerEntry:
    """Commit money of the envelope (a funding decision).

    Side effects, in order: locks the envelope row; refuses (Refused, with the
    figures) when committed + reserved would exceed the amount; with
    `from_reservation`, moves the amount from reserved to committed instead; raises
    committed; appends a `commit` ledger entry. The database constraint
    `envelope_never_over_allocated` backs the check.
    """
    locked, amount = _prepare(envelope, amount, reason)
    _refuse_unless(domain.can_commit(locked, amount, from_reservation=from_reservation))
    if from_reservation:
        locked.reserved -= amount
    locked.committed += amount
    entry = _movement(
        actor=actor,
        envelope=locked,
        kind=LedgerEntryKind.COMMIT,
        amount=amount,
        reason=reason,
        reference=reference,
    )
    _copy_totals(locked, envelope)
    return entry


def committed_for_reference(envelope: Envelope, reference: str) -> Decimal:
    """Commitments minus releases booked on `envelope` for `reference`."""
    sums = LedgerEntry.objects.filter(envelope=envelope, reference=reference).aggregate(
        committed=Sum("amount", filter=Q(kind=LedgerEntryKind.COMMIT)),
        released=Sum("amount", filter=Q(kind=LedgerEntryKind.RELEASE)),
    )
    return (sums["committed"] or ZERO) - (sums["released"] or ZERO)


@transaction.atomic
def envelope_release(
    *, actor: User | None, envelope: Envelope, amount: Decimal, reason: str, reference: str = ""
) -> LedgerEntry:
    """Give committed money back to the envelope (a declined or reduced project).

    Side effects, in order: locks the envelope row; refuses more than is committed (for
    `reference` when given); lowers committed; appends a `release` ledger entry.
    """
    locked, amount = _prepare(envelope, amount, reason)
    for_reference = committed_for_reference(locked, reference) if reference else None
    _refuse_unless(domain.can_release(locked, amount, committed_for_reference=for_reference))
    locked.committed -= amount
    entry = _movement(
        actor=actor,
        envelope=locked,
        kind=LedgerEntryKind.RELEASE,
        amount=amount,
        reason=reason,
        reference=reference,
    )
    _copy_totals(locked, envelope)
    return entry


def paid_for_reference(envelope: Envelope, reference: str) -> Decimal:
    """Payments booked on `envelope` for `reference`."""
    return (
        LedgerEntry.objects.filter(
            envelope=envelope, reference=reference, kind=LedgerEntryKind.PAYMENT
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )


@transaction.atomic
def envelope_pay(
    *, actor: User | None, envelope: Envelope, amount: Decimal, reason: str, reference: str
) -> LedgerEntry:
    """Pay committed money out (a funded project's advance or balance).

    Side effects, in order: locks the envelope row; refuses (with the figures) when paid
    would exceed committed, on the envelope or for `reference`; raises paid; appends a
    `payment` ledger entry. The CheckConstraint `envelope_never_overpaid` backs the check.
    """
    locked, amount = _prepare(envelope, amount, reason)
    _refuse_unless(
        domain.can_pay(
            locked,
            amount,
            committed_for_reference=committed_for_reference(locked, reference),
            paid_for_reference=paid_for_reference(locked, reference),
        )
    )
    locked.paid += amount
    entry = _movement(
        actor=actor,
        envelope=locked,
        kind=LedgerEntryKind.PAYMENT,
        amount=amount,
        reason=reason,
        reference=reference,
    )
    _copy_totals(locked, envelope)
    return entry


@transaction.atomic
def envelope_transfer(
    *,
    actor: User | None,
    source: Envelope,
    target: Envelope,
    amount: Decimal,
    decision_reference: str,
    reason: str,
) -> tuple[LedgerEntry, LedgerEntry]:
    """Move available money from one envelope to another, on a steering-group decision.

    Side effects, in order: locks both envelope rows (in id order, so two opposite
    transfers cannot deadlock); refuses without a decision reference or beyond the
    source's available money; when the envelopes belong to different years, locks the
    target year and refuses beyond its project budget; lowers the source amount, raises
    the target amount; appends `transfer_out` then `transfer_in` (pointing to it).
    """
    amount = round_cents(amount)
    if not reason.strip():
        raise Refused(_("Every ledger entry needs a reason."))
    first, second = sorted([source, target], key=lambda e: e.pk)
    locked = {e.pk: _lock_envelope(e) for e in (first, second)}
    src, dst = locked[source.pk], locked[target.pk]
    _refuse_unless(domain.can_transfer(src, dst, amount, decision_reference))
    for envelope in (src, dst):
        if envelope.call.state == CallState.ARCHIVED:
            raise Refused(_("The call is archived; its envelopes are closed."))
    if src.call.programme_year_id != dst.call.programme_year_id:
        _check_year(dst.call.programme_year, amount)
    src.amount -= amount
    out = _movement(
        actor=actor,
        envelope=src,
        kind=LedgerEntryKind.TRANSFER_OUT,
        amount=amount,
        reason=reason,
        decision_reference=decision_reference,
    )
    dst.amount += amount
    into = _movement(
        actor=actor,
        envelope=dst,
        kind=LedgerEntryKind.TRANSFER_IN,
        amount=amount,
        reason=reason,
        decision_reference=decision_reference,
        counterpart=out,
    )
    _copy_totals(src, source)
    _copy_totals(dst, target)
    return out, into
