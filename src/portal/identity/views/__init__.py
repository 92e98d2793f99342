"""The identity package's pages: login and logout (``auth``), the user's own account (``account``)."""
