"""The decision proposal the steering group votes on (DOMAIN.md §2) and funding a
proposal from the reserve list when money frees (DOMAIN.md §6). Both record their
funding decisions through decision.decision_record's path (_commit_funding), so every
funded project commits its envelope the same way.

Keyword-only functions in a transaction; the rules are in domain.py, the states in
enums.PROPOSAL_TRANSITIONS; refusals raise programme.states.Refused.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.enums import CallState
from calls.models import Call, Envelope
from governance.bodies import domain as bodies_domain
from governance.bodies.models import Meeting
from governance.review import services as review_services
from governance.review.enums import LockCause, LockPhase
from programme.enums import Role
from programme.formats import round_cents
from programme.models import User
from programme.services import audited_save, queue_email_to_users
from programme.states import Refused

from .. import domain, selectors
from ..enums import (
    PROPOSAL_TRANSITIONS,
    DecidingLevel,
    DecisionOutcome,
    LetterKind,
    ProposalState,
    VoteChoice,
)
from ..letters import letter_request
from ..models import DecisionProposal, FundingDecision, ProposalItem, ProposalVote
from .decision import _commit_funding, _envelope_for, _meeting, _passes, decision_record

# --- The decision proposal and the steering group's vote (DOMAIN.md §2) -----------------------


def _lock_proposal(proposal: DecisionProposal) -> DecisionProposal:
    return (
        DecisionProposal.objects.select_for_update(of=("self",))
        .select_related("call", "call__programme")
        .get(pk=proposal.pk)
    )


def _check_draft(proposal: DecisionProposal) -> None:
    if proposal.state != ProposalState.DRAFT:
        raise Refused(
            _("The decision proposal is “%(state)s”; only a draft is changed.")
            % {"state": ProposalState(proposal.state).label}
        )


@transaction.atomic
def proposal_build(*, actor: User, call: Call) -> DecisionProposal:
    """Staff build the decision proposal of `call` from its ranking.

    Side effects, in order: locks the call; refuses unless the call is in evaluation,
    has no standing proposal (a rejected one may be followed by a new one) and has
    admissible applications with a complete consensus and without a decision; saves the
    draft proposal (audited) with one item per such application in rank order
    (audited): the plain funding cut funded at the aid requested on the envelope with
    the most money available, the others above every threshold on the reserve list, the
    rest rejected; locks the consensus of every item's application (review.services.phase_lock).
    """
    call = Call.objects.select_for_update(of=("self",)).select_related("parameters").get(pk=call.pk)
    if call.state != CallState.IN_EVALUATION:
        raise Refused(_("A decision proposal is prepared while the call is in evaluation."))
    if DecisionProposal.objects.filter(call=call).exclude(state=ProposalState.REJECTED).exists():
        raise Refused(_("The call already has a decision proposal; amend that one."))
    rows = [
        row
        for row in selectors.call_ranking(call).rows
        if row.decision is None and row.scores and all(s is not None for s in row.scores)
    ]
    if not rows:
        raise Refused(_("No application of the call has a complete consensus and no decision yet."))
    proposal = DecisionProposal(call=call, prepared_by=actor)
    audited_save(proposal, actor=actor, reason="decision proposal built from the ranking")
    for row in rows:
        item = ProposalItem(proposal=proposal, application=row.application, rank=row.rank)
        if row.in_cut:
            item.outcome = DecisionOutcome.FUND
            item.amount = round_cents(row.figures.requested_aid)
            item.envelope = _envelope_for(call, item.amount)
        else:
            item.outcome = DecisionOutcome.RESERVE if row.figures.passes else DecisionOutcome.REJECT
        audited_save(item, actor=actor, reason="proposed from the ranking")
        review_services.phase_lock(
            actor=actor,
            application=row.application,
            phase=LockPhase.CONSENSUS,
            cause=LockCause.DECISION_PROPOSAL,
        )
    return proposal


@transaction.atomic
def proposal_item_update(
    *,
    actor: User,
    item: ProposalItem,
    outcome: str,
    amount: Decimal | None = None,
    envelope: Envelope | None = None,
    note: str = "",
) -> ProposalItem:
    """Staff amend one application of a draft proposal (outcome, amount, envelope, note).

    Side effects, in order: locks the proposal; refuses unless it is a draft and the
    outcome grants an amount only when funded, up to the aid requested, to a proposal
    above every threshold (domain.can_grant); saves the item (audited).
    """
    proposal = _lock_proposal(item.proposal)
    _check_draft(proposal)
    item = ProposalItem.objects.select_related("application", "application__call").get(pk=item.pk)
    application = item.application
    amount = round_cents(amount) if amount not in (None, "") else None
    ok, reason = domain.can_grant(
        outcome=outcome,
        amount=amount,
        requested_aid=application.total_aid or Decimal("0"),
        passes=outcome != DecisionOutcome.FUND or _passes(application),
    )
    if not ok:
        raise Refused(reason)
    if outcome == DecisionOutcome.FUND:
        if envelope is None:
            envelope = _envelope_for(application.call, amount)
        elif envelope.call_id != application.call_id:
            raise Refused(_("The envelope belongs to another call."))
    else:
        envelope = None
    item.outcome, item.amount, item.envelope, item.note = outcome, amount, envelope, note
    audited_save(item, actor=actor, reason=f"proposal amended: {outcome}")
    return item


def _over_envelopes(proposal: DecisionProposal) -> list[tuple[str, Decimal, Decimal]]:
    proposed: dict[int, Decimal] = {}
    for item in proposal.items.filter(outcome=DecisionOutcome.FUND):
        proposed[item.envelope_id] = proposed.get(item.envelope_id, Decimal("0")) + item.amount
    envelopes = Envelope.objects.filter(pk__in=proposed).order_by("pk")
    return [
        (str(e), proposed[e.pk], e.available) for e in envelopes if proposed[e.pk] > e.available
    ]


def proposal_voters(meeting: Meeting) -> set[int]:
    """The ids of the meeting's voting members present: they vote on its proposals."""
    terms = [(m.user_id, m.seat, m.starts_on, m.ends_on) for m in meeting.body.memberships.all()]
    voting = bodies_domain.voting_member_ids(terms, meeting.date)
    return voting & {u.pk for u in meeting.attendees.all()}


