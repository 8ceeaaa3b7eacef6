"""Registry records the tests make from the real ones in tests/data/ctgov, in one place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CTGOV = Path(__file__).parent / "data" / "ctgov"


def dasatinib_record() -> dict[str, Any]:
    """The small real record (NCT00763412) made a trial of dasatinib against imatinib in
    chronic-phase CML: the drug and the condition named as the registry names them (MeSH,
    zero-padded ids), imatinib by name only, so that both reconcile with the curated DASCERN."""
    study: dict[str, Any] = json.loads((CTGOV / "NCT00763412.json").read_text(encoding="utf-8"))
    protocol = study["protocolSection"]
    protocol["identificationModule"]["nctId"] = "NCT09000001"
    arms = protocol["armsInterventionsModule"]
    arms["interventions"] = [
        {"type": "DRUG", "name": "Dasatinib", "armGroupLabels": [arms["armGroups"][1]["label"]]},
        {"type": "DRUG", "name": "Imatinib", "armGroupLabels": [arms["armGroups"][0]["label"]]},
    ]
    arms["armGroups"][0]["type"] = "ACTIVE_COMPARATOR"
    study["derivedSection"]["interventionBrowseModule"] = {
        "meshes": [{"id": "D000069439", "term": "Dasatinib"}]}
    study["derivedSection"]["conditionBrowseModule"] = {
        "meshes": [{"id": "D000015466", "term": "Leukemia, Myeloid, Chronic-Phase"}]}
    protocol["conditionsModule"]["conditions"] = ["Leukemia, Myeloid, Chronic-Phase"]
    return study
