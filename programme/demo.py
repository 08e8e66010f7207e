"""Demo data of the programme app: the 2019/2020 programme of seed 001 (§3 and §6) to the
euro, its reference lists and KPIs, an organisations registry and one login per role.

`seed()` is idempotent: it compares before it writes, so a second run saves nothing and
adds no audit rows. Company names and figures are invented; enterprise numbers are made
with valid check digits but belong to no real registration.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from . import services
from .enums import BudgetLineKind, KpiKind, LinkKind, MembershipState, OrganisationKind, Role
from .models import (
    ActionDomain,
    BudgetLine,
    DiseaseDomain,
    Kpi,
    Organisation,
    OrganisationLink,
    OrganisationMembership,
    Programme,
    ProgrammeYear,
    Theme,
    User,
)

DEMO_PASSWORD = "icon-demo-2019"
# The demo's second factor: every demo login that needs one (staff, council, experts,
# steering group, programme manager, administrator) has an authenticator app with this
# published secret, so that `make run` can be tried at once: add the secret to an
# authenticator app, or ask `make demo-code` (manage.py demo_code) for the current code.
# Only the demo data uses it.
DEMO_TOTP_SECRET = "ICONDEMOICONDEMOICONDEMOICONDEMO"
PROGRAMME_CODE = "gg-2019"


def enterprise_number(seq: int) -> str:
    """A valid Belgian enterprise number (mod-97 check digits) made from `seq`."""
    base = 4_000_000 + (seq * 7_919) % 5_000_000  # 8 digits starting with 0
    return f"{base:08d}{97 - base % 97:02d}"


def ensure(model, lookup: dict, values: dict, *, reason: str = "demo data"):
    """Get or create `model` by `lookup`; update only the fields that differ."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        services.audited_save(obj, actor=None, reason=reason)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        services.audited_save(obj, actor=None, reason=reason)
    return obj


ACTION_DOMAINS = [
    # code, parent, nl, en
    ("1", None, "Data- en analyse-activiteiten", "Data and analysis activities"),
    ("2", None, "Faciliterende activiteiten", "Facilitating activities"),
    ("2a", "2", "Innovatieve klinische studies", "Innovative clinical studies"),
    (
        "2b",
        "2",
        "Geavanceerde technologieën (productie, logistiek, diagnostiek, sensoren)",
        "Advanced technologies (production, logistics, diagnostics, sensors)",
    ),
    ("3", None, "Flankerende activiteiten", "Flanking activities"),
    ("3a", "3", "Opleiding en kennisdisseminatie", "Training and knowledge dissemination"),
    (
        "3b",
        "3",
        "Regelgevende, ethische en juridische ondersteuning",
        "Regulatory, ethical and legal support",
    ),
]
THEMES = [
    ("data", "Data", "Data"),
    ("analyse", "Analysecapaciteit", "Analysis capacity"),
    ("tech", "Technologie", "Technology"),
    ("training", "Training", "Training"),
]
DISEASE_DOMAINS = [
    ("kanker", "Kanker", "Cancer"),
    ("neuro", "Neurodegeneratieve aandoeningen", "Neurodegenerative disorders"),
    ("andere", "Andere aandoeningen met hoge medische nood", "Other high medical need"),
]
KPIS = [
    # number, nl, en, kind, target, unit, deadline
    (
        1,
        "Minstens 1 programma-oproep per jaar",
        "At least 1 programme call per year",
        KpiKind.COMPUTED,
        Decimal("1"),
        "count",
        None,
    ),
    (
        2,
        "Een strategische roadmap",
        "A strategic roadmap",
        KpiKind.MILESTONE,
        None,
        "",
        date(2020, 12, 31),
    ),
    (
        3,
        "Minstens 30% betrokkenheid van kmo's (in budget en aantal) in de projecten",
        "At least 30% SME involvement (in budget and number) in the projects",
        KpiKind.COMPUTED,
        Decimal("30"),
        "percent",
        None,
    ),
    (
        4,
        "Minstens 15 unieke bedrijven per programma-oproep",
        "At least 15 unique companies per programme call",
        KpiKind.COMPUTED,
        Decimal("15"),
        "count",
        None,
    ),
    (
        5,
        "Hefboomwerking van minstens 200% (geïnvesteerde bedrijfsmiddelen / geïnvesteerde "
        "overheidsmiddelen) tegen 2021",
        "Leverage of at least 200% (company funds invested / government funds invested) by 2021",
        KpiKind.COMPUTED,
        Decimal("200"),
        "percent",
        date(2021, 12, 31),
    ),
    (
        6,
        "Afstemming met het beleidsprogramma Artificiële Intelligentie",
        "Alignment with the Artificial Intelligence policy programme",
        KpiKind.MILESTONE,
        None,
        "",
        None,
    ),
    (
        7,
        "Oplevering van een speerpuntclusterdossier",
        "Delivery of the spearhead-cluster dossier",
        KpiKind.MILESTONE,
        None,
        "",
        date(2020, 12, 31),
    ),
]

