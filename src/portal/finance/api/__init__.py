"""Finance's entities of the integration API: invoices, payments and balances (``records``),
advance schedules (``advances``) and price lists (``price_lists``)."""


def includeme(config):
    config.include(".records")
    config.include(".advances")
    config.include(".price_lists")
