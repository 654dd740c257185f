#!/usr/bin/env python3
"""A real SMTP server for Roster's tests and benchmarks (aiosmtpd on loopback).

Every accepted message is written to --dir as <n>.eml (envelope recipient in an X-Sink-To header
before the message). Recipients whose address starts with "busy" are refused with a temporary
451 the first time they are tried, and accepted after; those starting with "reject" are refused
for good with 550. Prints "READY <port>" once it listens (--port 0 picks a free port).
"""

import argparse
import asyncio
import itertools
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.counter = itertools.count(1)
        self.tried = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 No such mailbox here"
        if local.startswith("busy") and address not in self.tried:
            self.tried.add(address)
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        number = next(self.counter)
        final = os.path.join(self.folder, f"{number:07d}.eml")
        partial = final + ".part"
        with open(partial, "wb") as out:
            out.write(f"X-Sink-To: {', '.join(envelope.rcpt_tos)}\r\n".encode())
            out.write(envelope.original_content or envelope.content)
        os.replace(partial, final)
        return "250 2.0.0 Message accepted"


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    handler = Sink(args.dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="sink.test"), "127.0.0.1", args.port)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
