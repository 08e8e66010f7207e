"""Writes of the projects app: start, consortium, budget, attachments, submission at the
deadline (T−1 s / T+1 s, concurrent), withdrawal, admissibility."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone, translation

from programme.enums import OrganisationKind, Role
from programme.models import OrganisationLink, User
from programme.states import Refused
from projects import selectors, services
from projects.enums import (
    Activity,
    AdmissibilityOutcome,
    ApplicationState,
    AttachmentKind,
    CompletionItem,
    CostCategory,
    Part,
)
from projects.models import Application, Partner
from tests.builders import PDF_BYTES, ready_application
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CoordinatorFactory,
    OrganisationFactory,
    ResearchOrganisationFactory,
)

pytestmark = pytest.mark.django_db


def test_application_start_makes_coordinator_partner():
    user = CoordinatorFactory()
    call = CallFactory()
    application = services.application_start(actor=user, call=call, title="T", acronym="A")
    partner = application.partners.get()
    assert (partner.organisation, partner.is_coordinator, partner.contact, partner.part) == (
        user.organisation,
        True,
        user,
        Part.COMPANY,
    )


def test_application_start_refused_after_deadline():
    call = CallFactory(
        deadline=timezone.now() - timedelta(seconds=1), opens_at=timezone.now() - timedelta(days=3)
    )
    with pytest.raises(Refused) as error:
        services.application_start(actor=CoordinatorFactory(), call=call, title="T", acronym="A")
    assert str(error.value).startswith("The deadline of this call (")


def test_partner_add_is_a_draft_and_send_invites_new_contact(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory()
    org = ResearchOrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        partner = services.partner_add(
            actor=application.created_by,
            application=application,
            organisation=org,
            contact_email="Prof@Uni.example",
            contact_name="Ann Prof",
        )
    # A draft: nobody is mailed and no account exists yet.
    assert (partner.contact, partner.invited_at, mail.outbox) == (None, None, [])
    assert not User.objects.filter(email="prof@uni.example").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_invitations_send(
            actor=application.created_by, application=application, site_url="http://testserver"
        )
    partner.refresh_from_db()
    contact = User.objects.get(email="prof@uni.example")
    assert (
        partner.contact,
        partner.part,
        contact.has_usable_password(),
        contact.roles,
        contact.organisation,
    ) == (contact, Part.RESEARCH, False, frozenset({Role.APPLICANT}), None)
    assert [m.to for m in mail.outbox] == [["prof@uni.example"]]
    assert "http://testserver/accounts/password/reset/key/" in mail.outbox[0].body
    # Sent once: nothing is left to send.
    with pytest.raises(Refused):
        services.partner_invitations_send(actor=application.created_by, application=application)


def test_partner_add_hospital_part_depends_on_declaration():
    application = ApplicationFactory()
    uz = OrganisationFactory(kind=OrganisationKind.HOSPITAL, name="UZ")
    uz2 = OrganisationFactory(kind=OrganisationKind.HOSPITAL, name="UZ2")
    a = services.partner_add(
        actor=application.created_by,
        application=application,
        organisation=uz,
        contact_email="a@uz.example",
    )
    b = services.partner_add(
        actor=application.created_by,
        application=application,
        organisation=uz2,
        contact_email="b@uz.example",
        declares_non_economic=True,
    )
    assert (a.part, b.part) == (Part.COMPANY, Part.RESEARCH)


def test_partner_remove_refuses_coordinator():
    application = ApplicationFactory()
    with pytest.raises(Refused):
        services.partner_remove(actor=application.created_by, partner=application.partners.get())


def test_budget_save_writes_only_allowed_cells():
    application = ApplicationFactory(duration_months=12)
    partner = application.partners.get()
    services.budget_save(
        actor=application.created_by,
        partner=partner,
        amounts={
            (1, CostCategory.PERSONNEL, Activity.INDUSTRIAL_RESEARCH): Decimal("1000"),
            (1, CostCategory.PERSONNEL, Activity.RESEARCH): Decimal("5"),  # not a company column
            (2, CostCategory.PERSONNEL, Activity.INDUSTRIAL_RESEARCH): Decimal(
                "7"
            ),  # after the end
            (1, CostCategory.OVERHEAD, Activity.EXPERIMENTAL_DEVELOPMENT): Decimal("0"),
        },
    )
    assert list(partner.budget_entries.values_list("year", "category", "activity", "amount")) == [
        (1, "personnel", "industrial", Decimal("1000.00")),
    ]


def test_budget_save_refused_after_deadline():
    application = ApplicationFactory()
    partner = application.partners.get()
    with time_machine.travel(application.call.deadline + timedelta(seconds=1)):
        with pytest.raises(Refused):
            services.budget_save(actor=application.created_by, partner=partner, amounts={})


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_attachment_add_accepts_pdf_by_content_and_name():
    application = ApplicationFactory()
    attachment = services.attachment_add(
        actor=application.created_by,
        application=application,
        kind=AttachmentKind.ANNEX,
        upload=upload("scan.PDF", PDF_BYTES),
    )
    assert (attachment.original_name, attachment.size) == ("scan.PDF", len(PDF_BYTES))
    assert attachment.file.read() == PDF_BYTES
    assert attachment.file.name.endswith(".pdf") and "scan" not in attachment.file.name


def test_attachment_add_refuses_a_pdf_named_otherwise():
    application = ApplicationFactory()
    with pytest.raises(Refused) as error:
        services.attachment_add(
            actor=application.created_by,
            application=application,
            kind=AttachmentKind.ANNEX,
            upload=upload("scan.bin", PDF_BYTES),
        )
    assert str(error.value) == "This file is a PDF but its name ends in “.bin”; name it “.pdf”."


def test_attachment_add_rejects_renamed_non_pdf():
    application = ApplicationFactory()
    with pytest.raises(Refused) as error:
        services.attachment_add(
            actor=application.created_by,
            application=application,
            kind=AttachmentKind.DESCRIPTION,
            upload=upload("description.pdf", b"PK\x03\x04 this is a zip"),
        )
    assert str(error.value) == "This file is not a PDF (its content is checked, not its name)."
    assert application.attachments.count() == 0


def test_attachment_add_rejects_over_20_mb():
    ok, reason = services.check_pdf_upload(head=b"%PDF-", size=20 * 1024 * 1024 + 1)
    assert (ok, reason) == (False, "The file is larger than 20 MB.")
    assert services.check_pdf_upload(head=b"%PDF-", size=20 * 1024 * 1024) == (True, "")


def test_new_description_replaces_old():
    application = ApplicationFactory()
    for _ in range(2):
        services.attachment_add(
            actor=application.created_by,
            application=application,
            kind=AttachmentKind.DESCRIPTION,
            upload=upload("d.pdf", PDF_BYTES),
        )
    assert application.attachments.count() == 1


def test_ready_application_passes_every_rule():
    application = ready_application()
    dossier = selectors.load_dossier(application)
    assert [c.code for c in dossier.checks if not c.ok] == []


def test_load_dossier_constant_queries(query_count):
    application = ready_application()

    def load():
        return selectors.load_dossier(
            Application.objects.select_related("call__parameters").get(pk=application.pk)
        )

    assert query_count(load) <= 8


def test_submit_freezes_snapshot_and_sends_receipt(django_capture_on_commit_callbacks):
    application = ready_application()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=application.created_by, application=application)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.receipt_number == f"ICON-2019-{application.call_id:03d}-{application.pk:05d}"
    assert application.snapshot["totals"]["project_cost"] == str(application.total_cost)
    assert application.total_cost == Decimal("2400000.00")
    assert len(application.snapshot["partners"]) == 4
    assert application.snapshot_pdf.name.endswith(".pdf")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        application.partners.values_list("contact__email", flat=True)
    )
    assert application.receipt_number in mail.outbox[0].body


def test_submit_refused_when_a_rule_fails():
    application = ready_application()
    application.partners.filter(part=Part.RESEARCH).delete()
    with pytest.raises(Refused) as error:
        services.application_submit(actor=application.created_by, application=application)
    assert str(error.value).startswith("Not ready to submit; still failing: Consortium composition")


def test_submit_refused_for_linked_companies():
    application = ready_application()
    a, b = [p.organisation for p in application.partners.filter(part=Part.COMPANY)[:2]]
    OrganisationLink.objects.create(organisation=b, other=a, kind="linked")
    with pytest.raises(Refused):
        services.application_submit(actor=application.created_by, application=application)


def test_submit_one_second_before_deadline_accepted():
    application = ready_application()
    with time_machine.travel(application.call.deadline - timedelta(seconds=1), tick=False):
        services.application_submit(actor=application.created_by, application=application)
    application.refresh_from_db()
    assert application.submitted_at == application.call.deadline - timedelta(seconds=1)


def test_submit_one_second_after_deadline_refused():
    application = ready_application()
    with time_machine.travel(application.call.deadline + timedelta(seconds=1), tick=False):
        with pytest.raises(Refused) as error:
            services.application_submit(actor=application.created_by, application=application)
    assert str(error.value).startswith("The deadline of this call (")
    application.refresh_from_db()
    assert (application.state, application.snapshot) == (ApplicationState.DRAFT, None)


def test_submit_exactly_at_deadline_refused():
    application = ready_application()
    with time_machine.travel(application.call.deadline, tick=False):
        with pytest.raises(Refused):
            services.application_submit(actor=application.created_by, application=application)


def _in_threads(functions):
    results, barrier = [None] * len(functions), threading.Barrier(len(functions))

    def run(i, fn):
        try:
            barrier.wait()
            with translation.override("en"):  # thread-local: the fixture's does not reach here
                results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we compare
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_of_one_application_submit_once():
    application = ready_application()
    actor = application.created_by
    results = _in_threads(
        [
            lambda: services.application_submit(actor=actor, application=application)
            for _ in range(4)
        ]
    )
    outcomes = sorted("ok" if isinstance(r, Application) else str(r) for r in results)
    assert outcomes == ["This application has already been submitted."] * 3 + ["ok"]
    assert application.history.filter(history_change_reason="submitted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_at_the_deadline():
    """Four consortia submit in the last second; an edit arrives at the same moment:
    all submissions land, the edit waits for the lock and is refused."""
    apps = [ready_application() for _ in range(4)]
    deadline = timezone.now() + timedelta(seconds=30)
    for a in apps:
        a.call.deadline = deadline
        a.call.save()
    target = apps[0]
    partner = target.partners.get(is_coordinator=True)
    with time_machine.travel(deadline - timedelta(milliseconds=500), tick=False):
        results = _in_threads(
            [
                lambda a=a: services.application_submit(actor=a.created_by, application=a)
                for a in apps
            ]
        )
    assert [type(r).__name__ for r in results] == ["Application"] * 4
    with pytest.raises(Refused) as error:
        services.budget_save(actor=target.created_by, partner=partner, amounts={})
    assert str(error.value) == "This application was submitted and can no longer be changed."


def test_withdraw_until_decision(django_capture_on_commit_callbacks):
    application = ready_application()
    services.application_submit(actor=application.created_by, application=application)
    services.application_withdraw(
        actor=application.created_by, application=application, reason="merged"
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN
    with pytest.raises(Refused):
        services.application_withdraw(actor=application.created_by, application=application)


def submitted_application():
    application = ready_application()
    services.application_submit(actor=application.created_by, application=application)
    application.refresh_from_db()
    return application


def test_admissibility_inadmissible_needs_reason_and_mails_it(
    staff_user, django_capture_on_commit_callbacks
):
    application = submitted_application()
    with pytest.raises(Refused):
        services.admissibility_record(
            actor=staff_user, application=application, outcome=AdmissibilityOutcome.INADMISSIBLE
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.admissibility_record(
            actor=staff_user,
            application=application,
            outcome=AdmissibilityOutcome.INADMISSIBLE,
            reason="Not complementary to the regular channels.",
        )
    application.refresh_from_db()
    assert application.state == ApplicationState.INADMISSIBLE
    assert len(mail.outbox) == 4
    assert "Not complementary to the regular channels." in mail.outbox[0].body


def test_completion_request_allows_only_named_items(staff_user):
    application = submitted_application()
    services.admissibility_record(
        actor=staff_user,
        application=application,
        outcome=AdmissibilityOutcome.COMPLETION,
        completion_items=[CompletionItem.ATTACHMENTS],
        completion_deadline=timezone.now() + timedelta(days=7),
    )
    application.refresh_from_db()
    actor = application.created_by
    services.attachment_add(
        actor=actor,
        application=application,
        kind=AttachmentKind.ANNEX,
        upload=upload("annex.pdf", PDF_BYTES),
    )
    with pytest.raises(Refused) as error:
        services.application_update(actor=actor, application=application, title="New")
    assert str(error.value) == "Staff did not ask to complete this part of the application."
    services.application_complete(actor=actor, application=application)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert [a["name"] for a in application.snapshot["attachments"]] == [
        "description.pdf",
        "annex.pdf",
    ]
    assert "completed_at" in application.snapshot


def test_completion_after_its_deadline_refused(staff_user):
    application = submitted_application()
    deadline = timezone.now() + timedelta(days=1)
    services.admissibility_record(
        actor=staff_user,
        application=application,
        outcome=AdmissibilityOutcome.COMPLETION,
        completion_items=[CompletionItem.BUDGET],
        completion_deadline=deadline,
    )
    application.refresh_from_db()
    partner = application.partners.first()
    with time_machine.travel(deadline + timedelta(seconds=1)):
        with pytest.raises(Refused):
            services.budget_save(actor=application.created_by, partner=partner, amounts={})


def test_admissible_outcome(staff_user):
    application = submitted_application()
    check = services.admissibility_record(
        actor=staff_user,
        application=application,
        outcome=AdmissibilityOutcome.ADMISSIBLE,
        complementary=True,
        broad_application=True,
        consortium_rules=True,
        complete=True,
    )
    application.refresh_from_db()
    assert (application.state, check.checked_by) == (ApplicationState.ADMISSIBLE, staff_user)


def test_partner_contact_update_makes_a_new_draft_invitation():
    application = ApplicationFactory()
    partner = services.partner_add(
        actor=application.created_by,
        application=application,
        organisation=OrganisationFactory(),
        contact_email="x@a.example",
    )
    services.partner_invitations_send(actor=application.created_by, application=application)
    old = User.objects.get(email="x@a.example")
    partner = services.partner_update(
        actor=application.created_by, partner=partner, contact_email="y@a.example", contact_name="Y"
    )
    partner = Partner.objects.get(pk=partner.pk)
    # The old contact loses access at once; the new one gains it when invited.
    assert (partner.contact, partner.contact_email, partner.invited_at) == (
        None,
        "y@a.example",
        None,
    )
    assert application.partners.filter(contact=old).exists() is False
    services.partner_invitations_send(actor=application.created_by, application=application)
    assert Partner.objects.get(pk=partner.pk).contact.email == "y@a.example"
