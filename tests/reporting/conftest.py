import pytest
import time_machine

from tests.reporting.world import TODAY, build


@pytest.fixture
def world(db):
    with time_machine.travel(TODAY, tick=False):
        yield build()


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield
