"""Every uploaded file is checked here: by its content *and* its extension, and PDFs for
active content. The stored name comes from the type found (`stored_name`), never from
the uploader.

`check_upload(upload, allowed=...)` returns the `FileType` the file is, or raises
ValidationError with the reason the uploader reads:
- the content must be one of the allowed types (PDF by its header and a readable
  structure; Word/Excel/OpenDocument by their zip members) and the extension must be
  one of that type's (an HTML file that starts with '%PDF-' is neither);
- a PDF with JavaScript (/JS, /JavaScript, also as /OpenAction or /AA), a launch action
  or embedded files is refused; so is an Office file with macros;
- at most `max_bytes`. The request body is limited before it is read by
  programme.middleware.UploadSizeMiddleware.

Known limits: the PDF is parsed with pypdf (strict=False, at most MAX_PDF_OBJECTS
objects visited); a PDF that hides active content in a way pypdf cannot read is refused
as unreadable rather than accepted.
"""

import io
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _, gettext_lazy

MAX_PDF_OBJECTS = 200_000


@dataclass(frozen=True)
class FileType:
    key: str
    extensions: tuple[str, ...]
    content_type: str
    label: str


PDF = FileType("pdf", ("pdf",), "application/pdf", gettext_lazy("PDF"))
DOCX = FileType(
    "docx",
    ("docx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    gettext_lazy("Word document (.docx)"),
)
XLSX = FileType(
    "xlsx",
    ("xlsx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    gettext_lazy("Excel workbook (.xlsx)"),
)
ODT = FileType(
    "odt", ("odt",), "application/vnd.oasis.opendocument.text", gettext_lazy("OpenDocument text")
)
ODS = FileType(
    "ods",
    ("ods",),
    "application/vnd.oasis.opendocument.spreadsheet",
    gettext_lazy("OpenDocument spreadsheet"),
)
# What "a document" is: milestone evidence, call documents.
DOCUMENTS = (PDF, DOCX, XLSX, ODT, ODS)
PDF_ONLY = (PDF,)

# Keys of a PDF dictionary that mean active content, and the reason the uploader reads.
_ACTIVE_KEYS = {
    "/JS": gettext_lazy("This PDF contains JavaScript; save it again without scripts."),
    "/JavaScript": gettext_lazy("This PDF contains JavaScript; save it again without scripts."),
    "/EmbeddedFile": gettext_lazy(
        "This PDF contains embedded files; upload each document separately."
    ),
    "/EmbeddedFiles": gettext_lazy(
        "This PDF contains embedded files; upload each document separately."
    ),
    "/Launch": gettext_lazy("This PDF starts other programs (a launch action); remove it."),
}


def max_upload_bytes() -> int:
    return settings.MAX_UPLOAD_BYTES


def _too_large(max_bytes: int) -> ValidationError:
    return ValidationError(
        _("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)},
        code="too_large",
    )


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in (name or "") else ""


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _zip_type(data: bytes) -> FileType | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        mimetype = ""
        if "mimetype" in names:
            mimetype = archive.read("mimetype").decode("ascii", "replace")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(
            _("This file contains macros; save it without macros (.docx, .xlsx)."), code="macros"
        )
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX
    if mimetype.strip() == ODT.content_type:
        return ODT
    if mimetype.strip() == ODS.content_type:
        return ODS
    return None


def _pdf_active_content(data: bytes) -> str | None:
    """The reason a PDF is refused for active content, or None; ValidationError when it
    cannot be read as a PDF at all."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    unreadable = ValidationError(
        _("This file cannot be read as a PDF (its content is checked, not its name)."),
        code="unreadable",
    )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) < 1:
            raise unreadable
        stack = [reader.trailer]
        seen: set[tuple[int, int]] = set()
        visited = 0
        while stack:
            node = stack.pop()
            visited += 1
            if visited > MAX_PDF_OBJECTS:
                raise unreadable
            if isinstance(node, IndirectObject):
                key = (node.idnum, node.generation)
                if key in seen:
                    continue
                seen.add(key)
                node = node.get_object()
            if isinstance(node, DictionaryObject):
                for name, value in node.items():
                    if name in _ACTIVE_KEYS:
                        return str(_ACTIVE_KEYS[name])
                    if name == "/S" and value in ("/JavaScript", "/Launch"):
                        return str(_ACTIVE_KEYS[str(value)])
                    if name not in ("/Parent", "/P"):
                        stack.append(value)
            elif isinstance(node, ArrayObject):
                stack.extend(node)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on a broken or hostile file
        raise unreadable from None
    return None


def check_upload(upload, *, allowed: tuple[FileType, ...] = PDF_ONLY, max_bytes=None) -> FileType:
    """The type of `upload` (a Django UploadedFile) among `allowed`, or ValidationError
    with the reason. Reads the file (at most `max_bytes`, default MAX_UPLOAD_BYTES)."""
    max_bytes = max_bytes or max_upload_bytes()
    if upload.size is not None and upload.size > max_bytes:
        raise _too_large(max_bytes)
    data = _read(upload)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if allowed == PDF_ONLY:
        wrong = ValidationError(
            _("This file is not a PDF (its content is checked, not its name)."), code="type"
        )
    else:
        wrong = ValidationError(
            _("This file is not one of: %(types)s (its content is checked, not its name).")
            % {"types": ", ".join(str(t.label) for t in allowed)},
            code="type",
        )
    if data.startswith(b"%PDF-"):
        found = PDF
    elif data.startswith(b"PK\x03\x04"):
        found = _zip_type(data)
    else:
        found = None
    if found is None or found not in allowed:
        raise wrong
    if found is PDF:
        reason = _pdf_active_content(data)
        if reason:
            raise ValidationError(reason, code="active_content")
    if _extension(upload.name) not in found.extensions:
        raise ValidationError(
            _("This file is a %(type)s but its name ends in “.%(ext)s”; name it “.%(right)s”.")
            % {
                "type": found.label,
                "ext": _extension(upload.name) or "",
                "right": found.extensions[0],
            },
            code="extension",
        )
    return found


def stored_name(file_type: FileType) -> str:
    """The name a checked upload is stored under: random, with the extension of its type
    (never the uploader's name, which is kept apart where the page shows it)."""
    return f"{uuid.uuid4().hex}.{file_type.extensions[0]}"
