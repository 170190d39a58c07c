"""`run`'s receivers: gunicorn serving the app with no worker inside (`run` starts the worker
as a process of its own, connector/supervisor.py), so an ack never waits for the worker's
share of one interpreter. Started by `run` as `python -m webhooks.serve`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from connector.config import Config, load_config
from webhooks.app import create_app
from webhooks.gunicorn_conf import child_exit
from webhooks.server import WORKER_CLASS


def settings(host: str, port: int, threads: int) -> dict[str, Any]:
    """What gunicorn gets: one process, `threads` request threads, the JSON error worker, and
    the hook that keeps /metrics right when a process ends (the counters' directory is made
    and emptied by `run` before any process starts)."""
    return {"bind": f"{host}:{port}", "workers": 1, "worker_class": WORKER_CLASS,
            "threads": threads, "timeout": 30, "child_exit": child_exit}


class Server(BaseApplication):  # type: ignore[misc,unused-ignore]
    """gunicorn with `settings`, loading the receivers of `config`."""

    def __init__(self, config: Config, options: dict[str, Any]) -> None:
        self.config, self.options = config, options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        return create_app(self.config, start_worker=False)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m webhooks.serve", description=__doc__)
    p.add_argument("--config", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--threads", type=int, default=8)
    args = p.parse_args(argv)
    Server(load_config(args.config), settings(args.host, args.port, args.threads)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
