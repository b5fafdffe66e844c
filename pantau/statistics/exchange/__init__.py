"""Statistics out: exports (CSV, XLSX, SDMX) and the data API router."""
