"""The one image pipeline: upload checks, metadata stripping, variants, and where files go.

A plain package (no models, no templates), used by the apps that keep images of their own
(humas/portal/images.py for articles, humas/publishing/images.py for posts). It knows nothing
about articles or posts and imports no other Humas app except ``humas.web``:

* ``pipeline`` checks an upload (real type by Pillow, byte size, pixel count, decompression
  bombs; SVG and polyglots refused) and re-encodes it upright, in sRGB, without metadata;
* ``variants`` resizes, crops, pads to an aspect-ratio box and encodes JPEG/WebP variants;
* ``storage`` chooses the public or private storage and writes, reads and deletes files there.
"""
