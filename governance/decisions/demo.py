"""Demo data of the decision side for the 2019 call: the council's advice on every ranked
application at its 15 October 2019 meeting (quorum), and the steering group's decisions
at its 5 November 2019 meeting — funded in rank order within the 4,500,000 envelope
(each through calls.services.envelope_commit), the next proposal above the thresholds on
the reserve list, proposals below a threshold rejected — so the ranking page and KPIs
3, 4, 5 show real figures.

Runs after the review side's demo (governance.demo.seed calls it last) and skips
applications without consensus. Idempotent: an application with advice or a decision
keeps it.

DEMO FALLBACK, clearly marked below: when the 2019 call has no consensus score at all
(the review side's demo not there), consensus scores are made here so the decisions can
be shown; they are never added when any consensus exists.
"""

from datetime import datetime, time
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
from .enums import AdviceOutcome, DecisionOutcome
from .models import Advice, FundingDecision

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
            advice, outcome = AdviceOutcome.FUND, DecisionOutcome.FUND
        elif row.figures.passes:
            advice, outcome = AdviceOutcome.RESERVE, DecisionOutcome.RESERVE
        else:
            advice, outcome = AdviceOutcome.REJECT, DecisionOutcome.REJECT
        if not Advice.objects.filter(application=application).exists():
            services.advice_record(
                actor=secretary,
                application=application,
                meeting=council,
                outcome=advice,
                motivation="Advies volgens de rangschikking van de consensusscores.",
            )
        if not FundingDecision.objects.filter(application=application).exists():
            amount = row.figures.requested_aid if outcome == DecisionOutcome.FUND else None
            level_text = COMMITTEE if row.figures.requested_aid > Decimal("500000") else DECIDED_BY
            services.decision_record(
                actor=secretary,
                application=application,
                meeting=steering,
                outcome=outcome,
                amount=amount,
                decided_by=level_text,
                now=decided_at,
                motivation="Beslissing van de stuurgroep op advies van de strategische adviesraad.",
            )
