#!/usr/bin/env python3
"""Renders the HTML report in headless Chromium at given window widths, saves a full-page screenshot of
each, and checks the layout Chromium made, from the rendered DOM.

The checks fail, naming the chart and the label or the table, on what a reader would see as broken:
  - chart text smaller than --min-font px once the chart is scaled to the page (font size x the text's
    screen transform),
  - a chart label that sticks out of its chart's box (cut off on screen),
  - two chart labels on top of each other, or a label partly over a bar, cell or legend swatch,
  - a table wider than its column with no scroll wrapper (an ancestor with overflow-x auto or scroll),
  - a table that scrolls (is cut off) while its wrapper leaves more than --slack px of the window unused,
  - a page wider than the window.
Closed <details> are opened (after the screenshot) so every table is measured.

Chromium is driven through the DevTools protocol on a pipe (--remote-debugging-pipe: commands on fd 3,
answers on fd 4, each a JSON text ending in NUL), because a headless window is never narrower than
500 px: only Emulation.setDeviceMetricsOverride lays the page out at a phone's 390. Standard library only.

usage: render_check.py REPORT.html --chromium PATH --at WIDTH:SCALE:SHOT.png [--at ...] [--min-font PX] [--slack PX]
Prints what it measured per width; exits 1 with `error: ...` lines when anything is wrong.
"""
import argparse
import base64
import fcntl
import json
import os
import select
import subprocess
import sys
import tempfile
import time

MEASURE = r"""
(() => {
  const minFont = __MIN_FONT__, slack = __SLACK__;
  const findings = [];
  const stats = { charts: 0, texts: 0, tables: 0, minFont: null, minFontText: "" };
  const px = (v) => Math.round(v * 10) / 10;
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
                          && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (const d of document.querySelectorAll("details")) d.open = true;
  for (const svg of document.querySelectorAll("svg")) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;  // not shown at this width
    stats.charts++;
    const chart = svg.getAttribute("aria-label") || "(a chart without a label)";
    const texts = [], small = [];
    for (const t of svg.querySelectorAll("text")) {
      const b = t.getBoundingClientRect();
      if (b.width === 0) continue;
      const label = t.textContent.trim();
      texts.push({ b, label });
      stats.texts++;
      const m = t.getScreenCTM();
      const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
      if (stats.minFont === null || size < stats.minFont) { stats.minFont = px(size); stats.minFontText = label; }
      if (size < minFont - 0.05) small.push({ size, label });
      const out = [];
      if (b.left < box.left - 0.5) out.push(`left edge by ${px(box.left - b.left)} px`);
      if (b.right > box.right + 0.5) out.push(`right edge by ${px(b.right - box.right)} px`);
      if (b.top < box.top - 0.5) out.push(`top edge by ${px(box.top - b.top)} px`);
      if (b.bottom > box.bottom + 0.5) out.push(`bottom edge by ${px(b.bottom - box.bottom)} px`);
      if (out.length) findings.push(`chart "${chart}": label "${label}" sticks out of the chart past its ${out.join(", ")}`);
    }
    if (small.length) {
      small.sort((a, b) => a.size - b.size);
      findings.push(`chart "${chart}": ${small.length} of its ${texts.length} labels are smaller than ${minFont} px `
                    + `(the smallest, "${small[0].label}", is ${px(small[0].size)} px)`);
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        if (overlap(texts[i].b, texts[j].b)) {
          findings.push(`chart "${chart}": labels "${texts[i].label}" and "${texts[j].label}" overlap`);
        }
      }
    }
    // A label sits wholly inside a shape (a heat-map cell's number) or clear of it, never half over one.
    for (const rect of svg.querySelectorAll("rect")) {
      const r = rect.getBoundingClientRect();
      for (const t of texts) {
        const inside = t.b.left >= r.left - 0.5 && t.b.right <= r.right + 0.5 && t.b.top >= r.top - 0.5 && t.b.bottom <= r.bottom + 0.5;
        if (overlap(t.b, r) && !inside) {
          const what = rect.querySelector("title") ? `the bar or cell "${rect.querySelector("title").textContent}"` : "a legend swatch";
          findings.push(`chart "${chart}": label "${t.label}" runs into ${what}`);
        }
      }
    }
  }
  for (const table of document.querySelectorAll("table")) {
    const t = table.getBoundingClientRect();
    if (t.width === 0) continue;
    stats.tables++;
    const section = table.closest("section") || document.body;
    const heading = section.querySelector("h2");
    const name = `table ${stats.tables} (${heading ? heading.textContent.trim() : "no section"}, ${table.rows[0].cells.length} columns)`;
    const style = getComputedStyle(section);
    const column = section.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    let wrapper = null;
    for (let e = table.parentElement; e && e !== section; e = e.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(e).overflowX)) { wrapper = e; break; }
    }
    if (!wrapper) {
      if (t.width > column + 1) findings.push(`${name} is ${px(t.width)} px wide in a ${px(column)} px column, with no scroll wrapper`);
      continue;
    }
    if (wrapper.getBoundingClientRect().width > column + 1) {
      findings.push(`${name}: its scroll wrapper is wider than its ${px(column)} px column`);
    }
    if (wrapper.scrollWidth > wrapper.clientWidth + 1 && wrapper.clientWidth < innerWidth - slack) {
      findings.push(`${name} is cut off: it needs ${wrapper.scrollWidth} px and shows ${wrapper.clientWidth} px, `
                    + `leaving ${innerWidth - wrapper.clientWidth} px of the ${innerWidth} px window unused`);
    }
  }
  if (document.documentElement.scrollWidth > innerWidth + 1) {
    findings.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${innerWidth} px window`);
  }
  stats.window = innerWidth;
  return { findings, stats };
})()
"""


