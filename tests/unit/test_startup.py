"""A serving process freezes its start-up objects out of the collector's sight, when its settings say so."""
import configparser
import gc
from pathlib import Path

import pytest

from portal import startup

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def frozen(monkeypatch):
    calls = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    return calls


@pytest.mark.parametrize("value", ["true", "yes", "1"])
def test_on_it_freezes(frozen, value):
    assert startup.freeze_startup_objects({startup.FREEZE_SETTING: value}) is True
    assert frozen == ["freeze"]


@pytest.mark.parametrize("settings", [{}, {startup.FREEZE_SETTING: "false"}])
def test_off_it_leaves_the_collector_alone(frozen, settings):
    assert startup.freeze_startup_objects(settings) is False
    assert frozen == []


@pytest.mark.parametrize("ini", ["production.ini", "development.ini", "bench/bench.ini"])
def test_the_served_configurations_turn_it_on(ini):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / ini)
    assert parser["app:main"][startup.FREEZE_SETTING] == "true"
