"""The media library (Pustaka media): an office's images with their alt text, credit, licence and
tags, reusable in posts and articles, shared with the offices below; and the office's branded
image cards (kartu), rendered by ``humas.media.cards`` and kept here."""
