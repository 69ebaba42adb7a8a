#!/usr/bin/env bash
# Replays the attacks on the service on loopback (see attack_service.py).
# usage: scripts/attack_service.sh [--tint PATH]
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/attack_service.py" "$@"
