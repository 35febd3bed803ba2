"""The clarification knowledge base: the clarifications every Humas office published on its portal
and external fact-checks imported with their source, and claim matching against them."""
