"""The report's picture for the chat, drawn in pure Python (zlib and struct: no plotting
library, no font files, no network): above, a bar per day of reliability — green at or above
the target, red below, the target a dashed line; below, the weakest services' outage minutes
as bars, in the order the caption names them. The only lettering is numbers (a tiny built-in
digit font, a decimal comma): every word is in the caption and the title, from templates.yml,
so one picture serves Russian and English."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from connector.features.reports.formats import number

WIDTH, HEIGHT = 720, 420
SERVICES_SHOWN = 5  # the weakest zones; the rest are in the text report
BACKGROUND, AXIS, GRID = (255, 255, 255), (60, 60, 60), (225, 225, 225)
GOOD, BAD, TARGET, OUTAGE = (44, 160, 44), (214, 39, 40), (214, 39, 40), (255, 127, 14)
SCALE = 2  # each font pixel is 2×2
# 3×5 digits and marks: one row of three bits per line, top first.
GLYPHS = {"0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
          "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
          "6": "111100111101111", "7": "111001001001001", "8": "111101111101111",
          "9": "111101111001111", ",": "000000000010100", "%": "101001010100101",
          " ": "000000000000000"}


@dataclass(frozen=True)
class ChartData:
    days: list[float]  # reliability per day, per cent, oldest first
    target: float | None
    services: list[float]  # outage minutes of the weakest services, most first


class Canvas:
    """An RGB picture: rectangles, dashes and digits, written out as a PNG."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(BACKGROUND) * width * height)

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        """Fill [x0, x1) × [y0, y1), clipped to the picture."""
        x0, x1 = max(0, min(x0, x1)), min(self.width, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.height, max(y0, y1))
        row = bytes(colour) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 3
            self.pixels[start:start + len(row)] = row

    def dashes(self, x0: int, x1: int, y: int, colour: tuple[int, int, int]) -> None:
        for x in range(x0, x1, 12):
            self.rect(x, y - 1, min(x + 8, x1), y + 1, colour)

    def text(self, x: int, y: int, words: str, colour: tuple[int, int, int] = AXIS) -> int:
        """Digits and marks from (x, y) at their top left; the x after them."""
        for char in words:
            bits = GLYPHS.get(char, GLYPHS[" "])
            for i, bit in enumerate(bits):
                if bit == "1":
                    px, py = x + (i % 3) * SCALE, y + (i // 3) * SCALE
                    self.rect(px, py, px + SCALE, py + SCALE, colour)
            x += 4 * SCALE
        return x

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(self.pixels[y * self.width * 3:(y + 1) * self.width * 3])
                       for y in range(self.height))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + b"".join(
            _chunk(kind, data) for kind, data in ((b"IHDR", header),
                                                  (b"IDAT", zlib.compress(raw, 9)),
                                                  (b"IEND", b"")))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def render(data: ChartData) -> bytes:
    """The PNG's bytes."""
    canvas = Canvas(WIDTH, HEIGHT)
    _days(canvas, data, top=20, bottom=250)
    _services(canvas, data.services, top=280, bottom=HEIGHT - 15)
    return canvas.png()


def _days(canvas: Canvas, data: ChartData, top: int, bottom: int) -> None:
    left, right = 80, WIDTH - 20
    low = min([*data.days, 100.0] + ([data.target] if data.target is not None else []))
    floor = max(0.0, low - max(0.5, (100 - low) * 0.1))

    def y_of(percent: float) -> int:
        return round(bottom - (percent - floor) / (100 - floor) * (bottom - top))

    for value in (floor, (floor + 100) / 2, 100.0):
        canvas.rect(left, y_of(value), right, y_of(value) + 1, GRID)
        canvas.text(8, y_of(value) - 5, number(value, 1) + "%")
    step = (right - left) / max(1, len(data.days))
    for i, value in enumerate(data.days):
        ok = data.target is None or value >= data.target
        x0 = left + round(i * step) + 1
        canvas.rect(x0, y_of(value), max(x0 + 1, left + round((i + 1) * step) - 1), bottom,
                    GOOD if ok else BAD)
    if data.target is not None:
        canvas.dashes(left, right, y_of(data.target), TARGET)
    canvas.rect(left, bottom, right, bottom + 2, AXIS)
    canvas.rect(left - 2, top, left, bottom + 2, AXIS)


def _services(canvas: Canvas, minutes: list[float], top: int, bottom: int) -> None:
    left, right = 80, WIDTH - 120
    shown = [m for m in minutes if m > 0][:SERVICES_SHOWN]
    canvas.rect(left - 2, top, left, bottom, AXIS)
    if not shown:
        return
    height = (bottom - top) / SERVICES_SHOWN
    for i, value in enumerate(shown):
        y0 = top + round(i * height) + 3
        y1 = top + round((i + 1) * height) - 3
        canvas.text(20, (y0 + y1) // 2 - 5, str(i + 1))
        end = left + max(2, round(value / shown[0] * (right - left)))
        canvas.rect(left, y0, end, y1, OUTAGE)
        canvas.text(end + 8, (y0 + y1) // 2 - 5, number(value, 0))