# name, kind, flemish, headcount, turnover (k€), balance (k€), public share %
COMPANIES = [
    ("Genomica Flanders NV", 420, 95_000, 120_000, 0),
    ("BioMarker Insights BV", 38, 6_500, 4_200, 0),
    ("CellTherapeutics Gent NV", 180, 42_000, 60_000, 0),
    ("PharmaCo Belgium NV", 2_300, 950_000, 1_200_000, 0),
    ("Precision Dx BV", 8, 1_100, 900, 0),
    ("NeuroScan Analytics BV", 22, 3_400, 2_800, 0),
    ("OncoStrat NV", 65, 14_000, 9_000, 0),
    ("MedData Hub BV", 12, 1_900, 1_500, 0),
    ("Sensorium Health BV", 45, 9_800, 7_000, 0),
    ("ImmunoLogic Antwerp NV", 240, 48_000, 41_000, 0),
    ("Biobank Services Vlaanderen VZW", 30, 2_500, 3_000, 40),
    ("PharmaLogistics Mechelen NV", 310, 78_000, 52_000, 0),
    ("DigiPath BV", 9, 1_950, 800, 0),
    ("Omics Cloud BV", 16, 2_200, 2_100, 0),
    ("Theranostics Leuven NV", 120, 24_000, 30_000, 0),
    ("GeneEdit Labs BV", 5, 400, 600, 0),
    ("ClinTrial Partners NV", 260, 55_000, 44_000, 0),
    ("RegTech Compliance BV", 14, 2_000, 1_900, 0),
    ("Wearable Biometrics BV", 49, 10_000, 9_500, 0),
    ("MicroFluidics Kortrijk BV", 27, 4_800, 3_900, 0),
    ("AI Diagnostics Gent BV", 11, 1_700, 1_200, 0),
    ("Stratify Pharma NV", 150, 38_000, 47_000, 0),
    ("Hasselt Bioprocessing NV", 75, 16_000, 12_000, 0),
    ("ProteoMed BV", 19, 2_900, 2_400, 0),
    ("Pharmacogenomics Solutions BV", 33, 7_200, 5_100, 0),
    ("Wallonia Biotech SA", 90, 21_000, 18_000, 0),
    ("Brussels Health Data SRL", 6, 700, 500, 0),
    ("EuroPharma Holding SA", 5_400, 2_100_000, 3_000_000, 0),
]
NON_FLEMISH = {"Wallonia Biotech SA", "Brussels Health Data SRL", "EuroPharma Holding SA"}
RESEARCH = [
    "KU Leuven",
    "Universiteit Gent",
    "Universiteit Antwerpen",
    "VIB",
    "VITO",
]
HOSPITALS = ["UZ Leuven", "UZ Gent"]

