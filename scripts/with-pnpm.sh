#!/usr/bin/env bash
# Runs a command with pnpm on PATH. When npm's global prefix is not writable (a normal user with
# Debian's /usr prefix), `npm run setup` installs pnpm into the user prefix ~/.local instead,
# whose bin folder may not be on PATH; the root scripts run through this so that they, and turbo
# (which runs each package's scripts with pnpm), find it.
user_bin="${HOME:-}/.local/bin"
if [ -n "${HOME:-}" ] && [ -x "$user_bin/pnpm" ]; then
  case ":$PATH:" in
    *":$user_bin:"*) ;;
    *) export PATH="$user_bin:$PATH" ;;
  esac
fi
exec "$@"
