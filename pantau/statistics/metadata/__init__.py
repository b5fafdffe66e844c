"""The statistics metadata: indicators, codelists, units, their SDMX structure (sdmx.py), the
metadata file loader and the metadata pages."""
