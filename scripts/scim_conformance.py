#!/usr/bin/env python3
"""Runs scim2-tester (PyPI; Yaal Coop's checks of RFC 7643 and 7644) against a running Roster.

    scim_conformance.py --url http://127.0.0.1:3000/scim/v2 --token roster_… [--json]

Prints one line per check (status, resource type, title, reason) and a summary line
"scim2-tester: N checks, N failed"; exits 1 when any check failed (ERROR or CRITICAL), 0
otherwise. Checks Roster answers differently on purpose are listed in the README with the reason;
they are not skipped here.
"""

import argparse
import json
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

FAILED = {Status.ERROR, Status.CRITICAL}


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
