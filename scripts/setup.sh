#!/usr/bin/env bash
# Installs everything Concordia needs to build, run and test on Debian 12 (bookworm):
# system packages (GTK/WebKit for the window; Xvfb, a Secret Service, Chromium for tests),
# the frontend's npm packages, and the pinned Claude Code binary used by integration tests.
# Idempotent: it installs only what is missing. Pass --app for just what the window needs.
set -euo pipefail
cd "$(dirname "$0")/.."

CLAUDE_CODE_VERSION=2.1.197

app_pkgs=(libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config)
test_pkgs=(xvfb xauth xdotool imagemagick x11-utils dbus-x11 at-spi2-core gnome-keyring
  libsecret-tools chromium desktop-file-utils xclip xfce4-panel nsis tesseract-ocr dbus xdg-utils
  tmux git)

want=("${app_pkgs[@]}")
[ "${1:-}" = "--app" ] || want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

for tool in go node npm; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required (Go 1.26, Node 20+)" >&2; exit 1; }
done

# Frontend packages. npm install, not npm ci: the registry here lacks some platform
# packages, so the lockfile is incomplete for other platforms (RECIPES.md).
if [ ! -d frontend/node_modules ] || [ frontend/package.json -nt frontend/node_modules/.package-lock.json ]; then
  (cd frontend && npm install --no-audit --no-fund)
fi

# Claude Code for the integration tests, pinned, kept in .tools (ignored by git).
if [ "${1:-}" != "--app" ]; then
  claude=.tools/claude/node_modules/.bin/claude
  if [ ! -x "$claude" ] || [[ "$("$claude" --version 2>/dev/null)" != "$CLAUDE_CODE_VERSION "* ]]; then
    mkdir -p .tools/claude
    [ -f .tools/claude/package.json ] || echo '{"name":"concordia-tools","private":true}' > .tools/claude/package.json
    (cd .tools/claude && npm install --no-audit --no-fund "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION")
  fi
  "$claude" --version
fi
echo "setup: done"
