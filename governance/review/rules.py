"""Who may do what on the review side, declared once as `rules` predicates.

Council members and external experts review what they are assigned (their own
assignments only, fetched with a 404 for anyone else); staff assign, moderate the
consensus and follow the progress.

The permission to see an application is declared here, not in projects.rules, because
it includes the cleared reviewers and only this side knows assignments and conflicts
(projects sits below governance and does not import it): the consortium's contacts
and staff see it; a reviewer with an active assignment who declared no conflict and
has no detected conflict sees it read-only; anyone else, a conflicted reviewer
included, is told it does not exist (404).
"""

import rules

from programme.rules import is_council, is_expert, is_staff
from projects.rules import is_partner_contact

from .selectors import REVIEWER_ROLES, reviewer_may_see

is_reviewer = is_council | is_expert


@rules.predicate
def is_cleared_reviewer(user, application) -> bool:
    if application is None or not user.is_authenticated:
        return False
    return user.has_role(*REVIEWER_ROLES) and reviewer_may_see(user, application)


rules.add_perm("governance.review", is_reviewer)
rules.add_perm("governance.manage_reviews", is_staff)
# The discussion of a proposal: its reviewers and the moderator (staff); which proposal
# and when is decided per object by selectors.discussion_access.
rules.add_perm("governance.discuss_proposal", is_reviewer | is_staff)
rules.add_perm("projects.view_application", is_staff | is_partner_contact | is_cleared_reviewer)
