"""Statistics and tables that every app uses: the one CSV/XLSX writer and the download
responses. A ground-floor package: it imports no domain app and holds no models."""
