"""Demo data of the decision side for the 2019 call: the council's advice on every ranked
application at its 15 October 2019 meeting (quorum), and the steering group's decisions
at its 5 November 2019 meeting through a decision proposal the steering group approved
in the app (two of its three voting members) — funded in rank order within the
4,500,000 envelope (each through calls.services.envelope_commit), the next proposals
above the thresholds on the reserve list, proposals below a threshold rejected — then
one funded consortium declines and the best reserve proposal is funded after it, so
the ranking, the reserve list and KPIs 3, 4, 5 show real figures.

Runs after the review side's demo (governance.demo.seed calls it last) and skips
applications without consensus. Idempotent: an application with advice or a decision
keeps it.

DEMO FALLBACK, clearly marked below: when the 2019 call has no consensus score at all
(the review side's demo not there), consensus scores are made here so the decisions can
be shown; they are never added when any consensus exists.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from calls.enums import CallState
from calls.models import Call
from governance.bodies.enums import BodyKind
from governance.bodies.models import Meeting
from governance.review.models import ConsensusScore
from programme.formats import BRUSSELS
from programme.models import User
from programme.services import audited_save
from projects.enums import ApplicationState

from . import selectors, services
from .enums import AdviceOutcome, DecisionOutcome, ProposalState, VoteChoice
from .models import Advice, DecisionProposal, FundingDecision

DECIDED_BY = "Johan Hanssens, administrateur-generaal VLAIO"
COMMITTEE = "Beslissingscomité VLAIO (voorzitter: Johan Hanssens)"

# DEMO FALLBACK consensus (only when the call has no consensus at all): scores per
# criterion position by acronym; EDUPM falls below the threshold of criterion 2.
FALLBACK_SCORES = {
    "IMMUNOPRED": ["4.5", "4.5", "4.5", "4.0"],
    "PGX-FLANDERS": ["4.5", "4.0", "4.0", "4.0"],
    "RAREGEN": ["4.0", "4.0", "4.0", "4.0"],
    "PROTEOSCREEN": ["4.0", "4.0", "3.5", "4.0"],
    "DEMENTIA-AI": ["3.5", "4.0", "3.5", "3.5"],
    "DATACARE": ["3.5", "3.5", "3.5", "3.5"],
    "EDUPM": ["3.5", "2.5", "3.0", "3.0"],
}
FALLBACK_COMMENT = (
    "(Demogegevens) Consensus van de experten over “%(criterion)s”: het voorstel is "
    "overtuigend onderbouwd, met een duidelijke planning; de valorisatie verdient meer "
    "aandacht."
)


def _call() -> Call | None:
    return Call.objects.filter(programme_year__year=2019).order_by("pk").first()


def _fallback_consensus(call: Call, moderator: User) -> None:
    """DEMO FALLBACK: consensus scores for the admissible applications, only when none exist."""
    if ConsensusScore.objects.filter(application__call=call).exists():
        return
    criteria = list(call.criteria.order_by("position"))
    for application in call.applications.filter(state=ApplicationState.ADMISSIBLE):
        scores = FALLBACK_SCORES.get(application.acronym, ["3.5"] * len(criteria))
        for index, criterion in enumerate(criteria):
            score = ConsensusScore(
                application=application,
                criterion=criterion,
                score=Decimal(scores[index % len(scores)]),
                comment=FALLBACK_COMMENT % {"criterion": criterion.name_nl},
                moderator=moderator,
            )
            audited_save(score, actor=None, reason="demo fallback consensus")


def seed_decisions() -> None:
    call = _call()
    secretary = User.objects.filter(email="medewerker@vlaio.demo").first()
    if call is None or secretary is None:
        return
    council = (
        Meeting.objects.filter(body__programme=call.programme, body__kind=BodyKind.ADVISORY_COUNCIL)
        .order_by("date")
        .first()
    )
    steering = (
        Meeting.objects.filter(body__programme=call.programme, body__kind=BodyKind.STEERING_GROUP)
        .order_by("date")
        .first()
    )
    if council is None or steering is None:
        return
    if call.state == CallState.CLOSED:  # set directly, as calls.demo does: no e-mails
        call.state = CallState.IN_EVALUATION
        audited_save(call, actor=None, reason="demo data: evaluation")
    _fallback_consensus(call, secretary)
    result = selectors.call_ranking(call)
    scored = {
        s
        for s in ConsensusScore.objects.filter(application__call=call).values_list(
            "application_id", flat=True
        )
    }
    decided_at = datetime.combine(steering.date, time(14, 0), tzinfo=BRUSSELS)
    for row in result.rows:
        application = row.application
        if application.pk not in scored:
            continue  # no consensus: nothing to advise on or decide yet
        if row.in_cut:
            advice = AdviceOutcome.FUND
        elif row.figures.passes:
            advice = AdviceOutcome.RESERVE
        else:
            advice = AdviceOutcome.REJECT
        if not Advice.objects.filter(application=application).exists():
            services.advice_record(
                actor=secretary,
                application=application,
                meeting=council,
                outcome=advice,
                motivation="Advies volgens de rangschikking van de consensusscores.",
            )
    _decide_by_proposal(call, steering, secretary, decided_at)
    _decline_and_fund_from_reserve(call, secretary, decided_at)


def _decide_by_proposal(call: Call, steering: Meeting, secretary: User, decided_at) -> None:
    """Staff build the decision proposal from the ranking and put it on the steering
    group's meeting; stuurgroep@demo.icon (VLAIO) and the FWO member approve it (2 of the
    3 voting members present); staff record its decisions, signed at each level."""
    if DecisionProposal.objects.filter(call=call).exists():
        return
    proposal = services.proposal_build(actor=secretary, call=call)
    for item in proposal.items.all():
        if item.outcome == DecisionOutcome.FUND:
            services.proposal_item_update(
                actor=secretary,
                item=item,
                outcome=item.outcome,
                amount=item.amount,
                envelope=item.envelope,
                note="Beslissing van de stuurgroep op advies van de strategische adviesraad.",
            )
    services.proposal_put_on_agenda(actor=secretary, proposal=proposal, meeting=steering)
    for email in ("stuurgroep@demo.icon", "fwo@demo.icon"):
        voter = User.objects.filter(email=email).first()
        if voter is not None and DecisionProposal.objects.get(pk=proposal.pk).state == (
            ProposalState.ON_AGENDA
        ):
            services.proposal_vote(actor=voter, proposal=proposal, choice=VoteChoice.APPROVE)
    proposal.refresh_from_db()
    if proposal.state == ProposalState.APPROVED:
        services.proposal_record_decisions(
            actor=secretary,
            proposal=proposal,
            administrator_general=DECIDED_BY,
            decision_committee=COMMITTEE,
            now=decided_at,
        )


def _decline_and_fund_from_reserve(call: Call, secretary: User, decided_at) -> None:
    """One funded consortium declines ten days after the decision — the lowest-ranked
    funded project whose release lets a reserve proposal fit, the best-ranked one that
    can — and staff fund that reserve proposal a week later (its own letter). Done once."""
    if FundingDecision.objects.filter(application__call=call, declined_at__isnull=False).exists():
        return
    result = selectors.call_ranking(call)
    reserve = [e.row for e in selectors.reserve_list(result)]
    funded = [r for r in result.rows if r.decision is not None and r.decision.outcome == "fund"]
    if not reserve or not funded:
        return
    envelope = max(result.envelopes, key=lambda e: e.available)
    # The best-ranked reserve proposal that some one decline would make fit, and the
    # lowest-ranked funded project whose decline does it (NEUROTRACK asks more than the
    # whole envelope: it never fits).
    best, declining = next(
        (
            (candidate, r)
            for candidate in reserve
            for r in reversed(funded)
            if r.decision.envelope_id == envelope.pk
            and envelope.available + r.decision.amount >= candidate.figures.requested_aid
        ),
        (None, None),
    )
    if declining is None:
        return
    coordinator = declining.application.created_by
    services.decision_decline(
        actor=coordinator,
        decision=declining.decision,
        reason="(Demogegevens) Een partner trekt zich terug; het consortium ziet af van de steun.",
        now=decided_at + timedelta(days=10),
    )
    envelope.refresh_from_db()
    services.decision_fund_from_reserve(
        actor=secretary,
        decision=best.decision,
        amount=best.figures.requested_aid,
        envelope=envelope,
        decided_by=COMMITTEE if best.figures.requested_aid > Decimal("500000") else DECIDED_BY,
        motivation="Gesteund van de reservelijst na de weigering van "
        f"{declining.application.acronym}.",
        now=decided_at + timedelta(days=17),
    )
