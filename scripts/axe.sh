#!/usr/bin/env bash
# Accessibility check of the demo site: builds it (production and --drafts),
# and the right-to-left fixture (tests/fixtures/arabic),
# with each built-in theme (every folder of themes/), serves each build on
# 127.0.0.1 and runs axe-core (npm package @axe-core/cli, driving Debian's
# chromium through chromedriver) over every HTML page in three views: light
# and dark colour scheme in a 1280px-wide window, and light in a 390px-wide
# (phone) window. Prints every violation and exits 1 if there is any;
# otherwise prints one summary line.
#
# usage: scripts/axe.sh   (from anywhere; installs chromium, chromium-driver
#                          and @axe-core/cli on first use)
# env:   NUTGRAF_BIN=path  use this nutgraf binary instead of `cargo build`
#        NUTGRAF_CI_CACHE  where @axe-core/cli is installed
#                          (default ${XDG_CACHE_HOME:-$HOME/.cache}/nutgraf-ci)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=demo-site.sh
. "$ROOT/scripts/demo-site.sh"
CACHE=${NUTGRAF_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nutgraf-ci}
AXE_VERSION=4.13.0
AXE_DIR=$CACHE/axe-$AXE_VERSION
AXE=$AXE_DIR/node_modules/.bin/axe
# Flags for chromium as root in a container (axe-cli splits them on commas).
CHROME_FLAGS=--no-sandbox,--disable-gpu,--disable-dev-shm-usage,--no-first-run,--disable-background-networking,--disable-component-update,--disable-sync
# The views: name, window width and height, colour-scheme flag. Flags with
# a comma (--window-size) go through a wrapper passed as --chrome-path.
VIEWS=(
  "light 1280 1024 --blink-settings=preferredColorScheme=1"
  "dark 1280 1024 --blink-settings=preferredColorScheme=0"
  "light-390px 390 844 --blink-settings=preferredColorScheme=1"
)

WORK=$(mktemp -d)
SERVERS=()
cleanup() {
  local pid
  for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---------- tools ----------
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
    >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; echo "axe: installing chromium failed" >&2; exit 1; }
fi
if [ ! -x "$AXE" ]; then
  mkdir -p "$AXE_DIR"
  # No browser or driver downloads: chromium and chromedriver come from
  # Debian, and --ignore-scripts skips the npm chromedriver's download.
  (cd "$AXE_DIR" && CHROMEDRIVER_SKIP_DOWNLOAD=true PUPPETEER_SKIP_DOWNLOAD=1 \
    npm install --no-audit --no-fund --ignore-scripts "@axe-core/cli@$AXE_VERSION") \
    >"$WORK/npm.log" 2>&1 || { cat "$WORK/npm.log"; echo "axe: installing @axe-core/cli failed" >&2; exit 1; }
fi
CHROMIUM=$(command -v chromium)
CHROMEDRIVER=$(command -v chromedriver)
export SE_OFFLINE=true # selenium-webdriver must not fetch drivers or browsers

# ---------- build ----------
nutgraf_bin "$ROOT"

