#!/usr/bin/env bash
# Runs every test of headroom. On a fresh Debian machine with Go it first
# installs the real components the tests run against (Prometheus and
# promtool, Chromium) when they are missing. Tests that need a component
# fail rather than skip when it is missing under CI=true, which this script
# sets unless the caller already chose.
set -euo pipefail
cd "$(dirname "$0")/.."

export CI="${CI:-true}"

need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ((${#need[@]})); then
	pkgs=$(printf '%s\n' "${need[@]}" | sort -u | tr '\n' ' ')
	echo "test: installing missing Debian packages: $pkgs" >&2
	sudo=""
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
			echo "test: need root (or sudo) to run: apt-get install -y $pkgs" >&2
			exit 1
		fi
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi

echo "test: gofmt" >&2
unformatted=$(find . -name '*.go' -not -path './.git/*' -print0 | xargs -0 gofmt -l)
if [ -n "$unformatted" ]; then
	echo "test: these files need gofmt:" >&2
	echo "$unformatted" >&2
	exit 1
fi

echo "test: go vet" >&2
go vet ./...

echo "test: go test" >&2
# One package at a time: the load and capacity tests measure real servers
# on loopback, and a neighbour package compiling or simulating on the same
# two cores would be measured with them.
go test -p 1 -count=1 -timeout 20m ./...
