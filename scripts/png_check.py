#!/usr/bin/env python3
"""Checks that a screenshot of the HTML report shows its charts: not blank, and holding enough pixels
of the report's chart colours. Standard library only (zlib PNG decoding), so it runs anywhere CI does.

usage: png_check.py FILE.png [--min-width N] [--heat-map]
Prints what it measured; exits 1 with `error: ...` when the page looks blank or a chart colour is missing.
"""
import struct
import sys
import zlib

# The report's chart colours (SVGChart.palette) that every full report draws, and what draws them.
CHART_COLOURS = {
    "blue (revenue line, domain bars, paying learners)": (0x2F, 0x6F, 0xDF),
    "orange (gross line, conversion bars)": (0xE8, 0x87, 0x1E),
    "teal (payouts, completion bars)": (0x2A, 0x9D, 0x8F),
    "grey (platform part, acquired learners)": (0x6C, 0x7A, 0x89),
}


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path} is not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        fail(f"unsupported PNG layout (depth {depth}, colour type {colour}, interlace {interlace})")
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def on_heat_scale(rgb):
    """True for the heat map's own colours: the line from #f7fbff to #1748a0 (t above 0.1, so not
    the near-white of empty cells), which antialiased bars and text on white do not follow."""
    r, g, b = rgb
    t = (247 - r) / 224
    if not 0.1 <= t <= 1:
        return False
    return abs(g - (251 - t * 179)) <= 3 and abs(b - (255 - t * 95)) <= 3


def main():
    if len(sys.argv) < 2:
        fail("usage: png_check.py FILE.png [--min-width N]")
    path = sys.argv[1]
    min_width = int(sys.argv[sys.argv.index("--min-width") + 1]) if "--min-width" in sys.argv else 1
    width, height, channels, rows = read_png(path)
    if width < min_width:
        fail(f"{path} is {width} px wide, expected at least {min_width}")
    counts = {name: 0 for name in CHART_COLOURS}
    wanted = {rgb: name for name, rgb in CHART_COLOURS.items()}
    inked = heat = 0
    for line in rows:
        for x in range(0, width * channels, channels):
            rgb = (line[x], line[x + 1], line[x + 2])
            if rgb != (255, 255, 255):
                inked += 1
                # The cohort heat map's cells run from near-white to deep blue (SVGChart.heat).
                if on_heat_scale(rgb):
                    heat += 1
                name = wanted.get(rgb)
                if name:
                    counts[name] += 1
    total = width * height
    share = inked / total
    print(f"{path}: {width}x{height}, {share:.1%} of pixels inked")
    for name, count in counts.items():
        print(f"  {name}: {count} px")
    print(f"  heat-map blues: {heat} px")
    if share < 0.02:
        fail(f"{path} is nearly blank ({share:.2%} of pixels inked)")
    missing = [name for name, count in counts.items() if count < 2000]
    if "--heat-map" in sys.argv and heat < 2000:
        missing.append("the cohort heat map's blues")
    if missing:
        fail(f"{path} lacks chart colours: {', '.join(missing)}")


if __name__ == "__main__":
    main()
