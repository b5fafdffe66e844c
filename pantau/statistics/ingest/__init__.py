"""Statistics files in: read -> check -> stage -> write (pipeline.py), the data-entry grids,
the import pages and their background task."""
