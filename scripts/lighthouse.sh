#!/usr/bin/env bash
# Lighthouse over the demo site: builds it with each built-in theme (every
# folder of themes/), serves each build on 127.0.0.1 with a plain static
# server, and runs Lighthouse (npm package, Debian's chromium) on the home
# page, an article, a section (when the site has one), a tag page, the
# 404 page, and a translated article with its language's home page (when
# the site has one). Prints each page's four category scores and the bytes of CSS
# it loads but does not use; exits 1 when a score is under 100, unless
# --report is given.
#
# .ci/run calls it. Performance is a simulation over one page load and
# moves by a point or two between runs on a busy machine, so a page under
# 100 is run twice more and judged on the median of the three runs, as
# Lighthouse's documentation advises for variance.
#
# usage: scripts/lighthouse.sh [--report]   (installs chromium and lighthouse
#                                            on first use)
# env:   NUTGRAF_BIN=path  use this nutgraf binary instead of `cargo build`
#        LIGHTHOUSE_PRESET=desktop  Lighthouse's desktop emulation (1350 px
#                          at DPR 1) instead of its default mobile one
#                          (412 px at DPR 1.75)
#        NUTGRAF_CI_CACHE  where lighthouse is installed
#                          (default ${XDG_CACHE_HOME:-$HOME/.cache}/nutgraf-ci)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=demo-site.sh
. "$ROOT/scripts/demo-site.sh"
CACHE=${NUTGRAF_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nutgraf-ci}
LH_VERSION=12.2.3
LH_DIR=$CACHE/lighthouse-$LH_VERSION
LH=$LH_DIR/node_modules/.bin/lighthouse
REPORT_ONLY=false
[ "${1:-}" = --report ] && REPORT_ONLY=true
PRESET=()
[ -n "${LIGHTHOUSE_PRESET:-}" ] && PRESET=("--preset=$LIGHTHOUSE_PRESET")

WORK=$(mktemp -d)
SERVERS=()
cleanup() {
  local pid
  for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---------- tools ----------
if ! command -v chromium >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
    >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; echo "lighthouse: installing chromium failed" >&2; exit 1; }
fi
if [ ! -x "$LH" ]; then
  mkdir -p "$LH_DIR"
  (cd "$LH_DIR" && npm install --no-audit --no-fund "lighthouse@$LH_VERSION") \
    >"$WORK/npm.log" 2>&1 || { cat "$WORK/npm.log"; echo "lighthouse: installing lighthouse failed" >&2; exit 1; }
fi
export CHROME_PATH
CHROME_PATH=$(command -v chromium)

# ---------- build ----------
nutgraf_bin "$ROOT"

