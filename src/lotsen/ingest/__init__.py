"""Ground floor for bringing data into Lotsen: the one CSV reader (``ingest.csvfile``) and
the one bounded JSON reader (``ingest.jsonfile``, used by the programme import and the
API's parser). Imports no domain app."""
