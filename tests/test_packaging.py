"""The wheel carries what an installed `kg` needs: queries, ontology, shapes, checks, data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.servers import PROJECT_ROOT

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_every_runtime_file(tmp_path: Path) -> None:
    """Regression: the pre-commit hook failed with 'no SHACL shapes found' from a plain install."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            str(ROOT),
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = [
        *(p.relative_to(ROOT) for p in (ROOT / "kg" / "queries").rglob("*.rq")),
        *(p.relative_to(ROOT) for p in (ROOT / "kg").rglob("*.json")),
        *(p.relative_to(ROOT) for p in (ROOT / "api").rglob("*.graphql")),
        *(p.relative_to(ROOT) for p in (ROOT / "kg" / "records" / "schema").glob("*.json")),
    ]
    missing = [str(p) for p in needed if str(p) not in names]
    assert not missing, f"package files missing from the wheel: {missing}"
    shared = {
        name.split(".data/data/share/evidence-kg/", 1)[1]
        for name in names
        if "/share/evidence-kg/" in name
    }
    for folder, pattern in (
        ("ontology", "*.ttl"),
        ("ontology/shapes", "*.ttl"),
        ("ontology/checks", "*.rq"),
        ("data", "*.yaml"),
        ("data/reference", "*.ttl"),
    ):
        for path in (ROOT / folder).glob(pattern):
            assert f"{folder}/{path.name}" in shared, f"{folder}/{path.name} is not shipped"
    assert "ontology/context.jsonld" in shared
    # kg finds its serve and export-schema commands in the installed metadata (api/commands.py).
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    declared = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[kg.commands]" in declared
    assert "serve = api.commands:SERVE" in declared
    assert "export-schema = api.commands:EXPORT_SCHEMA" in declared


def test_test_servers_start_in_this_checkout() -> None:
    """Regression: tests/servers.py started uvicorn in ``/`` (``parents[3]``), where ``api.app``
    was found only through the editable install, and a plain ``pytest`` from a fresh clone
    would have served whatever ``api`` was installed."""
    assert PROJECT_ROOT == ROOT
    assert (PROJECT_ROOT / "api" / "app.py").is_file()
