"""Organisation membership (issue 11): asking to join, approval by a manager or staff,
nothing visible while pending; figures changed only by managers and staff, audited, and
a change of aid-deciding figures after verification awaits re-verification."""

import pytest
from django.core import mail
from django.urls import reverse

from programme import services
from programme.enums import MembershipState, SmeClass
from programme.models import Organisation, OrganisationMembership
from programme.states import Refused
from tests import factories

pytestmark = pytest.mark.django_db


def _org_form(organisation: Organisation, **overrides) -> dict:
    data = {
        "name": organisation.name,
        "enterprise_number": organisation.enterprise_number,
        "kind": organisation.kind,
        "is_flemish": "on" if organisation.is_flemish else "",
        "reference_year": organisation.reference_year,
        "headcount": organisation.headcount,
        "turnover": str(organisation.turnover),
        "balance_sheet_total": str(organisation.balance_sheet_total),
        "public_body_share": str(organisation.public_body_share),
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_join_request_is_pending_and_shows_nothing_until_a_manager_approves(
    client, django_capture_on_commit_callbacks
):
    manager = factories.ApplicantFactory()
    organisation = manager.organisation
    newcomer = factories.UserFactory(roles=["applicant"])
    client.force_login(newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisation_join"),
            {"enterprise_number": organisation.enterprise_number_display},
        )
    assert response.status_code == 302
    membership = OrganisationMembership.objects.get(user=newcomer)
    assert membership.state == MembershipState.PENDING
    assert [m.to for m in mail.outbox] == [[manager.email]]
    # Pending: the organisation, its members and its applications stay hidden.
    assert client.get(reverse("organisation_detail", args=[organisation.pk])).status_code == 404
    assert client.get(reverse("organisation_members", args=[organisation.pk])).status_code == 404
    application = factories.ApplicationFactory(created_by=manager)
    assert client.get(reverse("application_detail", args=[application.pk])).status_code == 404
    # The pending member cannot approve themselves.
    response = client.post(
        reverse("membership_decide", args=[organisation.pk, membership.pk]), {"approve": "1"}
    )
    assert response.status_code == 404
    # The manager approves.
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("membership_decide", args=[organisation.pk, membership.pk]), {"approve": "1"}
        )
    membership.refresh_from_db()
    newcomer.refresh_from_db()
    assert (membership.state, membership.decided_by, membership.is_manager) == (
        MembershipState.APPROVED,
        manager,
        False,
    )
    assert newcomer.organisation == organisation
    assert mail.outbox[-1].to == [newcomer.email]
    client.force_login(newcomer)
    assert client.get(reverse("organisation_detail", args=[organisation.pk])).status_code == 200
    # A plain member reads the figures but does not change them.
    assert client.get(reverse("organisation_edit", args=[organisation.pk])).status_code == 403


def test_join_answers_the_same_for_an_unregistered_number(client):
    newcomer = factories.UserFactory(roles=["applicant"])
    client.force_login(newcomer)
    response = client.post(reverse("organisation_join"), {"enterprise_number": "BE0403.170.701"})
    assert response.status_code == 302
    assert not OrganisationMembership.objects.exists()


def test_staff_decide_where_an_organisation_has_no_manager(django_capture_on_commit_callbacks):
    staff = factories.StaffFactory()
    organisation = factories.OrganisationFactory()
    newcomer = factories.UserFactory(roles=["applicant"])
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.membership_request(actor=newcomer, organisation=organisation)
    assert [m.to for m in mail.outbox] == [[staff.email]]
    other_applicant = factories.ApplicantFactory()
    with pytest.raises(Refused):
        services.membership_decide(actor=other_applicant, membership=membership, approve=True)
    services.membership_decide(actor=staff, membership=membership, approve=True, manager=True)
    membership.refresh_from_db()
    assert (membership.state, membership.is_manager) == (MembershipState.APPROVED, True)
    # Decided once: a second decision is refused.
    with pytest.raises(Refused):
        services.membership_decide(actor=staff, membership=membership, approve=False)


def test_refused_request_makes_no_member():
    manager = factories.ApplicantFactory()
    newcomer = factories.UserFactory(roles=["applicant"])
    membership = services.membership_request(actor=newcomer, organisation=manager.organisation)
    services.membership_decide(actor=manager, membership=membership, approve=False)
    newcomer.refresh_from_db()
    assert (newcomer.organisation, membership.history.first().history_user) == (None, manager)


def test_a_member_of_one_organisation_cannot_ask_to_join_another():
    member = factories.ApplicantFactory()
    with pytest.raises(Refused):
        services.membership_request(actor=member, organisation=factories.OrganisationFactory())


def test_manager_change_of_aid_deciding_figures_awaits_reverification(
    client, django_capture_on_commit_callbacks
):
    staff = factories.StaffFactory()
    manager = factories.ApplicantFactory()
    organisation = manager.organisation
    assert organisation.verified is True
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisation_edit", args=[organisation.pk]),
            _org_form(organisation, headcount="300", in_difficulty="on"),
        )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (
        organisation.verified,
        organisation.reverification_pending,
        organisation.sme_class,
        organisation.in_difficulty,
    ) == (False, True, SmeClass.LARGE, True)
    assert organisation.history.first().history_user == manager
    assert [m.to for m in mail.outbox] == [[staff.email]]
    # The applications of the organisation show it.
    application = factories.ApplicationFactory(created_by=manager)
    page = client.get(reverse("application_detail", args=[application.pk]))
    assert "awaiting VLAIO" in page.content.decode() or "wacht op VLAIO" in page.content.decode()
    # Staff verify again.
    services.organisation_save(
        actor=staff,
        organisation=organisation,
        enterprise_number=organisation.enterprise_number,
        verified=True,
    )
    organisation.refresh_from_db()
    assert (organisation.verified, organisation.reverification_pending) == (True, False)


def test_manager_change_of_the_website_needs_no_reverification(client):
    manager = factories.ApplicantFactory()
    organisation = manager.organisation
    client.force_login(manager)
    client.post(
        reverse("organisation_edit", args=[organisation.pk]),
        _org_form(organisation, website="https://example.org"),
    )
    organisation.refresh_from_db()
    assert (organisation.website, organisation.verified) == ("https://example.org", True)


def test_members_page_query_count_is_constant(client, query_count):
    manager = factories.ApplicantFactory()
    organisation = manager.organisation
    client.force_login(manager)
    url = reverse("organisation_members", args=[organisation.pk])
    factories.OrganisationMembershipFactory(organisation=organisation)
    one = query_count(client.get, url)
    factories.OrganisationMembershipFactory.create_batch(3, organisation=organisation)
    assert query_count(client.get, url) == one
