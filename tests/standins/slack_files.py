"""Stand-in Slack files (upload v2), mixed into StandInSlack.

``files.getUploadURLExternal {filename, length}`` answers an ``upload_url`` on the stand-in and
a ``file_id``; the bytes are POSTed to that URL (raw or multipart, as Slack takes them; the
answer is ``OK - <bytes>``); ``files.completeUploadExternal {files, channel_id,
initial_comment, thread_ts}`` shares them in the channel as one message whose text is the
comment — once per file, as Slack allows; ``files.info {file}`` finds a file only once it is
completed (an upload never completed is discarded: ``file_not_found``).
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.standins.base import Reply

Json = dict[str, Any]
BOT_ID, BOT_BOT_ID = "U0BOT", "B0BOT"


def _refuse(error: str) -> Reply:
    return Reply(200, {"ok": False, "error": error})


class SlackFiles:
    """files.* for StandInSlack (which supplies _chan, _find, _ts, _msgs and the lock)."""

    _lock: threading.RLock
    _msgs: dict[str, list[Json]]
    _chan: Callable[..., Json]
    _find: Callable[[Json, str, str], Json]
    _ts: Callable[[], str]

    def _file_methods(self, server: HTTPServer) -> dict[str, Callable[[Json], Json]]:
        self._files: dict[str, Json] = {}  # file id → {filename, length, alt_txt, data, file}
        self._upload_urls: dict[str, str] = {}  # the URL's last part → file id
        self._file_seq = 0
        self._server = server
        server.expect_request(re.compile(r"^/upload/v1/[\w-]+$"), method="POST") \
            .respond_with_handler(self._receive)
        return {"files.getUploadURLExternal": self._upload_url,
                "files.completeUploadExternal": self._complete, "files.info": self._info}

    def shared_files(self, channel_id: str) -> list[Json]:
        """The files shared in a channel, oldest first: Slack's file object plus `content`
        (the bytes uploaded) and `comment` (the text of the message that shared it)."""
        with self._lock:
            return [{**copy.deepcopy(f), "content": self._files[f["id"]]["data"],
                     "comment": m["text"]}
                    for m in self._msgs.get(channel_id, []) for f in m.get("files") or []]

    def _upload_url(self, p: Json) -> Json:
        filename, length = str(p.get("filename") or ""), str(p.get("length") or "")
        if not filename or not length.isdigit() or int(length) <= 0:
            raise _refuse("invalid_arguments")
        self._file_seq += 1
        file_id, opaque = f"F0{self._file_seq:09d}", secrets.token_urlsafe(16)
        self._files[file_id] = {"filename": filename, "length": int(length), "data": None,
                                "alt_txt": str(p.get("alt_txt") or ""), "file": None}
        self._upload_urls[opaque] = file_id
        return {"upload_url": self._server.url_for(f"/upload/v1/{opaque}"), "file_id": file_id}

    def _receive(self, request: Request) -> Response:
        """The bytes of an upload: the raw body, or a multipart form's file."""
        data = next(iter(request.files.values())).read() if request.files else request.get_data()
        with self._lock:
            file_id = self._upload_urls.get(request.path.rsplit("/", 1)[-1])
            if file_id is None:
                return Response("Not Found", 404, content_type="text/plain")
            self._files[file_id]["data"] = data
        return Response(f"OK - {len(data)}", 200, content_type="text/plain")

    def _complete(self, p: Json) -> Json:
        try:
            listed: Any = json.loads(p["files"]) if isinstance(p.get("files"), str) \
                else p.get("files")
            ids = [(str(f["id"]), str(f.get("title") or "")) for f in listed or ()]
        except (KeyError, TypeError, ValueError):
            raise _refuse("invalid_arguments") from None
        if not ids:
            raise _refuse("invalid_arguments")
        for file_id, _ in ids:  # an unknown id, one never uploaded, or one completed before
            upload = self._files.get(file_id)
            if upload is None or upload["data"] is None or upload["file"] is not None:
                raise _refuse("file_not_found")
        shared = []
        channel = str(p.get("channel_id") or "")
        ch = self._chan({"channel": channel}, member=True, writable=True) if channel else None
        ts = self._ts()
        for file_id, title in ids:
            upload = self._files[file_id]
            upload["file"] = {"id": file_id, "name": upload["filename"],
                              "title": title or upload["filename"], "mimetype": "image/png",
                              "filetype": upload["filename"].rsplit(".", 1)[-1],
                              "size": len(upload["data"]), "user": BOT_ID,
                              "created": int(time.time()), "alt_txt": upload["alt_txt"],
                              "channels": [ch["id"]] if ch else [],
                              "shares": {"public": {ch["id"]: [{"ts": ts}]}} if ch else {}}
            shared.append(upload["file"])
        if ch is not None:
            thread = str(p.get("thread_ts") or "") or None
            if thread is not None:
                parent = self._find(ch, thread, "thread_not_found")
                thread = parent["thread_ts"] or parent["ts"]
            self._msgs[ch["id"]].append({
                "ts": ts, "user": BOT_ID, "bot_id": BOT_BOT_ID,
                "text": str(p.get("initial_comment") or ""), "blocks": None, "metadata": None,
                "thread_ts": thread, "edited": None, "upload": True,
                "files": copy.deepcopy(shared)})
        return {"files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    def _info(self, p: Json) -> Json:
        upload = self._files.get(str(p.get("file") or ""))
        if upload is None or upload["file"] is None:
            raise _refuse("file_not_found")
        return {"file": copy.deepcopy(upload["file"])}

