#!/usr/bin/env bash
# Installs what neuron-explorer needs to open its window (on Debian/Ubuntu, when run
# as root) and starts it. Any arguments go to the program: ./run.sh models
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v cargo >/dev/null; then
    echo "Rust is required: install it from https://rustup.rs, then run ./run.sh again." >&2
    exit 1
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    # Runtime libraries for the window (X11/Wayland, keyboard, GL/Vulkan software fallback).
    need=()
    for pkg in pkg-config libx11-dev libxkbcommon-dev libxkbcommon-x11-0 libwayland-dev libgl1 libegl1 mesa-vulkan-drivers; do
        dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
    done
    if [ ${#need[@]} -gt 0 ]; then
        apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
    fi
fi
exec cargo run --release -- "$@"
