"""Writes of the reviewers' conduct: accepting the code of conduct and confidentiality
declaration (versioned), and posting in the discussion of a proposal before consensus.
"""

from django.db import IntegrityError, transaction

from programme.models import User
from programme.services import audited_save
from programme.states import Refused
from projects.models import Application

from .. import domain, selectors
from ..models import ConductDeclaration, DiscussionPost


@transaction.atomic
def conduct_accept(*, actor: User, language: str) -> ConductDeclaration:
    """Record that `actor` accepted the code of conduct and confidentiality declaration
    in force (domain.CONDUCT_VERSION), read in `language`. Idempotent per version.

    Side effects: saves the declaration (audited, with the version).
    """
    existing = ConductDeclaration.objects.filter(
        reviewer=actor, version=domain.CONDUCT_VERSION
    ).first()
    if existing is not None:
        return existing
    declaration = ConductDeclaration(
        reviewer=actor, version=domain.CONDUCT_VERSION, language=language[:5]
    )
    try:
        with transaction.atomic():
            audited_save(
                declaration, actor=actor, reason=f"code of conduct {domain.CONDUCT_VERSION}"
            )
    except IntegrityError:  # accepted twice at once
        return ConductDeclaration.objects.get(reviewer=actor, version=domain.CONDUCT_VERSION)
    actor.__dict__.pop("_conduct_cache", None)
    return declaration


@transaction.atomic
def discussion_post(
    *, actor: User, application: Application, body: str, is_moderator: bool
) -> DiscussionPost:
    """Post `body` in the discussion of `application`, as its moderator (staff) or as one
    of its cleared reviewers whose own review is submitted.

    Side effects, in order: refuses (Refused, the reason the user reads) an empty or too
    long message and anyone who may not read the thread (selectors.discussion_access:
    conflicts declared or detected, not assigned, review not yet submitted); saves the
    post (audited).
    """
    ok, reason = domain.can_post(body=body)
    if not ok:
        raise Refused({"body": [reason]})
    access = selectors.discussion_access(actor, application, is_moderator=is_moderator)
    if not access.visible:
        raise Refused(domain.can_read_discussion(is_moderator=False, own_review_submitted=False)[1])
    if not access.readable:
        raise Refused(access.reason)
    post = DiscussionPost(
        application=application, author=actor, is_moderator=is_moderator, body=body.strip()
    )
    audited_save(post, actor=actor, reason="discussion post")
    return post
