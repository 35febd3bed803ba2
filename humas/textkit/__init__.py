"""Pure-Python text engine of Humas (no Django imports)."""
