"""Parties and contracts as entities of the integration API (``/api/v1/parties``, ``/api/v1/contracts``)."""
from sqlalchemy import select

from portal.api.entities import RowError
from portal.i18n import _
from portal.parties.models import Contract, Party
from portal.parties.schemas import ContractApiSchema, PartyApiSchema

PARTY_FIELDS = ("name", "tax_id", "address", "billing_address", "contact_person", "email", "phone")


def find_party(db, external_id):
    return db.scalars(select(Party).where(Party.external_id == external_id)).first()


def referenced_party(db, field, external_id) -> Party:
    party = find_party(db, external_id)
    if party is None:
        raise RowError(field, _("No party has the external id ${id}.", mapping={"id": external_id}))
    return party


def party_values(party: Party) -> dict:
    values = {name: getattr(party, name) for name in PARTY_FIELDS}
    values["external_id"] = party.external_id
    values["parent"] = party.parent.external_id if party.parent is not None else None
    return values


def apply_party(db, party, values):
    if party is None:
        party = Party(external_id=values["external_id"])
        db.add(party)
    for name in PARTY_FIELDS:
        if name in values:
            setattr(party, name, values[name])
    if "parent" in values:
        ref = values["parent"]
        if ref is None:
            party.parent = None
        elif ref == values["external_id"]:
            raise RowError("parent", _("A party cannot be its own parent."))
        else:
            parent = referenced_party(db, "parent", ref)
            ancestor = parent
            while ancestor is not None:
                if ancestor is party:
                    raise RowError("parent", _("The parent would make a circle of holdings."))
                ancestor = ancestor.parent
            party.parent = parent
    return party


def find_contract(db, external_id):
    return db.scalars(select(Contract).where(Contract.external_id == external_id)).first()


def contract_values(contract: Contract) -> dict:
    return {"external_id": contract.external_id, "party": contract.party.external_id, "number": contract.number,
            "valid_from": contract.valid_from, "valid_to": contract.valid_to}


def apply_contract(db, contract, values):
    party = referenced_party(db, "party", values["party"])
    if contract is None:
        contract = Contract(external_id=values["external_id"])
        db.add(contract)
    contract.party = party
    for name in ("number", "valid_from", "valid_to"):
        if name in values:
            setattr(contract, name, values[name])
    return contract


def includeme(config):
    config.include("portal.api.entities")
    config.add_api_entity("parties", schema=PartyApiSchema, find=find_party, current=party_values,
                          apply=apply_party, title="Party")
    config.add_api_entity("contracts", schema=ContractApiSchema, find=find_contract, current=contract_values,
                          apply=apply_contract, title="Contract")
