"""Liveness and readiness: load balancers and `make serve` users check these."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep
from kg import queries

router = APIRouter(tags=["health"])


@router.get("/health")
def health(store: StoreDep) -> dict[str, object]:
    """200 once the store answers a query; its cost does not grow with the store, so a load
    balancer may call it every second (``/healthz`` counts every quad)."""
    store.query(queries.load("store/alive"))
    return {"status": "ok"}


@router.get("/healthz")
def healthz(store: StoreDep) -> dict[str, object]:
    """200 with the number of quads once the store answers."""
    return {"status": "ok", "quads": len(store)}
