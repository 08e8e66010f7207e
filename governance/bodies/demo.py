"""Demo data of the governance app: a strategic advisory council that meets every
composition rule (8 industry, VIB, VITO, KU Leuven, UZ Leuven, 2 government appointees,
the 6 observers), a steering group (VLAIO, FWO, EWI, with the council's observer and the
programme manager), and one meeting of each.

`seed()` is idempotent and builds on programme.demo (its programme, organisations and
logins: adviesraad@demo.icon sits on the council, stuurgroep@demo.icon on the steering
group). People are invented. The review side of the 2019 call (expertise, conflicts,
assignments, scores, consensus) is seeded by governance.review.demo.seed_reviews.
"""

from datetime import date

from django.db import transaction

from programme import services as programme_services
from programme.demo import DEMO_PASSWORD, PROGRAMME_CODE, ensure
from programme.models import Organisation, Programme, User

from . import services
from .enums import BodyKind, Seat
from .models import Body, Meeting, Membership

COUNCIL_FROM = date(2019, 5, 1)
STEERING_FROM = date(2019, 4, 1)

# email, first name, last name, organisation name or None
PEOPLE = [
    ("raad.celltherapeutics@demo.icon", "Hilde", "Vermeulen", "CellTherapeutics Gent NV"),
    ("raad.pharmaco@demo.icon", "Tom", "De Smet", "PharmaCo Belgium NV"),
    ("raad.oncostrat@demo.icon", "Nathalie", "Dubois", "OncoStrat NV"),
    ("raad.immunologic@demo.icon", "Bart", "Jacobs", "ImmunoLogic Antwerp NV"),
    ("raad.theranostics@demo.icon", "Griet", "Mertens", "Theranostics Leuven NV"),
    ("raad.precisiondx@demo.icon", "Wim", "Peeters", "Precision Dx BV"),
    ("raad.sensorium@demo.icon", "Katrien", "Hermans", "Sensorium Health BV"),
    ("raad.vib@demo.icon", "Jan", "Van den Broeck", "VIB"),
    ("raad.vito@demo.icon", "Evi", "Lemmens", "VITO"),
    ("raad.kuleuven@demo.icon", "Marc", "Aerts", "KU Leuven"),
    ("raad.uzleuven@demo.icon", "Leen", "Michiels", "UZ Leuven"),
    ("raad.overheid1@demo.icon", "Dirk", "Claeys", None),
    ("raad.overheid2@demo.icon", "Ann", "Wuyts", None),
    ("fwo@demo.icon", "Sarah", "Coppens", None),
    ("ewi@demo.icon", "Pieter", "Desmet", None),
    ("wvg@demo.icon", "Inge", "Baert", None),
    ("vasgaz@demo.icon", "Geert", "Smets", None),
]

COUNCIL = [
    ("adviesraad@demo.icon", Seat.INDUSTRY),
    ("raad.celltherapeutics@demo.icon", Seat.INDUSTRY),
    ("raad.pharmaco@demo.icon", Seat.INDUSTRY),
    ("raad.oncostrat@demo.icon", Seat.INDUSTRY),
    ("raad.immunologic@demo.icon", Seat.INDUSTRY),
    ("raad.theranostics@demo.icon", Seat.INDUSTRY),
    ("raad.precisiondx@demo.icon", Seat.INDUSTRY),
    ("raad.sensorium@demo.icon", Seat.INDUSTRY),
    ("raad.vib@demo.icon", Seat.VIB),
    ("raad.vito@demo.icon", Seat.VITO),
    ("raad.kuleuven@demo.icon", Seat.UNIVERSITY),
    ("raad.uzleuven@demo.icon", Seat.UNIVERSITY_HOSPITAL),
    ("raad.overheid1@demo.icon", Seat.GOVERNMENT),
    ("raad.overheid2@demo.icon", Seat.GOVERNMENT),
    ("medewerker@vlaio.demo", Seat.OBSERVER_VLAIO),
    ("fwo@demo.icon", Seat.OBSERVER_FWO),
    ("ewi@demo.icon", Seat.OBSERVER_EWI),
    ("wvg@demo.icon", Seat.OBSERVER_WVG),
    ("vasgaz@demo.icon", Seat.OBSERVER_VASGAZ),
    ("programmamanager@demo.icon", Seat.PROGRAMME_MANAGER),
]

STEERING = [
    ("stuurgroep@demo.icon", Seat.VLAIO),
    ("fwo@demo.icon", Seat.FWO),
    ("ewi@demo.icon", Seat.EWI),
    ("adviesraad@demo.icon", Seat.OBSERVER_COUNCIL),
    ("programmamanager@demo.icon", Seat.PROGRAMME_MANAGER),
]

# body kind, date, subject, e-mails of the people present
MEETINGS = [
    (
        BodyKind.ADVISORY_COUNCIL,
        date(2019, 10, 15),
        "Advies over de ICON-oproep gepersonaliseerde geneeskunde 2019",
        [email for email, _seat in COUNCIL[:10]]
        + ["medewerker@vlaio.demo", "programmamanager@demo.icon"],
    ),
    (
        BodyKind.STEERING_GROUP,
        date(2019, 11, 5),
        "Verdeling van de enveloppe 2019",
        [email for email, _seat in STEERING],
    ),
]


def seed_people() -> None:
    for email, first, last, org_name in PEOPLE:
        organisation = Organisation.objects.get(name=org_name) if org_name else None
        values = {"first_name": first, "last_name": last, "organisation": organisation}
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, **values)
            user.set_password(DEMO_PASSWORD)
            programme_services.audited_save(user, actor=None, reason="demo data")
            programme_services.user_email_verified(user=user)
        elif any(getattr(user, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(user, k, v)
            programme_services.audited_save(user, actor=None, reason="demo data")


def seed_body(programme: Programme, kind: str, name_nl: str, name_en: str, seats, since) -> Body:
    body = ensure(
        Body, {"programme": programme, "kind": kind}, {"name_nl": name_nl, "name_en": name_en}
    )
    for email, seat in seats:
        user = User.objects.get(email=email)
        if not Membership.objects.filter(body=body, user=user, seat=seat, starts_on=since).exists():
            services.membership_create(actor=None, body=body, user=user, seat=seat, starts_on=since)
    return body


@transaction.atomic
def seed() -> None:
    """Seed the council, the steering group and one meeting of each."""
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    seed_people()
    bodies = {
        BodyKind.ADVISORY_COUNCIL: seed_body(
            programme,
            BodyKind.ADVISORY_COUNCIL,
            "Strategische adviesraad",
            "Strategic advisory council",
            COUNCIL,
            COUNCIL_FROM,
        ),
        BodyKind.STEERING_GROUP: seed_body(
            programme,
            BodyKind.STEERING_GROUP,
            "Stuurgroep",
            "Steering group",
            STEERING,
            STEERING_FROM,
        ),
    }
    secretary = User.objects.get(email="medewerker@vlaio.demo")
    for kind, day, subject, present in MEETINGS:
        body = bodies[kind]
        if not Meeting.objects.filter(body=body, date=day, subject=subject).exists():
            services.meeting_record(
                actor=secretary,
                body=body,
                date=day,
                subject=subject,
                attendees=User.objects.filter(email__in=present),
            )
