"""The workflow engine and what every workflow shares: the history, notices, due times, the item
resources, the work kinds (``config.add_work_kind``) and the service that applies transitions."""


def includeme(config):
    config.include(".kinds")
    config.include(".services")
    config.include(".notices")
