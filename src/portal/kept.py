"""Values worked out once and kept between requests, per key, in a bounded cache.

A registry (or a localizer) keeps what every request would otherwise make
again: the navigation of a set of principals, the header's links of a site
address, a language's texts. A key may come from the client (a Host header),
so each cache is emptied when it reaches its size: it can never grow without end.
"""
from typing import Callable, MutableMapping


def kept(store: MutableMapping, name: str, key, make: Callable, size: int):
    """``make()`` for ``key``, made once and kept in ``store[name]``, which holds at most ``size`` keys."""
    cache = store.setdefault(name, {})
    value = cache.get(key)
    if value is None:
        if len(cache) >= size:
            cache.clear()
        value = cache[key] = make()
    return value
