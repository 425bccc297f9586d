"""A storefront's first steps through a Python client generated from Lectern's openapi.json.

Run by scripts/python-client-smoke.sh, which generates the client (openapi-python-client), serves a
SeedData database and passes LECTERN_URL, LECTERN_READ_KEY, LECTERN_WRITE_KEY. Exits non-zero with
the step that failed.
"""
import os
import sys

from lectern_api_client import AuthenticatedClient, Client
from lectern_api_client.api.default import (create_user, get_course, health, learner_assignments, list_courses, metrics,
                                            openapi, organisation_assignments, ready, recommendations,
                                            record_interactions, similar_courses)
from lectern_api_client.models import NewLearner, PlainEvent, PlainEventKind

URL = os.environ["LECTERN_URL"]
reader = AuthenticatedClient(base_url=URL, token=os.environ["LECTERN_READ_KEY"])
writer = AuthenticatedClient(base_url=URL, token=os.environ["LECTERN_WRITE_KEY"])
steps = 0


def check(condition, what):
    global steps
    steps += 1
    if not condition:
        sys.exit(f"python client: {what}")


anonymous = Client(base_url=URL)
check(health.sync_detailed(client=anonymous).status_code == 200, "GET /healthz")
check(ready.sync_detailed(client=anonymous).status_code == 200, "GET /readyz")
check(openapi.sync_detailed(client=anonymous).status_code == 200, "GET /openapi.json")
check(metrics.sync_detailed(client=reader).status_code == 200, "GET /metrics")
check(metrics.sync_detailed(client=anonymous).status_code == 401, "GET /metrics without a key is 401")

# Paging through the catalog: two pages of 5 differ, and the first names the next offset.
first = list_courses.sync(client=reader, limit=5)
check(first is not None and len(first.courses) == 5 and first.next_offset == 5, "GET /v1/courses?limit=5")
second = list_courses.sync(client=reader, limit=5, offset=5)
check(second is not None and not {c.slug for c in first.courses} & {c.slug for c in second.courses}, "the second page")
slug = first.courses[0].slug
course = get_course.sync_detailed(client=reader, id=slug)
check(course.status_code == 200, f"GET /v1/courses/{slug}")
check(get_course.sync_detailed(client=reader, id="no-such-course").status_code == 404, "an unknown course is 404")
check(similar_courses.sync_detailed(client=reader, id=slug).status_code == 200, f"GET /v1/courses/{slug}/similar")

# A new learner, an event retried with its key (recorded once), and their list, folded in.
made = create_user.sync_detailed(client=writer, body=NewLearner(external_id="py-smoke", interests=["data-science"]))
check(made.status_code == 201, f"POST /v1/users: {made.status_code} {made.content[:200]!r}")
check(create_user.sync_detailed(client=reader, body=NewLearner(external_id="py-other")).status_code == 403,
      "a read key cannot write")
view = PlainEvent(user="py-smoke", course=slug, kind=PlainEventKind.VIEW)
once = record_interactions.sync_detailed(client=writer, body=view, idempotency_key="py-smoke-view")
check(once.status_code == 201, f"POST /v1/interactions: {once.status_code} {once.content[:200]!r}")
again = record_interactions.sync_detailed(client=writer, body=view, idempotency_key="py-smoke-view")
check(again.status_code == 200 and again.parsed.duplicates == 1, "a retried event is recorded once")
# A batch with one unknown course is refused whole: its good event is still new afterwards.
good = PlainEvent(user="py-smoke", course=second.courses[0].slug, kind=PlainEventKind.WISHLIST)
bad = PlainEvent(user="py-smoke", course="no-such-course", kind=PlainEventKind.VIEW)
check(record_interactions.sync_detailed(client=writer, body=[good, bad]).status_code == 404, "a bad batch is refused")
check(record_interactions.sync_detailed(client=writer, body=good).status_code == 201, "the good event was not written before")
listed = recommendations.sync(client=reader, id="py-smoke", explain=True)
check(listed is not None and listed.folded_in and listed.items, "GET /v1/users/py-smoke/recommendations")
check(all(isinstance(item.reason, str) and item.rank == n + 1 for n, item in enumerate(listed.items)),
      "each item has a typed reason and ranks 1..N")

# Organisations: a member's assignments and the manager's view (SeedData's organisations).
team = organisation_assignments.sync(client=reader, org="initech-finance")
check(team is not None and team.items, "GET /v1/orgs/initech-finance/assignments")
member = team.items[0].user
mine = learner_assignments.sync(client=reader, id=member)
check(mine is not None and mine.org == "initech-finance" and mine.items, f"GET /v1/users/{member}/assignments")

# The server is run with a small burst: a key over it is answered 429 with Retry-After.
for _ in range(200):
    limited = get_course.sync_detailed(client=reader, id=slug)
    if limited.status_code == 429:
        break
check(limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1, "429 with Retry-After")
print(f"python client: {steps} checks passed ({len(listed.items)} recommendations for py-smoke)")
