#!/usr/bin/env python3
"""Runs scim2-tester (PyPI; Yaal Coop's checks of RFC 7643 and 7644) against a running Roster.

    scim_conformance.py --url http://127.0.0.1:3000/scim/v2 --token roster_… [--json]

Prints one line per check (status, resource type, title, reason) and a summary line
"scim2-tester: N checks, N failed"; exits 1 when any check failed (ERROR or CRITICAL), 0
otherwise. No check is skipped.

scim2-tester fills every attribute with random values from the schema alone, and says itself that
formats a schema cannot express must be known beforehand (it makes emails.value an address for
that reason). Roster's schemas state three such formats in their descriptions, so the values the
tester generates follow them (README, "SCIM: the peer suite"):

* userName is an email address (or the employee ID of someone without one), not any text;
* startDate is a calendar date, YYYY-MM-DD (RFC 7643 has no date type, only dateTime);
* a single email sent on its own is the primary one, as the tester already makes it when it fills
  a whole user (RFC 7643 §2.4); Roster keeps one address, and it is always primary.

Everything else is as the tester generates it.
"""

import argparse
import datetime
import json
import random
import sys
import uuid

import scim2_tester.checkers.patch_add
import scim2_tester.checkers.patch_replace
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server, filling

FAILED = {Status.ERROR, Status.CRITICAL}
GENERATE = filling.generate_random_value


def generate_in_roster_formats(context, path, mutability=None, required=None):
    """The tester's value for `path`, in the format Roster's schema describes for it."""
    value = GENERATE(context, path, mutability=mutability, required=required)
    name = str(path).rsplit(":", 1)[-1].lower()
    if value is None:
        return value
    if name == "username":
        return f"{uuid.uuid4()}@peers.test"
    if name == "startdate":
        return (datetime.date(2000, 1, 1) + datetime.timedelta(days=random.randrange(12000))).isoformat()
    if name == "emails" and isinstance(value, list) and len(value) == 1 and hasattr(value[0], "primary"):
        value[0].primary = True
    return value


for module in (filling, scim2_tester.checkers.patch_add, scim2_tester.checkers.patch_replace):
    module.generate_random_value = generate_in_roster_formats


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the SCIM base URL, ending in /scim/v2")
    parser.add_argument("--token", required=True, help="an organisation API key")
    parser.add_argument("--json", action="store_true", help="one JSON object per check instead of text")
    args = parser.parse_args()

    http = Client(base_url=args.url.rstrip("/"), headers={"Authorization": f"Bearer {args.token}"}, timeout=30)
    scim = SyncSCIMClient(http)
    results = check_server(scim, raise_exceptions=False)

    failed = 0
    for result in results:
        bad = result.status in FAILED
        failed += bad
        if args.json:
            print(json.dumps({
                "status": result.status.name,
                "resource_type": result.resource_type,
                "title": result.title,
                "reason": result.reason,
            }))
        else:
            where = f" [{result.resource_type}]" if result.resource_type else ""
            print(f"{'FAIL' if bad else 'ok  '} {result.status.name:<10}{where} {result.title}: {result.reason or ''}")
    print(f"scim2-tester: {len(results)} checks, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
