"""`python -m insights`: run the insights API (gRPC and the web dashboard) until
SIGTERM/SIGINT."""

import sys

from community_common.config import ConfigError, exit_on_config_error
from community_common.server import serve_forever

from insights.bootstrap import build
from insights.dashboard.server import DashboardAssetsMissing, DashboardPortUnavailable


def main() -> None:
    try:
        host = build()
    except ConfigError as error:
        exit_on_config_error(error)
    except DashboardAssetsMissing as error:
        print(f"cannot start: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        serve_forever(host)
    except DashboardPortUnavailable as error:
        print(f"cannot start: {error}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
