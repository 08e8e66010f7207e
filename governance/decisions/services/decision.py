"""The advisory council's advice, the funding decisions (which commit the envelope), the
applicant's decline (which releases it) and the call's move to "decided". The letters
are made in governance/decisions/letters.py (re-exported by the package).

Every function is keyword-only, runs in a transaction, checks the rule of
domain.py (raising programme.states.Refused with the reason the user reads), validates
with full_clean() and records who and why in the audit trail.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls import services as call_services
from calls.enums import CallState
from calls.models import Call, Envelope
from governance.bodies.models import Meeting
from governance.review import domain as review_domain
from governance.review.models import ConsensusScore
from programme.enums import Role
from programme.formats import round_cents
from programme.models import User
from programme.services import audited_save, queue_email_to_users
from programme.states import Refused
from projects.enums import ApplicationState
from projects.models import Application

from .. import domain, selectors
from ..enums import (
    DecisionOutcome,
    LetterKind,
)
from ..letters import letter_request
from ..models import Advice, DecisionProposal, FundingDecision


def _meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_related("body")
        .prefetch_related("attendees", "body__memberships")
        .get(pk=meeting.pk)
    )


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "call__parameters")
        .get(pk=application.pk)
    )


def _check_programme(meeting: Meeting, application: Application) -> None:
    if meeting.body.programme_id != application.call.programme_id:
        raise Refused(_("The meeting belongs to another programme."))


# --- Advice ----------------------------------------------------------------------------------


@transaction.atomic
def advice_record(
    *, actor: User, application: Application, meeting: Meeting, outcome: str, motivation: str = ""
) -> Advice:
    """Record (or correct) the council's advice on `application` at `meeting`.

    Side effects, in order: locks the application; refuses unless the meeting is one of
    the programme's advisory council and had its quorum (the reason names the count);
    saves the advice with an audit row.
    """
    application = _lock(application)
    meeting = _meeting(meeting)
    _check_programme(meeting, application)
    if application.state != ApplicationState.ADMISSIBLE:
        raise Refused(_("Only admissible applications are advised on."))
    ok, reason = domain.can_record_advice(
        body_kind=meeting.body.kind, quorum=meeting.quorum(), outcome=outcome
    )
    if not ok:
        raise Refused(reason)
    advice = Advice.objects.filter(application=application).first() or Advice(
        application=application
    )
    advice.meeting, advice.outcome, advice.motivation = meeting, outcome, motivation
    advice.recorded_by = actor
    audited_save(advice, actor=actor, reason=f"advice: {outcome}")
    return advice


# --- Decision --------------------------------------------------------------------------------


def _passes(application: Application) -> bool:
    criteria = list(application.call.criteria.order_by("position"))
    consensus = {
        s.criterion_id: s.score for s in ConsensusScore.objects.filter(application=application)
    }
    ok, _reasons = review_domain.passes_thresholds(
        {c.name: consensus.get(c.pk) for c in criteria},
        {c.name: c.threshold for c in criteria},
        application.call.parameters.overall_threshold,
    )
    return ok


def _envelope_for(call: Call, amount: Decimal) -> Envelope:
    """The call's envelope with the most money available (the demo has one per call)."""
    envelopes = list(Envelope.objects.filter(call=call).order_by("pk"))
    if not envelopes:
        raise Refused(_("The call has no budget envelope."))
    return max(envelopes, key=lambda e: (e.available, -e.pk))


def _commit_funding(
    actor: User, decision: FundingDecision, amount: Decimal, envelope: Envelope | None, note: str
) -> None:
    """Commit `amount` on the envelope (the call's envelope with the most money available
    when none is given) and set the decision's amount, envelope and ledger entry: the one
    way a funding decision, from a proposal or from the reserve list, takes money. When
    the call caps the aid per company over the call, refuses (with the figures) a
    decision that would take a company beyond it (domain.company_aid_within_cap)."""
    application = decision.application
    params = application.call.parameters
    ok, reason = domain.company_aid_within_cap(
        scope=params.aid_cap_scope,
        cap=params.max_aid_per_company,
        companies=selectors.company_aid_in_call(application, amount),
    )
    if not ok:
        raise Refused(reason)
    if envelope is None:
        envelope = _envelope_for(application.call, amount)
    elif envelope.call_id != application.call_id:
        raise Refused(_("The envelope belongs to another call."))
    entry = call_services.envelope_commit(
        actor=actor,
        envelope=envelope,
        amount=amount,
        reason=f"Funding decision {application.acronym} {note}",
        reference=application.receipt_number or str(application.pk),
    )
    decision.amount, decision.envelope, decision.ledger_entry = amount, envelope, entry


