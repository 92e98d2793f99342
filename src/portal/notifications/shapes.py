"""Many letters of one template at once, each as ``LetterTemplates.render`` writes it alone, for a
fraction of the work: the announcement of a month's invoices is thousands of letters that differ only
in their texts (a name, a company, an amount), which the package's templates print as they are.

Letters are grouped by *shape*: their values with every such text taken out, so what is left is what a
template's conditions and loops can read (numbers, flags, empty texts, how long each list is). A shape
is rendered once with a mark in each text's place, and each letter of it is that rendering with its own
texts put in the marks. A text is taken out only when rendering it and putting it in give the same
letter: no markup characters to escape, nothing the XML or the layout would change (line breaks, tabs,
blanks at its ends or two in a row), no characters XML cannot carry, no mark of ours; any other text
stays in the shape, rendered for real. This holds for templates that only print their texts and test
whether one is empty, as the package's do (tests/unit/notifications/test_shapes.py reads them to be
sure); a deployment's templates are rendered letter by letter. A rendering whose marks did not come
through whole (a template that cut or changed a text) is not used: its letters are rendered one by one.
"""
import re

MARK = "\ue000{}\ue001"  # private-use characters: no text of a letter holds them (those that do stay in the shape)
MARKS = re.compile("\ue000([0-9]+)\ue001")
AS_IS = re.compile("[^&<>\ue000\ue001\x00-\x1f\x7f\ufffe\uffff]+")  # what prints, and is parsed back, as it is
TEXT = object()  # a text's place in a shape
SCALARS = (int, float, bool, type(None))


class Unshaped(Exception):
    """A value a shape cannot stand for (not JSON-like): its letter is rendered alone."""


def as_is(text: str) -> bool:
    """Whether ``text`` comes out of a letter as it goes in (see the module)."""
    return (AS_IS.fullmatch(text) is not None and text == text.strip() and "  " not in text)


def shape(value, texts: list):
    """The shape of ``value`` (hashable), its texts taken out appended to ``texts`` in order; raises Unshaped."""
    kind = type(value)
    if kind is str:
        if as_is(value):
            texts.append(value)
            return TEXT
        return value
    if kind in SCALARS:
        return kind, value  # True, 1 and 1.0 are one key of a dict: the kind keeps them apart
    if kind is list or kind is tuple:
        return kind, tuple(shape(item, texts) for item in value)
    if kind is dict:
        return kind, tuple((key, shape(item, texts)) for key, item in value.items())
    raise Unshaped(kind)


def marked(value, texts: list):
    """``value`` with a mark in the place of each text ``shape`` takes out (numbered as ``texts`` grows)."""
    kind = type(value)
    if kind is str:
        if as_is(value):
            texts.append(value)
            return MARK.format(len(texts) - 1)
        return value
    if kind is list or kind is tuple:
        return kind(marked(item, texts) for item in value)
    if kind is dict:
        return {key: marked(item, texts) for key, item in value.items()}
    return value


def whole(text: str, count: int) -> bool:
    """Whether every mark of ``text`` came through whole, and none but ours (0 to ``count`` - 1)."""
    found = MARKS.findall(text)
    return (text.count("\ue000") == text.count("\ue001") == len(found)
            and all(int(number) < count for number in found))


def pieces(text: str) -> tuple[list, str]:
    """``text`` cut at its marks: (the text before, the mark's number) each, and the text after the last."""
    parts = MARKS.split(text)
    return [(parts[n], int(parts[n + 1])) for n in range(0, len(parts) - 1, 2)], parts[-1]


def filled(cut: tuple[list, str], texts: list) -> str:
    """The text ``pieces`` cut, with ``texts`` in its marks."""
    before, tail = cut
    return "".join([literal + texts[number] for literal, number in before]) + tail if before else tail
