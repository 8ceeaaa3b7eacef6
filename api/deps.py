"""Typed dependency aliases: route handlers ask for what they need, the app state provides it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.served import get_served, served_for
from kg.served import Served
from kg.settings import Settings
from kg.store import Store


async def get_store(request: Request) -> Store:
    """The store of the generation this request reads (:mod:`api.served`). Every dependency
    here is ``async`` though none waits: FastAPI would run a ``def`` one in a thread."""
    return served_for(request).store


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with (``app.state.settings``)."""
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
ServedDep = Annotated[Served, Depends(get_served)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
