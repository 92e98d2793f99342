"""Print forms: the letterhead from the settings, the fonts, and a URL fetcher that reads nothing but
the deployment's own font and image files."""
import os

import pytest
from pyramid.exceptions import ConfigurationError

from portal.pdf import FONT_DIR, Letterhead, PdfRenderer, _local_fetcher, font_faces_css
from tests.pdf_text import pdf_images, pdf_text

DEJAVU = os.path.join(FONT_DIR, "DejaVuSans.ttf")


def test_the_letterhead_is_read_from_the_settings_and_bad_images_stop_the_start(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    letterhead = Letterhead.from_settings({"portal.company.name": "  Sever   Energy\n", "portal.company.logo": str(logo)})
    assert letterhead.name == "Sever Energy" and letterhead.logo == str(logo) and letterhead.stamp is None
    assert letterhead.logo_url == logo.as_uri()
    with pytest.raises(ConfigurationError, match="portal.company.stamp"):
        Letterhead.from_settings({"portal.company.stamp": str(tmp_path / "missing.png")})
    with pytest.raises(ConfigurationError, match="portal.company.logo"):
        Letterhead.from_settings({"portal.company.logo": __file__})  # not an image
    assert Letterhead.from_settings({}) == Letterhead()


def test_the_fonts_are_the_local_dejavu_files():
    css = font_faces_css()
    assert f'url("file://{DEJAVU}")' in css and css.count("@font-face") == 4
    assert font_faces_css(str(os.path.dirname(__file__))) == ""  # no such fonts there: nothing named


def test_the_fetcher_serves_only_the_allowed_files_and_data_urls(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not print me")
    fetcher = _local_fetcher(frozenset({DEJAVU}))
    assert fetcher.fetch("file://" + DEJAVU).read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ("http://127.0.0.1:9/logo.png", "https://example.com/x.css", "ftp://example.com/a",
                secret.as_uri(), "file:///etc/passwd", "file://" + DEJAVU + "/../../../../etc/passwd",
                "file://otherhost" + DEJAVU):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_a_document_that_links_elsewhere_prints_without_what_it_links(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body::after { content: 'LEAKED-SECRET' }")
    logo = tmp_path / "logo.png"
    from PIL import Image

    Image.new("RGB", (8, 8), "red").save(logo)
    renderer = PdfRenderer(Letterhead(name="Co", logo=str(logo)))
    html = (f"<html><head><style>{renderer.fonts_css}</style><link rel='stylesheet' href='{secret.as_uri()}'>"
            f"<link rel='stylesheet' href='http://127.0.0.1:9/x.css'></head><body><p>Счёт № 7</p>"
            f"<img src='{logo.as_uri()}'><img src='file:///usr/share/pixmaps/debian-logo.png'></body></html>")
    pdf = renderer.html_to_pdf(html)
    text = pdf_text(pdf)
    assert "Счёт № 7" in text and "LEAKED-SECRET" not in text
    assert pdf_images(pdf) == 1  # the allowed logo only


def resident_mib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def test_printing_many_documents_leaves_no_memory_behind():
    """Each document once made its own font configuration, which kept the fonts its @font-face rules
    loaded: a worker grew with every PDF (20 of these: +19 MiB)."""
    renderer = PdfRenderer(Letterhead(name="Co"))
    rows = "".join(f"<tr><td>Строка {i}</td><td>{i * 13.5:.2f} ₽</td></tr>" for i in range(40))
    html = (f"<html><head><style>{renderer.fonts_css} body {{ font-family: 'DejaVu Sans' }}</style></head>"
            f"<body><h1>Счёт № 7</h1><table>{rows}</table></body></html>")
    for _ in range(5):  # weasyprint's own caches fill with the first documents
        renderer.html_to_pdf(html)
    before = resident_mib()
    for _ in range(20):
        pdf = renderer.html_to_pdf(html)
    assert resident_mib() - before < 3
    assert "Счёт № 7" in pdf_text(pdf)


def test_each_thread_prints_with_a_font_configuration_of_its_own():
    from threading import Thread

    from portal.pdf import _font_config

    here, there = _font_config(), []
    thread = Thread(target=lambda: there.extend([_font_config(), _font_config()]))
    thread.start()
    thread.join()
    assert _font_config() is here
    assert there[0] is there[1] and there[0] is not here



def test_at_exit_the_kept_font_configuration_removes_its_folder_of_fonts():
    """weasyprint copies a document's @font-face files into a folder its configuration removes when it
    goes; kept for the thread, it goes at exit (``_drop_font_config``), not in the interpreter's
    teardown, where that removal failed with a TypeError and left the folder behind."""
    import gc

    from portal import pdf

    renderer = PdfRenderer(Letterhead())
    renderer.html_to_pdf(f"<style>{renderer.fonts_css}</style><p>Счёт</p>")
    folder = pdf._font_config()._folder
    assert folder is not None and folder.is_dir()
    pdf._drop_font_config()
    gc.collect()
    assert not folder.exists()
    assert pdf._font_config()._folder is None  # a new one, for what this thread prints next
