"""SS 12000 (SIS, version 2.1.0): the client and import.

- ``spec``: enums and names taken from the official OpenAPI file kept beside this package.
- ``client``: OAuth2 client credentials, paging with ``pageToken``, retries.
- ``mapping``: one SS 12000 record → validated values or a reason to reject it (pure).
- ``importer``: the import service, one transaction per page.
- ``periods``: the four-week attendance periods of a school year (pure).

The test server that serves the demo municipality as SS 12000 is ``lotsen.demo.ss12000server``.
"""
