"""Whether gunicorn lets a download longer than its --timeout finish.

    python -m bench.long_download [--timeout 3] [--seconds 8]
    python -m bench.long_download --export "/exports/evenements.csv?statut=toutes" --timeout 10

Starts gunicorn once with each of SETTINGS, on a streamed response that lasts longer
than --timeout, and reads it twice: as a browser does (HTTP/1.1, where gunicorn
sends the body in chunks and ends it with an empty chunk) and as a proxy speaking
HTTP/1.0 does (nginx's default towards its upstream: no chunks, the body ends when
the connection closes). Prints, for each, the status, the bytes and whether the
client could tell that the body was complete.

The response is a test application's (`slow_application`: a line every 0.1 s for
--seconds, then `fin`), or with --export the project's own download at that address,
for a manager, against the database of DATABASE_URL (run with bench/env.py's
environment; the expected file is first read in process)."""

import argparse
import hashlib
import http.client
import os
import socket
import subprocess
import sys
import time
from urllib.parse import parse_qs

# The README's command before the threaded workers, and after.
SETTINGS = {
    "sync (défaut)": [],
    "gthread": ["--worker-class", "gthread", "--threads", "4"],
}
END = b"fin\n"


def slow_application(environ, start_response):
    """A streamed text file: a numbered line every `pause` seconds for `seconds`
    seconds, then END."""
    query = parse_qs(environ.get("QUERY_STRING", ""))
    seconds = float(query.get("seconds", ["8"])[0])
    pause = 0.1
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])

    def body():
        for number in range(round(seconds / pause)):
            time.sleep(pause)
            yield b"%d\n" % number
        yield END

    return body()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(app, options, timeout, port):
    command = [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        str(timeout),
        "--log-level",
        "warning",
        *options,
    ]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"gunicorn did not start: {server.stderr.read()}")


def read_http11(port, path, cookie):
    """(status, bytes, sha256, error, transfer encoding, start) read as a browser does."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    digest, size, error = hashlib.sha256(), 0, ""
    try:
        while block := response.read(1 << 16):
            digest.update(block)
            size += len(block)
    except (http.client.IncompleteRead, http.client.HTTPException, OSError) as failure:
        error = f"{type(failure).__name__}: {failure!r}"[:120]
        # What the client received before the cut.
        partial = getattr(failure, "partial", b"")
        digest.update(partial)
        size += len(partial)
    connection.close()
    chunked = response.getheader("Transfer-Encoding", "")
    return response.status, size, digest.hexdigest(), error, chunked, started


def read_http10(port, path, cookie):
    """The same, as an HTTP/1.0 proxy reads it: the body ends when the connection
    closes, cut or not."""
    started = time.perf_counter()
    request = f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n"
    if cookie:
        request += f"Cookie: {cookie}\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=600) as sock:
        sock.sendall((request + "\r\n").encode())
        received = bytearray()
        while block := sock.recv(1 << 16):
            received += block
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    digest = hashlib.sha256(body).hexdigest()
    return status, len(body), digest, "", "", started


def expected_export(path):
    """(the manager's session cookie, the file's size and sha256), read in process."""
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from feminisation.access import MANAGERS
    from territories.models import Territory

    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"is_staff": True})
    manager.groups.add(Group.objects.get(name=MANAGERS))
    Territory.objects.order_by("pk").first().members.add(manager)
    client = Client()
    client.force_login(manager)
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    digest, size = hashlib.sha256(), 0
    for block in response.streaming_content:
        digest.update(block)
        size += len(block)
    response.close()
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return cookie, size, digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=3, help="gunicorn's --timeout")
    parser.add_argument("--seconds", type=float, default=8, help="the test response's length")
    parser.add_argument("--export", help="a download of the project instead")
    args = parser.parse_args()
    if args.export:
        app, path = "feminisation.wsgi", args.export
        print(f"[long_download] reading {path} in process…", flush=True)
        cookie, size, digest = expected_export(path)
    else:
        app, path, cookie = "bench.long_download:slow_application", f"/?seconds={args.seconds}", ""
        lines = round(args.seconds / 0.1)
        body = b"".join(b"%d\n" % n for n in range(lines)) + END
        size, digest = len(body), hashlib.sha256(body).hexdigest()
    print(f"attendu : {size} octets, --timeout {args.timeout}")
    print("| workers | client | statut | octets reçus | complet | erreur du client | durée |")
    print("|---|---|---|---|---|---|---|")
    for name, options in SETTINGS.items():
        for client, read in (("HTTP/1.1", read_http11), ("HTTP/1.0", read_http10)):
            port = free_port()
            server = start(app, options, args.timeout, port)
            try:
                status, got, got_digest, error, chunked, started = read(port, path, cookie)
            finally:
                server.terminate()
                server.wait(timeout=30)
            complete = got == size and got_digest == digest
            print(
                f"| {name} | {client} {chunked} | {status} | {got} | "
                f"{'oui' if complete else 'NON'} | {error or 'aucune'} | "
                f"{time.perf_counter() - started:.1f} s |",
                flush=True,
            )


if __name__ == "__main__":
    main()
