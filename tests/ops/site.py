"""Run inside a subprocess with an installation's environment (tests/ops/test_backup.py).

``python -m tests.ops.site seed``: what `humas demo` loads before serving, plus files in both media
roots and an encrypted channel credential. ``python -m tests.ops.site snapshot OUT``: every table's
rows (all columns, through Django so SQLite and PostgreSQL compare) and every media file's hash.
``python -m tests.ops.site next-user``: create one person and print the id it got.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path


def seed() -> None:
    from django.conf import settings

    from humas.channels import crypto
    from humas.channels.models import Channel, ChannelCredential
    from humas.cli import _prepare_database
    from humas.demo.seed import demo_content, demo_official_accounts, demo_seed

    _prepare_database()
    demo_seed(password="kata-sandi-demo-123")
    demo_content()
    demo_official_accounts()
    channel = Channel.objects.filter(platform="x").order_by("pk").first()
    ChannelCredential.objects.create(channel=channel, ciphertext=crypto.encrypt("token-rahasia"), kind="page")
    files = {
        Path(settings.MEDIA_ROOT) / "portal/originals/2026/12/sampul.jpg": bytes(range(256)) * 40,
        Path(settings.MEDIA_ROOT) / "offices/logos/kpu jepara ü.png": b"\x89PNG logo",
        Path(settings.HUMAS_PRIVATE_MEDIA_ROOT) / "posts/2026/12/draf.jpg": os.urandom(5000),
        Path(settings.HUMAS_PRIVATE_MEDIA_ROOT) / "kosong.txt": b"",
    }
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def snapshot(out: str) -> None:
    from django.apps import apps
    from django.conf import settings
    from django.db import connection

    tables = {}
    for model in apps.get_models(include_auto_created=True):
        rows = []
        for obj in model._base_manager.order_by("pk"):
            rows.append({f.attname: f.value_from_object(obj) for f in model._meta.concrete_fields})
        tables[model._meta.label] = rows
    data = {
        "vendor": connection.vendor,
        "tables": tables,
        "media": _files(Path(settings.MEDIA_ROOT)),
        "private": _files(Path(settings.HUMAS_PRIVATE_MEDIA_ROOT)),
    }
    # str() of a value is the same for both databases: aware datetimes in UTC, Decimal, UUID, dicts.
    Path(out).write_text(json.dumps(data, default=str, sort_keys=True, ensure_ascii=False))


def next_user() -> None:
    """Insert one person the ordinary way: after a restore the id sequence must be past the loaded ids."""
    import uuid

    from humas.accounts.models import User

    user = User.objects.create(email=f"baru-{uuid.uuid4().hex[:8]}@kpu.test", full_name="Orang Baru")
    print(user.pk)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "humas.config.settings.local")
    django.setup()
    if sys.argv[1] == "seed":
        seed()
    elif sys.argv[1] == "next-user":
        next_user()
    else:
        snapshot(sys.argv[2])
