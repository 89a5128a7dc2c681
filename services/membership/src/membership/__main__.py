"""`python -m membership`: run the membership service until SIGTERM/SIGINT. (Its read models
are rebuilt by `python -m membership.rebuild`.)"""

from __future__ import annotations

import sys

from community_common.config import ConfigError, exit_on_config_error
from community_common.server import serve_forever

from membership.bootstrap import build


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args:
        sys.exit("usage: python -m membership   (rebuilds: python -m membership.rebuild)")
    try:
        host = build()
    except ConfigError as error:
        exit_on_config_error(error)
    serve_forever(host)


if __name__ == "__main__":
    main()
