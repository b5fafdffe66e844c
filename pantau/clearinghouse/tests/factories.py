"""Real files for the clearinghouse tests, made at test time: PDFs with WeasyPrint (a text
layer) and pypdf (encrypted, page-count and decompression bombs), DOCX with python-docx."""

import io
import zlib

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject, StreamObject
from weasyprint import HTML


def pdf_bytes(text: str) -> bytes:
    return HTML(string=f"<html><body><p>{escape(text)}</p></body></html>").write_pdf()


def pdf_upload(text: str, name: str = "study.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def docx_upload(text: str, name: str = "practice.docx") -> SimpleUploadedFile:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def scanned_pdf_upload(name: str = "scan.pdf") -> SimpleUploadedFile:
    """Pages with no text layer (what a scanner gives, minus the image)."""
    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue())


def encrypted_pdf_upload(name: str = "secret.pdf") -> SimpleUploadedFile:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes("hidden words")))
    writer.encrypt(user_password="pw", owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue())


def many_pages_pdf_upload(pages: int = 2_500, name: str = "pages.pdf") -> SimpleUploadedFile:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=10, height=10)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue())


def inflating_pdf_upload(megabytes: int = 300, name: str = "bomb.pdf") -> SimpleUploadedFile:
    """A one-page PDF whose content stream inflates to `megabytes` MB of spaces."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    data = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    writer = PdfWriter()
    page = writer.add_blank_page(width=100, height=100)
    stream = StreamObject()
    stream._data = data
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    assert DecodedStreamObject  # the decoded form is what pypdf builds when reading
    return SimpleUploadedFile(name, out.getvalue())
