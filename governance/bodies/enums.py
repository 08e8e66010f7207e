"""Choices of the governance bodies: the kinds of body and their seats.

Which seat belongs to which body, and which seats vote, is data (SEATS, VOTING_SEATS):
bodies.domain reads it, nothing else hard-codes it.
"""

from django.db import models
from django.utils.translation import pgettext_lazy


class BodyKind(models.TextChoices):
    ADVISORY_COUNCIL = (
        "advisory_council",
        pgettext_lazy("governance body", "Strategic advisory council"),
    )
    STEERING_GROUP = "steering_group", pgettext_lazy("governance body", "Steering group")


class Seat(models.TextChoices):
    """The seat a member holds in a body (DOMAIN.md §2)."""

    # Strategic advisory council, voting
    INDUSTRY = "industry", pgettext_lazy("seat", "Industry")
    VIB = "vib", pgettext_lazy("seat", "Knowledge institution: VIB")
    VITO = "vito", pgettext_lazy("seat", "Knowledge institution: VITO")
    UNIVERSITY = "university", pgettext_lazy("seat", "Knowledge institution: university (rotation)")
    UNIVERSITY_HOSPITAL = (
        "university_hospital",
        pgettext_lazy("seat", "University hospital (rotation)"),
    )
    GOVERNMENT = "government", pgettext_lazy("seat", "Appointed by the government")
    # Strategic advisory council, observers
    OBSERVER_VLAIO = "observer_vlaio", pgettext_lazy("seat", "Observer: VLAIO")
    OBSERVER_FWO = "observer_fwo", pgettext_lazy("seat", "Observer: FWO")
    OBSERVER_EWI = "observer_ewi", pgettext_lazy("seat", "Observer: EWI")
    OBSERVER_WVG = "observer_wvg", pgettext_lazy("seat", "Observer: WVG")
    OBSERVER_VASGAZ = "observer_vasgaz", pgettext_lazy("seat", "Observer: VASGAZ")
    # Steering group, voting
    VLAIO = "vlaio", pgettext_lazy("seat", "VLAIO")
    FWO = "fwo", pgettext_lazy("seat", "FWO")
    EWI = "ewi", pgettext_lazy("seat", "EWI")
    # Steering group, observers
    OBSERVER_COUNCIL = (
        "observer_council",
        pgettext_lazy("seat", "Observer: strategic advisory council"),
    )
    # Both bodies, observer
    PROGRAMME_MANAGER = "programme_manager", pgettext_lazy("seat", "Observer: programme manager")


# Lists show seats in the order of the enum (industry first, observers last).
SEAT_ORDER: dict[str, int] = {value: position for position, value in enumerate(Seat.values)}

SEATS: dict[str, frozenset[str]] = {
    BodyKind.ADVISORY_COUNCIL: frozenset(
        {
            Seat.INDUSTRY,
            Seat.VIB,
            Seat.VITO,
            Seat.UNIVERSITY,
            Seat.UNIVERSITY_HOSPITAL,
            Seat.GOVERNMENT,
            Seat.OBSERVER_VLAIO,
            Seat.OBSERVER_FWO,
            Seat.OBSERVER_EWI,
            Seat.OBSERVER_WVG,
            Seat.OBSERVER_VASGAZ,
            Seat.PROGRAMME_MANAGER,
        }
    ),
    BodyKind.STEERING_GROUP: frozenset(
        {Seat.VLAIO, Seat.FWO, Seat.EWI, Seat.OBSERVER_COUNCIL, Seat.PROGRAMME_MANAGER}
    ),
}

# Observers have no vote; every other seat votes.
VOTING_SEATS: frozenset[str] = frozenset(
    {
        Seat.INDUSTRY,
        Seat.VIB,
        Seat.VITO,
        Seat.UNIVERSITY,
        Seat.UNIVERSITY_HOSPITAL,
        Seat.GOVERNMENT,
        Seat.VLAIO,
        Seat.FWO,
        Seat.EWI,
    }
)
