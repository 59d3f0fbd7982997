"""Tests for sockkit.enums that no other module's tests cover."""

from __future__ import annotations

from sockkit.enums import AIFlag, Event, MsgFlag


def test_flag_reprs_read_the_same_on_every_python() -> None:
    # Python 3.10's own repr lists the highest bit first and writes no flag as "Event.0".
    assert repr(Event.READ | Event.WRITE) == "<Event.READ|WRITE: 3>"
    assert repr(Event.WRITE | Event.READ) == "<Event.READ|WRITE: 3>"
    assert repr(Event.READ) == "<Event.READ: 1>"
    assert repr(Event(0)) == "<Event: 0>"
    assert repr(MsgFlag(0)) == "<MsgFlag: 0>"
    both = MsgFlag.PEEK | MsgFlag.OOB
    assert repr(both) == f"<MsgFlag.OOB|PEEK: {int(both)}>"
    lookup = AIFlag.PASSIVE | AIFlag.NUMERICHOST
    assert repr(lookup) == f"<AIFlag.PASSIVE|NUMERICHOST: {int(lookup)}>"
