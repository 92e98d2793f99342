"""A package that grants a permission another package owns: the start must refuse it."""


def includeme(config):
    config.add_party_grants(member=("requests:view",))
