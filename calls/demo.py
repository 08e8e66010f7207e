"""Demo data of the calls app: the 2019 and 2020 ICON calls of the personalised-medicine
programme, each with one envelope holding that year's whole project budget (4,500,000
and 5,000,000, seed 001 §6), the default parameters and VLAIO's criteria.

The 2019 call is past its deadline and therefore `closed`; the later apps move it on
(evaluation, decisions). The 2020 call is deliberately **open**, so that whoever clicks
through the demo of `make run` can start, edit and submit an application: it opened two
weeks before the moment the demo is first seeded and its deadline lies six weeks after
that moment (17:00 Brussels time). Those dates are computed once, when the call is
created; a later run leaves an existing call as it is (so `seed()` stays idempotent), and
once the deadline has passed the beat task closes the call like any other. A database
seeded before this change keeps its closed 2020 call: remove var/db.sqlite3 to get the
open one. The other dates are plausible but invented.

The states are set directly (not through call_transition) so that seeding sends no
e-mails; the audit trail records them as demo data.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from programme.demo import PROGRAMME_CODE
from programme.formats import BRUSSELS
from programme.models import Programme, ProgrammeYear
from programme.services import audited_save

from . import services
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
            "Tweede programma-oproep van het Vlaams Beleidsplan Gepersonaliseerde Geneeskunde.\n\n"
            "In deze demo staat deze oproep bewust open: de deadline ligt zes weken na het "
            "moment waarop de demogegevens voor het eerst geladen werden, zodat u een "
            "aanvraag kunt starten, bewerken en indienen."
        ),
        "description_en": (
            "Second programme call of the Flemish Policy Plan Personalised Medicine.\n\n"
            "In this demo the call is deliberately open: its deadline lies six weeks after "
            "the moment the demo data were first loaded, so that you can start, edit and "
            "submit an application."
        ),
        # Open in the demo: dates relative to the first seeding (see the module docstring).
        "open": True,
        "envelope": ("Projectbudget 2020", "Project budget 2020", Decimal("5000000")),
    },
]


def demo_window(now: datetime) -> tuple[datetime, datetime]:
    """(opens_at, deadline) of the demo's open call seeded at `now`: opened at 9:00 two
    weeks earlier, deadline at 17:00 six weeks later, both Brussels time."""
    local = now.astimezone(BRUSSELS)
    opens = (local - timedelta(days=14)).replace(hour=9, minute=0, second=0, microsecond=0)
    deadline = (local + timedelta(days=42)).replace(hour=17, minute=0, second=0, microsecond=0)
    return opens, deadline


@transaction.atomic
def seed() -> list[Call]:
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    calls = []
    for spec in CALLS:
        year = ProgrammeYear.objects.get(programme=programme, year=spec["year"])
        call = Call.objects.filter(programme_year=year, title_nl=spec["title_nl"]).first()
        if call is None:
            if spec.get("open"):
                # Computed only when the call is created: a second run changes nothing.
                spec = {**spec}
                spec["opens_at"], spec["deadline"] = demo_window(timezone.now())
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
            call.parameters_frozen_at = call.opens_at
            if spec.get("open"):
                call.state = CallState.OPEN
                audited_save(call, actor=None, reason="demo data: open for the demo")
            else:
                call.state = CallState.CLOSED
                audited_save(call, actor=None, reason="demo data: opened and closed at deadline")
        calls.append(call)
    return calls
