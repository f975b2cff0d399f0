"""Ground floor: helpers every page and API endpoint uses, importing no domain app.

- ``pages.api``: the bounded JSON parser, strict serializers and the exception handler that
  turn bad API input into a 400/413/415 naming the field, JSON path, line or byte.
- ``pages.query``: the guard on query parameters (NUL bytes, over-long values, invalid
  UTF-8) for every page and endpoint.
- ``pages.validators``: the window a user-entered date must fall in.
"""
