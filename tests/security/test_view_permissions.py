"""Every view declares a permission; only error views go without (Pyramid forbids one there)."""
from pyramid.interfaces import IExceptionResponse


def test_every_view_names_a_permission(app):
    introspector = app.registry.introspector
    missing, checked = [], 0
    for item in introspector.get_category("views"):
        intr = item["introspectable"]
        context = intr["context"]
        is_error_view = context is IExceptionResponse or (
            isinstance(context, type) and issubclass(context, BaseException)
        )
        if intr["exception_only"] or is_error_view:
            continue
        checked += 1
        related = introspector.related(intr)
        if not any(r.category_name == "permissions" for r in related):
            missing.append((context, intr["name"], intr["callable"]))
    assert checked > 10
    assert not missing, missing
