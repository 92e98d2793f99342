"""Customer groups (party groups) an administrator keeps: named sets of parties that documents (and
anything else meant for several customers) can be shown to at once.

Every change is audited through the ``IAuditService`` the caller passes; what the database would
refuse (a name taken) or what would silently change what customers are shown (deleting a group
documents are shown to) is refused with a ``SettingRefused`` that says why, before anything changes.
"""
from sqlalchemy import func, select

from portal.admin.access import find_party
from portal.admin.services import SettingRefused
from portal.documents.models import DocumentGroup
from portal.i18n import _
from portal.parties.models import Party, PartyGroup, PartyGroupMember


def _refuse_taken_name(session, name, group=None):
    taken = select(PartyGroup.id).where(func.lower(PartyGroup.name) == name.lower())
    if group is not None:
        taken = taken.where(PartyGroup.id != group.id)
    if session.scalar(taken.limit(1)) is not None:
        raise SettingRefused(_("A customer group named “${name}” already exists. Choose another name.",
                               mapping={"name": name}), field="name")


def create_party_group(session, audit, name: str) -> PartyGroup:
    _refuse_taken_name(session, name)
    group = PartyGroup(name=name)
    session.add(group)
    session.flush()
    audit.record("party_group.create", f"party_group:{group.id}", name=name)
    return group


def rename_party_group(session, audit, group: PartyGroup, name: str) -> bool:
    """Rename ``group``; False when the name is what it was."""
    if name == group.name:
        return False
    _refuse_taken_name(session, name, group)
    old, group.name = group.name, name
    session.flush()
    audit.record("party_group.rename", f"party_group:{group.id}", changes={"name": [old, name]})
    return True


def group_parties(session, group: PartyGroup) -> list[Party]:
    return session.scalars(
        select(Party).join(PartyGroupMember, PartyGroupMember.party_id == Party.id)
        .where(PartyGroupMember.group_id == group.id).order_by(Party.name, Party.id)
    ).all()


def add_party(session, audit, group: PartyGroup, ref: str) -> Party:
    """Put the party ``ref`` names (its number in the portal or its accounting id) in ``group``."""
    party = find_party(session, ref)
    if party is None:
        raise SettingRefused(_("There is no party “${ref}”. Give its number in the portal or its accounting id.",
                               mapping={"ref": ref}), field="party")
    if session.get(PartyGroupMember, (group.id, party.id)) is not None:
        raise SettingRefused(_("${name} is already in this group.", mapping={"name": party.name}), field="party")
    session.add(PartyGroupMember(group_id=group.id, party_id=party.id))
    session.flush()
    audit.record("party_group.add_party", f"party_group:{group.id}", party_id=party.id, party=party.name)
    return party


def remove_party(session, audit, group: PartyGroup, party_id: int) -> Party:
    member = session.get(PartyGroupMember, (group.id, party_id))
    if member is None:
        raise SettingRefused(_("This party is not in the group."))
    party = session.get(Party, party_id)
    session.delete(member)
    session.flush()
    audit.record("party_group.remove_party", f"party_group:{group.id}", party_id=party.id, party=party.name)
    return party


def documents_shown_to(session, group: PartyGroup) -> int:
    return session.scalar(select(func.count()).select_from(DocumentGroup).where(DocumentGroup.group_id == group.id))


def delete_party_group(session, audit, group: PartyGroup) -> None:
    """Delete ``group`` unless documents are shown to it (deleting it would hide them from its parties)."""
    shown = documents_shown_to(session, group)
    if shown:
        raise SettingRefused(_("The group cannot be deleted: ${count} documents are shown to it. "
                               "Change whom they are shown to first.", mapping={"count": shown}))
    target, name = f"party_group:{group.id}", group.name
    session.delete(group)
    session.flush()
    audit.record("party_group.delete", target, name=name)
