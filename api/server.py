"""Running the app under uvicorn: what `kg serve` and `make serve` start."""

from __future__ import annotations

import uvicorn

from api.app import create_app
from kg.settings import Settings


def run(settings: Settings) -> None:
    """Serve until interrupted; uvicorn drains open requests on SIGTERM/SIGINT (graceful shutdown)."""
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=True,
        timeout_graceful_shutdown=10,
    )