failed=0
printf '%-12s %-28s %5s %5s %5s %5s %12s\n' theme page perf a11y bp seo "unused CSS"
for dir in "$ROOT"/themes/*/; do
  [ -f "$dir/theme.toml" ] || continue
  theme=$(basename "$dir")
  site=$WORK/site-$theme
  out=$WORK/out-$theme
  demo_site "$ROOT" "$theme" "$site"
  "$BIN" --root "$site" build --output "$out" >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log"; echo "lighthouse: building the demo site with theme $theme failed" >&2; exit 1; }

  serve_dir "$out" "$WORK/serve-$theme.log" || { echo "lighthouse: could not start a web server" >&2; exit 1; }
  port=$PORT

  # The pages: one of each kind the build wrote.
  pages=("")
  article=$(grep -l '"@type":"NewsArticle"' "$out"/*/index.html 2>/dev/null | head -n 1 || true)
  [ -n "$article" ] && pages+=("$(basename "$(dirname "$article")")/")
  # (A language's home page is a listing too, but a WebSite, not a
  # CollectionPage.)
  section=$(grep -l '"@type":"CollectionPage"' "$out"/*/index.html 2>/dev/null | grep -v "/tags/" | head -n 1 || true)
  [ -n "$section" ] && pages+=("$(basename "$(dirname "$section")")/")
  # A translation (the demo's explainer in Arabic or Korean, with its
  # language switcher) and its language's home page.
  translated=$(grep -l '"translationOfWork"' "$out"/*/*/index.html 2>/dev/null | head -n 1 || true)
  if [ -n "$translated" ]; then
    rel=${translated#"$out"/}
    pages+=("${rel%index.html}" "${rel%%/*}/")
  fi
  tag=$(find "$out/tags" -mindepth 2 -maxdepth 2 -name index.html 2>/dev/null | sort | head -n 1)
  [ -n "$tag" ] && pages+=("tags/$(basename "$(dirname "$tag")")/")
  pages+=("404.html")

  for page in "${pages[@]}"; do
    runs=()
    for attempt in 1 2 3; do
      json=$WORK/lh-$attempt.json
      "$LH" "http://127.0.0.1:$port/$page" --quiet --output=json --output-path="$json" "${PRESET[@]}" \
        --chrome-flags="--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$WORK/profile-$RANDOM" \
        >"$WORK/lh.log" 2>&1 || { cat "$WORK/lh.log"; echo "lighthouse: run on /$page failed" >&2; exit 1; }
      runs+=("$json")
      # A first run at 100 everywhere settles it; otherwise all three runs
      # are judged together (before, a second run at 100 stopped the loop,
      # and the median of two was the lower one).
      [ "$attempt" -eq 1 ] || continue
      python3 - "$json" <<'PY' && break
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if all(d["categories"][c]["score"] == 1 for c in ("performance", "accessibility", "best-practices", "seo")) else 1)
PY
    done
    line=$(python3 - "$theme" "/$page" "${runs[@]}" <<'PY'
import json, statistics, sys
runs = [json.load(open(f)) for f in sys.argv[3:]]
cats = ("performance", "accessibility", "best-practices", "seo")
# The median run per category; with one run, that run.
scores = [statistics.median_low([r["categories"][c]["score"] or 0 for r in runs]) for c in cats]
shown = [str(round(s * 100)) for s in scores]
# The run the details are reported from: the median by performance.
d = sorted(runs, key=lambda r: r["categories"]["performance"]["score"] or 0)[(len(runs) - 1) // 2]
unused = d["audits"]["unused-css-rules"].get("details", {}).get("overallSavingsBytes", 0)
low = [
    f'{cat}: {a["id"]} ({a.get("displayValue") or a["score"]})'
    for cat in cats
    for ref in d["categories"][cat]["auditRefs"]
    if ref.get("weight", 0) > 0
    for a in [d["audits"][ref["id"]]]
    if a.get("score") is not None and a["score"] < 1
]
# The image opportunities weigh nothing in the score, so they are listed
# whenever they find something to save.
images = [
    f'image: {a["id"]} ({a.get("displayValue") or a["score"]})'
    for a in (d["audits"][i] for i in ("modern-image-formats", "uses-responsive-images"))
    if a.get("details", {}).get("overallSavingsBytes", 0) > 0
]
ok = all(s == 1 for s in scores)
note = ""
if len(runs) > 1:
    note = f"  (median of {len(runs)} runs; performance " + ", ".join(
        str(round((r["categories"]["performance"]["score"] or 0) * 100)) for r in runs) + ")"
print(("OK" if ok else "LOW") + "\t" + "%-12s %-28s %5s %5s %5s %5s %9.1f KiB" % (sys.argv[1], sys.argv[2], *shown, unused / 1024) + note + "".join("\n    " + l for l in low + images))
PY
)
    case $line in LOW*) failed=1 ;; esac
    echo "${line#*	}"
  done
done

if [ $failed -ne 0 ] && [ "$REPORT_ONLY" = false ]; then
  echo "lighthouse: a page scored under 100" >&2
  exit 1
fi
