"""One-time form tokens: a filing form (a request, a ticket, a change request, a message) files
once however often it is sent. Each rendered form carries a signed token; the first POST with it
records the token with the page it led to, in the transaction that files the item, and any later
POST of the same form lands on that page instead of filing again (views/forms.py uses it)."""


def includeme(config):
    config.include(".services")