@transaction.atomic
def proposal_put_on_agenda(
    *, actor: User, proposal: DecisionProposal, meeting: Meeting
) -> DecisionProposal:
    """Staff put a draft proposal on the agenda of a steering-group meeting.

    Side effects, in order: locks the proposal; refuses unless it is a draft, the
    meeting is one of the programme's steering group, the proposal holds an application
    and funds no envelope beyond its available money (the figures in the reason); saves
    the meeting and the state (audited); on commit, e-mails the meeting's voting members
    present that their vote is asked.
    """
    proposal = _lock_proposal(proposal)
    meeting = _meeting(meeting)
    PROPOSAL_TRANSITIONS.check(
        proposal.state,
        ProposalState.ON_AGENDA,
        guards=domain,
        service="proposal_put_on_agenda",
        body_kind=meeting.body.kind,
        same_programme=meeting.body.programme_id == proposal.call.programme_id,
        items=proposal.items.count(),
        over_envelopes=_over_envelopes(proposal),
    )
    proposal.meeting, proposal.state = meeting, ProposalState.ON_AGENDA
    audited_save(proposal, actor=actor, reason=f"on the agenda of {meeting.date.isoformat()}")
    queue_email_to_users(
        users=User.objects.filter(pk__in=proposal_voters(meeting), is_active=True),
        subject=_("Your vote on the decision proposal of %(call)s") % {"call": proposal.call},
        template="governance/decisions/email/proposal_on_agenda.txt",
        context={"proposal": proposal, "meeting": meeting},
    )
    return proposal


