from datetime import date
from decimal import Decimal

import pytest

from governance.bodies import domain as bodies_domain
from governance.bodies.domain import SeatHolder
from governance.bodies.enums import BodyKind, Seat
from governance.decisions import domain as decisions_domain
from governance.decisions.enums import DecidingLevel
from governance.review import domain as review_domain
from programme.enums import OrganisationKind

COMPANY, RESEARCH, HOSPITAL = (
    OrganisationKind.COMPANY,
    OrganisationKind.RESEARCH,
    OrganisationKind.HOSPITAL,
)


def council(industry=7, vib=1, vito=1, university=1, hospital=1, government=2, observers=3):
    holders = [SeatHolder(Seat.INDUSTRY, f"industry {i}", COMPANY) for i in range(industry)]
    holders += [SeatHolder(Seat.VIB, "vib", RESEARCH)] * vib
    holders += [SeatHolder(Seat.VITO, "vito", RESEARCH)] * vito
    holders += [SeatHolder(Seat.UNIVERSITY, "university", RESEARCH)] * university
    holders += [SeatHolder(Seat.UNIVERSITY_HOSPITAL, "hospital", HOSPITAL)] * hospital
    holders += [SeatHolder(Seat.GOVERNMENT, "gov")] * government
    holders += [SeatHolder(Seat.OBSERVER_FWO, "fwo")] * observers
    return holders


def failing(body_kind, holders) -> list[str]:
    return [c.code for c in bodies_domain.composition_checks(body_kind, holders) if not c.ok]


def test_composition_compliant_council_passes_every_check():
    assert failing(BodyKind.ADVISORY_COUNCIL, council()) == []


@pytest.mark.parametrize(
    ("holders", "expected"),
    [
        # 16 voting: 10 industry + 6 others
        (council(industry=10), ["voting_limit"]),
        # 6 industry of 12 voting is half, not a majority
        (council(industry=6), ["industry_majority"]),
        (council(vito=0), ["knowledge"]),
        (council(university=2, industry=8), ["knowledge"]),
        (council(hospital=0), ["hospital"]),
        (council(government=1), ["government"]),
        (council(government=3, industry=8), ["government"]),
        # Observers never count: 20 observers keep the council within 15 voting members.
        (council(observers=20), []),
        ([], ["industry_majority", "knowledge", "hospital", "government"]),
    ],
)
def test_composition_council_rule_broken_names_that_rule(holders, expected):
    assert failing(BodyKind.ADVISORY_COUNCIL, holders) == expected


def test_composition_reason_says_how_many_industry_members_are_needed():
    checks = {
        c.code: c
        for c in bodies_domain.composition_checks(BodyKind.ADVISORY_COUNCIL, council(industry=5))
    }
    assert checks["industry_majority"].reason == (
        "5 of 11 voting members are from industry; a majority needs at least 6."
    )


def test_composition_vacant_seat_is_named():
    ok, reason = bodies_domain.check_knowledge_institutions(council(vito=0))
    assert (ok, reason) == (False, "Knowledge institution: VITO: 1 seat vacant.")


def test_composition_industry_seat_held_by_university_fails():
    holders = council()
    holders[0] = SeatHolder(Seat.INDUSTRY, "Prof. X", RESEARCH)
    assert failing(BodyKind.ADVISORY_COUNCIL, holders) == ["organisations"]


def test_composition_steering_seat_in_council_fails():
    holders = council() + [SeatHolder(Seat.FWO, "fwo rep")]
    assert "seats" in failing(BodyKind.ADVISORY_COUNCIL, holders)


@pytest.mark.parametrize(
    ("seats", "expected"),
    [
        ([Seat.VLAIO, Seat.FWO, Seat.EWI], []),
        ([Seat.VLAIO, Seat.FWO, Seat.EWI, Seat.OBSERVER_COUNCIL, Seat.PROGRAMME_MANAGER], []),
        ([Seat.VLAIO, Seat.FWO], ["represented"]),
        ([Seat.VLAIO, Seat.FWO, Seat.EWI, Seat.INDUSTRY], ["seats"]),
    ],
)
def test_composition_steering_group(seats, expected):
    assert failing(BodyKind.STEERING_GROUP, [SeatHolder(s) for s in seats]) == expected


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "day", "expected"),
    [
        (date(2019, 5, 1), None, date(2019, 5, 1), True),
        (date(2019, 5, 1), None, date(2019, 4, 30), False),
        (date(2019, 5, 1), date(2020, 4, 30), date(2020, 4, 30), True),
        (date(2019, 5, 1), date(2020, 4, 30), date(2020, 5, 1), False),
    ],
)
def test_is_active_on_includes_both_ends(starts_on, ends_on, day, expected):
    assert bodies_domain.is_active_on(starts_on, ends_on, day) == expected


def test_can_hold_membership_seat_of_other_body_refused():
    ok, reason = bodies_domain.can_hold_membership(
        body_kind=BodyKind.STEERING_GROUP,
        seat=Seat.INDUSTRY,
        starts_on=date(2019, 1, 1),
        ends_on=None,
    )
    assert (ok, reason) == (False, "The seat “Industry” does not exist in the steering group.")


def test_can_hold_membership_overlapping_term_refused():
    ok, _reason = bodies_domain.can_hold_membership(
        body_kind=BodyKind.ADVISORY_COUNCIL,
        seat=Seat.INDUSTRY,
        starts_on=date(2020, 1, 1),
        ends_on=None,
        other_terms=[(date(2019, 5, 1), None)],
    )
    assert ok is False


