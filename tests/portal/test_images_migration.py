"""portal 0005 moves images stored before they were kept private to the private scheme."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as current_apps

migration = importlib.import_module("humas.portal.migrations.0005_images_private")

pytestmark = pytest.mark.django_db


def test_the_migration_moves_existing_images_through_the_sync(monkeypatch):
    calls = []
    monkeypatch.setattr("humas.portal.images.image_publication_sync_all", lambda: calls.append(1) or 0)
    ArticleImage = current_apps.get_model("portal", "ArticleImage")
    monkeypatch.setattr(type(ArticleImage.objects), "exists", lambda self: True)

    migration.images_to_private_scheme(current_apps, None)

    assert calls == [1]


def test_the_migration_does_nothing_on_a_database_without_images(monkeypatch):
    calls = []
    monkeypatch.setattr("humas.portal.images.image_publication_sync_all", lambda: calls.append(1) or 0)

    migration.images_to_private_scheme(current_apps, None)

    assert calls == []
