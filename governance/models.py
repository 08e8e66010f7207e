"""The models of the governance app, one module per package (bodies, review, decisions);
imported here so that Django finds them under the one app label `governance`."""

from .bodies.models import Body, Meeting, Membership, MembershipQuerySet
from .decisions.models import (
    Advice,
    DecisionProposal,
    FundingDecision,
    Letter,
    ProposalItem,
    ProposalVote,
    letter_path,
)
from .funding.models import (
    AgreementAid,
    ChangeRequest,
    FundedProject,
    Payment,
    SupportAgreement,
    collaboration_path,
)
from .review.models import (
    ConductDeclaration,
    ConflictDeclaration,
    ConsensusScore,
    DiscussionPost,
    PhaseLock,
    ReviewAssignment,
    ReviewerExpertise,
    ReviewReminderSent,
    ReviewScore,
)

__all__ = [
    "Advice",
    "AgreementAid",
    "ChangeRequest",
    "FundedProject",
    "Payment",
    "SupportAgreement",
    "collaboration_path",
    "Body",
    "ConductDeclaration",
    "ConflictDeclaration",
    "ConsensusScore",
    "DecisionProposal",
    "DiscussionPost",
    "FundingDecision",
    "Letter",
    "Meeting",
    "Membership",
    "MembershipQuerySet",
    "PhaseLock",
    "ProposalItem",
    "ProposalVote",
    "ReviewAssignment",
    "ReviewReminderSent",
    "ReviewScore",
    "ReviewerExpertise",
    "letter_path",
]