themes=()
for dir in "$ROOT"/themes/*/; do
  [ -f "$dir/theme.toml" ] && themes+=("$(basename "$dir")")
done
[ ${#themes[@]} -gt 0 ] || { echo "axe: no themes found in $ROOT/themes" >&2; exit 1; }

builds=()
for theme in "${themes[@]}"; do
  site=$WORK/site-$theme
  demo_site "$ROOT" "$theme" "$site"
  for mode in production drafts; do
    out=$WORK/out-$theme-$mode
    flags=()
    [ "$mode" = drafts ] && flags=(--drafts)
    "$BIN" --root "$site" build "${flags[@]}" --output "$out" >"$WORK/build.log" 2>&1 \
      || { cat "$WORK/build.log"; echo "axe: building the demo site with theme $theme ($mode) failed" >&2; exit 1; }
    builds+=("$theme-$mode")
  done
  # The right-to-left fixture (an Arabic explainer) in this theme too.
  site=$WORK/arabic-$theme
  cp -r "$ROOT/tests/fixtures/arabic" "$site"
  { echo "theme = \"$theme\""; cat "$ROOT/tests/fixtures/arabic/nutgraf.toml"; } >"$site/nutgraf.toml"
  "$BIN" --root "$site" build --output "$WORK/out-$theme-arabic" >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log"; echo "axe: building the Arabic fixture with theme $theme failed" >&2; exit 1; }
  builds+=("$theme-arabic")
done

# ---------- serve ----------
# One server per build (the pages use root-relative URLs); port 0 lets the
# OS pick a free port, which the server prints.
urls=()
pages=0
redirects=0
for build in "${builds[@]}"; do
  out=$WORK/out-$build
  serve_dir "$out" "$WORK/serve-$build.log" || { echo "axe: could not start a web server for $build" >&2; exit 1; }
  port=$PORT
  while IFS= read -r page; do
    # Alias pages only redirect (meta refresh) to the absolute URL on
    # base_url, which is not served here: nothing of theirs to check.
    if grep -qi 'http-equiv="refresh"' "$page"; then
      redirects=$((redirects + 1))
      continue
    fi
    rel=${page#"$out"/}
    case $rel in
      index.html) rel= ;;
      */index.html) rel=${rel%index.html} ;;
    esac
    urls+=("http://127.0.0.1:$port/$rel")
    pages=$((pages + 1))
  done < <(find "$out" -name '*.html' | sort)
  echo "$port $build" >>"$WORK/ports"
done

# ---------- check ----------
# One axe run per view, all at once (each drives its own chromium).
run_view() { # name width height flag
  local name=$1 width=$2 height=$3 flag=$4 wrapper=$WORK/chromium-$1
  printf '#!/bin/sh\nexec %q --headless --window-size=%s,%s %q "$@"\n' \
    "$CHROMIUM" "$width" "$height" "$flag" >"$wrapper"
  chmod +x "$wrapper"
  "$AXE" "${urls[@]}" \
    --chrome-path "$wrapper" \
    --chromedriver-path "$CHROMEDRIVER" \
    --chrome-options="$CHROME_FLAGS" \
    --dir "$WORK" --save "axe-$name.json" >"$WORK/axe-$name.log" 2>&1
}
axe_jobs=()
for view in "${VIEWS[@]}"; do
  read -r name width height flag <<<"$view"
  run_view "$name" "$width" "$height" "$flag" &
  axe_jobs+=("$!:$name")
done
for job in "${axe_jobs[@]}"; do
  name=${job#*:}
  wait "${job%%:*}" && [ -f "$WORK/axe-$name.json" ] \
    || { cat "$WORK/axe-$name.log"; echo "axe: axe-core did not run ($name)" >&2; exit 1; }
done

views=$(printf '%s\n' "${VIEWS[@]}" | awk '{print $1}')
# shellcheck disable=SC2086 # one argument per view name
node - "$WORK" "$pages" "$redirects" $views <<'EOF'
const fs = require('fs');
const [work, pages, redirects, ...views] = process.argv.slice(2);
const ports = new Map(fs.readFileSync(`${work}/ports`, 'utf8').trim().split('\n')
  .map(line => line.split(' ')));
let violations = 0, runs = 0;
for (const view of views) {
  for (const result of JSON.parse(fs.readFileSync(`${work}/axe-${view}.json`, 'utf8'))) {
    runs++;
    const url = new URL(result.url);
    if (url.hostname !== '127.0.0.1' || !ports.has(url.port)) {
      violations++;
      console.log(`a page navigated away from the site to ${result.url} (${view})`);
      continue;
    }
    const where = `${ports.get(url.port)} ${url.pathname} (${view})`;
    for (const v of result.violations) {
      for (const node of v.nodes) {
        violations++;
        console.log(`${where}: ${v.id} [${v.impact}] ${v.help}`);
        console.log(`  at ${node.target.join(' ')}`);
        for (const line of (node.failureSummary || '').split('\n')) console.log(`  ${line}`);
      }
    }
  }
}
if (runs !== views.length * Number(pages)) {
  console.log(`axe: expected ${views.length * pages} results, got ${runs}`);
  process.exit(1);
}
const skipped = Number(redirects) ? ` (${redirects} redirect pages skipped)` : '';
console.log(`axe: ${pages} pages × ${views.length} views (${views.join(', ')}), ${violations} violations${skipped}`);
process.exit(violations ? 1 : 0);
EOF
