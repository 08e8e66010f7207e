"""The models of the governance app, one module per package (bodies, review, decisions);
imported here so that Django finds them under the one app label `governance`."""

from .bodies.models import Body, Meeting, Membership, MembershipQuerySet
from .decisions.models import Advice, FundingDecision, Letter, letter_path
from .review.models import (
    ConductDeclaration,
    ConflictDeclaration,
    ConsensusScore,
    DiscussionPost,
    ReviewAssignment,
    ReviewerExpertise,
    ReviewReminderSent,
    ReviewScore,
)

__all__ = [
    "Advice",
    "Body",
    "ConductDeclaration",
    "ConflictDeclaration",
    "ConsensusScore",
    "DiscussionPost",
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
