"""JUnit names: one test case per (gate, strategy), the strategy named once."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd

from simulation.report.junit import junit_xml


def test_a_gate_aimed_at_a_strategy_is_named_once():
    gates = pd.DataFrame([
        {"strategy": "worse", "gate": "worse: profit.mean < baseline -2%", "status": "fail", "message": "m"},
        {"strategy": "same", "gate": "profit.mean < baseline -2%", "status": "pass", "message": ""},
    ])
    names = [c.get("name") for c in ET.fromstring(junit_xml({"s": gates}).split("\n", 1)[1]).iter("testcase")]
    assert names == ["worse: profit.mean < baseline -2%", "same: profit.mean < baseline -2%"]
