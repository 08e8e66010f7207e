"""Demo data of funded projects: every funded, not declined decision of the 2019 call
becomes a project (its month to decline is long over), with its support agreement drawn
up from 1 January 2020 for the application's duration and signed on 16 December 2019,
its collaboration agreement uploaded by the coordinator and accepted, and the first
annual advance paid (as approved on 15 January 2020), so the budget page shows
committed beside paid. The first project has a pending extension request.

Runs after the decision side's demo (governance.demo.seed calls it last). Idempotent: a
decision that is a project already is left alone.
"""

from datetime import date, timedelta

from django.core.files.base import ContentFile

from calls.models import Call
from governance.decisions.enums import DecisionOutcome
from governance.decisions.models import FundingDecision
from programme.models import User

from . import domain, services
from .enums import ChangeKind, PaymentState
from .models import FundedProject

START = date(2020, 1, 1)
SIGNED_ON = date(2019, 12, 16)
FIRST_PAYMENT_DAY = date(2020, 1, 15)
# A one-page PDF standing in for the signed collaboration agreement.
COLLABORATION_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
DELIVERABLES = [
    {"description": "Gevalideerde biomerkerpanels / validated biomarker panels", "target": "2"},
    {"description": "Klinische validatiestudie / clinical validation study", "target": "1"},
    {"description": "Bijkomende jobs in Vlaanderen / additional jobs in Flanders", "target": "4"},
]


def seed() -> None:
    call = Call.objects.filter(programme_year__year=2019).order_by("pk").first()
    staff = User.objects.filter(email="medewerker@vlaio.demo").first()
    if call is None or staff is None:
        return
    decisions = (
        FundingDecision.objects.filter(
            application__call=call,
            outcome=DecisionOutcome.FUND,
            declined_at__isnull=True,
            project__isnull=True,
        )
        .select_related("application")
        .order_by("application__acronym")
    )
    first = not FundedProject.objects.filter(application__call=call).exists()
    for decision in decisions:
        project = services.project_open(actor=None, decision=decision)
        _run(project, staff, with_change=first)
        first = False


def _run(project: FundedProject, staff: User, *, with_change: bool) -> None:
    application = project.application
    months = min(application.duration_months or 24, 48)
    agreement = services.agreement_draw_up(
        actor=staff,
        project=project,
        start_date=START,
        end_date=domain.add_months(START, months) - timedelta(days=1),
        deliverables=DELIVERABLES,
        special_conditions="De resultaten worden gedeeld binnen de speerpuntcluster.",
    )
    services.agreement_sign(actor=staff, agreement=agreement, signed_on=SIGNED_ON)
    coordinator = application.partners.filter(is_coordinator=True).first()
    uploader = coordinator.contact if coordinator and coordinator.contact else staff
    services.collaboration_upload(
        actor=uploader,
        project=project,
        file=ContentFile(COLLABORATION_PDF, name="samenwerkingsovereenkomst.pdf"),
    )
    services.collaboration_accept(actor=staff, project=project)
    advance = project.payments.filter(state=PaymentState.SCHEDULED).order_by("due_on").first()
    if advance is not None:
        services.payment_approve(actor=staff, payment=advance, today=FIRST_PAYMENT_DAY)
    if with_change:
        project.refresh_from_db()
        services.change_request(
            actor=uploader,
            project=project,
            kind=ChangeKind.EXTENSION,
            description=(
                "De rekrutering van patiënten loopt zes maanden vertraging op door COVID-19; "
                "we vragen een verlenging met zes maanden."
            ),
            new_end_date=domain.add_months(project.end_date, 6),
        )
