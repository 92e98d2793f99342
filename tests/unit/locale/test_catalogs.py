"""The catalogs are complete and compiled: no English leaks into a Russian page."""
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "src" / "portal" / "locale"
LANGUAGES = ["en", "ru"]


def load_po(lang):
    with open(LOCALE / lang / "LC_MESSAGES" / "portal.po", "rb") as f:
        return read_po(f, locale=lang)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every message the source holds today, extracted afresh with lingua."""
    out = tmp_path_factory.mktemp("pot") / "portal.pot"
    pot_create = Path(sys.executable).with_name("pot-create")
    subprocess.run(
        [str(pot_create), "-c", str(ROOT / "lingua.cfg"), "-d", "portal", "-o", str(out), str(ROOT / "src" / "portal")],
        check=True, capture_output=True, cwd=ROOT,
    )
    with open(out, "rb") as f:
        return {m.id for m in read_po(f) if m.id}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang, extracted):
    catalog = load_po(lang)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted - translated)
    assert not missing, f"untranslated in {lang}: {missing}; run bin/update-catalogs"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_its_source(lang):
    source = {m.id: m.string for m in load_po(lang) if m.id and not m.fuzzy}
    with open(LOCALE / lang / "LC_MESSAGES" / "portal.mo", "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == source, "portal.mo is stale; run bin/update-catalogs"


def test_placeholders_survive_translation():
    for message in load_po("ru"):
        if message.id and message.string:
            for name in ("${first}", "${last}", "${total}", "${q}", "${min}", "${page}", "${pages}"):
                assert (name in message.id) == (name in message.string), message.id
