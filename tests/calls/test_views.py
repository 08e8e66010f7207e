"""Pages of the calls app through the test client: public pages without login, no draft
leaks, staff running a call and its envelopes, refusals shown on the bound form, and
the N+1 guards of the call lists."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from calls.enums import CallState, LedgerEntryKind
from calls.models import Call, CallParameters, CallRegistration, Envelope, ParameterAmendment
from tests import factories
from tests.factories import CallFactory, EnvelopeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English (the site defaults to Dutch), so messages can be compared."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def open_call(**kwargs) -> Call:
    call = CallFactory(state=CallState.OPEN, **kwargs)
    EnvelopeFactory(call=call)
    return call


def test_public_call_list_without_login_hides_drafts(client):
    shown = open_call(title_en="Open call", title_nl="Open oproep")
    CallFactory(state=CallState.DRAFT, title_en="Secret draft", title_nl="Geheim ontwerp")
    response = client.get(reverse("call_list"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["open_calls"]] == [shown.pk]
    assert "Geheim ontwerp" not in response.content.decode()


def test_public_call_detail_shows_deadline_in_brussels_and_countdown(client):
    call = open_call()
    with time_machine.travel(
        call.deadline - timedelta(days=2, hours=3, minutes=4, seconds=30), tick=False
    ):
        response = client.get(reverse("call_detail", args=[call.pk]))
    assert response.status_code == 200
    assert response.context["countdown"] == "2 days, 3 hours and 4 minutes left"
    body = response.content.decode()
    assert response.context["countdown"] in body
    assert ("CET" in body) or ("CEST" in body)
    assert 'class="js-countdown' in body


def test_public_call_detail_draft_is_404_for_anonymous_and_applicant(client):
    draft = CallFactory(state=CallState.DRAFT)
    assert client.get(reverse("call_detail", args=[draft.pk])).status_code == 404
    client.force_login(factories.ApplicantFactory())
    assert client.get(reverse("call_detail", args=[draft.pk])).status_code == 404


def test_ics_feed_lists_published_deadlines_only(client):
    shown = open_call(title_en="Visible", title_nl="Zichtbaar")
    CallFactory(state=CallState.DRAFT, title_en="Hidden", title_nl="Verborgen")
    response = client.get(reverse("call_ics"))
    body = response.content.decode().replace("\r\n ", "")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f"UID:call-{shown.pk}-deadline@icon-calls" in body
    assert "Verborgen" not in body and "Hidden" not in body


def test_applicant_registers_for_open_call(client, applicant):
    call = open_call()
    client.force_login(applicant)
    response = client.post(reverse("call_register", args=[call.pk]))
    assert response.status_code == 302
    assert CallRegistration.objects.filter(call=call, user=applicant).count() == 1
    page = client.get(reverse("call_detail", args=[call.pk]))
    assert page.context["registered"] is True


def test_register_after_deadline_refused_even_if_call_still_open(client, applicant):
    call = open_call(deadline=timezone.now() + timedelta(minutes=5))
    client.force_login(applicant)
    with time_machine.travel(call.deadline + timedelta(seconds=1)):
        client.post(reverse("call_register", args=[call.pk]))
    assert CallRegistration.objects.filter(call=call).count() == 0


def test_public_call_list_query_count_constant(client, query_count):
    open_call()
    CallFactory(state=CallState.CLOSED)
    one = query_count(client.get, reverse("call_list"))
    for _ in range(19):
        open_call()
        CallFactory(state=CallState.CLOSED)
    assert query_count(client.get, reverse("call_list")) == one


def test_manage_call_list_query_count_constant(client, staff_user, query_count):
    client.force_login(staff_user)
    open_call()
    one = query_count(client.get, reverse("call_manage_list"))
    for _ in range(19):
        open_call()
    twenty = query_count(client.get, reverse("call_manage_list"))
    assert twenty == one


def test_budget_year_query_count_constant(client, staff_user, query_count):
    client.force_login(staff_user)
    envelope = EnvelopeFactory(initial_amount=Decimal("100"))
    url = reverse("budget_year", args=[envelope.call.programme_year_id])
    one = query_count(client.get, url)
    for _ in range(5):
        EnvelopeFactory(call=envelope.call, initial_amount=Decimal("100"))
    assert query_count(client.get, url) == one


# --- Staff runs a call ------------------------------------------------------------------------


def test_staff_creates_opens_and_closes_a_call(client, staff_user):
    year = factories.BudgetLineFactory(amount=Decimal("4500000")).programme_year
    client.force_login(staff_user)
    opens = timezone.localtime() + timedelta(hours=1)
    deadline = opens + timedelta(days=60)
    response = client.post(
        reverse("call_create"),
        {
            "programme_year": year.pk,
            "title_nl": "Oproep 2019",
            "title_en": "Call 2019",
            "instrument": "icon",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    call = Call.objects.get(title_en="Call 2019")
    assert response["Location"] == reverse("call_manage", args=[call.pk])
    assert call.deadline == deadline.replace(second=0, microsecond=0)

    refused = client.post(reverse("call_transition", args=[call.pk, "open"]), follow=True)
    assert (
        "The call needs a budget envelope with money before it opens." in refused.content.decode()
    )

    client.post(
        reverse("envelope_create", args=[call.pk]),
        {"name_nl": "Data", "name_en": "Data", "amount": "4500000"},
    )
    assert client.post(reverse("call_transition", args=[call.pk, "open"])).status_code == 302
    call.refresh_from_db()
    assert call.state == CallState.OPEN

    client.post(reverse("call_transition", args=[call.pk, "closed"]))
    call.refresh_from_db()
    assert call.state == CallState.OPEN  # before the deadline, closing needs a reason
    client.post(reverse("call_transition", args=[call.pk, "closed"]), {"reason": "withdrawn"})
    call.refresh_from_db()
    assert call.state == CallState.CLOSED


def test_call_form_rejects_deadline_before_opening_and_keeps_input(client, staff_user):
    year = factories.BudgetLineFactory().programme_year
    client.force_login(staff_user)
    response = client.post(
        reverse("call_create"),
        {
            "programme_year": year.pk,
            "title_nl": "Mijn titel",
            "title_en": "My title",
            "instrument": "icon",
            "opens_at": "2030-05-01T09:00",
            "deadline": "2030-04-01T17:00",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == [
        "The deadline must come after the opening."
    ]
    assert 'value="Mijn titel"' in response.content.decode()


def test_parameter_edit_after_opening_refused_on_the_form(client, staff_user):
    call = open_call()
    client.force_login(staff_user)
    form = client.get(reverse("call_parameters_edit", args=[call.pk])).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data = {k: v for k, v in data.items() if not isinstance(v, list)}
    data.update(
        {f"tie_break_{i + 1}": step for i, step in enumerate(call.parameters.tie_break_order)}
    )
    data["min_companies"] = 5
    data["collaboration_bonus_enabled"] = ""
    data["non_flemish_companies_allowed"] = "on"
    response = client.post(reverse("call_parameters_edit", args=[call.pk]), data)
    assert response.status_code == 200
    assert (
        response.context["form"]
        .non_field_errors()[0]
        .startswith("The parameters of this call froze when it opened (")
    )
    assert CallParameters.objects.get(call=call).min_companies == 3

    admin = factories.AdminFactory()
    client.force_login(admin)
    data["justification"] = "Steering group decision SG-2019-03"
    response = client.post(reverse("call_parameters_edit", args=[call.pk]), data)
    assert response.status_code == 302
    assert CallParameters.objects.get(call=call).min_companies == 5
    assert ParameterAmendment.objects.get(call=call).justification == (
        "Steering group decision SG-2019-03"
    )


def test_envelope_over_year_budget_refused_on_the_form(client, staff_user):
    call = CallFactory()
    client.force_login(staff_user)
    response = client.post(
        reverse("envelope_create", args=[call.pk]),
        {"name_nl": "Alles", "name_en": "All", "amount": "4500000.01"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Refused: the envelopes of 2019 would total €\u00a04,500,000.01, more than the project "
        "budget of €\u00a04,500,000.00 (€\u00a04,500,000.00 still free)."
    ]
    assert Envelope.objects.filter(call=call).count() == 0


def test_envelope_movements_through_the_page(client, staff_user):
    envelope = EnvelopeFactory(initial_amount=Decimal("1000"))
    other = EnvelopeFactory(call=envelope.call, initial_amount=Decimal("500"))
    client.force_login(staff_user)
    url = reverse("envelope_detail", args=[envelope.pk])
    client.post(url, {"kind": "commit", "amount": "600", "reason": "decision", "reference": "A-1"})
    refused = client.post(url, {"kind": "commit", "amount": "500", "reason": "too much"})
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()[0].startswith("Refused: committing")
    no_decision = client.post(
        url, {"kind": "transfer", "amount": "100", "reason": "x", "target": other.pk}
    )
    assert no_decision.context["form"].errors["decision_reference"] == [
        "A transfer needs the steering group's decision reference."
    ]
    client.post(
        url,
        {
            "kind": "transfer",
            "amount": "100",
            "reason": "rebalance",
            "target": other.pk,
            "decision_reference": "SG-7",
        },
    )
    envelope.refresh_from_db()
    other.refresh_from_db()
    assert (envelope.amount, envelope.committed, other.amount) == (
        Decimal("900"),
        Decimal("600"),
        Decimal("600"),
    )
    assert list(envelope.ledger.values_list("kind", flat=True)) == [
        LedgerEntryKind.COMMIT,
        LedgerEntryKind.TRANSFER_OUT,
    ]


def test_programme_manager_sees_envelope_but_cannot_move_money(client):
    envelope = EnvelopeFactory(initial_amount=Decimal("1000"))
    client.force_login(factories.ProgrammeManagerFactory())
    url = reverse("envelope_detail", args=[envelope.pk])
    assert client.get(url).context["form"] is None
    assert client.post(url, {"kind": "commit", "amount": "1", "reason": "x"}).status_code == 403
    envelope.refresh_from_db()
    assert envelope.committed == Decimal("0")


def test_budget_year_page_figures(client, staff_user):
    envelope = EnvelopeFactory(initial_amount=Decimal("3000000"))
    envelope.committed = Decimal("1000000")
    envelope.save()
    client.force_login(staff_user)
    response = client.get(reverse("budget_year", args=[envelope.call.programme_year_id]))
    overview = response.context["overview"]
    assert (
        overview["budget_line"],
        overview["envelopes"],
        overview["committed"],
        overview["available"],
    ) == (
        Decimal("4500000"),
        Decimal("3000000"),
        Decimal("1000000"),
        Decimal("2000000"),
    )


def test_home_panels_for_staff_and_applicant(client, staff_user, applicant):
    call = open_call(title_nl="Zichtbare oproep", title_en="Zichtbare oproep")
    client.force_login(applicant)
    assert "Zichtbare oproep" in client.get(reverse("home")).content.decode()
    client.force_login(staff_user)
    body = client.get(reverse("home")).content.decode()
    assert reverse("call_manage", args=[call.pk]) in body
