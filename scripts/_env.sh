# Shared by the scripts: paths and the environment Reflex needs to work offline.
# Sourced, not run.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
BUN_VERSION="1.4.5"
BUN_PREFIX="$ROOT/.tools/bun"

export REFLEX_TELEMETRY_ENABLED=false
export REFLEX_CHECK_LATEST_VERSION=false
# Skips Reflex's probe of a public IP address.
export REFLEX_HTTP_CLIENT_BIND_ADDRESS=0.0.0.0
if command -v npm >/dev/null 2>&1; then
  # Naming the registry skips Reflex's latency probes of public registries.
  NPM_CONFIG_REGISTRY="$(npm config get registry)"
  export NPM_CONFIG_REGISTRY
fi

bun_binary() {
  # npm may skip bun's postinstall; the package still ships the real binary.
  local bun="$BUN_PREFIX/node_modules/.bin/bun"
  [ -e "$bun" ] && "$bun" --version >/dev/null 2>&1 && readlink -f "$bun"
}

use_local_bun() {
  local bun
  bun="$(bun_binary)" || return 1
  export REFLEX_BUN_PATH="$bun"
  export REFLEX_USE_SYSTEM_BUN=1
  export PATH="$BUN_PREFIX/node_modules/.bin:$PATH"
}
