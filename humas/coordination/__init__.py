"""Working as one commission: the content calendar (later also cascades, amplification tasks and
posting-activity compliance)."""
