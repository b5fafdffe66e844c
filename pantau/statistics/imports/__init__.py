"""Reading statistics files: one reader per format, each yielding (line, {SDMX column: text})
rows one at a time (a file is never held in memory whole), and the row validation that turns
rows into observations or problems. Writing is in pantau.statistics.services."""
