"""Posts, approval, publications to channels and the delivery engine."""
