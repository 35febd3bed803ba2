"""Settings modules: ``base`` (shared), ``local`` (the embedded default), ``production``, ``test``.

Choose one with ``DJANGO_SETTINGS_MODULE``; the ``humas`` command defaults to ``local``.
"""
