"""Gate results as JUnit XML, one test case per (scenario, gate, strategy)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pandas as pd

__all__ = ["junit_xml"]


def junit_xml(gates_by_scenario: dict[str, pd.DataFrame], *, incomplete: dict[str, str] | None = None) -> str:
    """A JUnit XML document; failed gates are ``<failure>``, incomplete runs ``<error>``."""
    incomplete = incomplete or {}
    root = ET.Element("testsuites", name="presale compare")
    for scenario, gates in gates_by_scenario.items():
        suite = ET.SubElement(root, "testsuite", name=scenario)
        n_fail = n_err = 0
        for row in gates.itertuples(index=False):
            gate = str(row.gate).strip()
            named = gate.split(":", 1)[0].strip() == str(row.strategy) and ":" in gate
            case = ET.SubElement(suite, "testcase", classname=scenario,
                                 name=gate if named else f"{row.strategy}: {gate}")
            if row.status != "pass":
                n_fail += 1
                ET.SubElement(case, "failure", message=str(row.message)).text = str(row.message)
        if scenario in incomplete:
            n_err += 1
            case = ET.SubElement(suite, "testcase", classname=scenario, name="all runs finished")
            ET.SubElement(case, "error", message=incomplete[scenario]).text = incomplete[scenario]
        suite.set("tests", str(len(gates) + (scenario in incomplete)))
        suite.set("failures", str(n_fail))
        suite.set("errors", str(n_err))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
