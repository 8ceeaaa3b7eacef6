"""The browser UIs' files, served from this application (GraphiQL, Swagger UI, ReDoc, YASGUI).

Why vendored: GraphiQL, /docs and /redoc loaded their scripts from unpkg.com and jsDelivr, so
without internet (or behind a proxy, or where a CDN is blocked) they showed "Loading..." or a
blank page, and every visit told those CDNs who looked at the API. The versions are pinned in
``ui/package.json`` and ``ui/package-lock.json``; ``make ui`` installs them from the npm registry
and runs this module (``python -m api.ui_assets``), which copies the few files each UI needs,
with their licences, into ``api/static/vendor/<package>@<version>/`` and records the versions.
Each file's URL holds its version, so it is served with a year-long, immutable cache lifetime.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
URL_PREFIX = "/static/vendor"
VERSIONS_FILE = "versions.json"
LICENCES_DIR = Path(__file__).resolve().parent.parent / "ui" / "licenses"
"""Licences of packages that do not ship one in the npm package (each says where it is from)."""
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Vendored:
    """One npm package: the files the UI loads, and its licence files (in the package, or
    ``extra_licence`` from :data:`LICENCES_DIR` where the package has none)."""

    package: str
    files: tuple[str, ...]
    licences: tuple[str, ...] = ("LICENSE",)
    extra_licence: str | None = None


VENDORED = (
    Vendored("react", ("umd/react.production.min.js",)),
    Vendored("react-dom", ("umd/react-dom.production.min.js",)),
    Vendored("graphiql", ("graphiql.min.js", "graphiql.min.css")),
    Vendored(
        "swagger-ui-dist",
        ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"),
        ("LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"),
    ),
    Vendored(
        "redoc",
        ("bundles/redoc.standalone.js",),
        ("LICENSE", "bundles/redoc.standalone.js.LICENSE.txt"),
    ),
    Vendored(
        "@zazuko/yasgui",
        ("build/yasgui.min.js", "build/yasgui.min.css"),
        (),
        extra_licence="zazuko-yasgui.LICENSE",
    ),
)
"""Every vendored package; ``ui/package.json`` pins the same ones (a test checks they agree)."""


class NotInstalled(LookupError):
    """The UIs' files are not there: ``make ui`` has not run."""


@dataclass(frozen=True)
class UiAssets:
    """The installed versions, and the URL of each file."""

    versions: dict[str, str]

    @classmethod
    def load(cls, folder: Path = VENDOR_DIR) -> UiAssets:
        """What ``make ui`` installed in ``folder``; nothing if it has not run."""
        try:
            versions = json.loads((folder / VERSIONS_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            versions = {}
        return cls({str(k): str(v) for k, v in versions.items()})

    def url(self, package: str, file: str) -> str:
        """Where ``file`` of ``package`` is served, or :class:`NotInstalled`."""
        version = self.versions.get(package)
        if version is None:
            raise NotInstalled(
                f"the browser UIs are not installed ({package} is missing): run `make ui`"
            )
        return f"{URL_PREFIX}/{package}@{version}/{file}"


class VendorFiles(StaticFiles):
    """The vendored files, each served with an immutable year-long cache lifetime (its URL
    changes with its version)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def mount(app: FastAPI, folder: Path = VENDOR_DIR) -> UiAssets:
    """Serve ``folder`` at :data:`URL_PREFIX` on ``app``, gzipped for clients that take it
    (GraphiQL's script is 3.5 MB, 1 MB gzipped); the installed assets."""
    files = VendorFiles(directory=folder, check_dir=False)
    app.mount(URL_PREFIX, GZipMiddleware(files, minimum_size=1024), name="vendor")
    return UiAssets.load(folder)


def install(node_modules: Path, target: Path = VENDOR_DIR) -> dict[str, str]:
    """Copy each vendored package's files and licences from ``node_modules`` into ``target``,
    replacing what was there, and record the versions; returns them."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    versions: dict[str, str] = {}
    for item in VENDORED:
        source = node_modules / item.package
        manifest = json.loads((source / "package.json").read_text(encoding="utf-8"))
        version = str(manifest["version"])
        folder = target / f"{item.package}@{version}"
        for name in (*item.files, *item.licences):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, folder / name)
        if item.extra_licence is not None:
            shutil.copyfile(LICENCES_DIR / item.extra_licence, folder / "LICENSE")
        versions[item.package] = version
    (target / VERSIONS_FILE).write_text(json.dumps(versions, indent=2) + "\n", encoding="utf-8")
    return versions


def main(argv: list[str]) -> int:
    """``python -m api.ui_assets NODE_MODULES [TARGET]``, as ``make ui`` runs it."""
    if not 1 <= len(argv) <= 2:
        print("usage: python -m api.ui_assets NODE_MODULES [TARGET]", file=sys.stderr)
        return 2
    target = Path(argv[1]) if len(argv) == 2 else VENDOR_DIR
    versions = install(Path(argv[0]), target)
    print(", ".join(f"{name} {version}" for name, version in versions.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
