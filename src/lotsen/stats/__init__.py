"""Statistics tools that every app uses: the one small-cell suppression rule and its
wording (``suppression``), chart geometry and the generic charts (``charts``), the one
CSV/XLSX writer (``tabular``) and the download responses (``downloads``). A ground-floor
package: it imports no domain app and holds no models; ``suppression``, ``charts`` and
``tabular`` import no Django either."""
