"""The pre-selection stage (DOMAIN.md §5): a call with a pre-registration deadline takes
pre-registrations with an estimated aid; after that deadline staff pre-select up to the
ceiling (3× the available budget by default), refused beyond with the figures; the
others are turned down with a reason; everyone is told by e-mail."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from calls import domain, services
from calls.enums import CallState, PreregistrationState
from calls.models import CallRegistration
from programme.states import Refused
from projects import services as project_services
from tests import factories
from tests.factories import CallFactory, CallRegistrationFactory, EnvelopeFactory

pytestmark = pytest.mark.django_db


def preselection_call(*, prereg_passed: bool = True, budget=Decimal("1000000")):
    now = timezone.now()
    call = CallFactory(
        state=CallState.OPEN,
        preregistration_deadline=now + (timedelta(days=-1) if prereg_passed else timedelta(days=1)),
    )
    EnvelopeFactory(call=call, initial_amount=budget)
    return call


def prereg(call, acronym: str, aid: str, **kwargs) -> CallRegistration:
    return CallRegistrationFactory(call=call, acronym=acronym, requested_aid=Decimal(aid), **kwargs)


# --- Rules --------------------------------------------------------------------------------------


def test_preselection_ceiling_is_the_factor_times_the_available_budget_rounded_half_up():
    assert domain.preselection_ceiling(Decimal("1000000.01"), Decimal("2.5")) == Decimal(
        "2500000.03"
    )  # 2,500,000.025 rounds up
    assert domain.preselection_ceiling(Decimal("-5"), Decimal("3")) == Decimal("0")


def test_has_preselection_follows_the_preregistration_deadline():
    assert domain.has_preselection(CallFactory.build(preregistration_deadline=None)) is False
    assert domain.has_preselection(CallFactory.build(preregistration_deadline=timezone.now()))


# --- Pre-registration -----------------------------------------------------------------------


def test_preregistration_needs_acronym_and_estimated_aid(applicant):
    call = preselection_call(prereg_passed=False)
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.call_register(actor=applicant, call=call)
    assert refused.value.message_dict == {
        "acronym": ["A pre-registration needs the project's acronym."],
        "requested_aid": ["A pre-registration needs the estimated aid the project will request."],
    }
    registration = services.call_register(
        actor=applicant, call=call, acronym="GENOMX", requested_aid=Decimal("400000.005")
    )
    assert (registration.acronym, registration.requested_aid, registration.state) == (
        "GENOMX",
        Decimal("400000.01"),
        PreregistrationState.REGISTERED,
    )
    again = services.call_register(
        actor=applicant, call=call, acronym="GENOMX", requested_aid=Decimal("450000")
    )
    assert (again.pk, again.requested_aid) == (registration.pk, Decimal("450000"))


def test_call_without_preselection_registers_interest_without_sketch(applicant):
    call = CallFactory(state=CallState.OPEN)
    registration = services.call_register(actor=applicant, call=call)
    assert (registration.acronym, registration.requested_aid) == ("", None)


# --- Pre-selection ------------------------------------------------------------------------------


def test_preselection_within_ceiling_and_the_rest_told_with_reason(
    staff_user, django_capture_on_commit_callbacks, mailoutbox
):
    call = preselection_call()  # available 1,000,000 → ceiling 3,000,000
    a = prereg(call, "ALPHA", "1500000")
    b = prereg(call, "BETA", "1500000")
    c = prereg(call, "GAMMA", "900000")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.preselection_record(
            actor=staff_user,
            call=call,
            preselected=[a.pk, b.pk],
            reasons={c.pk: "Outside the call's priority disease domains."},
        )
    states = dict(CallRegistration.objects.values_list("acronym", "state"))
    assert states == {
        "ALPHA": PreregistrationState.PRESELECTED,
        "BETA": PreregistrationState.PRESELECTED,
        "GAMMA": PreregistrationState.NOT_PRESELECTED,
    }
    c.refresh_from_db()
    assert (c.preselection_reason, c.preselected_by) == (
        "Outside the call's priority disease domains.",
        staff_user,
    )
    assert c.history.first().history_change_reason == (
        "not_preselected: Outside the call's priority disease domains."
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted([a.user.email, b.user.email, c.user.email])
    turned_down = next(m for m in mailoutbox if m.to == [c.user.email])
    assert "Outside the call's priority disease domains." in turned_down.body


def test_preselection_beyond_ceiling_refused_with_figures(staff_user, mailoutbox):
    call = preselection_call()
    a = prereg(call, "ALPHA", "2000000")
    b = prereg(call, "BETA", "1000000.01")
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.preselection_record(
            actor=staff_user, call=call, preselected=[a.pk, b.pk], common_reason="-"
        )
    assert str(refused.value) == (
        "Refused: the pre-selected pre-registrations request €\u00a03,000,000.01 together, "
        "more than 3× the available budget of €\u00a01,000,000.00 = €\u00a03,000,000.00 "
        "(€\u00a00.01 too much)."
    )
    assert set(CallRegistration.objects.values_list("state", flat=True)) == {
        PreregistrationState.REGISTERED
    }


def test_ceiling_counts_the_earlier_round_and_what_is_committed(staff_user):
    call = preselection_call()
    envelope = call.envelopes.get()
    services.envelope_commit(
        actor=staff_user, envelope=envelope, amount=Decimal("500000"), reason="earlier"
    )  # available 500,000 → ceiling 1,500,000
    a = prereg(call, "ALPHA", "1000000")
    services.preselection_record(actor=staff_user, call=call, preselected=[a.pk])
    b = prereg(call, "BETA", "500000.01")
    with pytest.raises(Refused):
        services.preselection_record(actor=staff_user, call=call, preselected=[b.pk])
    figures = services.preselection_figures(call)
    assert (figures.available, figures.ceiling, figures.preselected) == (
        Decimal("500000"),
        Decimal("1500000"),
        Decimal("1000000"),
    )


def test_turned_down_needs_a_reason_named(staff_user):
    call = preselection_call()
    a = prereg(call, "ALPHA", "100")
    prereg(call, "BETA", "100")
    prereg(call, "GAMMA", "100")
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.preselection_record(actor=staff_user, call=call, preselected=[a.pk])
    assert str(refused.value) == (
        "Give a reason for the pre-registrations that are not pre-selected: BETA, GAMMA."
    )


def test_preselection_refused_before_the_preregistration_deadline(staff_user):
    call = preselection_call(prereg_passed=False)
    a = prereg(call, "ALPHA", "100")
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.preselection_record(actor=staff_user, call=call, preselected=[a.pk])
    assert str(refused.value).startswith("Pre-registration is open until ")


def test_preselection_refused_in_a_call_without_the_stage(staff_user):
    call = CallFactory(state=CallState.OPEN)
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.preselection_record(actor=staff_user, call=call, preselected=[])
    assert str(refused.value) == (
        "This call has no pre-selection stage (no pre-registration deadline)."
    )


# --- Pages --------------------------------------------------------------------------------------


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def test_applicant_preregisters_through_the_page(client, applicant, english):
    call = preselection_call(prereg_passed=False)
    client.force_login(applicant)
    url = reverse("call_preregister", args=[call.pk])
    response = client.post(url, {"acronym": "", "project_title": "Genomes", "requested_aid": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"acronym": ["This field is required."]}
    assert 'value="Genomes"' in response.content.decode()
    response = client.post(
        url, {"acronym": "GENOMX", "project_title": "Genomes", "requested_aid": "400.000,50"}
    )
    assert response.status_code == 302
    registration = CallRegistration.objects.get(call=call, user=applicant)
    assert registration.requested_aid == Decimal("400000.50")
    page = client.get(reverse("call_detail", args=[call.pk])).content.decode()
    assert "Waiting for the pre-selection." in page


def test_preregister_page_404_for_a_call_without_the_stage(client, applicant):
    client.force_login(applicant)
    call = CallFactory(state=CallState.OPEN)
    assert client.get(reverse("call_preregister", args=[call.pk])).status_code == 404


def test_staff_preselect_on_the_page_refusal_keeps_the_ticks(client, staff_user, english):
    call = preselection_call()
    a = prereg(call, "ALPHA", "2000000")
    b = prereg(call, "BETA", "1500000")
    client.force_login(staff_user)
    url = reverse("preselection_page", args=[call.pk])
    data = {f"pick_{a.pk}": "on", f"pick_{b.pk}": "on", "common_reason": "Lower ranked."}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Refused: the pre-selected pre-registrations request €\u00a03,500,000.00 together, "
        "more than 3× the available budget of €\u00a01,000,000.00 = €\u00a03,000,000.00 "
        "(€\u00a0500,000.00 too much)."
    ]
    content = response.content.decode()
    assert f'name="pick_{b.pk}" id="id_pick_{b.pk}" checked' in content
    assert "Lower ranked.</textarea>" in content
    response = client.post(url, {f"pick_{a.pk}": "on", "common_reason": "Lower ranked."})
    assert response.status_code == 302
    b.refresh_from_db()
    assert (b.state, b.preselection_reason) == (
        PreregistrationState.NOT_PRESELECTED,
        "Lower ranked.",
    )


def test_preselection_page_query_count_constant(client, staff_user, query_count):
    call = preselection_call()
    client.force_login(staff_user)
    url = reverse("preselection_page", args=[call.pk])
    prereg(call, "A0", "100")
    decided = prereg(call, "D0", "100")
    CallRegistration.objects.filter(pk=decided.pk).update(
        state=PreregistrationState.NOT_PRESELECTED,
        preselected_by=staff_user,
        preselection_reason="x",
    )
    one = query_count(client.get, url)
    for n in range(1, 5):
        prereg(call, f"A{n}", "100", user=factories.ApplicantFactory())
        d = prereg(call, f"D{n}", "100")
        CallRegistration.objects.filter(pk=d.pk).update(
            state=PreregistrationState.PRESELECTED, preselected_by=staff_user
        )
    assert query_count(client.get, url) == one


# --- The full proposal ---------------------------------------------------------------------------


def test_only_a_preselected_consortium_starts_a_full_proposal(staff_user):
    call = preselection_call()
    chosen = prereg(call, "ALPHA", "100")
    other = prereg(call, "BETA", "100")
    services.preselection_record(
        actor=staff_user, call=call, preselected=[chosen.pk], common_reason="Outside scope."
    )
    colleague = factories.ApplicantFactory(organisation=chosen.user.organisation)
    application = project_services.application_start(
        actor=colleague, call=call, title="Alpha", acronym="ALPHA"
    )
    assert application.coordinator == chosen.user.organisation
    with translation.override("en"), pytest.raises(Refused) as refused:
        project_services.application_start(
            actor=other.user, call=call, title="Beta", acronym="BETA"
        )
    assert str(refused.value) == (
        "This call has a pre-selection stage: only pre-selected pre-registrations may submit "
        "a full proposal."
    )
