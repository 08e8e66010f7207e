"""Demo applications for the demo call: 16 consortia of 3–8 partners with mixed SME
classes and plausible budgets (research part 185k–500k per research organisation per
year, company parts of 0.5–3 M€), in every state staff meet: submitted, admissible,
inadmissible, completion requested, and two drafts — one of them breaking the
non-linked-companies rule (PharmaCo and its parent EuroPharma).

`seed()` is idempotent: an application that exists (same call and acronym) is left
alone. Submitted demo applications are written directly with a snapshot (as
services.application_submit would), without e-mails and whatever the call's state; their
PDF is rendered the first time someone opens it.

Where they go: the handed-in applications belong to the programme's first call (2019,
closed, evaluated and decided by the governance demo); the two drafts belong to the open
call of the demo programme (2020, open in the demo: see calls.demo), so that the demo
applicant aanvrager@demo.icon can edit and submit WEARONCO. Without an open call the
drafts go to the first call too; without any call (calls.demo not there) one open call is
created here and holds them all.
"""

import hashlib
import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from calls.enums import CallState
from calls.models import Call, CallParameters
from programme.demo import DEMO_PASSWORD, PROGRAMME_CODE
from programme.enums import Role
from programme.formats import round_cents
from programme.models import ActionDomain, DiseaseDomain, Organisation, Programme, Theme, User
from programme.services import audited_save, user_set_roles

from . import domain, selectors
from .enums import (
    Activity,
    AdmissibilityOutcome,
    ApplicationState,
    AttachmentKind,
    CompletionItem,
    CostCategory,
    Part,
)
from .models import AdmissibilityCheck, Application, Attachment, BudgetEntry, Partner

