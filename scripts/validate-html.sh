#!/usr/bin/env bash
# Builds the demo site (production and --drafts) and the right-to-left
# fixture (tests/fixtures/arabic) with every built-in theme and runs the Nu HTML checker (vnu.jar from the npm package vnu-jar) over
# every page and stylesheet. Prints one line and exits 0 when all are valid.
#
# usage: scripts/validate-html.sh   (from anywhere; installs vnu-jar on first use)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${NUTGRAF_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nutgraf-ci}
VNU_VERSION=26.9.27
VNU_DIR=$CACHE/vnu-$VNU_VERSION
VNU_JAR=$VNU_DIR/node_modules/vnu-jar/build/dist/vnu.jar

if ! command -v java >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq default-jre-headless) >/dev/null
fi
if [ ! -f "$VNU_JAR" ]; then
  mkdir -p "$VNU_DIR"
  (cd "$VNU_DIR" && npm install --silent --no-audit --no-fund "vnu-jar@$VNU_VERSION" >/dev/null)
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cargo build --quiet --locked --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/debug/nutgraf
for theme_dir in "$ROOT"/themes/*/; do
  theme=$(basename "$theme_dir")
  site=$OUT/site-$theme
  mkdir -p "$site"
  cp -r "$ROOT/content" "$ROOT/themes" "$site/"
  [ -d "$ROOT/static" ] && cp -r "$ROOT/static" "$site/"
  [ -d "$ROOT/templates" ] && cp -r "$ROOT/templates" "$site/"
  sed "s/^theme = .*/theme = \"$theme\"/" "$ROOT/nutgraf.toml" > "$site/nutgraf.toml"
  # Image outputs do not depend on the theme: reuse the previous cache.
  if [ -d "$OUT/cache" ]; then cp -r "$OUT/cache" "$site/.nutgraf-cache"; fi
  for mode in production drafts; do
    flags=(); [ $mode = drafts ] && flags=(--drafts)
    "$BIN" --root "$site" build "${flags[@]}" --output "$OUT/$theme-$mode" 2>"$OUT/build.log" || { cat "$OUT/build.log"; exit 1; }
  done
  rm -rf "$OUT/cache" && cp -r "$site/.nutgraf-cache" "$OUT/cache"
  # The right-to-left fixture (an Arabic explainer) in this theme too.
  ar=$OUT/arabic-$theme
  cp -r "$ROOT/tests/fixtures/arabic" "$ar"
  { echo "theme = \"$theme\""; cat "$ROOT/tests/fixtures/arabic/nutgraf.toml"; } >"$ar/nutgraf.toml"
  "$BIN" --root "$ar" build --output "$OUT/$theme-arabic" 2>"$OUT/build.log" || { cat "$OUT/build.log"; exit 1; }
done
outputs=("$OUT"/*-production "$OUT"/*-drafts "$OUT"/*-arabic)
pages=$(find "${outputs[@]}" -name '*.html' | wc -l)
java -jar "$VNU_JAR" --errors-only --skip-non-html --also-check-css "${outputs[@]}"
echo "vnu: $pages pages of the demo site (every theme, production and --drafts) and the Arabic fixture are valid HTML and CSS"
