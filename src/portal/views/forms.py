"""Helpers for deform forms in views."""
import colander


def field_error(form, name, message) -> str:
    """Render ``form`` again with ``message`` on field ``name`` (a check made after validation)."""
    error = colander.Invalid(form.schema, "")
    error[name] = message
    form.widget.handle_error(form, error)
    return form.render(form.cstruct)
