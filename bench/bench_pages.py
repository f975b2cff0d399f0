"""Person and case pages against a bare detail page with the same template (issue 16,
must-show 4: at most 2×).

Builds the demo municipality at BENCH_PAGES_SIZE persons (default 20,000; school data,
signals, scores and the seeded cases and KAA cohort included, as `lotsen demo` builds it),
then, for each page that names one person:
- the mentor's person page, for the pupils the mentor's inbox links;
- the KAA coordinator's person page, for the young people of the cohort list;
- the case page, for the coach's cases (social services, on the team under a consent);
times whole requests through Django's middleware and templates with one logged-in client
(the median of BENCH_PAGES_REQUESTS requests, cycling through the ids, after two unmeasured
ones), and the same user's requests for a bare page on the same ids: login required, one
person fetched by id, rendered into the same base template (header, navigation, unread
count) with no policy, no access log and nothing else. Prints both, their ratio and each
page's query count.

The bare page is the benchmark's own (``bench/_bare.py``); the product has no such page.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bare  # noqa: E402
from _setup import django_setup  # noqa: E402
from load_pages import BY_ID  # noqa: E402

BAR = 2


def main() -> None:
    django_setup()
    from django.core.management import call_command

    from lotsen.support.models import Case

    size = int(os.environ.get("BENCH_PAGES_SIZE", "20000"))
    requests = int(os.environ.get("BENCH_PAGES_REQUESTS", "15"))
    start = time.perf_counter()
    call_command("demo", size=size, stdout=io.StringIO())
    print(f"demo of {size:,} persons built in {time.perf_counter() - start:.0f} s")

    rows = []
    with _bare.install():
        for username, (name, list_url, pattern, page_url) in BY_ID.items():
            client = _bare.logged_in(username)
            ids = list(dict.fromkeys(pattern.findall(client.get(list_url).text)))[:requests]
            if not ids:
                raise SystemExit(f"{list_url} links no page for {username}")
            if username == "coach":  # the bare page shows the case's young person
                persons = dict(Case.objects.filter(pk__in=ids).values_list("pk", "person_id"))
                bare_ids = [str(persons[int(case_id)]) for case_id in ids]
            else:
                bare_ids = ids
            page_times, bare_times, queries, bare_queries = [], [], [], []
            # Two unmeasured rounds load templates, translations and the session.
            for round_ in range(requests + 2):
                i = round_ % len(ids)
                page_ms, page_q, _ = _bare.timed(client, page_url(ids[i]))
                bare_ms, bare_q, _ = _bare.timed(client, f"/bench/bare/{bare_ids[i]}/")
                if round_ >= 2:
                    page_times.append(page_ms)
                    bare_times.append(bare_ms)
                    queries.append(page_q)
                    bare_queries.append(bare_q)
            rows.append(
                (
                    name,
                    statistics.median(page_times),
                    statistics.median(bare_times),
                    max(queries),
                    max(bare_queries),
                    len(ids),
                )
            )

    print(f"\n{'page':<24}{'page ms':>9}{'bare ms':>9}{'ratio':>8}{'queries':>9}  ids")
    for name, page_ms, bare_ms, page_q, bare_q, count in rows:
        ratio = page_ms / bare_ms
        mark = "" if ratio <= BAR else f"  over {BAR}×"
        print(
            f"{name:<24}{page_ms:>9.1f}{bare_ms:>9.1f}{ratio:>7.1f}×"
            f"{page_q:>5} vs {bare_q:<3}{count:>3}{mark}"
        )
    print(f"\nbar: each page at most {BAR}× the bare page on the same ids (issue 16)")


if __name__ == "__main__":
    main()
