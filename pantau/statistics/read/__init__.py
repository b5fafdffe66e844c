"""Reading the stored values: restricted querysets over observations, the published totals, and
publication (the write that makes values public)."""
