"""Every benchmark script imports, so ``make bench`` does not stop at the first one whose import
a change broke (graphql_scale.py imported enums that had moved, and nothing ran it but
``make bench``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"

IMPORT_EACH = """
import importlib.util, sys
failed = []
sys.path.insert(0, sys.argv[1])
for path in sys.argv[2:]:
    name = "bench_" + path.rsplit("/", 1)[-1].removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        failed.append(f"{path}: {type(error).__name__}: {error}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_benchmark_script_imports() -> None:
    scripts = sorted(str(path) for path in BENCHMARKS.glob("*.py"))
    assert len(scripts) >= 10
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH, str(BENCHMARKS), *scripts],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
