"""Typed dependency aliases: route handlers ask for what they need, the app state provides it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kg.settings import Settings
from kg.sparql.statistics import StatisticsCache
from kg.store import Store


def get_store(request: Request) -> Store:
    """The store the app was created with (``app.state.store``)."""
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    """The settings the app was created with (``app.state.settings``)."""
    settings: Settings = request.app.state.settings
    return settings


def get_statistics(request: Request) -> StatisticsCache:
    """The app's dataset statistics (``app.state.statistics``), counted once per generation."""
    statistics: StatisticsCache = request.app.state.statistics
    return statistics


StoreDep = Annotated[Store, Depends(get_store)]
StatisticsDep = Annotated[StatisticsCache, Depends(get_statistics)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
