"""Many letters at once (``LetterTemplates.render_each``): each exactly the letter ``render`` writes alone,
whatever its texts (markup characters, blanks the layout collapses, characters XML cannot carry, our own
marks), with the package's templates rendered once per shape of their values, and a deployment's
template, a rendering whose marks a template cut, or a value no shape stands for, rendered one by one."""
import glob
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyramid.i18n import TranslationString, make_localizer
from pyramid.path import AssetResolver

from portal.notifications import shapes
from portal.notifications.texts import LetterTemplates

LOCALE = AssetResolver().resolve("portal:locale").abspath()
LOCALIZERS = {language: make_localizer(language, [LOCALE]) for language in ("en", "ru")}
NS = 'xmlns:tal="http://xml.zope.org/namespaces/tal" xmlns:i18n="http://xml.zope.org/namespaces/i18n"'
TEXTS = st.one_of(
    st.sampled_from(["Acme Energo", "ООО «Ромашка»", "Tom & Jerry", "<b>x</b>", "  padded ", "two  blanks",
                     "line\nbreak", "tab\there", "\u00a0nbsp\u00a0", "mark \ue000 0\ue001", "", "x", "7"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
)


class Counting(LetterTemplates):
    """The package's templates, counting what is rendered."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.rendered = 0

    def render(self, letter, localizer, /, **values):
        self.rendered += 1
        return super().render(letter, localizer, **values)


def package():
    return Counting.from_settings({})


def invoices_values(party, numbers, name, more=0):
    return {"name": name, "settings_url": "http://portal/account/notifications", "party": party,
            "invoices": [{"number": number, "total": "RUB 1 234,50", "due": "15.12.2026"} for number in numbers],
            "count": len(numbers) + more, "more": more, "url": f"http://portal/p/1/invoices/{len(numbers)}/"}


@settings(max_examples=60, deadline=None)
@given(letters=st.lists(st.tuples(TEXTS, st.lists(TEXTS, min_size=1, max_size=3), TEXTS,
                                  st.sampled_from([0, 0, 5])), min_size=1, max_size=6),
       language=st.sampled_from(["en", "ru"]))
def test_each_invoices_letter_is_the_one_render_writes_alone(letters, language):
    templates, localizer = package(), LOCALIZERS[language]
    values = [invoices_values(party, numbers, name, more) for party, numbers, name, more in letters]
    try:
        alone = [templates.render("invoices", localizer, **each) for each in values]
    except Exception as refused:  # a text XML cannot carry (a control character in a line): refused alike
        with pytest.raises(type(refused)):
            templates.render_each("invoices", localizer, values)
        return
    assert templates.render_each("invoices", localizer, values) == alone


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.tuples(TEXTS, TEXTS, TEXTS), min_size=1, max_size=5))
def test_each_work_letter_with_its_conditions_and_typed_text_is_the_one_render_writes(texts):
    templates, localizer = package(), LOCALIZERS["en"]
    values = [dict(kind="Request", id="7", subject=subject, state="Assigned", name="Olga", actor=actor,
                   comment=comment, url="http://portal/p/1/requests/7/", settings_url="http://portal/account")
              for subject, actor, comment in texts]
    alone = [templates.render("work", localizer, **each) for each in values]
    assert templates.render_each("work", localizer, values) == alone


def test_letters_alike_but_for_their_texts_are_rendered_once():
    templates = package()
    values = [invoices_values(f"Company {n}", [f"N-{n}"], f"Reader {n}") for n in range(50)]
    values.append(invoices_values("Company 50", ["N-50", "N-51"], "Reader 50"))  # another shape: two lines
    letters = templates.render_each("invoices", LOCALIZERS["en"], values)
    assert templates.rendered == 2
    assert letters[7].subject == "New invoice N-7 for Company 7" and letters[7].body.startswith("Hello, Reader 7.")
    assert letters[50].subject == "New invoices for Company 50: 2"


def test_a_deployments_template_is_rendered_letter_by_letter(tmp_path):
    (tmp_path / "invoices.pt").write_text(
        f'<letter {NS}><subject>${{party.upper()}}</subject><body><p>${{name[:2]}}</p></body><sms>'
        f'<tal:x tal:condition="party.startswith(\'A\')">A-company</tal:x></sms></letter>', encoding="utf-8")
    templates = Counting.from_settings({"portal.notifications.templates": str(tmp_path)})
    values = [invoices_values("Acme", ["N-1"], "Olga"), invoices_values("Beta", ["N-2"], "Pavel")]
    letters = templates.render_each("invoices", LOCALIZERS["en"], values)
    assert [(letter.subject, letter.body, letter.sms) for letter in letters] == [
        ("ACME", "Ol\n", "A-company"), ("BETA", "Pa\n", "")]
    assert templates.rendered == 2


def test_a_rendering_whose_marks_were_cut_is_not_used(tmp_path):
    (tmp_path / "invoices.pt").write_text(
        f'<letter {NS}><subject>${{party[:2]}} ${{name}}</subject><body><p>${{name}}</p></body></letter>',
        encoding="utf-8")
    templates = Counting([str(tmp_path)], package=str(tmp_path))  # as if it were the package's own
    values = [invoices_values("Acme", ["N-1"], "Olga"), invoices_values("Beta", ["N-2"], "Pavel")]
    letters = templates.render_each("invoices", LOCALIZERS["en"], values)
    assert [letter.subject for letter in letters] == ["Ac Olga", "Be Pavel"]
    assert templates.rendered == 3  # the marked rendering, then each letter alone


PRINTED = re.compile(r"\$\{[a-z_]+(\[[0-9]+\])?(\['[a-z_]+'\])*\}")
TESTED = re.compile(r"(not )?[a-z_]+|[a-z_]+ [!=]= [0-9]+")


def test_the_packages_templates_only_print_their_texts_and_test_whether_they_are_empty():
    """What makes their letters alike but for their texts (notifications/shapes.py): a template that cut
    a text (``${party[:30]}``) or compared one would be given marks where it reads a text, and its
    letters would be wrong. Such a template belongs in a deployment's folder, rendered letter by letter."""
    folder = AssetResolver().resolve("portal:notifications/texts").abspath()
    for path in sorted(glob.glob(os.path.join(folder, "*.pt"))):
        source = open(path, encoding="utf-8").read()
        assert "structure" not in source, path
        for expression in re.findall(r"\$\{[^}]*\}", source):
            assert PRINTED.fullmatch(expression), (path, expression)
        for attribute, expression in re.findall(r'tal:([a-z]+)="([^"]*)"', source):
            assert attribute in ("condition", "repeat"), (path, attribute)
            assert (TESTED.fullmatch(expression) if attribute == "condition"
                    else re.fullmatch(r"[a-z_]+ [a-z_]+", expression)), (path, expression)


def test_a_value_no_shape_stands_for_is_rendered_with_its_letter_alone():
    templates = package()
    values = [invoices_values("Acme", ["N-1"], "Olga"), invoices_values("Beta", ["N-2"], "Pavel")]
    values[1]["invoices"][0]["number"] = TranslationString("No. ${n}", mapping={"n": "2"})  # translated by the template
    letters = templates.render_each("invoices", LOCALIZERS["en"], values)
    assert templates.rendered == 2
    assert letters == [templates.render("invoices", LOCALIZERS["en"], **each) for each in values]
    assert letters[1].subject == "New invoice No. 2 for Beta" and letters[0].subject == "New invoice N-1 for Acme"


@pytest.mark.parametrize("text, taken", [
    ("Acme Energo", True), ("ООО «Ромашка» №1", True), ("RUB\u00a01\u00a0234,50", True), ("", False),
    ("Tom & Jerry", False), ("<b>", False), (" Acme", False), ("Acme ", False), ("two  blanks", False),
    ("line\nbreak", False), ("tab\tx", False), ("cr\rx", False), ("\x0bvt", False), ("\ue000", False),
    ("\u00a0edge", False),
])
def test_a_text_is_taken_out_only_when_it_comes_out_as_it_goes_in(text, taken):
    assert shapes.as_is(text) is taken


def test_a_shape_keeps_what_conditions_read_apart():
    def key(value):
        return shapes.shape(value, [])
    assert key({"count": 1, "name": "A"}) == key({"count": 1, "name": "B"})
    assert key({"count": 1}) != key({"count": True}) != key({"count": 1.0})
    assert key({"comment": ""}) != key({"comment": "x"}) and key({"a": ["x"]}) != key({"a": ["x", "y"]})
    with pytest.raises(shapes.Unshaped):
        key({"party": object()})
