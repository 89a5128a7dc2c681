"""communityctl — one CLI for internal clients and data teams.

    communityctl token --user alice [--platform-admin]
    communityctl communities create name="Chess club" topics=chess visibility=VISIBILITY_PUBLIC
    communityctl posts list community_id=... [--json]
    communityctl call feed GetPost post_id=...          # any RPC by name
    communityctl events tail --topic community.feed.events.v1 --from-beginning [--type PostCreated]
    communityctl demo                                   # the school story (make demo)

Calls go to 127.0.0.1 on each service's port (override with COMMUNITY_<SERVICE>_ADDR) as the
user of COMMUNITY_TOKEN, or of a token minted for --as USER from COMMUNITY_AUTH_HS256_SECRET.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from community_common.auth import mint_token
from community_common.config import ConfigError, auth_secret_from_env
from community_contracts import topics
from kafka.errors import KafkaError

from communityctl import events, rpc, tables
from communityctl.commands import COMMANDS


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (rpc.UsageError, ConfigError) as error:
        parser.exit(2, f"communityctl: {error}\n")
    except rpc.CallFailed as failure:
        parser.exit(1, f"{failure}\n")
    except KafkaError as error:
        parser.exit(1, f"communityctl: Kafka: {error}\n")
    except KeyboardInterrupt:
        parser.exit(130)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="communityctl", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    token = sub.add_parser("token", help="mint a dev JWT from COMMUNITY_AUTH_HS256_SECRET")
    token.add_argument("--user", required=True)
    token.add_argument("--platform-admin", action="store_true")
    token.add_argument("--ttl", type=int, default=3600)
    token.set_defaults(run=_token)

    call = sub.add_parser("call", help="call any RPC: call SERVICE METHOD field=value ...")
    call.add_argument("service", choices=sorted(rpc.SERVICES))
    call.add_argument("method")
    _call_options(call)

    for noun, verbs in COMMANDS.items():
        noun_parser = sub.add_parser(noun, help=", ".join(verbs))
        verb_sub = noun_parser.add_subparsers(required=True, metavar="VERB")
        for verb, (service, method) in verbs.items():
            verb_parser = verb_sub.add_parser(verb, help=f"{service} {method}")
            verb_parser.set_defaults(service=service, method=method)
            _call_options(verb_parser)

    demo = sub.add_parser("demo", help="play the school story against a running system")
    demo.set_defaults(run=lambda args: _demo())

    ev = sub.add_parser("events", help="tail the event topics as JSON lines")
    ev_sub = ev.add_subparsers(required=True, metavar="VERB")
    tail = ev_sub.add_parser("tail", help="print events as JSON lines")
    tail.add_argument("--topic", action="append", choices=topics.ALL,
                      help="a topic (repeatable; default: the three event topics)")
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("--type", action="append", default=[],
                      help="only this ce_type (full or short name; repeatable)")
    tail.add_argument("--limit", type=int, help="stop after this many events")
    tail.add_argument("--idle-timeout", type=float, help="stop after this many idle seconds")
    tail.set_defaults(run=_tail)
    return parser


def _call_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("fields", nargs="*", metavar="field=value")
    parser.add_argument("--as", dest="user", help="call as this user (token minted locally)")
    parser.add_argument("--platform-admin", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the response as JSON")
    parser.set_defaults(run=_call)


def _token(args: argparse.Namespace) -> None:
    print(mint_token(auth_secret_from_env(), args.user, args.platform_admin, args.ttl))


def _call(args: argparse.Namespace) -> None:
    request = rpc.build_request(args.service, args.method, args.fields)
    response = rpc.call(args.service, args.method, request, _caller_token(args))
    print(json.dumps(tables.as_json(response), indent=2) if args.json else tables.render(response))


def _caller_token(args: argparse.Namespace) -> str:
    if args.user:
        return mint_token(auth_secret_from_env(), args.user, args.platform_admin)
    if os.environ.get("COMMUNITY_TOKEN"):
        return os.environ["COMMUNITY_TOKEN"]
    raise rpc.UsageError("say who calls: --as USER, or export COMMUNITY_TOKEN")


def _demo() -> None:
    from communityctl import demo

    demo.main()


def _tail(args: argparse.Namespace) -> None:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    chosen = args.topic or list(topics.EVENT_TOPICS)
    events.tail(bootstrap, chosen, args.from_beginning, set(args.type), args.limit,
                args.idle_timeout, sys.stdout)


if __name__ == "__main__":
    main()