@transaction.atomic
def decision_record(
    *,
    actor: User,
    application: Application,
    meeting: Meeting,
    outcome: str,
    amount: Decimal | None = None,
    decided_by: str,
    motivation: str = "",
    envelope: Envelope | None = None,
    proposal: DecisionProposal | None = None,
    now: datetime | None = None,
) -> FundingDecision:
    """Record the steering group's decision on `application`. The pages reach it only
    through an approved decision proposal (proposal_record_decisions, which passes
    `proposal`); the reserve list funds through decision_fund_from_reserve.

    Side effects, in order: locks the application; refuses unless the meeting is one of
    the programme's steering group with its quorum, the application has no decision
    yet, and a funding decision grants a positive amount ≤ the requested aid to a
    proposal above every threshold and, when the call caps the aid per company over the
    call, keeps every company within it; for a funding decision commits the amount on the
    envelope (calls.services.envelope_commit, reference = receipt number; refused with
    Refused with the figures if it would over-commit — nothing is saved then); saves
    the decision with the deciding level of the amount granted (≤ €500,000 the
    administrator-general, above it the decision committee; for a reserve or reject
    decision, of the aid requested) and an audit row; on commit,
    queues the decision letter and the Evaluation Summary Report.
    """
    now = now or timezone.now()
    application = _lock(application)
    meeting = _meeting(meeting)
    _check_programme(meeting, application)
    if application.state != ApplicationState.ADMISSIBLE:
        raise Refused(_("Only admissible applications are decided."))
    amount = round_cents(amount) if amount not in (None, "") else None
    requested = application.total_aid or Decimal("0")
    ok, reason = domain.can_decide(
        body_kind=meeting.body.kind,
        quorum=meeting.quorum(),
        outcome=outcome,
        amount=amount,
        requested_aid=requested,
        already_decided=FundingDecision.objects.filter(application=application).exists(),
        passes=outcome != DecisionOutcome.FUND or _passes(application),
    )
    if not ok:
        raise Refused(reason)
    decision = FundingDecision(
        application=application,
        meeting=meeting,
        outcome=outcome,
        decided_by=decided_by,
        motivation=motivation,
        decided_at=now,
        recorded_by=actor,
        proposal=proposal,
        deciding_level=domain.deciding_level(amount if amount is not None else requested),
    )
    if outcome == DecisionOutcome.FUND:
        _commit_funding(actor, decision, amount, envelope, f"({meeting.date.isoformat()})")
    audited_save(decision, actor=actor, reason=f"decision: {outcome}")
    for kind in (LetterKind.DECISION, LetterKind.ESR):
        letter_request(application=application, kind=kind)
    return decision


@transaction.atomic
def decision_decline(
    *, actor: User, decision: FundingDecision, reason: str = "", now: datetime | None = None
) -> FundingDecision:
    """The applicant declines the granted aid (within one month of the decision).

    Side effects, in order: locks the decision; refuses after the month, twice, or for
    a decision that granted nothing; releases the committed amount on the envelope
    (calls.services.envelope_release, same reference); saves declined_at, the reason
    and the release entry with an audit row; on commit e-mails staff.
    """
    now = now or timezone.now()
    decision = (
        FundingDecision.objects.select_for_update(of=("self",))
        .select_related("application", "envelope")
        .get(pk=decision.pk)
    )
    ok, why = domain.can_decline(
        outcome=decision.outcome,
        decided_at=decision.decided_at,
        declined_at=decision.declined_at,
        now=now,
    )
    if not ok:
        raise Refused(why)
    application = decision.application
    entry = call_services.envelope_release(
        actor=actor,
        envelope=decision.envelope,
        amount=decision.amount,
        reason=f"Declined by the applicant: {application.acronym}",
        reference=application.receipt_number or str(application.pk),
    )
    decision.declined_at, decision.decline_reason, decision.release_entry = now, reason, entry
    audited_save(decision, actor=actor, reason="declined by the applicant")
    queue_email_to_users(
        users=User.objects.filter(
            groups__name__in=[Role.STAFF, Role.ADMIN], is_active=True
        ).distinct(),
        subject=_("%(acronym)s declines the aid granted") % {"acronym": application.acronym},
        template="governance/decisions/email/declined.txt",
        context={"application": application, "decision": decision},
    )
    return decision


def call_mark_decided(*, actor: User, call: Call) -> Call:
    """Move the call to "decided" when every admissible application has a decision,
    through calls.services.call_transition; Refused naming the undecided ones (the
    guard of the move, calls.domain.can_decide, only counts them)."""
    undecided = list(
        Application.objects.filter(
            call=call, state=ApplicationState.ADMISSIBLE, decision__isnull=True
        )
        .order_by("acronym")
        .values_list("acronym", flat=True)
    )
    ok, reason = domain.can_mark_call_decided(undecided=undecided)
    if not ok:
        raise Refused(reason)
    return call_services.call_transition(
        actor=actor, call=call, to_state=CallState.DECIDED, reason="all applications decided"
    )
