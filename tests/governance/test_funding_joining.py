"""A partner joining a funded project (change kind "partner joins", DOMAIN.md §6): the
aid rule on hand-worked figures, the request and decision services (commitment on the
envelope, refusal with the figures when it does not fit, refusal of an unverified or
existing partner), the contact's access, the audit rows and the pages in both languages.

Hand-worked figures: a small company (20 staff, €3m turnover) in experimental
development gets 25% + 20 points = 45% (under the call's 50% cap). Its costs: year 1
personnel €60,000 + operating €10,000, year 2 personnel €30,000 — €100,000 in all, so at
most €45,000.00 of aid, spread 70:30 over the years: €31,500.00 and €13,500.00.
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from governance.funding import domain, services
from governance.funding.enums import ChangeKind, ChangeState
from governance.funding.models import ChangeRequest
from programme.models import OrganisationMembership
from programme.states import Refused
from projects import domain as project_domain
from projects.enums import Activity, CostCategory, Part
from projects.models import BudgetEntry, Partner
from tests import factories
from tests.builders import running_project

D = Decimal
COSTS = {"1": {"personnel": "60000", "operating": "10000"}, "2": {"personnel": "30000"}}


def _facts(organisation, part=Part.COMPANY):
    return project_domain.PartnerFacts(
        name=organisation.name,
        kind=organisation.kind,
        part=part,
        sme_class=organisation.sme_class,
        is_flemish=organisation.is_flemish,
        in_difficulty=organisation.in_difficulty,
    )


def _lines(activity=Activity.EXPERIMENTAL_DEVELOPMENT):
    return [
        project_domain.CostLine(int(y), c, activity, D(a))
        for y, cats in COSTS.items()
        for c, a in cats.items()
    ]


# --- Rule -------------------------------------------------------------------------------------


def test_joining_aid_is_cost_times_intensity_spread_over_the_years(db):
    params = factories.CallParametersFactory()
    small = factories.SmallCompanyFactory()
    result, reason = domain.joining_aid(
        params=params, partner=_facts(small), lines=_lines(), asked=None, years=2
    )
    assert reason == ""
    assert (result.total_cost, result.aid) == (D("100000"), D("45000.00"))
    assert result.by_year == {1: D("31500.00"), 2: D("13500.00")}
    # Asking less: the cent left over by the 70:30 split goes to the larger remainder.
    result, _reason = domain.joining_aid(
        params=params, partner=_facts(small), lines=_lines(), asked=D("40000.01"), years=2
    )
    assert result.by_year == {1: D("28000.01"), 2: D("12000.00")}


def test_joining_aid_refuses_more_than_the_costs_allow_and_years_outside(db):
    params = factories.CallParametersFactory()
    small = factories.SmallCompanyFactory(name="Small Co")
    result, reason = domain.joining_aid(
        params=params, partner=_facts(small), lines=_lines(), asked=D("50000"), years=2
    )
    assert result is None
    assert reason.startswith(
        "Small Co asks €\xa050,000.00 of aid, but its costs allow at most €\xa045,000.00: "
    )
    result, reason = domain.joining_aid(
        params=params, partner=_facts(small), lines=_lines(), asked=None, years=1
    )
    assert (result, reason) == (None, "The project has 1 years; enter the costs in those years.")


# --- Services ---------------------------------------------------------------------------------


def _coordinator(project):
    return project.application.partners.get(is_coordinator=True).contact


def _request(project, organisation, **joining):
    data = {
        "contact_email": "Jan.Peeters@small.example",
        "contact_name": "Jan Peeters",
        "activity": Activity.EXPERIMENTAL_DEVELOPMENT,
        "costs": COSTS,
        "aid_asked": "",
    }
    data.update(joining)
    return services.change_request(
        actor=_coordinator(project),
        project=project,
        kind=ChangeKind.PARTNER_JOINS,
        description="Small Co brings the assay platform.",
        join_organisation=organisation,
        joining=data,
    )


def test_approved_join_adds_the_partner_amends_the_agreement_and_commits_the_aid(db):
    project = running_project(aid="300000", envelope="1000000", months=24)
    small = factories.SmallCompanyFactory(name="Small Co")
    change = _request(project, small)
    assert change.joining["costs"] == {
        "1": {"personnel": "60000.00", "operating": "10000.00"},
        "2": {"personnel": "30000.00"},
    }
    staff = factories.StaffFactory()
    services.change_decide(actor=staff, change=change, approve=True, reason="A good addition.")
    project.refresh_from_db()
    change.refresh_from_db()
    partner = change.joined_partner
    assert (partner.organisation, partner.part, partner.is_coordinator) == (small, "company", False)
    assert partner.application_id == project.application_id
    assert sorted(partner.budget_entries.values_list("year", "category", "amount")) == [
        (1, CostCategory.OPERATING, D("10000.00")),
        (1, CostCategory.PERSONNEL, D("60000.00")),
        (2, CostCategory.PERSONNEL, D("30000.00")),
    ]
    amended = services.agreement_in_force(project)
    assert amended.version == 2 and amended.aid_total == D("345000.00")
    assert "Small Co brings the assay platform." in amended.change_summary
    assert "A good addition." in amended.change_summary
    parts = services.aid_parts(amended)
    assert {y: a for (p, y), a in parts.items() if p == partner.pk} == {
        1: D("31500.00"),
        2: D("13500.00"),
    }
    assert (project.committed, project.envelope.available) == (D("345000.00"), D("655000.00"))
    # The contact: an applicant account without organisation, with access to the project.
    contact = partner.contact
    assert contact.email == "jan.peeters@small.example" and contact.organisation is None
    assert not OrganisationMembership.objects.filter(user=contact).exists()
    assert contact.has_perm("governance.view_funded_project", project)
    assert not contact.has_perm("governance.request_change", project)


def test_join_that_does_not_fit_the_envelope_is_refused_with_the_figures(db):
    project = running_project(aid="300000", envelope="320000")
    change = _request(project, factories.SmallCompanyFactory())
    with pytest.raises(Refused) as refused:
        services.change_decide(
            actor=factories.StaffFactory(), change=change, approve=True, reason="ok"
        )
    assert str(refused.value) == (
        "The change adds €\xa045,000.00 of aid, but the envelope has only €\xa020,000.00 available."
    )
    change.refresh_from_db()
    project.refresh_from_db()
    assert change.state == ChangeState.PENDING and change.joined_partner is None
    assert project.committed == D("300000.00")
    assert not Partner.objects.filter(
        application=project.application, organisation=change.join_organisation
    ).exists()
    assert services.agreement_in_force(project).version == 1


def test_unverified_or_existing_partner_cannot_join(db):
    project = running_project()
    unverified = factories.SmallCompanyFactory(name="New Co", verified=False)
    with pytest.raises(Refused) as refused:
        _request(project, unverified)
    assert refused.value.message_dict == {
        "join_organisation": [
            "New Co is not verified by VLAIO yet; only a verified organisation can join a "
            "funded project."
        ]
    }
    existing = project.application.partners.exclude(is_coordinator=True).first().organisation
    with pytest.raises(Refused) as refused:
        _request(project, existing)
    assert refused.value.message_dict == {
        "join_organisation": [f"{existing.name} is already a partner."]
    }
    assert not ChangeRequest.objects.filter(project=project).exists()


def test_organisation_unverified_after_the_request_is_refused_at_approval(db):
    project = running_project()
    small = factories.SmallCompanyFactory(name="Small Co")
    change = _request(project, small)
    small.verified = False
    small.save()
    with pytest.raises(Refused, match="Small Co is not verified by VLAIO yet"):
        services.change_decide(
            actor=factories.StaffFactory(), change=change, approve=True, reason="ok"
        )
    # Refusing the request stays possible, and adds nobody.
    services.change_decide(
        actor=factories.StaffFactory(), change=change, approve=False, reason="Not verified."
    )
    change.refresh_from_db()
    assert change.state == ChangeState.REFUSED and change.joined_partner is None


def test_request_refuses_too_much_aid_and_a_company_without_activity(db):
    project = running_project()
    small = factories.SmallCompanyFactory(name="Small Co")
    with pytest.raises(Refused) as refused:
        _request(project, small, aid_asked="45000.01")
    assert "at most €\xa045,000.00" in refused.value.message_dict["join_aid"][0]
    with pytest.raises(Refused) as refused:
        _request(project, small, activity="")
    assert list(refused.value.message_dict) == ["join_activity"]
    # A research organisation sits in the research part: 100% of its cost.
    change = _request(project, factories.ResearchOrganisationFactory(), activity="")
    assert (change.joining["part"], change.joining["activity"]) == ("research", "research")


def test_join_is_audited_with_actor_and_reason(db):
    project = running_project()
    change = _request(project, factories.SmallCompanyFactory())
    assert change.history.first().history_change_reason == "change requested: partner_joins"
    staff = factories.StaffFactory()
    services.change_decide(actor=staff, change=change, approve=True, reason="ok")
    change.refresh_from_db()
    partner = change.joined_partner
    reasons = [(h.history_change_reason, h.history_user) for h in partner.history.order_by("pk")]
    assert reasons == [
        ("partner joined: change approved", staff),
        ("partner joined: contact", staff),
    ]
    entry = BudgetEntry.objects.filter(partner=partner).first()
    assert entry.history.first().history_change_reason == "partner joined: budget"
    assert change.history.first().history_change_reason == "change approved"
    assert change.history.first().history_user == staff


# --- Pages ------------------------------------------------------------------------------------


def _form_data(organisation, **extra):
    data = {
        "kind": ChangeKind.PARTNER_JOINS,
        "description": "Small Co brings the assay platform.",
        "join_organisation": organisation.pk,
        "join_contact_email": "jan.peeters@small.example",
        "join_contact_name": "Jan Peeters",
        "join_activity": Activity.EXPERIMENTAL_DEVELOPMENT,
        "cost_1_personnel": "60000",
        "cost_1_operating": "10000",
        "cost_2_personnel": "30000",
        "join_aid": "50000",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "asks €\xa050,000.00 of aid, but its costs allow at most €\xa045,000.00"),
        (
            "nl",
            "vraagt €\xa050.000,00 steun, maar zijn kosten laten ten hoogste €\xa045.000,00 toe",
        ),
    ],
)
def test_request_page_keeps_what_was_typed_on_a_refusal(db, client, language, message):
    project = running_project()
    small = factories.SmallCompanyFactory(name="Small Co")
    client.force_login(_coordinator(project))
    url = reverse("change_request", args=[project.pk])
    response = client.post(url, _form_data(small), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    form = response.context["form"]
    assert message in form.errors["join_aid"][0].replace("\u202f", "\xa0")
    html = response.content.decode()
    assert 'value="jan.peeters@small.example"' in html
    assert 'value="Jan Peeters"' in html
    assert 'name="cost_1_personnel"' in html and "60000" in html
    assert f'<option value="{small.pk}" selected>' in html
    assert not ChangeRequest.objects.filter(project=project).exists()
    response = client.post(url, _form_data(small, join_aid=""), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302
    assert ChangeRequest.objects.get(project=project).joining["aid_asked"] == ""


def test_request_page_offers_verified_organisations_that_are_not_partners(db, client):
    project = running_project()
    small = factories.SmallCompanyFactory(name="Small Co")
    unverified = factories.SmallCompanyFactory(name="Unverified Co", verified=False)
    client.force_login(_coordinator(project))
    response = client.get(reverse("change_request", args=[project.pk]))
    queryset = response.context["form"].fields["join_organisation"].queryset
    assert small in queryset and unverified not in queryset
    assert not queryset.filter(partnerships__application=project.application).exists()
    html = response.content.decode()
    assert "Costs of project year 2" in html and "Costs of project year 3" not in html


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "The joining partner"), ("nl", "De toetredende partner")]
)
def test_decision_page_shows_the_joining_partner_and_approves(
    db, client, language, heading, django_capture_on_commit_callbacks
):
    project = running_project()
    small = factories.SmallCompanyFactory(name="Small Co")
    change = _request(project, small)
    client.force_login(factories.StaffFactory())
    url = reverse("change_decide", args=[change.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html and "Small Co" in html and "jan.peeters@small.example" in html
    assert response.context["outcome"]["joining"]["aid"] == D("45000.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"decision": "approve", "reason": "Welcome."}, HTTP_ACCEPT_LANGUAGE=language
        )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == ChangeState.APPROVED
    # The new contact (no password yet) gets the invitation's choose-a-password link.
    (message,) = [m for m in mail.outbox if m.to == ["jan.peeters@small.example"]]
    assert "Small Co" in message.subject and project.application.acronym in message.subject
    assert "http://testserver/accounts/password/reset/key/" in message.body
    client.force_login(change.joined_partner.contact)
    assert client.get(reverse("funded_project", args=[project.pk])).status_code == 200


def test_joining_texts_are_translated_to_dutch():
    with translation.override("nl"):
        assert str(ChangeKind.PARTNER_JOINS.label) == "Partner treedt toe"
