#!/usr/bin/env bash
# Renders the same pages of two builds in headless Chromium and reports
# every pixel that differs: a check that a CSS refactor (a split, a
# minifier, a moved rule) changed nothing a reader sees.
#
# Each page is shot at 412 and 1350 CSS px, in light and dark colour
# schemes, and printed to PDF (rasterised with pdftoppm). Images are
# hidden in both builds first (`visibility: hidden`, so layout keeps their
# boxes): lazy loading makes whether a photo has arrived at screenshot time
# a race. Each build is served from its own folder, since pages link
# their CSS by absolute path.
#
# usage: scripts/render-diff.sh OLD_DIR NEW_DIR [PAGE...]
#        PAGE: a path under the build, e.g. index.html or a/index.html
#        (default: every index.html and 404.html, up to 40)
# Installs chromium and poppler-utils (apt) and Pillow (a venv under
# ${NUTGRAF_CI_CACHE:-~/.cache/nutgraf-ci}) on first use.
# Exits 1 when a page differs, and prints where.
set -euo pipefail
# shellcheck source=demo-site.sh
. "$(dirname "$0")/demo-site.sh"
[ $# -ge 2 ] || { sed -n '2,17p' "$0"; exit 2; }
OLD=$(cd "$1" && pwd)
NEW=$(cd "$2" && pwd)
shift 2
CACHE=${NUTGRAF_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nutgraf-ci}
VENV=$CACHE/pillow
WORK=$(mktemp -d)
SERVERS=()
cleanup() {
  local pid
  for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils) \
    >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; echo "render-diff: installing chromium failed" >&2; exit 1; }
fi
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import PIL' 2>/dev/null; then
  (rm -rf "$VENV" && python3 -m venv "$VENV" && "$VENV/bin/pip" install -q pillow) \
    >"$WORK/pip.log" 2>&1 || { cat "$WORK/pip.log"; echo "render-diff: installing Pillow failed" >&2; exit 1; }
fi

pages=("$@")
if [ ${#pages[@]} -eq 0 ]; then
  # Redirect stubs (an alias's meta refresh) navigate away: left out.
  mapfile -t pages < <(cd "$NEW" && find . \( -name index.html -o -name 404.html \) -printf '%P\n' \
    | sort | while read -r p; do grep -q 'http-equiv="refresh"' "$p" || echo "$p"; done | head -n 40)
fi

# Copies of both builds with images hidden.
for side in old new; do
  src=$OLD; [ $side = new ] && src=$NEW
  cp -r "$src" "$WORK/$side"
  find "$WORK/$side" -name '*.html' -exec sed -i 's#</head>#<style>img{visibility:hidden!important}</style></head>#' {} +
done

chrome() {
  timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/profile-$RANDOM" --hide-scrollbars "$@" >"$WORK/chrome.log" 2>&1 || {
    cat "$WORK/chrome.log" >&2
    echo "render-diff: chromium failed on ${*: -1}" >&2
    return 1
  }
}

for side in old new; do
  serve_dir "$WORK/$side" "$WORK/serve-$side.log" || { echo "render-diff: could not start a web server" >&2; exit 1; }
  mkdir -p "$WORK/shots-$side"
  for page in "${pages[@]}"; do
    name=$(echo "$page" | tr / _)
    for width in 412 1350; do
      chrome --window-size=$width,7000 --screenshot="$WORK/shots-$side/$name-$width-light.png" "http://127.0.0.1:$PORT/$page"
      chrome --window-size=$width,7000 --force-dark-mode --blink-settings=preferredColorScheme=0 \
        --screenshot="$WORK/shots-$side/$name-$width-dark.png" "http://127.0.0.1:$PORT/$page"
    done
    chrome --no-pdf-header-footer --print-to-pdf="$WORK/$side-$name.pdf" "http://127.0.0.1:$PORT/$page"
    pdftoppm -r 50 -png "$WORK/$side-$name.pdf" "$WORK/shots-$side/$name-print"
  done
done

"$VENV/bin/python" - "$WORK/shots-old" "$WORK/shots-new" "${#pages[@]}" <<'PY'
import os, sys
from PIL import Image, ImageChops
old, new, count = sys.argv[1], sys.argv[2], sys.argv[3]
names = sorted(set(os.listdir(old)) | set(os.listdir(new)))
bad = 0
for name in names:
    a, b = os.path.join(old, name), os.path.join(new, name)
    if not (os.path.exists(a) and os.path.exists(b)):
        print(f"{name}: only in {'the old' if os.path.exists(a) else 'the new'} build")
        bad += 1
        continue
    x, y = Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
    if x.size != y.size:
        print(f"{name}: {x.size} against {y.size}")
        bad += 1
        continue
    box = ImageChops.difference(x, y).getbbox()
    if box:
        print(f"{name}: differs within {box}")
        bad += 1
print(f"render-diff: {count} pages, {len(names)} renderings, {bad} differ")
sys.exit(1 if bad else 0)
PY