def test_can_hold_membership_next_term_after_previous_ends_allowed():
    result = bodies_domain.can_hold_membership(
        body_kind=BodyKind.ADVISORY_COUNCIL,
        seat=Seat.UNIVERSITY,
        starts_on=date(2021, 1, 1),
        ends_on=None,
        other_terms=[(date(2019, 5, 1), date(2020, 12, 31))],
    )
    assert result == (True, "")


def test_can_hold_membership_end_before_start_refused():
    ok, reason = bodies_domain.can_hold_membership(
        body_kind=BodyKind.ADVISORY_COUNCIL,
        seat=Seat.INDUSTRY,
        starts_on=date(2020, 1, 1),
        ends_on=date(2019, 1, 1),
    )
    assert (ok, reason) == (False, "The term cannot end before it starts.")


def test_voting_member_ids_skips_observers_and_other_dates():
    terms = [
        (1, Seat.INDUSTRY, date(2019, 1, 1), None),
        (2, Seat.OBSERVER_VLAIO, date(2019, 1, 1), None),
        (3, Seat.GOVERNMENT, date(2019, 1, 1), date(2019, 6, 30)),
        (4, Seat.VIB, date(2019, 9, 1), None),
    ]
    assert bodies_domain.voting_member_ids(terms, date(2019, 7, 1)) == {1}


@pytest.mark.parametrize(
    ("voting", "present", "expected"),
    [
        ({1, 2, 3, 4}, {1, 2}, False),  # half is not a majority
        ({1, 2, 3, 4}, {1, 2, 3}, True),
        ({1, 2, 3}, {1, 2}, True),
        ({1, 2, 3}, {1, 9, 10}, False),  # observers and guests do not count
        (set(), {1}, False),
    ],
)
def test_quorum_met_needs_a_majority_of_voting_members(voting, present, expected):
    assert bodies_domain.quorum_met(voting, present)[0] == expected


def test_quorum_met_reason_counts():
    assert bodies_domain.quorum_met({1, 2, 3, 4, 5}, {1, 2}) == (
        False,
        "2 of 5 voting members present; the quorum is 3.",
    )


# --- Scoring -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("0", True),
        ("5", True),
        ("3.5", True),
        (Decimal("4.0"), True),
        (2, True),
        ("3.25", False),
        ("5.5", False),
        ("-0.5", False),
        ("abc", False),
        ("NaN", False),
    ],
)
def test_validate_score_default_scale(value, ok):
    assert review_domain.validate_score(value)[0] == ok


def test_validate_score_reason_for_off_step():
    assert review_domain.validate_score("3.3") == (False, "Scores go in steps of 0.5 from 0.")


def test_validate_score_other_scale():
    assert review_domain.validate_score(
        "7", scale_min=Decimal("1"), scale_max=Decimal("10"), step=Decimal("1")
    ) == (True, "")
    assert (
        review_domain.validate_score(
            "0", scale_min=Decimal("1"), scale_max=Decimal("10"), step=Decimal("1")
        )[0]
        is False
    )


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([Decimal("3"), Decimal("5")], True),
        ([Decimal("3"), Decimal("4.5")], False),
        ([Decimal("1"), Decimal("2"), Decimal("3")], True),
        ([Decimal("4")], False),
        ([], False),
        ([Decimal("4"), None, Decimal("1.5")], True),
    ],
)
def test_spread_flag_at_two_points(scores, expected):
    assert review_domain.spread_flag(scores) == expected


def test_spread_flag_custom_threshold():
    assert (
        review_domain.spread_flag([Decimal("3"), Decimal("4.5")], threshold=Decimal("1.5")) is True
    )


def test_weighted_total_sums_score_times_weight():
    scores = {1: Decimal("4"), 2: Decimal("3.5"), 3: Decimal("3")}
    weights = {1: Decimal("2"), 2: Decimal("1"), 3: Decimal("0.5")}
    assert review_domain.weighted_total(scores, weights) == Decimal("13.0")


def test_weighted_total_missing_weight_raises():
    with pytest.raises(ValueError):
        review_domain.weighted_total({1: Decimal("4"), 2: Decimal("3")}, {1: Decimal("1")})


def test_passes_thresholds_all_met():
    scores = {"excellence": Decimal("4"), "impact": Decimal("3.5"), "implementation": Decimal("3")}
    thresholds = dict.fromkeys(scores, Decimal("3"))
    assert review_domain.passes_thresholds(scores, thresholds, Decimal("10")) == (True, [])


def test_passes_thresholds_lists_every_shortfall():
    scores = {"excellence": Decimal("4"), "impact": Decimal("2.5"), "implementation": Decimal("3")}
    thresholds = dict.fromkeys(scores, Decimal("3"))
    assert review_domain.passes_thresholds(scores, thresholds, Decimal("10")) == (
        False,
        [
            "impact: 2.5 is below the threshold of 3.",
            "Total 9.5 is below the overall threshold of 10.",
        ],
    )


def test_passes_thresholds_missing_consensus_fails():
    ok, reasons = review_domain.passes_thresholds(
        {"excellence": Decimal("5"), "impact": None},
        {"excellence": Decimal("3"), "impact": Decimal("3")},
        Decimal("5"),
    )
    assert (ok, reasons) == (False, ["impact: no consensus score yet."])


@pytest.mark.parametrize(
    ("aid", "expected"),
    [
        (Decimal("0"), DecidingLevel.ADMINISTRATOR_GENERAL),
        (Decimal("500000"), DecidingLevel.ADMINISTRATOR_GENERAL),
        (Decimal("500000.01"), DecidingLevel.DECISION_COMMITTEE),
        (Decimal("2750000"), DecidingLevel.DECISION_COMMITTEE),
    ],
)
def test_deciding_level_at_500000(aid, expected):
    assert decisions_domain.deciding_level(aid) == expected
