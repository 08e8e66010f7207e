"""Who may do what with applications.

The partner contacts of an application and staff see it; anyone else is told it does
not exist (views turn a missing view permission into 404). Only the coordinator's
contact changes the project data and the consortium and submits; each partner's
contact fills in its own budget (the coordinator may fill in all of them). Reviewers
assigned to an application who declared no conflict see it read-only (governance).
"""

import rules

from programme.rules import is_applicant, is_staff


def _contact_roles(user, application) -> dict[int, bool]:
    """partner id -> is coordinator, for the partners whose contact `user` is.
    Cached on the application object for the request."""
    cache = application.__dict__.setdefault("_contact_cache", {})
    if user.pk not in cache:
        cache[user.pk] = dict(
            application.partners.filter(contact=user).values_list("pk", "is_coordinator")
        )
    return cache[user.pk]


@rules.predicate
def is_partner_contact(user, application) -> bool:
    if application is None or not user.is_authenticated:
        return False
    return bool(_contact_roles(user, application))


@rules.predicate
def is_coordinator_contact(user, application) -> bool:
    if application is None or not user.is_authenticated:
        return False
    return any(_contact_roles(user, application).values())


@rules.predicate
def may_edit_partner_budget(user, partner) -> bool:
    if partner is None or not user.is_authenticated:
        return False
    roles = _contact_roles(user, partner.application)
    return partner.pk in roles or any(roles.values())


@rules.predicate
def is_cleared_reviewer(user, application) -> bool:
    """A reviewer with an active assignment who declared no conflict and has no detected
    conflict sees the application read-only (governance.selectors.reviewer_may_see);
    a conflicted reviewer is told it does not exist (404), like anyone else."""
    if application is None or not user.is_authenticated:
        return False
    from governance.selectors import REVIEWER_ROLES, reviewer_may_see

    return user.has_role(*REVIEWER_ROLES) and reviewer_may_see(user, application)


rules.add_perm("projects.start_application", is_applicant)
rules.add_perm("projects.list_own_applications", is_applicant)
rules.add_perm(
    "projects.view_application", is_staff | is_partner_contact | is_cleared_reviewer
)
rules.add_perm("projects.change_application", is_coordinator_contact)
rules.add_perm("projects.submit_application", is_coordinator_contact)
rules.add_perm("projects.withdraw_application", is_coordinator_contact)
rules.add_perm("projects.change_budget", may_edit_partner_budget)
rules.add_perm("projects.list_submitted", is_staff)
rules.add_perm("projects.check_admissibility", is_staff)
