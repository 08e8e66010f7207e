"""Letters: the decision letter and the Evaluation Summary Report as PDF in the
applicant's language, one file per letter even when the task runs twice, e-mailed to the
consortium with the PDF attached; the ESR never names a reviewer (pdftotext)."""

import time
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from governance.bodies.enums import BodyKind
from governance.decisions import services as decisions
from governance.decisions.enums import DecisionOutcome, LetterKind
from governance.models import Letter, ReviewAssignment, ReviewScore
from governance.review.enums import AssignmentState
from tests.builders import admissible_application, consensus, evaluation_call, meeting_with_quorum
from tests.factories import StaffFactory, UserFactory
from tests.pdf import pdf_text

REVIEWER_FIRST, REVIEWER_LAST = "Zebedeus", "Quarkfeld"


def _decided(language="en"):
    call = evaluation_call()
    application = admissible_application(call, acronym="LETTERS")
    coordinator = application.created_by
    coordinator.language = language
    coordinator.save()
    consensus(application, [4, 3.5, 4.5], comment="Convincing consortium, weak exploitation")
    reviewer = UserFactory(first_name=REVIEWER_FIRST, last_name=REVIEWER_LAST)
    assignment = ReviewAssignment.objects.create(
        application=application,
        reviewer=reviewer,
        state=AssignmentState.SUBMITTED,
        submitted_at=timezone.now(),
    )
    for criterion in call.criteria.all():
        ReviewScore.objects.create(
            assignment=assignment,
            criterion=criterion,
            score=Decimal("4"),
            comment=f"{REVIEWER_LAST} private remark",
        )
    meeting = meeting_with_quorum(call.programme, BodyKind.STEERING_GROUP)
    return application, meeting


def _decide(application, meeting):
    return decisions.decision_record(
        actor=StaffFactory(),
        application=application,
        meeting=meeting,
        outcome=DecisionOutcome.FUND,
        amount=Decimal("350000"),
        decided_by="An Janssens, administrator-general",
    )


@pytest.mark.django_db
def test_esr_pdf_has_consensus_comments_and_no_reviewer_name(
    django_capture_on_commit_callbacks, mailoutbox
):
    application, meeting = _decided(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        _decide(application, meeting)
    esr = Letter.objects.get(application=application, kind=LetterKind.ESR)
    text = pdf_text(esr.file.path)
    assert "Convincing consortium, weak exploitation on Criterion 1" in text
    assert "Evaluation Summary Report" in text
    assert (REVIEWER_FIRST in text, REVIEWER_LAST in text) == (False, False)


@pytest.mark.django_db
def test_letters_in_the_coordinator_language_and_emailed_with_the_pdf(
    django_capture_on_commit_callbacks, mailoutbox
):
    application, meeting = _decided(language="nl")
    with django_capture_on_commit_callbacks(execute=True):
        _decide(application, meeting)
    letter = Letter.objects.get(application=application, kind=LetterKind.DECISION)
    text = pdf_text(letter.file.path)
    assert letter.language == "nl"
    assert "350.000,00" in text  # Dutch number format
    contacts = sorted(application.partners.values_list("contact_email", flat=True))
    mails = [m for m in mailoutbox if m.attachments]
    assert len(mails) == 2  # decision letter and ESR, each to every contact once
    assert sorted(mails[0].to) == contacts
    assert mails[0].attachments[0][2] == "application/pdf"


@pytest.mark.django_db
def test_letter_generated_twice_leaves_one_file(django_capture_on_commit_callbacks, mailoutbox):
    application, meeting = _decided()
    with django_capture_on_commit_callbacks(execute=True):
        _decide(application, meeting)
    letter = Letter.objects.get(application=application, kind=LetterKind.DECISION)
    sha = letter.sha256
    sent = len(mailoutbox)
    decisions.letter_generate(letter_id=letter.pk)  # a redelivered task
    letter.refresh_from_db()
    folder = Path(settings.MEDIA_ROOT) / "letters" / str(application.pk)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [
            f"decision-{letter.pk:06d}.pdf",
            f"esr-{Letter.objects.get(application=application, kind='esr').pk:06d}.pdf",
        ]
    )
    assert (letter.sha256, len(mailoutbox)) == (sha, sent)


@pytest.mark.worker
def test_letters_made_by_a_real_worker(celery_worker_on_redis, mailoutbox):
    application, meeting = _decided()
    _decide(application, meeting)  # transactional_db: on_commit queues at once
    for _ in range(600):  # waits for the worker; asserts nothing
        done = Letter.objects.filter(application=application, emailed_at__isnull=False).count()
        if done == 2:
            break
        time.sleep(0.1)
    letters = Letter.objects.filter(application=application).order_by("kind")
    assert [(lt.kind, bool(lt.file), bool(lt.emailed_at)) for lt in letters] == [
        ("decision", True, True),
        ("esr", True, True),
    ]
    assert "Decision on your application" in pdf_text(letters[0].file.path)


@pytest.mark.django_db
def test_staff_make_a_failed_letter_again_and_it_is_mailed_once(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    application, meeting = _decided()
    _decide(application, meeting)  # letters queued on commit; here they never run
    letter = Letter.objects.get(application=application, kind=LetterKind.DECISION)
    decisions.letter_fail(letter_id=letter.pk, error=OSError("disk full"))  # retries exhausted
    staff = StaffFactory()
    client.force_login(staff)
    decision_page = reverse("application_decision", args=[application.pk])
    assert reverse("letter_retry", args=[letter.pk]) in client.get(decision_page).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letter_retry", args=[letter.pk]))

    letter.refresh_from_db()
    assert response.status_code == 302
    assert (letter.error, letter.generated_at is not None, letter.emailed_at is not None) == (
        "",
        True,
        True,
    )
    assert len([m for m in mailoutbox if m.attachments]) == 1
    assert letter.history.filter(history_user=staff).exists()

    # A letter that was made (and mailed) is not made again: the consortium would get it twice.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letter_retry", args=[letter.pk]), follow=True)
    assert "Only a letter that could not be made is made again; this one is ready." in unescape(
        response.content.decode()
    )  # the staff member reads English
    assert len([m for m in mailoutbox if m.attachments]) == 1
