"""All writes of the decision side of the evaluation; callers import from
`governance.decisions.services`.

- decision.py: the advisory council's advice, the funding decision (which commits the
  envelope), the applicant's decline (which releases it), the call's move to "decided";
- proposal.py: the decision proposal the steering group votes on, and funding a
  proposal from the reserve list;
- the letters are made in governance/decisions/letters.py, re-exported here.

Every function is keyword-only, runs in a transaction, checks the rule of domain.py
(raising programme.states.Refused with the reason the user reads), validates with
full_clean() and records who and why in the audit trail.
"""

from ..letters import (
    letter_context,
    letter_fail,
    letter_file_name,
    letter_generate,
    letter_language,
    letter_request,
    letter_retry,
)
from .decision import advice_record, call_mark_decided, decision_decline, decision_record
from .proposal import (
    decision_fund_from_reserve,
    proposal_build,
    proposal_deciding_level,
    proposal_item_update,
    proposal_put_on_agenda,
    proposal_record_decisions,
    proposal_vote,
    proposal_voters,
)

__all__ = [
    "advice_record",
    "call_mark_decided",
    "decision_decline",
    "decision_fund_from_reserve",
    "decision_record",
    "letter_context",
    "letter_fail",
    "letter_file_name",
    "letter_generate",
    "letter_language",
    "letter_request",
    "letter_retry",
    "proposal_build",
    "proposal_deciding_level",
    "proposal_item_update",
    "proposal_put_on_agenda",
    "proposal_record_decisions",
    "proposal_vote",
    "proposal_voters",
]