# acronym, title, abstract language, coordinator, other partners, months, action domain,
# theme, disease domain, company-part total (k€), final state
APPLICATIONS = [
    (
        "ONCOMAP",
        "Moleculaire tumorkaart voor gepersonaliseerde oncologie",
        "nl",
        "BioMarker Insights BV",
        ["Genomica Flanders NV", "DigiPath BV", "KU Leuven", "UZ Leuven"],
        36,
        "1",
        "data",
        "kanker",
        1800,
        "submitted",
    ),
    (
        "NEUROTRACK",
        "Digital biomarkers for early Parkinson's disease",
        "en",
        "NeuroScan Analytics BV",
        ["Wearable Biometrics BV", "Theranostics Leuven NV", "Universiteit Antwerpen", "VIB"],
        48,
        "2b",
        "tech",
        "neuro",
        2400,
        "submitted",
    ),
    (
        "PGX-FLANDERS",
        "Farmacogenomica in de eerste lijn",
        "nl",
        "Pharmacogenomics Solutions BV",
        ["PharmaLogistics Mechelen NV", "MedData Hub BV", "Universiteit Gent"],
        24,
        "2a",
        "analyse",
        "andere",
        900,
        "admissible",
    ),
    (
        "LIQBIOP",
        "Liquid biopsy for minimal residual disease",
        "en",
        "Precision Dx BV",
        [
            "OncoStrat NV",
            "ProteoMed BV",
            "CellTherapeutics Gent NV",
            "KU Leuven",
            "Universiteit Gent",
            "UZ Gent",
        ],
        36,
        "2b",
        "tech",
        "kanker",
        2900,
        "submitted",
    ),
    (
        "DATACARE",
        "Federated learning over hospital data",
        "en",
        "Omics Cloud BV",
        [
            "AI Diagnostics Gent BV",
            "RegTech Compliance BV",
            "Genomica Flanders NV",
            "VITO",
            "UZ Leuven",
        ],
        36,
        "1",
        "data",
        "andere",
        1500,
        "admissible",
    ),
    (
        "IMMUNOPRED",
        "Voorspelling van respons op immunotherapie",
        "nl",
        "ImmunoLogic Antwerp NV",
        ["Stratify Pharma NV", "DigiPath BV", "Universiteit Antwerpen"],
        36,
        "1",
        "analyse",
        "kanker",
        2000,
        "admissible",
    ),
    (
        "MICROFLOW",
        "Microfluidic point-of-care genotyping",
        "en",
        "MicroFluidics Kortrijk BV",
        [
            "Sensorium Health BV",
            "Hasselt Bioprocessing NV",
            "Brussels Health Data SRL",
            "Universiteit Gent",
        ],
        24,
        "2b",
        "tech",
        "andere",
        700,
        "submitted",
    ),
    (
        "CELLPATH",
        "Automated cell therapy manufacturing",
        "en",
        "CellTherapeutics Gent NV",
        [
            "Hasselt Bioprocessing NV",
            "PharmaLogistics Mechelen NV",
            "GeneEdit Labs BV",
            "VIB",
            "Universiteit Gent",
        ],
        48,
        "2b",
        "tech",
        "kanker",
        3000,
        "completion",
    ),
    (
        "RAREGEN",
        "Genoomdiagnostiek voor zeldzame ziekten",
        "nl",
        "GeneEdit Labs BV",
        [
            "Genomica Flanders NV",
            "Biobank Services Vlaanderen VZW",
            "Omics Cloud BV",
            "KU Leuven",
            "UZ Leuven",
        ],
        36,
        "1",
        "data",
        "andere",
        1200,
        "admissible",
    ),
    (
        "TRIALMATCH",
        "AI-assisted matching of patients to clinical trials",
        "en",
        "ClinTrial Partners NV",
        [
            "AI Diagnostics Gent BV",
            "MedData Hub BV",
            "RegTech Compliance BV",
            "Universiteit Antwerpen",
        ],
        24,
        "2a",
        "analyse",
        "kanker",
        1100,
        "inadmissible",
    ),
    (
        "EDUPM",
        "Opleidingsprogramma gepersonaliseerde geneeskunde voor zorgverleners",
        "nl",
        "Sensorium Health BV",
        ["DigiPath BV", "Precision Dx BV", "Universiteit Gent"],
        24,
        "3a",
        "training",
        "andere",
        520,
        "admissible",
    ),
    (
        "DEMENTIA-AI",
        "Multimodal imaging and AI for dementia subtyping",
        "en",
        "NeuroScan Analytics BV",
        ["AI Diagnostics Gent BV", "Stratify Pharma NV", "KU Leuven", "VIB", "UZ Gent"],
        48,
        "1",
        "analyse",
        "neuro",
        1900,
        "admissible",
    ),
    (
        "PROTEOSCREEN",
        "Proteomic screening for early cancer detection",
        "en",
        "ProteoMed BV",
        [
            "Theranostics Leuven NV",
            "Wallonia Biotech SA",
            "BioMarker Insights BV",
            "VITO",
            "KU Leuven",
            "Universiteit Antwerpen",
            "UZ Leuven",
        ],
        36,
        "2b",
        "tech",
        "kanker",
        2600,
        "admissible",
    ),
    (
        "ETHIREG",
        "Regelgevend en ethisch kader voor genomische data",
        "nl",
        "RegTech Compliance BV",
        ["MedData Hub BV", "Omics Cloud BV", "Universiteit Antwerpen"],
        24,
        "3b",
        "training",
        "andere",
        600,
        "submitted",
    ),
    # Drafts: the demo applicant's own, and one that breaks the non-linked-companies rule.
    (
        "WEARONCO",
        "Wearables voor opvolging tijdens chemotherapie",
        "nl",
        "BioMarker Insights BV",
        ["Wearable Biometrics BV", "Sensorium Health BV", "KU Leuven"],
        24,
        "2b",
        "tech",
        "kanker",
        800,
        "draft",
    ),
    (
        "PHARMALINK",
        "Companion diagnostics for targeted therapies",
        "en",
        "PharmaCo Belgium NV",
        ["EuroPharma Holding SA", "OncoStrat NV", "Universiteit Gent"],
        36,
        "2a",
        "tech",
        "kanker",
        2200,
        "draft",
    ),
]

HOSPITALS_NON_ECONOMIC = {"UZ Gent"}  # declares non-economic research: research part
PERSON_OF = {"BioMarker Insights BV": "aanvrager@demo.icon", "KU Leuven": "partner@demo.icon"}
COMPANY_CATEGORIES = [
    (CostCategory.PERSONNEL, Decimal("0.60")),
    (CostCategory.OVERHEAD, Decimal("0.15")),
    (CostCategory.OPERATING, Decimal("0.15")),
    (CostCategory.SUBCONTRACTING, Decimal("0.05")),
    (CostCategory.INVESTMENTS, Decimal("0.05")),
]
RESEARCH_CATEGORIES = [
    (CostCategory.PERSONNEL, Decimal("0.70")),
    (CostCategory.OVERHEAD, Decimal("0.15")),
    (CostCategory.OPERATING, Decimal("0.15")),
]


