"""Who may do what on the decision side (loaded by GovernanceConfig.ready()).

The ranking and the advice/decision pages are for the people around the table (staff,
steering group, council, programme manager); staff record advice and decisions (they
take the minutes); the coordinator's contact declines granted aid; letters are for the
consortium's contacts, staff and the members of the steering group that decided
the call.
"""

import rules

from governance.bodies.models import Membership
from programme.rules import is_council, is_programme_manager, is_staff, is_steering
from projects.rules import is_coordinator_contact, is_partner_contact


@rules.predicate
def is_decider_of_call(user, application) -> bool:
    """A member (any seat, any term) of the steering group that took a funding decision
    in the application's call."""
    if application is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, body__meetings__decisions__application__call_id=application.call_id
    ).exists()


can_see_ranking = is_staff | is_steering | is_council | is_programme_manager

rules.add_perm("governance.view_ranking", can_see_ranking)
rules.add_perm("governance.record_advice", is_staff)
rules.add_perm("governance.record_decision", is_staff)
# object: the application
rules.add_perm("governance.decline_decision", is_coordinator_contact)
# Steering group members read the letters of the calls their body decided.
rules.add_perm("governance.view_letter", is_staff | is_partner_contact | is_decider_of_call)

# The decision proposal: staff prepare it and record its decisions, the steering group's
# voting members vote (the service checks they vote and attended), the programme manager
# follows it.
rules.add_perm("governance.view_proposal", is_staff | is_steering | is_programme_manager)
rules.add_perm("governance.prepare_proposal", is_staff)
rules.add_perm("governance.vote_proposal", is_steering)
