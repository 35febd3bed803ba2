import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "humas.config.settings.local")
_django = get_wsgi_application()

from humas.web.wsgi_cache import PageCacheApp  # noqa: E402 - needs Django set up first

# Stored public pages are answered before Django runs (nginx does the same in production).
application = PageCacheApp(_django)