def minimal_pdf(text: str) -> bytes:
    """A small valid one-page PDF with `text` (the demo's project descriptions)."""
    safe = text.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 14 Tf 72 760 Td ({safe}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _with_parameters(call: Call) -> Call:
    if not hasattr(call, "parameters"):
        audited_save(CallParameters(call=call), actor=None, reason="demo data")
    return call


def demo_calls() -> tuple[Call, Call]:
    """(call of the handed-in applications, call of the drafts): the programme's first
    call (2019), which the governance demo evaluates, and its open call if there is one."""
    calls = Call.objects.filter(programme__code=PROGRAMME_CODE).select_related("parameters")
    first = calls.order_by("deadline").first()
    if first is None:
        call = demo_call()
        return call, call
    open_call = calls.filter(state=CallState.OPEN).order_by("deadline").first() or first
    return _with_parameters(first), _with_parameters(open_call)


def demo_call() -> Call:
    """The demo programme's open call, else its first call; one is created (open) when
    the programme has no call at all."""
    calls = Call.objects.filter(programme__code=PROGRAMME_CODE).select_related("parameters")
    call = (
        calls.filter(state=CallState.OPEN).order_by("deadline").first()
        or calls.order_by("deadline").first()
    )
    if call is not None:
        return _with_parameters(call)
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    now = timezone.now().replace(microsecond=0)
    call = Call(
        programme=programme,
        programme_year=programme.years.get(year=2019),
        title_nl="ICON-oproep gepersonaliseerde geneeskunde 2019",
        title_en="ICON call personalised medicine 2019",
        opens_at=now - timedelta(days=30),
        deadline=(now + timedelta(days=60)).replace(hour=16, minute=0, second=0),
        state=CallState.OPEN,
    )
    audited_save(call, actor=None, reason="demo data (no call from calls.demo)")
    audited_save(CallParameters(call=call), actor=None, reason="demo data")
    return call


def contact_for(organisation: Organisation) -> User:
    email = PERSON_OF.get(organisation.name)
    if email and User.objects.filter(email=email).exists():
        return User.objects.get(email=email)
    slug = "".join(ch for ch in organisation.name.lower() if ch.isalnum())[:30]
    email = f"contact@{slug}.demo.icon"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(
            email=email,
            first_name="Contact",
            last_name=organisation.name,
            organisation=organisation,
        )
        user.set_unusable_password()
        audited_save(user, actor=None, reason="demo data")
        user_set_roles(actor=None, user=user, roles=[Role.APPLICANT], reason="demo data")
    return user


def _budget(partner: Partner, years: list[int], per_year: Decimal) -> None:
    if partner.part == Part.RESEARCH:
        split = [(Activity.RESEARCH, Decimal("1"))]
        categories = RESEARCH_CATEGORIES
    else:
        split = [
            (Activity.INDUSTRIAL_RESEARCH, Decimal("0.6")),
            (Activity.EXPERIMENTAL_DEVELOPMENT, Decimal("0.4")),
        ]
        categories = COMPANY_CATEGORIES
    entries = [
        BudgetEntry(
            partner=partner,
            year=year,
            category=category,
            activity=activity,
            amount=round_cents(per_year * cshare * ashare),
        )
        for year in years
        for category, cshare in categories
        for activity, ashare in split
    ]
    BudgetEntry.objects.bulk_create(entries)


def _planned_start(call: Call, index: int, *, draft: bool) -> date:
    """2020 for the handed-in applications of the 2019 call; a draft on the open call
    starts on the first day of the fourth month after that call's deadline."""
    if not draft:
        return date(2020, 1 + index % 6, 1)
    later = call.deadline + timedelta(days=92)
    return date(later.year, later.month, 1)


def seed_application(call: Call, row, index: int) -> Application | None:
    (
        acronym,
        title,
        language,
        coordinator_name,
        others,
        months,
        action,
        theme,
        disease,
        company_k,
        state,
    ) = row
    if Application.objects.filter(call=call, acronym=acronym).exists():
        return None
    rng = random.Random(acronym)
    programme = call.programme
    coordinator = Organisation.objects.get(name=coordinator_name)
    creator = contact_for(coordinator)
    application = Application(
        call=call,
        coordinator=coordinator,
        created_by=creator,
        title=title,
        acronym=acronym,
        abstract=(
            f"{title}. "
            + (
                "Het consortium bundelt data, technologie en klinische expertise "
                "om behandelingen af te stemmen op de individuele patiënt."
                if language == "nl"
                else "The consortium joins data, technology and clinical expertise to "
                "tailor treatment to the individual patient."
            )
        ),
        abstract_language=language,
        action_domain=ActionDomain.objects.get(programme=programme, code=action),
        theme=Theme.objects.get(programme=programme, code=theme),
        disease_domain=DiseaseDomain.objects.get(programme=programme, code=disease),
        planned_start=_planned_start(call, index, draft=state == "draft"),
        duration_months=months,
    )
    audited_save(application, actor=creator, reason="demo data")
    years = domain.project_years(months)
    organisations = [coordinator] + [Organisation.objects.get(name=n) for n in others]
    partners = []
    for organisation in organisations:
        declares = organisation.name in HOSPITALS_NON_ECONOMIC
        contact = contact_for(organisation)
        partner = Partner(
            application=application,
            organisation=organisation,
            part=domain.default_part(kind=organisation.kind, declares_non_economic=declares),
            is_coordinator=organisation == coordinator,
            declares_non_economic=declares,
            contact=contact,
            contact_email=contact.email,
            contact_name=contact.get_full_name(),
            invited_at=timezone.now(),
        )
        audited_save(partner, actor=creator, reason="demo data")
        partners.append(partner)
    company = [p for p in partners if p.part == Part.COMPANY]
    weights = [Decimal(rng.randint(6, 14)) for _ in company]
    total_company = Decimal(company_k * 1000)
    for partner, weight in zip(company, weights, strict=True):
        share = total_company * weight / sum(weights)
        _budget(partner, years, round_cents(share / len(years)))
    for partner in partners:
        if partner.part == Part.RESEARCH:
            _budget(partner, years, Decimal(rng.randrange(200_000, 480_001, 5_000)))
    attachment = Attachment(
        application=application,
        kind=AttachmentKind.DESCRIPTION,
        original_name=f"{acronym.lower()}-projectbeschrijving.pdf",
        uploaded_by=creator,
    )
    data = minimal_pdf(f"{acronym}: {title}")
    attachment.size = len(data)
    attachment.sha256 = hashlib.sha256(data).hexdigest()
    attachment.file.save("demo.pdf", ContentFile(data), save=False)
    audited_save(attachment, actor=creator, reason="demo data")
    if state != "draft":
        application = _submit(application, creator, index)
        _admissibility(application, state)
    return application


def _submit(application: Application, creator: User, index: int) -> Application:
    """What services.application_submit writes, without its deadline check and e-mails."""
    call = application.call
    at = min(timezone.now(), call.deadline) - timedelta(hours=3 * (index + 1))
    application = Application.objects.select_related("call__parameters").get(pk=application.pk)
    dossier = selectors.load_dossier(application)
    receipt = domain.receipt_number(
        call_year=call.year, call_id=call.pk, application_id=application.pk
    )
    application.snapshot = selectors.snapshot_from(dossier, submitted_at=at, receipt_number=receipt)
    application.receipt_number = receipt
    application.submitted_at = at
    application.total_cost = dossier.totals.project.cost
    application.total_aid = dossier.totals.project.aid
    application.state = ApplicationState.SUBMITTED
    audited_save(application, actor=creator, reason="submitted (demo data)")
    return application


def _admissibility(application: Application, state: str) -> None:
    if state == "submitted":
        return
    staff = User.objects.filter(email="medewerker@vlaio.demo").first()
    check = AdmissibilityCheck(
        application=application,
        complementary=True,
        broad_application=state != "inadmissible",
        consortium_rules=True,
        complete=state != "completion",
        checked_by=staff,
        checked_at=timezone.now(),
    )
    if state == "admissible":
        check.outcome = AdmissibilityOutcome.ADMISSIBLE
        application.state = ApplicationState.ADMISSIBLE
    elif state == "inadmissible":
        check.outcome = AdmissibilityOutcome.INADMISSIBLE
        check.reason = (
            "Het project heeft geen brede toepassing: de resultaten dienen vooral één bedrijf."
        )
        application.state = ApplicationState.INADMISSIBLE
    elif state == "completion":
        check.outcome = AdmissibilityOutcome.COMPLETION
        check.reason = "Het datamanagementplan ontbreekt als bijlage."
        check.completion_items = [CompletionItem.ATTACHMENTS.value]
        check.completion_deadline = timezone.now() + timedelta(days=14)
        application.state = ApplicationState.COMPLETION_REQUESTED
    audited_save(check, actor=staff, reason="demo data")
    audited_save(application, actor=staff, reason=f"admissibility: {state} (demo data)")


@transaction.atomic
def seed() -> list[Application]:
    """Seed the demo applications of the demo call; return those created now."""
    handed_in_call, draft_call = demo_calls()
    created = []
    for index, row in enumerate(APPLICATIONS):
        call = draft_call if row[-1] == "draft" else handed_in_call
        application = seed_application(call, row, index)
        if application is not None:
            created.append(application)
    return created


__all__ = ["DEMO_PASSWORD", "seed"]
