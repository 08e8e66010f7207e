"""Demo data of the calls app: the 2019 and 2020 ICON calls of the personalised-medicine
programme, each with one envelope holding that year's whole project budget (4,500,000
and 5,000,000, seed 001 §6), the default parameters and VLAIO's criteria.

Both calls are past their deadline and therefore `closed`; the later apps move them on
(evaluation, decisions). The dates are plausible but invented. `seed()` is idempotent.
The states are set directly (not through call_transition) so that seeding sends no
e-mails; the audit trail records them as demo data.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from programme.demo import PROGRAMME_CODE
from programme.models import Programme, ProgrammeYear
from programme.services import audited_save

from . import services
from .domain import BRUSSELS
from .enums import CallState
from .models import Call, Envelope

CALLS = [
    {
        "year": 2019,
        "title_nl": "ICON-oproep Gepersonaliseerde Geneeskunde 2019",
        "title_en": "ICON call Personalised Medicine 2019",
        "description_nl": (
            "Eerste programma-oproep van het Vlaams Beleidsplan Gepersonaliseerde "
            "Geneeskunde: ICON-projecten van bedrijven en onderzoeksorganisaties rond data "
            "en analyse, faciliterende en flankerende activiteiten."
        ),
        "description_en": (
            "First programme call of the Flemish Policy Plan Personalised Medicine: ICON "
            "projects of companies and research organisations on data and analysis, "
            "facilitating and flanking activities."
        ),
        "opens_at": datetime(2019, 6, 3, 9, 0, tzinfo=BRUSSELS),
        "deadline": datetime(2019, 9, 30, 17, 0, tzinfo=BRUSSELS),
        "envelope": ("Projectbudget 2019", "Project budget 2019", Decimal("4500000")),
    },
    {
        "year": 2020,
        "title_nl": "ICON-oproep Gepersonaliseerde Geneeskunde 2020",
        "title_en": "ICON call Personalised Medicine 2020",
        "description_nl": (
            "Tweede programma-oproep van het Vlaams Beleidsplan Gepersonaliseerde Geneeskunde."
        ),
        "description_en": "Second programme call of the Flemish Policy Plan Personalised Medicine.",
        "opens_at": datetime(2020, 3, 2, 9, 0, tzinfo=BRUSSELS),
        "deadline": datetime(2020, 6, 15, 17, 0, tzinfo=BRUSSELS),
        "envelope": ("Projectbudget 2020", "Project budget 2020", Decimal("5000000")),
    },
]


@transaction.atomic
def seed() -> list[Call]:
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    calls = []
    for spec in CALLS:
        year = ProgrammeYear.objects.get(programme=programme, year=spec["year"])
        call = Call.objects.filter(programme_year=year, title_nl=spec["title_nl"]).first()
        if call is None:
            call = services.call_create(
                actor=None,
                programme_year=year,
                title_nl=spec["title_nl"],
                title_en=spec["title_en"],
                description_nl=spec["description_nl"],
                description_en=spec["description_en"],
                opens_at=spec["opens_at"],
                deadline=spec["deadline"],
                action_domains=list(programme.action_domains.all()),
                themes=list(programme.themes.all()),
                disease_domains=list(programme.disease_domains.all()),
            )
        name_nl, name_en, amount = spec["envelope"]
        if not Envelope.objects.filter(call=call, name_nl=name_nl).exists():
            services.envelope_create(
                actor=None, call=call, name_nl=name_nl, name_en=name_en, amount=amount
            )
        if call.state == CallState.DRAFT:
            call.state = CallState.CLOSED
            call.parameters_frozen_at = spec["opens_at"]
            audited_save(call, actor=None, reason="demo data: opened and closed at deadline")
        calls.append(call)
    return calls
