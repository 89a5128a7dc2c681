"""`python -m feed`: run the feed service until SIGTERM/SIGINT."""

from community_common.config import ConfigError, exit_on_config_error
from community_common.server import serve_forever

from feed.bootstrap import build


def main() -> None:
    try:
        host = build()
    except ConfigError as error:
        exit_on_config_error(error)
    serve_forever(host)


if __name__ == "__main__":
    main()
