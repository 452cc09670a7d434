#!/bin/sh
# Entrypoint of the redis stand-in (scripts/container-bases), behaving like the
# official image's for an unprivileged user:
#   - bare options (`--maxmemory 1mb`) or a *.conf first argument run
#     redis-server with them;
#   - the official image compiles Redis with protected mode OFF by default
#     (containers reach it over their network, not loopback); Debian's binary
#     defaults to on, so `--protected-mode no` is added unless a config file
#     comes first or the arguments set it themselves;
#   - umask 0077 when the inherited one is the default 0022 (data files
#     private to the redis user).
set -eu

if [ "${1#-}" != "${1:-}" ] || [ "${1%.conf}" != "${1:-}" ]; then
  set -- redis-server "$@"
fi

if [ "${1:-}" = redis-server ]; then
  shift
  case "${1:-}" in
    -v | --version | -h | --help | --test-memory | --check-system) ;;
    "" | -*)
      explicit=false
      for arg in "$@"; do
        [ "$arg" = --protected-mode ] && explicit=true
      done
      "$explicit" || set -- --protected-mode no "$@"
      ;;
  esac
  set -- redis-server "$@"
fi

if [ "$(umask)" = 0022 ]; then
  umask 0077
fi

exec "$@"
