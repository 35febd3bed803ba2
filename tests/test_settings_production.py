"""Production settings refuse insecure defaults and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"
PG_URL = "postgres://humas@db.internal:5432/humas"
FERNET_KEY = "dGVzdC1vbmx5LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="


def run_check(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "HUMAS_CREDENTIAL_KEYS",
            "HUMAS_PUBLIC_BASE_URL",
            "HUMAS_BACKOFFICE_URL",
        }
    }
    env["HUMAS_CREDENTIAL_KEYS"] = FERNET_KEY
    env["HUMAS_PUBLIC_BASE_URL"] = env["HUMAS_BACKOFFICE_URL"] = "https://humas.kpu.go.id"
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "humas.config.settings.production"
    return subprocess.run(
        [sys.executable, "-m", "django", "check", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ALLOWED_HOSTS": "humas.kpu.go.id", "DATABASE_URL": PG_URL}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY, "DATABASE_URL": PG_URL}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "humas.kpu.go.id"}, "DATABASE_URL"),
        (
            {
                "SECRET_KEY": GOOD_KEY,
                "ALLOWED_HOSTS": "humas.kpu.go.id",
                "DATABASE_URL": "sqlite:////tmp/x.db",
            },
            "PostgreSQL",
        ),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "humas.kpu.go.id", "DATABASE_URL": PG_URL}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "*", "DATABASE_URL": PG_URL}, "ALLOWED_HOSTS"),
        (
            {
                "SECRET_KEY": GOOD_KEY,
                "ALLOWED_HOSTS": "humas.kpu.go.id",
                "DATABASE_URL": PG_URL,
                "HUMAS_CREDENTIAL_KEYS": "",
            },
            "HUMAS_CREDENTIAL_KEYS",
        ),
        *[
            (
                {
                    "SECRET_KEY": GOOD_KEY,
                    "ALLOWED_HOSTS": "humas.kpu.go.id",
                    "DATABASE_URL": PG_URL,
                    name: "",
                },
                name,
            )
            for name in ("HUMAS_PUBLIC_BASE_URL", "HUMAS_BACKOFFICE_URL")
        ],
    ],
)
def test_production_refuses_to_start_with_insecure_settings(overrides, message):
    result = run_check(overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_check(
        {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "humas.kpu.go.id", "DATABASE_URL": PG_URL},
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_the_readme_production_recipe_passes_check_deploy():
    """Exactly the variables the README's recipe exports, and nothing else Humas reads."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    recipe = readme.split("## Running on PostgreSQL and Redis (one machine)", 1)[1].split("```sh\n", 1)[1]
    exports = [line for line in recipe.split("```", 1)[0].splitlines() if line.startswith("export ")]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HUMAS_", "DJANGO_"))
        and k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DEBUG"}
    }
    script = "\n".join([*exports, f"exec {sys.executable} -m django check --deploy --fail-level WARNING"])
    result = subprocess.run(  # noqa: S603 - the README's own lines
        ["bash", "-ec", script], env=env, capture_output=True, text=True, timeout=120
    )

    assert "HUMAS_CREDENTIAL_KEYS" in "\n".join(exports)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
