"""Operations on a whole installation: ``humas backup`` and ``humas restore`` (see the README)."""
