"""The documents' services: ``library`` (what a party is shown, what is new to it) and
``publishing`` (what staff do to the library). Neither knows HTTP."""
