#!/usr/bin/env python3
"""Draws the built-in themes' icons: themes/<theme>/static/icon.svg,
icon-32.png, apple-touch-icon.png (180 px) and favicon.ico (16 and 32 px).

One drawing, in the theme's accent colour: a rounded square with three
lines of "text", the last one short: a paragraph, the nut graf. The SVG and
the rasters come from the same numbers; the rasters are drawn with 8x8
supersampling; the apple-touch-icon is square and opaque, as iOS wants it.
Standard library only (zlib for PNG), so the output is the
same on every machine. Run it from the repository root after changing a
colour or the drawing; the files are committed.
"""

import struct
import zlib
from pathlib import Path

THEMES = {"newsroom": "#1d4ed8", "broadsheet": "#a3261c"}

# On a 32-unit square.
RADIUS = 7.0
BARS = [(7.0, 9.0, 18.0, 3.5), (7.0, 14.25, 18.0, 3.5), (7.0, 19.5, 11.0, 3.5)]


def svg(color):
    bars = "".join(
        f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}"/>' for x, y, w, h in BARS
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        f'<rect width="32" height="32" rx="{RADIUS:g}" fill="{color}"/>'
        f'<g fill="#fff">{bars}</g></svg>\n'
    )


def inside_rounded(px, py, rounded=True):
    """Whether (px, py), in 32-unit space, is inside the rounded square."""
    if not (0 <= px < 32 and 0 <= py < 32):
        return False
    if not rounded:
        return True
    cx = min(max(px, RADIUS), 32 - RADIUS)
    cy = min(max(py, RADIUS), 32 - RADIUS)
    return (px - cx) ** 2 + (py - cy) ** 2 <= RADIUS**2


def on_bar(px, py):
    return any(x <= px < x + w and y <= py < y + h for x, y, w, h in BARS)


def raster(color, size, rounded=True):
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    ss = 8
    rows = []
    for j in range(size):
        row = bytearray([0])  # PNG filter: none
        for i in range(size):
            cover = white = 0
            for sj in range(ss):
                for si in range(ss):
                    px = (i + (si + 0.5) / ss) * 32 / size
                    py = (j + (sj + 0.5) / ss) * 32 / size
                    if inside_rounded(px, py, rounded):
                        cover += 1
                        if on_bar(px, py):
                            white += 1
            if cover == 0:
                row += bytes(4)
                continue
            # Colour of the covered part, then its coverage as alpha.
            t = white / cover
            row += bytes(
                [
                    round(r + (255 - r) * t),
                    round(g + (255 - g) * t),
                    round(b + (255 - b) * t),
                    round(255 * cover / (ss * ss)),
                ]
            )
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(images):
    """An ICO file holding PNG images (Windows Vista and every browser read them)."""
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    body = b""
    for size, data in images:
        out += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        body += data
    return out + body


def main():
    for theme, color in THEMES.items():
        static = Path("themes") / theme / "static"
        (static / "icon.svg").write_text(svg(color))
        png32 = raster(color, 32)
        (static / "icon-32.png").write_bytes(png32)
        # iOS rounds the corners itself and fills transparent ones black.
        (static / "apple-touch-icon.png").write_bytes(raster(color, 180, rounded=False))
        (static / "favicon.ico").write_bytes(ico([(16, raster(color, 16)), (32, png32)]))
        print(f"{static}: icon.svg, icon-32.png, apple-touch-icon.png, favicon.ico")


if __name__ == "__main__":
    main()
