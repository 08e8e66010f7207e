"""Who may do what with applications.

The partner contacts of an application and staff see it; anyone else is told it does
not exist (views turn a missing view permission into 404). Only the coordinator's
contact changes the project data and the consortium and submits; each partner's
contact fills in its own budget (the coordinator may fill in all of them). Reviewers
assigned to an application who declared no conflict see it read-only: that permission
is declared in governance.review.rules.
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


rules.add_perm("projects.start_application", is_applicant)
rules.add_perm("projects.list_own_applications", is_applicant)
# "projects.view_application" (consortium, staff and cleared reviewers) is declared in
# governance.review.rules, the side that knows the reviewers' assignments and conflicts.
rules.add_perm("projects.change_application", is_coordinator_contact)
rules.add_perm("projects.submit_application", is_coordinator_contact)
rules.add_perm("projects.withdraw_application", is_coordinator_contact)
rules.add_perm("projects.change_budget", may_edit_partner_budget)
rules.add_perm("projects.list_submitted", is_staff)
rules.add_perm("projects.check_admissibility", is_staff)