class Chromium:
    """A headless Chromium driven over --remote-debugging-pipe, with one page attached."""

    def __init__(self, path, profile):
        to_chromium, self.commands = os.pipe()
        self.answers, from_chromium = os.pipe()

        def pipes_on_3_and_4():
            # Copied above 4 first: a pipe may already sit on 3 or 4, and dup2 onto itself would keep
            # close-on-exec. Only 3 and 4 stay open in Chromium (dup2 makes them inheritable).
            high_in = fcntl.fcntl(to_chromium, fcntl.F_DUPFD_CLOEXEC, 10)
            high_out = fcntl.fcntl(from_chromium, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self.process = subprocess.Popen(
            [path, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=open(profile + ".log", "w"),
            close_fds=False, preexec_fn=pipes_on_3_and_4)
        os.close(to_chromium)
        os.close(from_chromium)
        self.log = profile + ".log"
        self.next_id, self.buffer, self.events = 0, b"", []

    def open_page(self):
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.page("Page.enable")

    def call(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while True:
            answer = self.receive(timeout, f"an answer to {method}")
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    sys.exit(f"error: chromium: {method}: {answer['error'].get('message')}")
                return answer["result"]
            self.events.append(answer)

    def page(self, method, params=None, timeout=60):
        return self.call(method, params, self.session, timeout)

    def receive(self, timeout, waiting_for):
        deadline = time.monotonic() + timeout
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.answers], [], [], left)[0]:
                sys.exit(f"error: chromium sent no {waiting_for} within {timeout} s")
            chunk = os.read(self.answers, 1 << 20)
            if not chunk:
                with open(self.log, errors="replace") as f:
                    sys.stderr.write(f.read()[-2000:])
                sys.exit(f"error: chromium quit while this waited for {waiting_for}")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_for_event(self, method, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == self.session:
                    del self.events[index]
                    return event
            self.events.append(self.receive(max(0.1, deadline - time.monotonic()), method))

    def evaluate(self, expression):
        result = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            sys.exit(f"error: the measuring script failed: {result['exceptionDetails'].get('exception', {}).get('description')}")
        return result["result"]["value"]

    def close(self):
        """Asks Chromium to quit, and kills it if it has not within 10 s."""
        try:
            os.write(self.commands, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


def render(chromium, url, width, scale, shot, min_font, slack, max_height):
    """Lays the page out `width` CSS px wide, saves a screenshot of it (at most `max_height` px tall, at
    `scale` device pixels per CSS px), and returns the measuring script's findings and figures."""
    metrics = {"width": width, "height": 900, "deviceScaleFactor": scale, "mobile": False}
    chromium.page("Emulation.setDeviceMetricsOverride", metrics)
    chromium.page("Page.navigate", {"url": url})
    chromium.wait_for_event("Page.loadEventFired")
    height = min(max_height, chromium.evaluate("document.documentElement.scrollHeight"))
    chromium.page("Emulation.setDeviceMetricsOverride", dict(metrics, height=height))
    png = chromium.page("Page.captureScreenshot", {"format": "png"})["data"]
    with open(shot, "wb") as f:
        f.write(base64.b64decode(png))
    return chromium.evaluate(MEASURE.replace("__MIN_FONT__", str(min_font)).replace("__SLACK__", str(slack)))


def main():
    parser = argparse.ArgumentParser(description="Renders the HTML report in headless Chromium and checks its layout.")
    parser.add_argument("report")
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--at", action="append", required=True, metavar="WIDTH:SCALE:SHOT.png",
                        help="window width in CSS px, device pixels per CSS px, and where the screenshot goes (repeatable)")
    parser.add_argument("--min-font", type=float, default=11, help="smallest chart text on screen, px (default 11)")
    parser.add_argument("--slack", type=int, default=64,
                        help="px of the window a cut-off (scrolling) table may leave unused (default 64)")
    parser.add_argument("--max-height", type=int, default=16000, help="tallest screenshot, CSS px (default 16000)")
    arguments = parser.parse_args()
    url = "file://" + os.path.abspath(arguments.report)
    failed = False
    with tempfile.TemporaryDirectory() as work:
        chromium = Chromium(arguments.chromium, os.path.join(work, "profile"))
        try:
            chromium.open_page()
            for at in arguments.at:
                width, scale, shot = at.split(":", 2)
                width = int(width)
                result = render(chromium, url, width, float(scale), shot, arguments.min_font, arguments.slack,
                                arguments.max_height)
                stats, findings = result["stats"], result["findings"]
                print(f"layout at {width} px: {stats['charts']} charts with {stats['texts']} labels "
                      f"(smallest {stats['minFont']} px: \"{stats['minFontText']}\"), {stats['tables']} tables, "
                      f"{len(findings)} problems")
                if stats["window"] != width:
                    findings.append(f"the window is {stats['window']} px wide, not {width}")
                if stats["charts"] == 0 or stats["tables"] == 0:
                    findings.append("no chart or no table was laid out")
                for finding in findings[:25]:
                    print(f"error: at {width} px, {finding}", file=sys.stderr)
                if len(findings) > 25:
                    print(f"error: at {width} px, and {len(findings) - 25} more", file=sys.stderr)
                failed = failed or bool(findings)
        finally:
            chromium.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
