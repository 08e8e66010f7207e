"""Uploads (programme.uploads, programme.middleware.UploadSizeMiddleware): type by content
and extension, the stored name from the checked type, PDFs with active content refused
with a reason, milestone evidence documents only, the size refused before the body is
read."""

import io
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from programme import uploads
from programme.middleware import UploadSizeMiddleware
from programme.models import MilestoneRecord
from tests import factories
from tests.builders import PDF_BYTES

pytestmark = pytest.mark.hardening


def pdf(change=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(72, 72)
    if change:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def open_action_js(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('x')"),
        }
    )


def document_js(writer):
    """Document-level JavaScript in the /Names tree, as Acrobat writes it."""
    action = writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert(1)"),
            }
        )
    )
    names = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("startup"), action])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(names)}
    )


def launch_action(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )


def office(kind: str, *, macros: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00")
    return out.getvalue()


def check(name, data, allowed=uploads.PDF_ONLY):
    with translation.override("en"):
        return uploads.check_upload(SimpleUploadedFile(name, data), allowed=allowed)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("evil.html", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "cannot be read"),
        ("evil.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "cannot be read"),
        ("plan.html", PDF_BYTES, "name ends in “.html”"),
        ("plan", PDF_BYTES, "name ends in “.”"),
        ("js.pdf", pdf(document_js), "contains JavaScript"),
        ("open.pdf", pdf(open_action_js), "contains JavaScript"),
        ("launch.pdf", pdf(launch_action), "starts other programs"),
        ("files.pdf", pdf(lambda w: w.add_attachment("a.exe", b"MZ")), "embedded files"),
        ("image.pdf", b"\x89PNG\r\n\x1a\n....", "is not a PDF"),
        ("empty.pdf", b"", "is not a PDF"),
    ],
)
def test_hostile_pdf_uploads_are_refused_with_a_reason(name, data, reason):
    with pytest.raises(ValidationError) as error:
        check(name, data)
    assert reason in " ".join(error.value.messages)


def test_clean_pdf_and_documents_are_accepted_by_content_and_extension():
    assert check("plan.pdf", pdf()) is uploads.PDF
    assert check("report.docx", office("docx"), uploads.DOCUMENTS) is uploads.DOCX
    assert check("table.xlsx", office("xlsx"), uploads.DOCUMENTS) is uploads.XLSX
    with pytest.raises(ValidationError, match="contains macros"):
        check("report.docx", office("docx", macros=True), uploads.DOCUMENTS)
    with pytest.raises(ValidationError, match="name ends in “.pdf”"):
        check("report.pdf", office("docx"), uploads.DOCUMENTS)
    assert uploads.stored_name(uploads.DOCX).endswith(".docx")


def test_upload_over_the_limit_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError, match="larger than"):
        check("big.pdf", pdf() + b"%" * 2048)


class _Unreadable(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_oversized_request_refused_from_content_length_before_the_body_is_read(settings):
    request = RequestFactory().post("/applications/1/attachments/", data=b"", content_type="x")
    request.META["CONTENT_LENGTH"] = str(60 * 1024 * 1024)
    request.META["wsgi.input"] = _Unreadable()
    request._stream = _Unreadable()
    request.user = AnonymousUser()

    def view(request):
        request.POST  # noqa: B018 - a view would read the body
        raise AssertionError("the view ran")

    with translation.override("en"):
        response = UploadSizeMiddleware(view)(request)
    assert response.status_code == 413
    assert "at most 20 MB" in response.content.decode()


@pytest.mark.django_db
def test_oversized_upload_through_the_stack_is_413(client):
    application = factories.ApplicationFactory()
    client.force_login(application.created_by)
    response = client.post(
        reverse("attachment_upload", args=[application.pk]),
        {"kind": "description", "file": SimpleUploadedFile("a.pdf", PDF_BYTES)},
        CONTENT_LENGTH=str(60 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert application.attachments.count() == 0


@pytest.mark.django_db
def test_milestone_evidence_accepts_documents_only(client):
    manager = factories.ProgrammeManagerFactory()
    kpi = factories.KpiFactory()
    client.force_login(manager)
    url = reverse("milestone_create", args=[kpi.pk])
    page = client.post(
        url,
        {
            "date": "2020-06-30",
            "description": "Roadmap",
            "evidence_file": SimpleUploadedFile("roadmap.html", b"<html>x</html>"),
        },
    )
    assert page.status_code == 200
    assert "de inhoud wordt gecontroleerd, niet de naam" in page.content.decode()
    assert "Roadmap" in page.content.decode()  # what was typed is kept
    assert MilestoneRecord.objects.count() == 0
    done = client.post(
        url,
        {
            "date": "2020-06-30",
            "description": "Roadmap",
            "evidence_file": SimpleUploadedFile("Roadmap 2020.docx", office("docx")),
        },
    )
    assert done.status_code == 302
    record = MilestoneRecord.objects.get()
    assert record.evidence_file.name.endswith(".docx")
    assert "Roadmap" not in record.evidence_file.name
