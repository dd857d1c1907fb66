#!/usr/bin/env bash
# Installs the system packages Frameway needs that a fresh Debian/Ubuntu
# machine lacks: ffmpeg (encoder), chromium (browser tests), xvfb + xdotool
# (X11 runtime), pulseaudio (session audio), ltris (the X11 demo game),
# python3 (uinput gamepads), fonts. Does nothing for packages already present.
set -euo pipefail

missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
command -v xdotool >/dev/null 2>&1 || missing+=(xdotool)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# x11 runtime: per-session audio (PulseAudio null sink), the Debian game the tests and
# `npm start -- --runtime x11 --cmd ltris` play, and Python for the uinput gamepad helper.
command -v pulseaudio >/dev/null 2>&1 || missing+=(pulseaudio)
[ -x /usr/games/ltris ] || missing+=(ltris)
command -v python3 >/dev/null 2>&1 || missing+=(python3)

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages present"
  exit 0
fi

echo "setup-system: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-system: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-system: done"
