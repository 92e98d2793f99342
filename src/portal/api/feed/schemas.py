"""The pieces feed payload schemas are made of. A payload schema documents a kind's events in
``/api/v1/openapi.json``, and the tests check every published payload against it: a key it does not
declare is an error (``unknown="raise"``), so the document cannot fall behind the payloads."""
import colander


class PayloadSchema(colander.MappingSchema):
    """A mapping of a payload: exactly the keys it declares."""

    @staticmethod
    def schema_type():
        return colander.Mapping(unknown="raise")


class PartyReference(PayloadSchema):
    """A party: its id in the portal and in the accounting system (None if it never sent one)."""

    id = colander.SchemaNode(colander.Integer())
    external_id = colander.SchemaNode(colander.String(), missing=None)


class MoveSchema(PayloadSchema):
    """A workflow move (``add_feed_kind(..., workflow=...)``): which transition (``create`` for the
    filing), from which state to which, its comment and when."""

    party = PartyReference()
    transition = colander.SchemaNode(colander.String())
    from_state = colander.SchemaNode(colander.String(), missing=None)
    state = colander.SchemaNode(colander.String())
    comment = colander.SchemaNode(colander.String(), missing="")
    moved_at = colander.SchemaNode(colander.DateTime())
