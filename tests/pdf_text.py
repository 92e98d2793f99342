"""The text a person reads in a PDF (pypdf, the test extra), for tests that check what a PDF says."""
import io

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """Every page's text, pages joined by newlines; whitespace runs made single spaces per line."""
    reader = PdfReader(io.BytesIO(data))
    lines = []
    for page in reader.pages:
        for line in (page.extract_text() or "").splitlines():
            lines.append(" ".join(line.split()))
    return "\n".join(lines)


def pdf_images(data: bytes) -> int:
    """How many images the PDF's pages show (a logo, a stamp)."""
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)
