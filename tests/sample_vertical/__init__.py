"""A vertical-shaped package that lives outside the portal: switched on by ``portal.modules =
tests.sample_vertical`` it adds a party child, its grants, a tile, a navigation item and a view —
touching no file of the core. The tests in ``tests/functional/test_modules.py`` switch it on and off."""
from portal.identity.models import Role
from portal.views.navigation import area_link

from .resources import SamplesContainer

VIEW = "samples:view"
MANAGE = "samples:manage"


def includeme(config):
    config.add_party_child(SamplesContainer.segment, SamplesContainer)
    config.add_party_grants(member=(VIEW,), manager=(VIEW,), staff={Role.backoffice: (VIEW, MANAGE)})
    config.add_party_tile("samples", "Samples", "samples", VIEW, order=90)
    config.add_nav_item("samples-dashboard", area_link("Sample dashboard", "dashboard", "dashboard:view"), order=900)
    config.scan(".views")
