#!/usr/bin/env python3
"""Bytes a reader downloads for a first search, from an empty browser cache.

Serves a built site on 127.0.0.1 with a server that records every file it
sends, opens /search/?q=<query> in a fresh headless Chromium (through
chromedriver, one new profile per query), waits for the results and prints
what was fetched under /pagefind/, by kind. Pagefind fetches most of its
files from a Web Worker, which the page's Resource Timing does not see, so
the bytes are counted at the server. The figures are file sizes: the index
chunks, fragments, metadata and wasm are gzip files already; a CDN would
also gzip pagefind.js and its worker (about 47 KB -> 13 KB each).

usage: scripts/search-first-query.py OUTPUT_DIR QUERY...   (use + for spaces)
needs: chromium and chromedriver (Debian: chromium chromium-driver)
"""
import json, subprocess, sys, time, urllib.request, tempfile
root, port = sys.argv[1], 8099
import http.server, threading, functools, os
log = []
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def end_headers(self):
        p = self.translate_path(self.path)
        if os.path.isfile(p): log.append((self.path, os.path.getsize(p)))
        super().end_headers()
httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(H, directory=root))
threading.Thread(target=httpd.serve_forever, daemon=True).start()
class _S:
    def terminate(self): httpd.shutdown()
srv = _S()
drv = subprocess.Popen(["chromedriver", "--port=9515"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1.5)
def call(method, path, body=None):
    req = urllib.request.Request("http://127.0.0.1:9515" + path, method=method,
        data=None if body is None else json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["value"]
try:
    caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + tempfile.mkdtemp()]}}}}
    for q in sys.argv[2:]:
        caps["capabilities"]["alwaysMatch"]["goog:chromeOptions"]["args"][-1] = "--user-data-dir=" + tempfile.mkdtemp()
        sid = call("POST", "/session", caps)["sessionId"]
        log.clear()
        call("POST", f"/session/{sid}/url", {"url": f"http://127.0.0.1:{port}/search/?q={q}"})
        # Wait for the result list to fill (or the status to say none).
        for _ in range(200):
            n = call("POST", f"/session/{sid}/execute/sync", {"script": "return document.querySelectorAll('#search-results > li').length", "args": []})
            if n: break
            time.sleep(0.1)
        time.sleep(1.0)
        entries = [(p.split('/pagefind/')[1], b, b) for p, b in log if '/pagefind/' in p]
        status = call("POST", f"/session/{sid}/execute/sync", {"script": "return document.getElementById('search-status').textContent", "args": []})
        total = sum(e[1] for e in entries)
        kinds = {}
        for name, t, b in entries:
            k = name.split('/')[0] if '/' in name else name
            kinds.setdefault(k, [0, 0]); kinds[k][0] += 1; kinds[k][1] += t
        print(f"q={q!r}: {n} results shown, status {status.strip()!r}; {len(entries)} requests, {total} bytes sent")
        for k, (c, t) in sorted(kinds.items()):
            print(f"   {k}: {c} file(s), {t} bytes")
        call("DELETE", f"/session/{sid}")
finally:
    drv.terminate(); srv.terminate()
