"""A large programme for the KPI report benchmark (bench_reports): 60 calls over five
programme years, 3,000 submitted applications of 3–5 partners from a pool of 400
organisations (companies of every size class, research organisations, hospitals), their
budgets, a steering group that funded about a third of them (each decision with its
commitment on the call's envelope) and the milestone records of the milestone KPIs — so
every KPI of the report is computed from real rows (KPIs 3, 4, 5 read
governance.decisions.selectors.funded_participations: decisions → partners → budget entries).

Rows are made with bulk_create (no audit rows) from a fixed random seed, in a programme
of its own (CODE); its years (2021–2025) are not the demo's, so bench_decisions'
`ProgrammeYear(year=2020)` and the demo pages never see it. `delete_large_programme()`
removes every row again with plain SQL DELETEs in one transaction. The ledger is
append-only in the database (calls migration 0003: a trigger refuses DELETE); to remove
the bench's own commitments the trigger is disabled *inside that transaction only*
(ALTER TABLE is transactional in PostgreSQL and locks the table, so no other session
ever runs without it). This is for the throw-away bench database only.
"""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db import connection, transaction

CODE = "bench-large"
YEARS = (2021, 2022, 2023, 2024, 2025)
CALLS = 60
APPLICATIONS = 3000
FUNDED_SHARE = 3  # one application in three is funded
ORGANISATION_SEQ = 900_000  # enterprise numbers far from the demo's (programme.demo)
COMPANIES = 340
RESEARCH = 40
HOSPITALS = 20
PM = "programmamanager@demo.icon"
STAFF = "medewerker@vlaio.demo"


def _organisations(rng: random.Random) -> list:
    from programme.demo import enterprise_number
    from programme.domain import sme_class
    from programme.enums import OrganisationKind
    from programme.models import Organisation

    rows = []
    seq = ORGANISATION_SEQ
    for i in range(COMPANIES):
        # Seven in ten SMEs (micro, small, medium), the rest large.
        headcount = rng.choice((4, 9, 18, 35, 60, 120, 240, 400, 1200, 3000))
        turnover = Decimal(headcount * rng.randrange(90_000, 260_000))
        balance = Decimal(headcount * rng.randrange(70_000, 240_000))
        rows.append(
            Organisation(
                name=f"Bench Company {i:03d} NV",
                enterprise_number=enterprise_number(seq),
                kind=OrganisationKind.COMPANY,
                is_flemish=i % 17 != 0,
                reference_year=2020,
                headcount=headcount,
                turnover=turnover,
                balance_sheet_total=balance,
                sme_class=sme_class(
                    headcount=headcount, turnover=turnover, balance_sheet_total=balance
                ),
                verified=True,
            )
        )
        seq += 1
    for kind, count, label in (
        (OrganisationKind.RESEARCH, RESEARCH, "Research Institute"),
        (OrganisationKind.HOSPITAL, HOSPITALS, "University Hospital"),
    ):
        for i in range(count):
            rows.append(
                Organisation(
                    name=f"Bench {label} {i:02d}",
                    enterprise_number=enterprise_number(seq),
                    kind=kind,
                    reference_year=2020,
                    headcount=3000,
                    turnover=Decimal("500000000"),
                    balance_sheet_total=Decimal("900000000"),
                    public_body_share=Decimal("100"),
                    sme_class=sme_class(
                        headcount=3000,
                        turnover=Decimal("500000000"),
                        balance_sheet_total=Decimal("900000000"),
                        public_body_share=Decimal("100"),
                    ),
                    verified=True,
                )
            )
            seq += 1
    return Organisation.objects.bulk_create(rows)


