"""``config.add_feed_kind``: a kind is declared once, with a name fit for a URL, and a workflow only
together with the payload its moves publish."""
import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError, ConfigurationError

from portal.api.feed.registry import feed_kinds
from portal.requests.schemas import RequestFeedSchema
from portal.requests.workflow import REQUEST, feed_payload


def configurator():
    config = Configurator(settings={})
    config.include("portal.api.feed.kinds")
    return config


def test_a_declared_kind_is_in_the_registry_with_its_schema():
    config = configurator()
    config.add_feed_kind("requests", "Requests", schema=RequestFeedSchema, workflow=REQUEST, payload=feed_payload)
    config.commit()
    kind = feed_kinds(config.registry)["requests"]
    assert kind.title == "Requests" and isinstance(kind.make_schema(), RequestFeedSchema)


def test_two_packages_declaring_one_kind_conflict():
    config = configurator()
    config.add_feed_kind("readings", "Readings")
    config.add_feed_kind("readings", "Meter readings")
    with pytest.raises(ConfigurationConflictError):
        config.commit()


@pytest.mark.parametrize("name", ["", "Readings", "top-up", "1st", "a" * 41, "ack/x"])
def test_a_name_unfit_for_a_url_stops_the_start(name):
    with pytest.raises(ConfigurationError):
        configurator().add_feed_kind(name, "Title")


def test_a_workflow_needs_its_payload():
    with pytest.raises(ConfigurationError):
        configurator().add_feed_kind("requests", "Requests", workflow=REQUEST)
