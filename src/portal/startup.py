"""What a serving process does once its application is built: ``portal.gc_freeze``.

The application's own objects (mappers, the registry, compiled statements and
templates: some 180,000) live as long as the process, yet the garbage collector's
oldest generation walks them all at each of its collections: 160 ms a time in a
web worker, which a request that triggers it waits out (the list pages' p99).
``gc.freeze()`` moves everything alive after start-up out of the collector's
sight. Off unless the settings ask (the .ini files do): a test suite that builds
many applications would keep every one of them.
"""
import gc

from pyramid.settings import asbool

FREEZE_SETTING = "portal.gc_freeze"


def freeze_startup_objects(settings) -> bool:
    """Collect once, then freeze what is left, when ``portal.gc_freeze`` is on; whether it was."""
    if not asbool(settings.get(FREEZE_SETTING, False)):
        return False
    gc.collect()
    gc.freeze()
    return True