USERS = [
    # email, first, last, roles, organisation name or None
    ("aanvrager@demo.icon", "An", "Peeters", [Role.APPLICANT], "BioMarker Insights BV"),
    ("partner@demo.icon", "Pieter", "Claes", [Role.APPLICANT], "KU Leuven"),
    ("medewerker@vlaio.demo", "Sofie", "Janssens", [Role.STAFF], None),
    ("adviesraad@demo.icon", "Luc", "Maes", [Role.COUNCIL], "Genomica Flanders NV"),
    ("expert@demo.icon", "Ingrid", "Willems", [Role.EXPERT], None),
    ("stuurgroep@demo.icon", "Koen", "Wouters", [Role.STEERING], None),
    ("programmamanager@demo.icon", "Els", "Goossens", [Role.PROGRAMME_MANAGER], None),
    ("admin@demo.icon", "Admin", "Istrator", [Role.ADMIN, Role.STAFF], None),
]


def seed_programme() -> Programme:
    programme = ensure(
        Programme,
        {"code": PROGRAMME_CODE},
        {
            "name_nl": "Vlaams Beleidsplan Gepersonaliseerde Geneeskunde",
            "name_en": "Flemish Policy Plan Personalised Medicine",
            "description_nl": (
                "Tweejarige voorbereiding van een speerpuntcluster gepersonaliseerde "
                "geneeskunde; de middelen worden beheerd door VLAIO."
            ),
            "description_en": (
                "Two-year preparation of a spearhead cluster for personalised medicine; "
                "the funds are managed by VLAIO."
            ),
            "managing_agency": "VLAIO",
            "cluster": "flanders.health",
            "approved_on": date(2019, 3, 29),
        },
    )
    y2019 = ensure(ProgrammeYear, {"programme": programme, "year": 2019}, {})
    y2020 = ensure(ProgrammeYear, {"programme": programme, "year": 2020}, {})
    lines = [
        (
            y2019,
            BudgetLineKind.PROGRAMME_MANAGEMENT,
            "Programma-management (flanders.health)",
            "Programme management (flanders.health)",
            "300000",
            "50",
            "600.000 voor 2 jaar, 50% ten laste van het programmabudget",
            "600,000 over two years, 50% charged to the programme budget",
        ),
        (
            y2019,
            BudgetLineKind.STUDY,
            "Gap-analyse & roadmap (studieopdracht)",
            "Gap analysis & roadmap (study)",
            "200000",
            "0",
            "",
            "",
        ),
        (
            y2020,
            BudgetLineKind.STUDY,
            "Gap-analyse & roadmap (studieopdracht)",
            "Gap analysis & roadmap (study)",
            "0",
            "0",
            "",
            "",
        ),
        (
            y2019,
            BudgetLineKind.PROJECT_BUDGET,
            "Projectbudget (ICON-oproepen)",
            "Project budget (ICON calls)",
            "4500000",
            "0",
            "",
            "",
        ),
        (
            y2020,
            BudgetLineKind.PROJECT_BUDGET,
            "Projectbudget (ICON-oproepen)",
            "Project budget (ICON calls)",
            "5000000",
            "0",
            "",
            "",
        ),
    ]
    for year, kind, nl, en, amount, cofin, note_nl, note_en in lines:
        ensure(
            BudgetLine,
            {"programme_year": year, "kind": kind, "name_nl": nl},
            {
                "name_en": en,
                "amount": Decimal(amount),
                "cofinancing_share": Decimal(cofin),
                "note_nl": note_nl,
                "note_en": note_en,
            },
        )
    parents: dict[str, ActionDomain] = {}
    for position, (code, parent, nl, en) in enumerate(ACTION_DOMAINS):
        parents[code] = ensure(
            ActionDomain,
            {"programme": programme, "code": code},
            {"parent": parents.get(parent), "name_nl": nl, "name_en": en, "position": position},
        )
    for model, items in ((Theme, THEMES), (DiseaseDomain, DISEASE_DOMAINS)):
        for position, (code, nl, en) in enumerate(items):
            ensure(
                model,
                {"programme": programme, "code": code},
                {"name_nl": nl, "name_en": en, "position": position},
            )
    for number, nl, en, kind, target, unit, deadline in KPIS:
        ensure(
            Kpi,
            {"programme": programme, "number": number},
            {
                "name_nl": nl,
                "name_en": en,
                "kind": kind,
                "target": target,
                "unit": unit,
                "deadline": deadline,
            },
        )
    return programme