def build_large_programme():
    """Create the programme (deleting a leftover of an interrupted run first); return it."""
    from calls.enums import CallState, LedgerEntryKind
    from calls.models import Call, CallParameters, Envelope, LedgerEntry
    from governance.bodies.enums import BodyKind
    from governance.decisions.enums import DecisionOutcome
    from governance.models import Body, FundingDecision, Meeting
    from programme.demo import KPIS
    from programme.enums import BudgetLineKind, KpiKind, OrganisationKind
    from programme.models import (
        BudgetLine,
        Kpi,
        MilestoneRecord,
        Programme,
        ProgrammeYear,
        User,
    )
    from projects.enums import Activity, ApplicationState, CostCategory, Part
    from projects.models import Application, BudgetEntry, Partner

    delete_large_programme()
    rng = random.Random(6030)
    staff = User.objects.get(email=STAFF)
    manager = User.objects.get(email=PM)
    with transaction.atomic():
        programme = Programme.objects.create(
            code=CODE,
            name_nl="Benchprogramma groot",
            name_en="Large bench programme",
            managing_agency="VLAIO",
            cluster="flanders.health",
        )
        years = ProgrammeYear.objects.bulk_create(
            [ProgrammeYear(programme=programme, year=y) for y in YEARS]
        )
        kpis = Kpi.objects.bulk_create(
            [
                Kpi(
                    programme=programme,
                    number=number,
                    name_nl=nl,
                    name_en=en,
                    kind=kind,
                    target=target,
                    unit=unit,
                    deadline=deadline,
                )
                for number, nl, en, kind, target, unit, deadline in KPIS
            ]
        )
        MilestoneRecord.objects.bulk_create(
            [  # two of the three milestones delivered
                MilestoneRecord(
                    kpi=kpi,
                    date=date(2021, 6, 30 - kpi.number),
                    description=f"Bench milestone {kpi.number}",
                    evidence_url="https://example.org/bench",
                    recorded_by=manager,
                )
                for kpi in kpis
                if kpi.kind == KpiKind.MILESTONE and kpi.number != 6
            ]
        )

        calls = []
        for i in range(CALLS):
            year = years[i % len(years)]
            opens = datetime(year.year, 1 + (i // len(years)), 10, 9, tzinfo=UTC)
            calls.append(
                Call(
                    programme=programme,
                    programme_year=year,
                    title_nl=f"Benchoproep {i:02d}",
                    title_en=f"Bench call {i:02d}",
                    opens_at=opens,
                    deadline=opens + timedelta(days=60),
                    state=CallState.DECIDED,
                    parameters_frozen_at=opens,
                )
            )
        calls = Call.objects.bulk_create(calls)
        CallParameters.objects.bulk_create([CallParameters(call=c) for c in calls])

        organisations = _organisations(rng)
        companies = [o for o in organisations if o.kind == OrganisationKind.COMPANY]
        research = [o for o in organisations if o.kind != OrganisationKind.COMPANY]
        applications = Application.objects.bulk_create(
            [
                Application(
                    call=calls[i % CALLS],
                    coordinator=rng.choice(companies),
                    created_by=staff,
                    title=f"Large bench proposal {i}",
                    acronym=f"L{i:04d}",
                    state=ApplicationState.ADMISSIBLE,
                    submitted_at=calls[i % CALLS].deadline - timedelta(minutes=i),
                    snapshot={"bench": True},
                    receipt_number=f"BENCH-L-{i:05d}",
                )
                for i in range(APPLICATIONS)
            ],
            batch_size=1000,
        )

        partners = []
        for i, application in enumerate(applications):
            size = rng.choice((3, 4, 4, 5))
            company_count = rng.choice((1, 2, 2, 3)) if size > 3 else rng.choice((1, 2))
            others = rng.sample(
                [c for c in companies if c != application.coordinator], company_count
            )
            knowledge = rng.sample(research, size - 1 - company_count)
            for position, org in enumerate([application.coordinator, *others, *knowledge]):
                is_company = org.kind == OrganisationKind.COMPANY
                partners.append(
                    Partner(
                        application=application,
                        organisation=org,
                        part=Part.COMPANY if is_company else Part.RESEARCH,
                        is_coordinator=position == 0,
                        declares_non_economic=org.kind == OrganisationKind.HOSPITAL,
                        contact_email=f"large{i}-{position}@example.org",
                    )
                )
        partners = Partner.objects.bulk_create(partners, batch_size=2000)

        entries = []
        cost = {}
        aid = {}
        for partner in partners:
            activities = (
                [Activity.RESEARCH]
                if partner.part == Part.RESEARCH
                else [Activity.INDUSTRIAL_RESEARCH, Activity.EXPERIMENTAL_DEVELOPMENT]
            )
            share = Decimal("1") if partner.part == Part.RESEARCH else Decimal("0.45")
            for year_no in (1, 2):
                for activity in activities:
                    for category in (CostCategory.PERSONNEL, CostCategory.OPERATING):
                        amount = Decimal(rng.randrange(10_000, 60_000))
                        entries.append(
                            BudgetEntry(
                                partner=partner,
                                year=year_no,
                                category=category,
                                activity=activity,
                                amount=amount,
                            )
                        )
                        key = partner.application_id
                        cost[key] = cost.get(key, Decimal(0)) + amount
                        aid[key] = aid.get(key, Decimal(0)) + amount * share
        BudgetEntry.objects.bulk_create(entries, batch_size=5000)
        for application in applications:
            application.total_cost = cost[application.pk]
            application.total_aid = aid[application.pk].quantize(Decimal("0.01"))
        Application.objects.bulk_update(applications, ["total_cost", "total_aid"], batch_size=1000)

        # The steering group funds one application in three of each call (by position in
        # the call) and rejects one in three; each funded aid is committed on the envelope.
        body = Body.objects.create(
            programme=programme,
            kind=BodyKind.STEERING_GROUP,
            name_nl="Stuurgroep (bench)",
            name_en="Steering group (bench)",
        )
        meetings = {
            year.year: Meeting.objects.create(
                body=body, date=date(year.year, 11, 15), subject="Beslissingen", recorded_by=staff
            )
            for year in years
        }
        funded = [a for i, a in enumerate(applications) if (i // CALLS) % FUNDED_SHARE == 0]
        rejected = [a for i, a in enumerate(applications) if (i // CALLS) % FUNDED_SHARE == 1]
        per_call: dict[int, Decimal] = {}
        for application in funded:
            per_call[application.call_id] = (
                per_call.get(application.call_id, Decimal(0)) + application.total_aid
            )
        million = Decimal("1000000")
        envelopes = []
        for call in calls:  # the committed aid rounded up to a million, plus one million
            amount = (per_call[call.pk] / million).to_integral_value(ROUND_CEILING) * million
            envelopes.append(
                Envelope(
                    call=call,
                    name_nl="Projecten",
                    name_en="Projects",
                    initial_amount=amount + million,
                    amount=amount + million,
                    committed=per_call[call.pk],
                )
            )
        envelopes = Envelope.objects.bulk_create(envelopes)
        envelope_of = {e.call_id: e for e in envelopes}
        call_year = {c.pk: c.programme_year.year for c in calls}
        # The budget lines of each year: the project budget holds the year's envelopes
        # and 5 M€ not yet put in an envelope.
        in_envelopes: dict[int, Decimal] = {}
        for envelope in envelopes:
            year = call_year[envelope.call_id]
            in_envelopes[year] = in_envelopes.get(year, Decimal(0)) + envelope.amount
        BudgetLine.objects.bulk_create(
            [
                line
                for year in years
                for line in (
                    BudgetLine(
                        programme_year=year,
                        kind=BudgetLineKind.PROGRAMME_MANAGEMENT,
                        name_nl="Programma-management",
                        name_en="Programme management",
                        amount=Decimal("300000"),
                        cofinancing_share=Decimal("50"),
                    ),
                    BudgetLine(
                        programme_year=year,
                        kind=BudgetLineKind.STUDY,
                        name_nl="Studieopdracht",
                        name_en="Study",
                        amount=Decimal("200000"),
                    ),
                    BudgetLine(
                        programme_year=year,
                        kind=BudgetLineKind.PROJECT_BUDGET,
                        name_nl="Projectbudget",
                        name_en="Project budget",
                        amount=in_envelopes[year.year] + Decimal("5000000"),
                    ),
                )
            ]
        )
        ledger = LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    envelope=envelope_of[a.call_id],
                    kind=LedgerEntryKind.COMMIT,
                    amount=a.total_aid,
                    reason="bench funding decision",
                    reference=a.receipt_number,
                    created_by=staff,
                )
                for a in funded
            ],
            batch_size=1000,
        )
        FundingDecision.objects.bulk_create(
            [
                FundingDecision(
                    application=a,
                    meeting=meetings[call_year[a.call_id]],
                    outcome=DecisionOutcome.FUND,
                    amount=a.total_aid,
                    envelope=envelope_of[a.call_id],
                    ledger_entry=entry,
                    decided_by="Bench",
                    recorded_by=staff,
                    decided_at=datetime(call_year[a.call_id], 11, 15, 14, tzinfo=UTC),
                )
                for a, entry in zip(funded, ledger, strict=True)
            ]
            + [
                FundingDecision(
                    application=a,
                    meeting=meetings[call_year[a.call_id]],
                    outcome=DecisionOutcome.REJECT,
                    decided_by="Bench",
                    decided_at=datetime(call_year[a.call_id], 11, 15, 14, tzinfo=UTC),
                    recorded_by=staff,
                )
                for a in rejected
            ],
            batch_size=1000,
        )
    return programme


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def delete_large_programme() -> None:
    """Remove the large programme and everything made for it (nothing when absent)."""
    from calls.models import Call, CallParameters, Envelope, LedgerEntry
    from governance.models import Body, FundingDecision, Meeting
    from programme.demo import enterprise_number
    from programme.models import (
        BudgetLine,
        Kpi,
        MilestoneRecord,
        Organisation,
        Programme,
        ProgrammeYear,
    )
    from projects.models import Application, BudgetEntry, Partner

    programme = Programme.objects.filter(code=CODE).first()
    numbers = [
        enterprise_number(ORGANISATION_SEQ + i) for i in range(COMPANIES + RESEARCH + HOSPITALS)
    ]
    t = {
        m.__name__: _table(m)
        for m in (
            Call,
            CallParameters,
            Envelope,
            LedgerEntry,
            Body,
            FundingDecision,
            Meeting,
            BudgetLine,
            Kpi,
            MilestoneRecord,
            Organisation,
            Programme,
            ProgrammeYear,
            Application,
            BudgetEntry,
            Partner,
        )
    }
    calls = f"SELECT id FROM {t['Call']} WHERE programme_id = %(p)s"
    applications = f"SELECT id FROM {t['Application']} WHERE call_id IN ({calls})"
    statements = (
        [
            # Foreign keys checked per statement, so no trigger event is pending at ALTER TABLE.
            "SET CONSTRAINTS ALL IMMEDIATE",
            f"ALTER TABLE {t['LedgerEntry']} DISABLE TRIGGER calls_ledger_append_only",
            f"DELETE FROM {t['FundingDecision']} WHERE application_id IN ({applications})",
            f"DELETE FROM {t['LedgerEntry']} WHERE envelope_id IN "
            f"(SELECT id FROM {t['Envelope']} WHERE call_id IN ({calls}))",
            f"ALTER TABLE {t['LedgerEntry']} ENABLE TRIGGER calls_ledger_append_only",
            f"DELETE FROM {t['Envelope']} WHERE call_id IN ({calls})",
            f"DELETE FROM {t['BudgetEntry']} WHERE partner_id IN "
            f"(SELECT id FROM {t['Partner']} WHERE application_id IN ({applications}))",
            f"DELETE FROM {t['Partner']} WHERE application_id IN ({applications})",
            f"DELETE FROM {t['Application']} WHERE call_id IN ({calls})",
            f"DELETE FROM {t['CallParameters']} WHERE call_id IN ({calls})",
            f"DELETE FROM {t['Call']} WHERE programme_id = %(p)s",
            f"DELETE FROM {t['Meeting']} WHERE body_id IN "
            f"(SELECT id FROM {t['Body']} WHERE programme_id = %(p)s)",
            f"DELETE FROM {t['Body']} WHERE programme_id = %(p)s",
            f"DELETE FROM {t['MilestoneRecord']} WHERE kpi_id IN "
            f"(SELECT id FROM {t['Kpi']} WHERE programme_id = %(p)s)",
            f"DELETE FROM {t['Kpi']} WHERE programme_id = %(p)s",
            f"DELETE FROM {t['BudgetLine']} WHERE programme_year_id IN "
            f"(SELECT id FROM {t['ProgrammeYear']} WHERE programme_id = %(p)s)",
            f"DELETE FROM {t['ProgrammeYear']} WHERE programme_id = %(p)s",
            f"DELETE FROM {t['Programme']} WHERE id = %(p)s",
        ]
        if programme is not None
        else []
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, {"p": programme.pk})
        cursor.execute(
            f"DELETE FROM {t['Organisation']} WHERE enterprise_number = ANY(%(numbers)s)",
            {"numbers": numbers},
        )
