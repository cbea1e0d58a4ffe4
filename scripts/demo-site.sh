# Shared by scripts/axe.sh and scripts/lighthouse.sh (sourced, not run):
# the nutgraf binary, the demo site copied with another built-in theme, and
# a static server.

# nutgraf_bin ROOT: sets BIN to $NUTGRAF_BIN, else builds ROOT's debug
# binary.
nutgraf_bin() {
  if [ -n "${NUTGRAF_BIN:-}" ]; then
    BIN=$NUTGRAF_BIN
  else
    cargo build --quiet --locked --manifest-path "$1/Cargo.toml"
    BIN=$1/target/debug/nutgraf
  fi
}

# demo_site ROOT THEME SITE: copies the demo site at ROOT into SITE with
# nutgraf.toml's `theme` set to THEME (added at the top if it is not set).
demo_site() {
  local root=$1 theme=$2 site=$3 part
  mkdir -p "$site"
  for part in content static themes templates; do
    if [ -e "$root/$part" ]; then cp -r "$root/$part" "$site/"; fi
  done
  if grep -q '^theme *=' "$root/nutgraf.toml"; then
    sed "s/^theme *=.*/theme = \"$theme\"/" "$root/nutgraf.toml" >"$site/nutgraf.toml"
  else
    { echo "theme = \"$theme\""; cat "$root/nutgraf.toml"; } >"$site/nutgraf.toml"
  fi
}

# serve_dir DIR LOG: serves DIR on 127.0.0.1 with Python's static server
# on a port the OS picks; appends its pid to SERVERS and sets PORT.
serve_dir() {
  local dir=$1 log=$2
  python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$dir" >"$log" 2>&1 &
  SERVERS+=($!)
  PORT=
  for _ in $(seq 100); do
    PORT=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  cat "$log"
  return 1
}
