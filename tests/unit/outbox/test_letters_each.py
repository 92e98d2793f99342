"""Letters to many readers at once (``Letters.write_each``): each the letter ``write`` gives that reader,
in their language and greeting them, in the order asked."""
from types import SimpleNamespace

from portal.outbox.letters import Letters


def reader(n, language, first_name):
    return SimpleNamespace(id=n, language=language, first_name=first_name, middle_name="Petrovich", last_name="Ivanov",
                           login=f"user{n}", greeting_name=lambda lang, first=first_name: (
                               f"{first} Petrovich" if lang == "ru" else first) if first else f"user{n}")


def test_each_reader_gets_the_letter_write_gives_them():
    letters = Letters.from_settings({})
    readers = [reader(1, "ru", "Sergey"), reader(2, "en", "Anna"), reader(3, None, ""), reader(4, "ru", "Oleg")]
    values = [{"party": f"Company {n}", "invoices": [{"number": f"N-{n}", "total": "RUB 10.00", "due": "1.1.2027"}],
               "count": 1, "more": 0, "url": f"http://localhost:6543/p/{n}/invoices/9/"} for n in range(4)]
    written = letters.write_each("invoices", list(zip(readers, values)))
    assert written == [letters.write("invoices", user, **each) for user, each in zip(readers, values)]
    assert written[0].body.startswith("Здравствуйте, Sergey Petrovich.") and "Company 0" in written[0].subject
    assert written[2].body.startswith("Hello, user3.") and written[3].subject.endswith("Company 3")
