#!/usr/bin/env python3
"""Runs scim2-tester (PyPI; Yaal Coop's checks of RFC 7643 and 7644) against a running Roster.

    scim_conformance.py --url http://127.0.0.1:3000/scim/v2 --token roster_… [--json]

Prints one line per check (status, resource type, title, reason) and a summary line
"scim2-tester: N checks, N failed, N known"; exits 1 when any check failed (ERROR or CRITICAL)
that scripts/scim_deviations.tsv does not list, or when a listed one no longer fails; 0 otherwise.
No check is skipped. The values are random from a fixed seed, so a run can be repeated exactly.

scim2-tester fills every attribute with random values from the schema alone, and says itself that
formats a schema cannot express must be known beforehand (it makes emails.value an address for
that reason). Roster's schemas state two such formats in their descriptions, so the values the
tester generates follow them (README, "SCIM: the peer suite"):

* startDate is a calendar date, YYYY-MM-DD (RFC 7643 has no date type, only dateTime);
* a single email sent on its own is the primary one, as the tester already makes it when it fills
  a whole user (RFC 7643 §2.4); Roster keeps one address, and it is always primary.

Everything else is as the tester generates it.
"""

import argparse
import datetime
import json
import os
import pathlib
import random
import sys

import scim2_tester.checkers.patch_add
import scim2_tester.checkers.patch_replace
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server, filling

FAILED = {Status.ERROR, Status.CRITICAL}
DEVIATIONS = pathlib.Path(__file__).with_name("scim_deviations.tsv")
# Another seed (SCIM_TESTER_SEED) draws other values, to look further.
SEED = int(os.environ.get("SCIM_TESTER_SEED", "7643"))
GENERATE = filling.generate_random_value


def generate_in_roster_formats(context, path, mutability=None, required=None):
    """The tester's value for `path`, in the format Roster's schema describes for it."""
    value = GENERATE(context, path, mutability=mutability, required=required)
    name = str(path).rsplit(":", 1)[-1].lower()
    if value is None:
        return value
    if name == "startdate":
        return (datetime.date(2000, 1, 1) + datetime.timedelta(days=random.randrange(12000))).isoformat()
    if name == "emails" and isinstance(value, list) and len(value) == 1 and hasattr(value[0], "primary"):
        value[0].primary = True
    return value


for module in (filling, scim2_tester.checkers.patch_add, scim2_tester.checkers.patch_replace):
    module.generate_random_value = generate_in_roster_formats


def deviations():
    """(title, start of reason) of each check Roster answers differently on purpose."""
    listed = []
    for line in DEVIATIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            title, reason, _why = line.split("\t")
            listed.append((title, reason))
    return listed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the SCIM base URL, ending in /scim/v2")
    parser.add_argument("--token", required=True, help="an organisation API key")
    parser.add_argument("--json", action="store_true", help="one JSON object per check instead of text")
    args = parser.parse_args()

    random.seed(SEED)
    known = deviations()
    http = Client(base_url=args.url.rstrip("/"), headers={"Authorization": f"Bearer {args.token}"}, timeout=30)
    scim = SyncSCIMClient(http)
    results = check_server(scim, raise_exceptions=False)

    failed = matched = 0
    unmet = set(known)
    for result in results:
        bad = result.status in FAILED
        deviation = next((d for d in known if bad and d[0] == result.title and (result.reason or "").startswith(d[1])), None)
        if deviation:
            unmet.discard(deviation)
            matched += 1
        failed += bad and not deviation
        mark = "known" if deviation else "FAIL" if bad else "ok  "
        if args.json:
            print(json.dumps({
                "status": result.status.name,
                "known_deviation": deviation is not None,
                "resource_type": result.resource_type,
                "title": result.title,
                "reason": result.reason,
            }))
        else:
            where = f" [{result.resource_type}]" if result.resource_type else ""
            print(f"{mark:<5} {result.status.name:<10}{where} {result.title}: {result.reason or ''}")
    for title, reason in sorted(unmet):
        failed += 1
        print(f"FAIL  listed in {DEVIATIONS.name} but passed or did not run: {title}: {reason}")
    print(f"scim2-tester: {len(results)} checks, {failed} failed, {matched} known")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
