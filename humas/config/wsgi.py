import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "humas.config.settings.local")
_django = get_wsgi_application()

from humas.portal.views.counter import BEACON_PREFIX, wsgi_beacon  # noqa: E402 - needs Django set up first
from humas.web.wsgi_cache import PageCacheApp  # noqa: E402 - needs Django set up first

# Stored public pages are answered before Django runs (nginx does the same in production), and so
# are view-counter beacons of articles Redis knows (one Redis round trip, no database).
application = PageCacheApp(_django, fast_paths={BEACON_PREFIX: wsgi_beacon})
