"""Browser test (system Chromium through Playwright, against the live server): a council
member opens their evaluation from the home page, declares no conflict of interest,
is refused an off-scale score without losing what they typed, then scores and submits."""

import pytest

from governance.models import ReviewAssignment
from governance.review.enums import AssignmentState
from tests.builders import admissible_application, evaluation_call
from tests.conftest import browser_login
from tests.factories import CouncilFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-123"


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_council_member_declares_scores_and_submits(live_server, context):
    call = evaluation_call(criteria=((1, 3), (1, 3)))  # two criteria
    application = admissible_application(call)
    reviewer = CouncilFactory(language="en")
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    first, second = call.criteria.all()

    page = context.new_page()
    browser_login(page, live_server, reviewer.email, PASSWORD)

    # The home panel lists the assignment; before the declaration the application is hidden.
    page.get_by_role("link", name=application.acronym).click()
    # The first proposal opens only after the code of conduct is accepted (keyboard too).
    page.get_by_label("I have read the code of conduct").check()
    page.get_by_role("button", name="Accept and continue").click()
    page.get_by_label("I declare that I have no conflict of interest").check()
    page.get_by_role("button", name="Confirm declaration").click()
    page.wait_for_url(f"**/governance/reviews/{assignment.pk}/")

    page.fill(f"#id_score_{first.pk}", "6")
    page.fill(f"#id_comment_{first.pk}", "Ambitious and well grounded.")
    page.fill(f"#id_score_{second.pk}", "3,5")
    page.fill(f"#id_comment_{second.pk}", "Credible valorisation plan.")
    page.get_by_role("button", name="Submit evaluation").click()
    page.wait_for_selector("text=A score lies between 0 and 5.")
    # Nothing typed is lost.
    assert page.input_value(f"#id_score_{first.pk}") == "6"
    assert page.input_value(f"#id_comment_{second.pk}") == "Credible valorisation plan."

    page.fill(f"#id_score_{first.pk}", "4.5")
    page.get_by_role("button", name="Submit evaluation").click()
    page.wait_for_selector("text=Your evaluation is submitted.")

    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    assert [(str(s.score), s.comment) for s in assignment.scores.all()] == [
        ("4.5", "Ambitious and well grounded."),
        ("3.5", "Credible valorisation plan."),
    ]
