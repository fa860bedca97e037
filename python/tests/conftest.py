"""Shared fixtures for the entiflow package tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from entiflow.testing import LocalApp

APPS = Path(__file__).parent / "apps"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def edge() -> LocalApp:
    """A fresh LocalApp of ``apps/edge_app.py``."""
    return LocalApp(APPS / "edge_app.py")


@pytest.fixture
def shop() -> LocalApp:
    """A fresh LocalApp of the shop example."""
    return LocalApp(EXAMPLES / "shop" / "app.py")
