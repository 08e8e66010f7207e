"""The reviewers' code of conduct and confidentiality declaration (accepted, versioned,
before the first proposal opens) and the discussion of a proposal between its assigned
reviewers and the moderator: readable once one's own review is submitted, masked for
conflicts declared or detected, beside the consensus form."""

import pytest
from django.urls import reverse
from django.utils import translation

from governance.models import ConductDeclaration, DiscussionPost, ReviewAssignment
from governance.review import domain, selectors, services
from programme.states import Refused
from tests.builders import (
    admissible_application,
    cleared_assignment,
    evaluation_call,
    submitted_assignment,
)
from tests.factories import (
    ConductDeclarationFactory,
    CouncilFactory,
    DiscussionPostFactory,
    ExpertFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def application():
    return admissible_application(evaluation_call())


# --- Code of conduct ------------------------------------------------------------------------


def test_can_open_proposal_only_with_the_version_in_force():
    assert domain.can_open_proposal(accepted_version=domain.CONDUCT_VERSION) == (True, "")
    assert domain.can_open_proposal(accepted_version=None)[0] is False
    assert domain.can_open_proposal(accepted_version="2000-0")[0] is False


def test_reviewer_accepts_the_declaration_before_the_first_proposal_opens(
    client, application, english
):
    assignment = cleared_assignment(application)
    reviewer = assignment.reviewer
    ConductDeclaration.objects.filter(reviewer=reviewer).delete()  # not accepted yet
    client.force_login(reviewer)
    declare_url = reverse("review_declare", args=[assignment.pk])
    response = client.get(declare_url)
    conduct_url = reverse("conduct_declaration")
    assert response.status_code == 302
    assert response["Location"] == f"{conduct_url}?next={declare_url.replace('/', '%2F')}"
    # The proposal itself stays closed meanwhile.
    assert client.get(reverse("application_detail", args=[application.pk])).status_code == 404
    assert "conduct-needed" in client.get(reverse("review_list")).content.decode()
    refused = client.post(conduct_url, {"next": declare_url})
    assert refused.status_code == 200
    assert ConductDeclaration.objects.filter(reviewer=reviewer).count() == 0
    response = client.post(conduct_url, {"accept": "on", "next": declare_url})
    assert response.status_code == 302 and response["Location"] == declare_url
    declaration = ConductDeclaration.objects.get(reviewer=reviewer)
    assert (declaration.version, declaration.language) == (domain.CONDUCT_VERSION, "en")
    assert declaration.history.first().history_user == reviewer
    assert client.get(declare_url).status_code == 200
    assert client.get(reverse("application_detail", args=[application.pk])).status_code == 200


def test_a_new_version_is_accepted_again(monkeypatch, application):
    assignment = cleared_assignment(application)
    assert selectors.conduct_accepted(assignment.reviewer) is True
    monkeypatch.setattr(domain, "CONDUCT_VERSION", "2020-1")
    reviewer = ReviewAssignment.objects.get(pk=assignment.pk).reviewer  # no cache
    assert selectors.conduct_accepted(reviewer) is False
    services.conduct_accept(actor=reviewer, language="nl")
    assert sorted(
        ConductDeclaration.objects.filter(reviewer=reviewer).values_list("version", flat=True)
    ) == ["2019-1", "2020-1"]
    assert selectors.conduct_accepted(reviewer) is True


def test_conduct_accept_is_idempotent_per_version():
    reviewer = CouncilFactory()
    first = services.conduct_accept(actor=reviewer, language="nl")
    assert services.conduct_accept(actor=reviewer, language="en") == first


# --- Discussion -----------------------------------------------------------------------------


def test_discussion_readable_only_after_own_review_is_submitted(client, application, english):
    pending = cleared_assignment(application)
    done = submitted_assignment(application, [4, 4, 4])
    url = reverse("discussion", args=[application.pk])
    client.force_login(pending.reviewer)
    response = client.get(url)
    assert (response.status_code, response.content.decode()) == (
        403,
        "The discussion opens for you once you have submitted your own review.",
    )
    with pytest.raises(Refused):
        services.discussion_post(
            actor=pending.reviewer, application=application, body="Hi", is_moderator=False
        )
    client.force_login(done.reviewer)
    assert client.get(url).status_code == 200


def test_reviewers_and_moderator_post_anonymous_to_each_other(client, application, english):
    first = submitted_assignment(application, [4, 4, 4])
    second = submitted_assignment(application, [2, 2, 2])
    moderator = StaffFactory(first_name="Mona", last_name="Moderator")
    url = reverse("discussion", args=[application.pk])
    client.force_login(moderator)
    response = client.post(url, {"body": "Why the spread on criterion 1?"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.templates[0].name == "governance/review/_discussion.html"
    client.force_login(first.reviewer)
    response = client.post(url, {"body": "The market analysis is thin.", "next": "/reviews/"})
    assert (response.status_code, response["Location"]) == (302, "/reviews/")
    client.force_login(second.reviewer)
    labels = [row["label"] for row in client.get(url).context["discussion_posts"]]
    assert labels == ["Moderator", "Reviewer 1"]
    page = client.get(url).content.decode()
    assert first.reviewer.get_full_name() not in page
    client.force_login(moderator)
    labels = [row["label"] for row in client.get(url).context["discussion_posts"]]
    assert labels == ["You", first.reviewer.get_full_name()]
    post = DiscussionPost.objects.get(author=first.reviewer)
    assert (post.is_moderator, post.history.first().history_user) == (False, first.reviewer)


def test_empty_message_refused_and_typed_text_kept(client, application, english):
    done = submitted_assignment(application, [4, 4, 4])
    client.force_login(done.reviewer)
    url = reverse("discussion", args=[application.pk])
    response = client.post(url, {"body": "   "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["discussion_form"].errors == {"body": ["This field is required."]}
    long = "x" * 4001
    response = client.post(url, {"body": long}, HTTP_HX_REQUEST="true")
    assert response.context["discussion_form"].errors["body"] == [
        "Ensure this value has at most 4000 characters (it has 4001)."
    ]
    assert long in response.content.decode()
    assert DiscussionPost.objects.count() == 0


def test_detected_conflict_masks_the_discussion_even_after_submission(client, application):
    done = submitted_assignment(application, [4, 4, 4], reviewer=ExpertFactory())
    DiscussionPostFactory(application=application)
    url = reverse("discussion", args=[application.pk])
    client.force_login(done.reviewer)
    assert client.get(url).status_code == 200
    # Not declared: the reviewer's organisation turns out to be a partner.
    reviewer = done.reviewer
    reviewer.organisation = application.partners.get(is_coordinator=True).organisation
    reviewer.save()
    assert client.get(url).status_code == 404
    with pytest.raises(Refused):
        services.discussion_post(
            actor=reviewer, application=application, body="Hi", is_moderator=False
        )
    assert selectors.discussion_access(reviewer, application, is_moderator=False).visible is False


def test_discussion_beside_the_consensus_form_and_on_the_review_page(client, application, english):
    done = submitted_assignment(application, [4, 4, 4])
    DiscussionPostFactory(application=application, body="Spread on criterion 2?")
    client.force_login(StaffFactory())
    page = client.get(reverse("consensus_page", args=[application.pk])).content.decode()
    assert "Discussion before consensus" in page and "Spread on criterion 2?" in page
    client.force_login(done.reviewer)
    page = client.get(reverse("review_score", args=[done.pk])).content.decode()
    assert "Spread on criterion 2?" in page


def test_discussion_query_count_constant(client, application, query_count):
    done = submitted_assignment(application, [4, 4, 4])
    other = submitted_assignment(application, [3, 3, 3])
    DiscussionPostFactory(application=application)
    client.force_login(done.reviewer)
    url = reverse("discussion", args=[application.pk])
    one = query_count(client.get, url)
    for _ in range(4):
        DiscussionPostFactory(application=application, author=other.reviewer, is_moderator=False)
        DiscussionPostFactory(application=application)
    assert query_count(client.get, url) == one


def test_conduct_declaration_factory_is_the_version_in_force():
    assert ConductDeclarationFactory().version == domain.CONDUCT_VERSION
