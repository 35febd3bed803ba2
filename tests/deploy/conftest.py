from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "nginx: runs the shipped nginx configuration (deploy/nginx) in front of the app"
    )
