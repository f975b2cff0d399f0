"""Ground floor for bringing data into Lotsen: the one CSV reader (``ingest.csvfile``) and
bounds for JSON documents (``ingest.jsonfile``). Imports no domain app."""
