"""The admin pages: users (``users``), workflow settings (``settings``), staff groups (``groups``)."""
