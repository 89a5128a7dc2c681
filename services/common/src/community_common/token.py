"""Mint a bearer token for local use: `python -m community_common.token --user alice`.

Signs with COMMUNITY_AUTH_HS256_SECRET, the same secret the services verify with, and prints
the JWT, ready for `grpcurl -H "authorization: Bearer $(...)"`.
"""

from __future__ import annotations

import argparse

from community_common.auth import MAX_USER_ID_LENGTH, mint_token
from community_common.config import ConfigError, auth_secret_from_env, exit_on_config_error


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m community_common.token",
        description="Print a JWT for a user, signed with COMMUNITY_AUTH_HS256_SECRET.",
    )
    parser.add_argument("--user", required=True, help="user id (the token's sub)")
    parser.add_argument(
        "--platform-admin", action="store_true", help="grant the platform_admin role"
    )
    parser.add_argument("--ttl", type=int, default=3600, help="seconds until expiry (3600)")
    args = parser.parse_args(argv)
    if not 1 <= len(args.user) <= MAX_USER_ID_LENGTH:
        parser.error(f"--user must be 1-{MAX_USER_ID_LENGTH} characters")
    if args.ttl <= 0:
        parser.error("--ttl must be positive")
    try:
        secret = auth_secret_from_env()
    except ConfigError as error:
        exit_on_config_error(error)
    print(mint_token(secret, args.user, platform_admin=args.platform_admin, ttl=args.ttl))


if __name__ == "__main__":
    main()
