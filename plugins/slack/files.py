"""Slack images, by the files upload v2 steps: files.getUploadURLExternal, the bytes posted to
the URL it gives, then files.completeUploadExternal shares the file in a channel with its
comment (once per file). files.info tells a retry whether an earlier share landed: a file is
found only once completed, and it is completed only with its channel."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import TypeVar

import requests
from slack_sdk import WebClient

from connector.chat import Image, Posted
from connector.errors import PermanentActionError, RetryableActionError

T = TypeVar("T")
SLACK_FILES = "files.slack.com"  # where Slack's upload URLs point


class SlackFiles:
    """The images half of SlackChat, which supplies `client`, `timeout` and `_call`."""

    client: WebClient
    timeout: float

    def _call(self, fn: Callable[[], T]) -> T:
        raise NotImplementedError  # SlackChat's: runs the call and classifies its failure

    def stage_image(self, image: Image) -> str:
        """The file uploaded, not shown yet: its id (Slack discards it unless completed)."""
        answer = self._call(lambda: self.client.files_getUploadURLExternal(
            filename=image.filename, length=len(image.content), alt_txt=image.title[:1000]))
        url, file_id = str(answer["upload_url"]), str(answer["file_id"])
        host = urllib.parse.urlsplit(url).hostname or ""
        if host not in (SLACK_FILES, urllib.parse.urlsplit(self.client.base_url).hostname):
            raise PermanentActionError(f"Slack gave an upload URL on an unexpected host {host!r}")
        try:
            sent = requests.post(url, data=image.content, timeout=self.timeout,
                                 headers={"Content-Type": "application/octet-stream"})
        except requests.RequestException as exc:
            raise RetryableActionError(f"Slack upload: {type(exc).__name__}") from None
        if sent.status_code == 429 or sent.status_code >= 500:
            raise RetryableActionError(f"Slack upload answered {sent.status_code}")
        if sent.status_code >= 400:
            raise PermanentActionError(f"Slack upload refused: {sent.status_code}")
        return file_id

    def post_image(self, channel_id: str, thread_id: str | None, image: Image, text: str,
                   staged: str = "") -> Posted:
        """Share the staged file in the channel (or thread), `text` as its comment."""
        if not staged:
            raise PermanentActionError("Slack shows only an uploaded (staged) file")
        self._call(lambda: self.client.files_completeUploadExternal(
            files=[{"id": staged, "title": image.title}], channel_id=channel_id,
            initial_comment=text or None, thread_ts=thread_id))
        return Posted(channel_id, thread_id or "", staged)

    def find_image(self, channel_id: str, staged: str) -> Posted | None:
        try:
            self._call(lambda: self.client.files_info(file=staged))
        except PermanentActionError as exc:
            if "file_not_found" in str(exc):
                return None  # never completed: never shown
            raise
        return Posted(channel_id, "", staged)
