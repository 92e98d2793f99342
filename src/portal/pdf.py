"""Print forms: a Chameleon template rendered to HTML, then to PDF by weasyprint, from local files only.

Every financial document (invoices, advance schedules, statements) and every
print form a vertical adds is made here, so each is laid out the same way: the
company's letterhead from the settings (``portal.company.name``, ``.address``,
``.tax_id``, ``.bank``, and the images ``portal.company.logo`` and
``portal.company.stamp``), fonts with Cyrillic from Debian's DejaVu files
(fonts-dejavu-core) named by ``@font-face``, and nothing fetched from anywhere:
the URL fetcher answers ``data:`` URLs and the few local files named here
(the fonts, the logo, the stamp), and refuses every other address, so a value
that ends up in a template can never make the server read a file or call a host.

Templates use the macro of ``portal:templates/print.pt`` (its page, fonts and
letterhead); their values get ``letterhead`` and ``fonts_css`` added.
"""
import atexit
import functools
import logging
import mimetypes
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pyramid.exceptions import ConfigurationError
from pyramid.renderers import render

COMPANY_SETTINGS = "portal.company."
FONTS_SETTING = "portal.pdf.fonts_dir"
# Debian's fonts-dejavu-core (.ci/run installs it): every Cyrillic and Latin letter, four faces.
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_FACES = (
    ("normal", "normal", "DejaVuSans.ttf"),
    ("bold", "normal", "DejaVuSans-Bold.ttf"),
    ("normal", "italic", "DejaVuSans-Oblique.ttf"),
    ("bold", "italic", "DejaVuSans-BoldOblique.ttf"),
)
FONT_FAMILY = "DejaVu Sans"
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
PDF_TYPE = "application/pdf"
LETTERHEAD_KEY = "portal.pdf.renderer"


@dataclass(frozen=True)
class Letterhead:
    """The company as its documents name it; ``logo`` and ``stamp`` are image paths or None."""

    name: str = ""
    address: str = ""
    tax_id: str = ""
    bank: str = ""
    logo: str | None = None
    stamp: str | None = None

    @classmethod
    def from_settings(cls, settings) -> "Letterhead":
        """The ``portal.company.*`` settings; an image that is not a readable PNG, JPEG or SVG stops the start."""
        def text(key):
            return " ".join(str(settings.get(COMPANY_SETTINGS + key) or "").split())

        images = {}
        for key in ("logo", "stamp"):
            path = str(settings.get(COMPANY_SETTINGS + key) or "").strip()
            if path:
                path = os.path.abspath(path)
                if Path(path).suffix.lower() not in IMAGE_TYPES or not os.path.isfile(path):
                    raise ConfigurationError(f"{COMPANY_SETTINGS}{key}: {path!r} is not a PNG, JPEG or SVG file")
            images[key] = path or None
        return cls(text("name"), text("address"), text("tax_id"), text("bank"), **images)

    @property
    def logo_url(self) -> str | None:
        return _file_url(self.logo)

    @property
    def stamp_url(self) -> str | None:
        return _file_url(self.stamp)


def _file_url(path) -> str | None:
    return Path(path).as_uri() if path else None


def font_faces_css(font_dir: str = FONT_DIR) -> str:
    """``@font-face`` rules for the DejaVu files there are (the PDF embeds what it uses)."""
    rules = []
    for weight, style, filename in FONT_FACES:
        path = os.path.join(font_dir, filename)
        if os.path.isfile(path):
            rules.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style};'
                         f' src: url("{Path(path).as_uri()}"); }}')
    return "\n".join(rules)


@functools.cache
def _fetcher_class():
    """weasyprint's URL fetcher narrowed to ``data:`` URLs and the files it is given (made once)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        def __init__(self, allowed_files: frozenset):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
            self.allowed_files = allowed_files

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            path = os.path.abspath(unquote(parts.path)) if parts.scheme == "file" and not parts.netloc else None
            if path not in self.allowed_files:
                raise ValueError(f"refused to fetch {url[:200]!r}: print forms use local files only")
            with open(path, "rb") as f:
                body = f.read()
            kind = IMAGE_TYPES.get(Path(path).suffix.lower()) or mimetypes.guess_type(path)[0]
            return URLFetcherResponse(url, body, {"Content-Type": kind or "application/octet-stream"})

    return LocalFetcher


_THREAD = threading.local()


def _font_config():
    """This thread's weasyprint ``FontConfiguration``, made once.

    weasyprint makes a new one for each document unless given one, and each left
    a quarter of a MiB to a MiB behind (the fonts it loaded for the ``@font-face``
    rules), so a worker serving PDFs grew by that much with each of them. One per
    thread keeps it flat: the fonts are loaded once, and no two threads share one.
    """
    config = getattr(_THREAD, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _THREAD.font_config = FontConfiguration()
    return config


@atexit.register
def _drop_font_config():
    """The main thread's configuration goes at exit, while its ``__del__`` can still remove the folder of
    fonts it made: left to the interpreter's teardown, that printed a TypeError on every exit."""
    _THREAD.__dict__.pop("font_config", None)


def _local_fetcher(allowed_files: frozenset):
    """A weasyprint URL fetcher that serves ``data:`` URLs and the ``allowed_files``, and refuses the rest."""
    return _fetcher_class()(allowed_files)


class PdfRenderer:
    """Makes PDFs from HTML or from a print template, with the letterhead and fonts of this deployment."""

    def __init__(self, letterhead: Letterhead, font_dir: str = FONT_DIR):
        self.letterhead = letterhead
        self.fonts_css = font_faces_css(font_dir)
        fonts = {os.path.abspath(os.path.join(font_dir, name)) for _w, _s, name in FONT_FACES}
        self.allowed_files = frozenset(fonts | {p for p in (letterhead.logo, letterhead.stamp) if p})

    def html_to_pdf(self, html: str) -> bytes:
        """The PDF of ``html``; anything it links to but the allowed files is left out."""
        import weasyprint

        return weasyprint.HTML(string=html, url_fetcher=_local_fetcher(self.allowed_files)).write_pdf(
            font_config=_font_config())

    def html(self, template: str, values: dict, request) -> str:
        """The print template rendered in the request's language, with ``letterhead`` and ``fonts_css``."""
        return render(template, dict(values, letterhead=self.letterhead, fonts_css=self.fonts_css), request=request)

    def render(self, template: str, values: dict, request) -> bytes:
        return self.html_to_pdf(self.html(template, values, request))


def pdf_renderer(registry) -> PdfRenderer:
    """This application's renderer (its letterhead read from the settings once)."""
    renderer = registry.get(LETTERHEAD_KEY)
    if renderer is None:
        renderer = registry[LETTERHEAD_KEY] = renderer_from_settings(registry.settings or {})
    return renderer


def renderer_from_settings(settings) -> PdfRenderer:
    return PdfRenderer(Letterhead.from_settings(settings), settings.get(FONTS_SETTING) or FONT_DIR)


def includeme(config):
    """Read the letterhead at start, so a wrong image path is reported then, not on the first PDF.

    weasyprint logs seven steps of every document at INFO: left to the warnings (a refused
    address, an image it could not read) unless the .ini configures its logger itself.
    """
    config.registry[LETTERHEAD_KEY] = renderer_from_settings(config.get_settings())
    progress = logging.getLogger("weasyprint.progress")
    if progress.level == logging.NOTSET:
        progress.setLevel(logging.WARNING)
