"""One access-log entry per person, per request and purpose, written before the response
leaves.

While the view runs, every read logged through ``access_log_record`` joins the request's
collector; after it, the collector is written in one insert. If that write fails the
exception leaves this middleware, and Django turns it into an error page: data that could
not be logged is never shown. A streaming response produces its data after the view has
returned: the same collector stays open while it is sent and is flushed before each
chunk leaves, so a person is still logged once for the request.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lotsen.privacy.accesslog import AccessLogCollector, access_log_collect


class AccessLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with access_log_collect() as collector:
            response = self.get_response(request)
        # Flushed also after an error page: the data may have been read before it failed.
        collector.flush()
        if getattr(response, "streaming", False) and not getattr(response, "is_async", False):
            response.streaming_content = _logged_chunks(response.streaming_content, collector)
        return response


def _logged_chunks(chunks: Iterable[bytes], collector: AccessLogCollector) -> Iterator[bytes]:
    iterator = iter(chunks)
    while True:
        with access_log_collect(collector):
            try:
                chunk = next(iterator)
            except StopIteration:
                chunk = None
        # Raises if the entries cannot be written: the response is cut off before the
        # chunk that needed them.
        collector.flush()
        if chunk is None:
            return
        yield chunk