@transaction.atomic
def proposal_vote(
    *, actor: User, proposal: DecisionProposal, choice: str, reason: str = ""
) -> ProposalVote:
    """A voting member present at the meeting approves, amends or rejects the proposal.

    Side effects, in order: locks the proposal; refuses unless it is on the agenda, the
    person votes in the steering group and attended, the meeting has its quorum, they did
    not vote yet in this round and give a reason to amend or reject (domain.can_vote);
    saves the vote with who and when (audited); counts the round's votes
    (domain.vote_outcome): once the majority of the members present approves or rejects
    it, or asks to amend it (or all voted without a majority: back to staff as a draft
    for the next round), moves the proposal (audited) and, on commit, e-mails staff.
    """
    proposal = _lock_proposal(proposal)
    if proposal.meeting_id is None:
        raise Refused(
            _("The proposal is not on the agenda of a meeting; there is nothing to vote.")
        )
    meeting = _meeting(proposal.meeting)
    voters = proposal_voters(meeting)
    votes = {
        v.voter_id: v.choice
        for v in ProposalVote.objects.filter(proposal=proposal, round=proposal.round)
    }
    member = meeting.body.memberships.filter(user=actor).active_on(meeting.date)
    ok, why = domain.can_vote(
        state=proposal.state,
        votes=any(m.votes for m in member),
        present=actor.pk in voters,
        already_voted=actor.pk in votes,
        quorum=meeting.quorum(),
        choice=choice,
        reason=reason,
    )
    if not ok:
        raise Refused(why)
    vote = ProposalVote(
        proposal=proposal, round=proposal.round, voter=actor, choice=choice, reason=reason.strip()
    )
    audited_save(vote, actor=actor, reason=f"vote: {choice}")
    votes[actor.pk] = choice
    counted = [c for voter, c in votes.items() if voter in voters]
    outcome = domain.vote_outcome(
        present=len(voters),
        approve=counted.count(VoteChoice.APPROVE),
        amend=counted.count(VoteChoice.AMEND),
        reject=counted.count(VoteChoice.REJECT),
    )
    if outcome is not None:
        PROPOSAL_TRANSITIONS.check(proposal.state, outcome, guards=domain, service="proposal_vote")
        proposal.state = outcome
        if outcome == ProposalState.DRAFT:
            proposal.round += 1
        else:
            proposal.concluded_at = timezone.now()
        audited_save(proposal, actor=actor, reason=f"vote concluded: {outcome}")
        queue_email_to_users(
            users=User.objects.filter(
                groups__name__in=[Role.STAFF, Role.ADMIN], is_active=True
            ).distinct(),
            subject=_("Decision proposal of %(call)s: %(state)s")
            % {"call": proposal.call, "state": ProposalState(outcome).label},
            template="governance/decisions/email/proposal_concluded.txt",
            context={"proposal": proposal},
        )
    return vote


def proposal_deciding_level(item: ProposalItem) -> str:
    """Who decides the item: the level of the amount granted, else of the aid requested."""
    amount = item.amount if item.amount is not None else item.application.total_aid
    return domain.deciding_level(amount or Decimal("0"))


