"""The models of the governance app, one module per package (bodies, review, decisions);
imported here so that Django finds them under the one app label `governance`."""

from .bodies.models import Body, Meeting, Membership, MembershipQuerySet
from .decisions.models import Advice, FundingDecision, Letter, letter_path
from .funding.models import (
    AgreementAid,
    ChangeRequest,
    FundedProject,
    Payment,
    SupportAgreement,
    collaboration_path,
)
from .review.models import (
    ConflictDeclaration,
    ConsensusScore,
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
    "ConflictDeclaration",
    "ConsensusScore",
    "FundingDecision",
    "Letter",
    "Meeting",
    "Membership",
    "MembershipQuerySet",
    "ReviewAssignment",
    "ReviewReminderSent",
    "ReviewScore",
    "ReviewerExpertise",
    "letter_path",
]
