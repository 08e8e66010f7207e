"""Who may do what in the programme app, declared once as `rules` predicates.

Views ask `user.has_perm(<name>, obj)`; templates ask `{% has_perm %}`. Predicates for
roles are shared by the other apps (import `has_role` and the named predicates below).
"""

import rules

from .enums import MembershipState, Role
from .models import OrganisationMembership


def has_role(*roles: str):
    """True when the user holds at least one of `roles`."""

    @rules.predicate(f"has_role:{','.join(roles)}")
    def predicate(user) -> bool:
        return bool(user.is_authenticated and user.has_role(*roles))

    return predicate


is_applicant = has_role(Role.APPLICANT)
is_staff = has_role(Role.STAFF, Role.ADMIN)  # VLAIO staff; administrators can do all they can
is_programme_manager = has_role(Role.PROGRAMME_MANAGER)
is_steering = has_role(Role.STEERING)
is_council = has_role(Role.COUNCIL)
is_expert = has_role(Role.EXPERT)
is_admin = has_role(Role.ADMIN)


@rules.predicate
def is_member_of_organisation(user, organisation) -> bool:
    return (
        organisation is not None
        and user.is_authenticated
        and user.organisation_id is not None
        and user.organisation_id == organisation.pk
    )


@rules.predicate
def is_organisation_manager(user, organisation) -> bool:
    """An approved member with the right to manage the organisation (one query; the
    pages that ask it ask once)."""
    if organisation is None or not user.is_authenticated:
        return False
    return OrganisationMembership.objects.filter(
        organisation=organisation, user=user, state=MembershipState.APPROVED, is_manager=True
    ).exists()


@rules.predicate
def has_no_organisation(user) -> bool:
    return user.is_authenticated and user.organisation_id is None


rules.add_perm("programme.view_programme", rules.is_authenticated)
rules.add_perm("programme.view_history", is_staff)
rules.add_perm("programme.record_milestone", is_programme_manager | is_staff)
rules.add_perm("programme.view_milestone_evidence", is_programme_manager | is_staff | is_steering)
rules.add_perm("programme.list_organisations", is_staff | is_programme_manager)
rules.add_perm(
    "programme.view_organisation", is_staff | is_programme_manager | is_member_of_organisation
)
rules.add_perm("programme.add_organisation", is_staff | is_applicant)
# An organisation's figures decide aid: only its approved managers and staff change
# them (a plain member reads them); the join requests are decided by the same people.
rules.add_perm(
    "programme.change_organisation",
    is_staff | (is_applicant & is_member_of_organisation & is_organisation_manager),
)
rules.add_perm("programme.manage_members", is_staff | is_organisation_manager)
rules.add_perm("programme.request_membership", is_applicant & has_no_organisation)
rules.add_perm("programme.verify_organisation", is_staff)
rules.add_perm("programme.add_organisationlink", is_staff)

# KPI and evaluation reports: the programme manager reports on the KPIs, staff and the
# steering group follow them; applicants, the council and experts have no access.
rules.add_perm("programme.view_reports", is_programme_manager | is_staff | is_steering)
rules.add_perm("programme.request_report", is_programme_manager | is_staff | is_steering)
