#!/usr/bin/env bash
# Installs what the real-UI tests need: Debian's chromium/ripgrep/libkrb5-dev and this folder's
# npm deps (code-server, playwright-core). Idempotent: returns in about a second when installed.
# Recipe and reasons: /work/shared/e2e.md.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null || ! command -v rg >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver ripgrep libkrb5-dev >/dev/null
fi

stamp=node_modules/.memlens-installed
if [[ -f $stamp && -x node_modules/.bin/code-server && $stamp -nt package-lock.json ]]; then
	exit 0
fi

# @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable here): seed its cache with Debian's rg.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cache="$tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache" "$tmp/rgdir"
cp "$(command -v rg)" "$tmp/rgdir/rg"
tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$tmp/rgdir" rg

# code-server's postinstall refuses root; node-pty runs `npx node-gyp`; nodedir=/usr builds native
# modules against the distro's node headers instead of downloading them.
export TMPDIR="$tmp" npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr
if [[ -f package-lock.json ]]; then
	npm ci --no-audit --no-fund
else
	npm install --no-audit --no-fund
fi
touch "$stamp"