def seed_organisations() -> None:
    rows = []
    for seq, (name, staff, turnover, balance, public) in enumerate(COMPANIES, start=1):
        rows.append((seq, name, OrganisationKind.COMPANY, staff, turnover, balance, public))
    for seq, name in enumerate(RESEARCH, start=100):
        rows.append((seq, name, OrganisationKind.RESEARCH, 3_000, 500_000, 900_000, 100))
    for seq, name in enumerate(HOSPITALS, start=200):
        rows.append((seq, name, OrganisationKind.HOSPITAL, 9_000, 1_200_000, 1_500_000, 100))
    for seq, name, kind, staff, turnover, balance, public in rows:
        fields = {
            "name": name,
            "kind": kind,
            "is_flemish": name not in NON_FLEMISH,
            "reference_year": 2018,
            "headcount": staff,
            "turnover": Decimal(turnover * 1000),
            "balance_sheet_total": Decimal(balance * 1000),
            "public_body_share": Decimal(public),
            "in_difficulty": False,
            "website": "",
        }
        number = enterprise_number(seq)
        existing = Organisation.objects.filter(enterprise_number=number).first()
        if existing and all(getattr(existing, k) == v for k, v in fields.items()):
            continue
        services.organisation_save(
            actor=None,
            organisation=existing,
            enterprise_number=number,
            verified=True,
            reason="demo data",
            **fields,
        )
    # Two pairs of linked companies, so the 'non-linked companies' rule has cases.
    # Through the service, so the SME classes are computed with the group.
    for a, b, kind, share in (
        ("PharmaCo Belgium NV", "EuroPharma Holding SA", LinkKind.LINKED, None),
        ("OncoStrat NV", "Stratify Pharma NV", LinkKind.PARTNER, Decimal("30")),
    ):
        first, other = Organisation.objects.get(name=a), Organisation.objects.get(name=b)
        if not OrganisationLink.objects.filter(organisation=first, other=other).exists():
            services.organisation_link_create(
                actor=None, organisation=first, other=other, kind=kind, share=share
            )


def seed_users() -> list[tuple[str, str]]:
    logins = []
    for email, first, last, roles, org_name in USERS:
        organisation = Organisation.objects.get(name=org_name) if org_name else None
        user = User.objects.filter(email=email).first()
        values = {"first_name": first, "last_name": last, "organisation": organisation}
        if Role.ADMIN in roles:
            values.update(is_staff=True, is_superuser=True)
        if user is None:
            user = User(email=email, **values)
            user.set_password(DEMO_PASSWORD)
            services.audited_save(user, actor=None, reason="demo data")
            services.user_email_verified(user=user)
        elif any(getattr(user, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(user, k, v)
            services.audited_save(user, actor=None, reason="demo data")
        if user.roles != frozenset(roles):
            services.user_set_roles(actor=None, user=user, roles=roles, reason="demo data")
        if (
            organisation is not None
            and not OrganisationMembership.objects.filter(
                organisation=organisation, user=user
            ).exists()
        ):
            # The demo's people registered their organisations: approved, and the
            # applicants manage theirs.
            services.audited_save(
                OrganisationMembership(
                    organisation=organisation,
                    user=user,
                    state=MembershipState.APPROVED,
                    is_manager=Role.APPLICANT in roles,
                ),
                actor=None,
                reason="demo data",
            )
        enrol_demo_second_factor(user)
        logins.append((", ".join(str(Role(r).label) for r in roles), email))
    return logins


def enrol_demo_second_factor(user: User) -> None:
    """Give a demo login that needs a second factor an authenticator app with
    DEMO_TOTP_SECRET (once)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from .middleware import second_factor_required

    if (
        second_factor_required(user)
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(user, DEMO_TOTP_SECRET)


@transaction.atomic
def seed() -> list[tuple[str, str]]:
    """Seed the programme, the registry and the demo logins; return (roles, e-mail)."""
    seed_programme()
    seed_organisations()
    return seed_users()
