"""``auger serve IMAGE``: the explorer in a web browser, through ``textual-serve``.

Each browser session runs ``auger explore IMAGE`` in a process of its own, drawn in the page
by Textual's web driver. The server listens on the loopback interface unless told otherwise,
and warns when it is told otherwise: whoever reaches the port can read the image's files and
extract them onto this machine. ``textual-serve`` comes with the ``serve`` extra
(``pip install 'auger[serve]'``) and is imported only here, when the command runs.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys

from auger.cli.console import Console
from auger.cli.parsing import Parser, add_tls_verify_option
from auger.display import display, safe_line
from auger.errors import ExitCode, UsageError
from auger.sources.reference import SOURCES, STDIN, resolve_source

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def build_parser() -> Parser:
    """The parser of ``auger serve``."""
    parser = Parser(
        prog="auger serve",
        description="Serve the explorer to a web browser (each page runs its own explorer). "
        "Needs the serve extra: pip install 'auger[serve]'.",
    )
    parser.add_argument("image", metavar="IMAGE", help="the image to explore")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default: 127.0.0.1; anything but loopback lets others "
        "on the network browse the image)",
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="the port to listen on (default: 8000)"
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers reach the server at, when it is not http://HOST:PORT "
        "(behind a proxy, or listening on 0.0.0.0)",
    )
    parser.add_argument(
        "--source", choices=SOURCES, metavar="SOURCE", help="where to read the image from"
    )
    parser.add_argument("--platform", metavar="OS/ARCH[/VARIANT]", help="platform to pick")
    add_tls_verify_option(parser)
    parser.add_argument(
        "--debug", action="store_true", help="show a traceback when something goes wrong"
    )
    return parser


def is_loopback(host: str) -> bool:
    """True for a name or address that only this machine can reach."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """``host`` as a URL names it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def explore_command(args: argparse.Namespace) -> str:
    """The shell command each session runs: this Python's ``auger explore``, every word
    quoted."""
    words = [sys.executable, "-m", "auger", "explore", args.image]
    if args.source:
        words += ["--source", args.source]
    if args.platform:
        words += ["--platform", args.platform]
    if not args.tls_verify:
        words.append("--tls-verify=false")
    return shlex.join(words)


def run(args: argparse.Namespace, console: Console) -> int:
    """Serve until interrupted."""
    if args.image == STDIN:
        raise UsageError(
            "auger serve cannot read standard input: each browser session reads the image again",
            hint="save the image to a file and serve that",
        )
    if not 0 < args.port < 65536:
        raise UsageError(f"auger serve: --port must be between 1 and 65535, not {args.port}")
    resolve_source(args.image, args.source, console.environ)  # a bad reference fails here
    try:
        from textual_serve.server import Server  # noqa: PLC0415 - only this command needs it
    except ImportError as missing:
        raise UsageError(
            "auger serve needs textual-serve", hint="pip install 'auger[serve]'"
        ) from missing
    url = args.public_url or f"http://{url_host(args.host)}:{args.port}"
    if not is_loopback(args.host):
        console.diagnose(
            f"auger: warning: serving on {safe_line(args.host)}: anyone who can reach "
            f"port {args.port} can browse this image and extract its files onto this machine"
        )
    console.diagnose(f"auger: serving the explorer of {display(args.image)} on {safe_line(url)}")
    server = Server(
        explore_command(args),
        host=args.host,
        port=args.port,
        public_url=url.rstrip("/"),
        title=f"auger explore {display(args.image)}",
    )
    try:
        server.serve()
    except OSError as error:
        where = f"{safe_line(args.host)}:{args.port}"
        reason = error.strerror or str(error)
        raise UsageError(f"auger serve: cannot listen on {where}: {reason}") from error
    return ExitCode.OK
