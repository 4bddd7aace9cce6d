"""Supporting documents: checked by what the file is (its first bytes, not its name) and by
size, kept in the private storage (outside the web root, settings.STORAGES["private"]) and
handed out only to people who may see the application, each time audited."""

import os
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import get_valid_filename

from opendeal.core import audit
from opendeal.core.models import User

from .access import can_view_application
from .applications import _touch, can_remove_document, documents_editable
from .models import Application, DocumentKind, SupportingDocument

# What applicants may upload, by the type the file's content shows.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (XLSX)",
    "application/vnd.oasis.opendocument.text": "OpenDocument text (ODT)",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
}
WRONG_TYPE = "The selected file must be a PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), PNG or JPEG"
# filetype looks at no more than this many bytes from the start.
HEADER_BYTES = 8192
DOCUMENT_VIEWED = "fund.document.viewed"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def check_upload(uploaded: UploadedFile) -> str:
    """The file's content type if it may be uploaded; raises ValidationError (on "file") if not."""
    limit = settings.OPENDEAL_FUND_MAX_UPLOAD_BYTES
    if uploaded is None or uploaded.size == 0:
        raise ValidationError({"file": "The selected file is empty"})
    if uploaded.size > limit:
        raise ValidationError(
            {"file": f"The selected file must be smaller than {_megabytes(limit)}"}
        )
    uploaded.seek(0)
    header = uploaded.read(HEADER_BYTES)
    uploaded.seek(0)
    kind = filetype.guess(header)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError({"file": WRONG_TYPE})
    return kind.mime


def _original_name(uploaded: UploadedFile) -> str:
    name = os.path.basename(uploaded.name or "")
    try:
        return get_valid_filename(name)[:200]
    except Exception:  # a name of dots or nothing: any name will do, it is only shown
        return "document"


def upload_document(
    actor: User, application: Application, *, kind: str, uploaded: UploadedFile
) -> SupportingDocument:
    """Check and store a document. If anything fails after the file is written, the file is
    deleted again, so neither a row without a file nor a file without a row is left."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "Select what kind of document it is"})
    content_type = check_upload(uploaded)
    document = None
    try:
        with transaction.atomic():
            locked_application = documents_editable(actor, application)
            document = SupportingDocument(
                application=locked_application,
                kind=kind,
                original_name=_original_name(uploaded),
                content_type=content_type,
                size=uploaded.size,
                uploaded_by=actor,
            )
            document.file.save("upload", uploaded, save=False)
            document.save()
            _touch(
                actor,
                locked_application,
                "fund.application.document_added",
                document_id=document.pk,
            )
    except BaseException:
        if document is not None and document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def remove_document(actor: User, document: SupportingDocument) -> None:
    with transaction.atomic():
        application = documents_editable(actor, document.application)
        if not can_remove_document(document, application):
            raise ValidationError(
                "This document was sent with your application, so it cannot be removed now."
            )
        name, storage = document.file.name, document.file.storage
        document.delete()
        _touch(actor, application, "fund.application.document_removed")
        # The file goes only once the row's deletion is committed.
        transaction.on_commit(lambda: storage.delete(name))


@dataclass(frozen=True)
class DocumentToSend:
    file: object
    content_type: str
    filename: str


def open_document(viewer: User, document: SupportingDocument) -> DocumentToSend:
    """The document's file for someone allowed to see the application; audited."""
    if not can_view_application(viewer, document.application):
        raise PermissionDenied("You cannot see this application's documents.")
    audit.record(viewer, DOCUMENT_VIEWED, document, application=str(document.application.public_id))
    return DocumentToSend(
        file=document.file.storage.open(document.file.name, "rb"),
        content_type=document.content_type,
        filename=document.original_name,
    )
