#!/usr/bin/env bash
# Installs everything the repo needs on a fresh machine with Node 20 and npm:
# pnpm, the workspace's dependencies, and Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
export TURBO_TELEMETRY_DISABLED=1

# pnpm in the user prefix (see below) counts as installed; the root scripts find it through
# scripts/with-pnpm.sh.
USER_PREFIX="$HOME/.local"
case ":$PATH:" in *":$USER_PREFIX/bin:"*) ;; *) [ -x "$USER_PREFIX/bin/pnpm" ] && export PATH="$USER_PREFIX/bin:$PATH" ;; esac

# True when `npm install --global` can write to npm's global prefix (root, or a user-owned prefix).
global_prefix_writable() {
  local prefix
  prefix="$(npm prefix --global 2>/dev/null)" || return 1
  [ -n "$prefix" ] || return 1
  for dir in "$prefix/lib/node_modules" "$prefix/bin"; do
    if [ -e "$dir" ]; then [ -w "$dir" ] || return 1; else [ -w "$prefix" ] || return 1; fi
  done
}

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  if global_prefix_writable; then
    echo "setup: installing pnpm@$PNPM_VERSION"
    npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
  else
    # A normal user whose npm prefix is root-owned (e.g. Debian's /usr): no sudo, install into
    # ~/.local instead. `npm run …` finds it there through scripts/with-pnpm.sh.
    echo "setup: installing pnpm@$PNPM_VERSION into $USER_PREFIX (npm's global prefix is not writable)"
    npm install --global --prefix "$USER_PREFIX" --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
    export PATH="$USER_PREFIX/bin:$PATH"
    hash -r
    if [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
      echo "setup: pnpm@$PNPM_VERSION is not usable from $USER_PREFIX/bin" >&2
      exit 1
    fi
    echo "setup: to use pnpm directly, add $USER_PREFIX/bin to your PATH"
  fi
fi

echo "setup: installing dependencies"
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi

# Installs Debian package $2 with apt-get (when root) if command $1 is missing; otherwise says what
# to install and why ($3).
install_if_missing() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing $2 (apt-get)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  else
    echo "setup: $1 is missing; install it (e.g. 'sudo apt-get install $2') $3" >&2
  fi
}

# Browser tests drive Debian's Chromium with playwright-core (no browser download).
if [ -z "${CHROMIUM_PATH:-}" ]; then
  install_if_missing chromium chromium "or set CHROMIUM_PATH"
fi
# The local sandbox's isolated mode (--isolate) and its tests run commands in bubblewrap.
install_if_missing bwrap bubblewrap "for --isolate; its tests are skipped without it"
echo "setup: done"
