"""Liveness and readiness: load balancers and `make serve` users check these."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(store: StoreDep) -> dict[str, object]:
    """200 with the number of quads once the store answers."""
    return {"status": "ok", "quads": len(store)}
