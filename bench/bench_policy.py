"""The cost of the one door on a page: the person search as it is sent and shown (a POST,
through the privacy policy, each person shown logged), against the same search on the
person table for the same rows, rendered with the same template (issue 16: the policy
benchmark times pages, not list functions).

Builds the demo municipality at BENCH_POLICY_SIZE persons (default 50,000; persons and
enrolments only), logs in as the KAA coordinator (the municipality's register basis) and
the mentor (the school basis), and times each search with one client: the median of
BENCH_POLICY_REQUESTS requests after two unmeasured ones. The bare page gets the ids the
real page showed, so both render the same rows; the difference is the policy's filter and
the access log. Prints both, their ratio and the query counts.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bare  # noqa: E402
from _setup import django_setup  # noqa: E402
from load_pages import PERSON_LINK, PERSON_SEARCH, search  # noqa: E402

# (who, what they search for): the register basis and the school basis, two name parts.
SEARCHES = [("kaa", "berg"), ("kaa", "an"), ("mentor", "berg"), ("mentor", "an")]


def main() -> None:
    django_setup()
    from lotsen.demo.generator import demo_build

    size = int(os.environ.get("BENCH_POLICY_SIZE", "50000"))
    requests = int(os.environ.get("BENCH_POLICY_REQUESTS", "15"))
    # Only persons and enrolments matter here: no grades or attendance.
    demo_build(size=size, seed=1, school_data=False)

    rows = []
    with _bare.install():
        clients = {username: _bare.logged_in(username) for username, _word in SEARCHES}
        for username, word in SEARCHES:
            client = clients[username]
            _ms, _q, answer = _bare.timed(client, PERSON_SEARCH, search(word))
            ids = ",".join(dict.fromkeys(PERSON_LINK.findall(answer.text)))
            bare_url = f"/bench/bare/search/?ids={ids}"
            page_times, bare_times = [], []
            for round_ in range(requests + 2):
                page_ms, page_q, answer = _bare.timed(client, PERSON_SEARCH, search(word))
                bare_ms, bare_q, bare = _bare.timed(client, bare_url, search(word))
                if round_ >= 2:
                    page_times.append(page_ms)
                    bare_times.append(bare_ms)
            shown = len(re.findall(r'href="/personer/\d+/"', answer.text))
            assert shown == len(re.findall(r'href="/personer/\d+/"', bare.text)), "other rows"
            rows.append(
                (
                    f"search '{word}' ({username})",
                    statistics.median(page_times),
                    statistics.median(bare_times),
                    page_q,
                    bare_q,
                    shown,
                )
            )

    print(f"{size:,} persons in the demo municipality; median of {requests} requests each")
    print(f"{'page':<26}{'door ms':>9}{'bare ms':>9}{'ratio':>8}{'queries':>12}{'shown':>7}")
    for name, page_ms, bare_ms, page_q, bare_q, shown in rows:
        print(
            f"{name:<26}{page_ms:>9.1f}{bare_ms:>9.1f}{page_ms / bare_ms:>7.1f}×"
            f"{page_q:>5} vs {bare_q:<4}{shown:>5}"
        )


if __name__ == "__main__":
    main()