@transaction.atomic
def proposal_record_decisions(
    *,
    actor: User,
    proposal: DecisionProposal,
    administrator_general: str = "",
    decision_committee: str = "",
    now: datetime | None = None,
) -> list[FundingDecision]:
    """Record the funding decisions of an approved proposal, each signed at its level.

    Side effects, in order: locks the proposal; refuses unless it is approved and who
    signed is given for every deciding level it needs (≤ €500,000 the
    administrator-general, above it the decision committee); records every item's
    decision through decision_record in rank order (committing the envelopes, each
    audited, letters queued on commit; a refusal of any rolls all back); saves the
    signatures and the state (audited).
    """
    proposal = _lock_proposal(proposal)
    items = list(proposal.items.select_related("application", "envelope").order_by("rank"))
    levels = {proposal_deciding_level(item) for item in items}
    PROPOSAL_TRANSITIONS.check(
        proposal.state,
        ProposalState.DECIDED,
        guards=domain,
        service="proposal_record_decisions",
        levels=levels,
        administrator_general=administrator_general,
        decision_committee=decision_committee,
    )
    signers = {
        DecidingLevel.ADMINISTRATOR_GENERAL: administrator_general.strip(),
        DecidingLevel.DECISION_COMMITTEE: decision_committee.strip(),
    }
    recorded = [
        decision_record(
            actor=actor,
            application=item.application,
            meeting=proposal.meeting,
            outcome=item.outcome,
            amount=item.amount,
            envelope=item.envelope,
            decided_by=signers[proposal_deciding_level(item)],
            motivation=item.note,
            proposal=proposal,
            now=now,
        )
        for item in items
    ]
    proposal.signed_by_administrator_general = signers[DecidingLevel.ADMINISTRATOR_GENERAL]
    proposal.signed_by_decision_committee = signers[DecidingLevel.DECISION_COMMITTEE]
    proposal.state = ProposalState.DECIDED
    audited_save(proposal, actor=actor, reason="funding decisions recorded")
    return recorded


# --- The reserve list (DOMAIN.md §6) ----------------------------------------------------------


@transaction.atomic
def decision_fund_from_reserve(
    *,
    actor: User,
    decision: FundingDecision,
    amount: Decimal,
    decided_by: str,
    envelope: Envelope | None = None,
    motivation: str = "",
    now: datetime | None = None,
) -> FundingDecision:
    """Fund a proposal of the reserve list now that money is free (a decline, a
    reduction, a release).

    Side effects, in order: locks the decision; refuses unless it is a reserve decision
    of a call that is not archived, the amount is positive, at most the aid requested
    and fits what the envelope has available, a better-ranked reserve proposal that
    also fits is passed over only with a motivation, and who signed is given
    (domain.can_fund_from_reserve); commits the amount on the envelope (the same path
    as a funding decision: _commit_funding); saves the decision as funded from the
    reserve list with the deciding level of the amount and the time (audited; the
    decline month runs from now); on commit, queues the letter of its own kind.
    """
    now = now or timezone.now()
    decision = (
        FundingDecision.objects.select_for_update(of=("self",))
        .select_related("application", "application__call", "application__call__parameters")
        .get(pk=decision.pk)
    )
    application = decision.application
    call = application.call
    amount = round_cents(amount) if amount not in (None, "") else None
    reserve = selectors.reserve_list(selectors.call_ranking(call))
    available = (
        envelope.available
        if envelope is not None
        else max((e.available for e in Envelope.objects.filter(call=call)), default=Decimal("0"))
    )
    own = next((entry for entry in reserve if entry.row.application.pk == application.pk), None)
    better = [
        entry.row.application.acronym
        for entry in reserve
        if own is not None
        and entry.row.rank < own.row.rank
        and entry.row.figures.requested_aid <= available
    ]
    ok, reason = domain.can_fund_from_reserve(
        outcome=decision.outcome,
        call_state=call.state,
        amount=amount,
        requested_aid=application.total_aid or Decimal("0"),
        available=available,
        better_ranked=better,
        motivation=motivation,
        decided_by=decided_by,
    )
    if not ok:
        raise Refused(reason)
    decision.outcome = DecisionOutcome.FUND
    _commit_funding(actor, decision, amount, envelope, "(reserve list)")
    decision.deciding_level = domain.deciding_level(amount)
    decision.decided_by = decided_by.strip()
    if motivation.strip():
        decision.motivation = motivation.strip()
    decision.decided_at = decision.funded_from_reserve_at = now
    decision.recorded_by = actor
    audited_save(decision, actor=actor, reason="funded from the reserve list")
    letter_request(application=application, kind=LetterKind.RESERVE)
    return decision
