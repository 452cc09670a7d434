#!/bin/sh
# Entrypoint of the nginx-unprivileged stand-in (scripts/container-bases),
# doing what the official image's entrypoint does by default: when the command
# is nginx, render /etc/nginx/templates/*.template into the output directory
# with envsubst (as its 20-envsubst-on-templates.sh), run any executable
# /docker-entrypoint.d/*.sh, then exec the command.
#   NGINX_ENVSUBST_TEMPLATE_DIR     default /etc/nginx/templates
#   NGINX_ENVSUBST_TEMPLATE_SUFFIX  default .template
#   NGINX_ENVSUBST_OUTPUT_DIR       default /etc/nginx/conf.d
#   NGINX_ENVSUBST_FILTER           only variables whose names match this
#                                   (extended) regex are substituted
#   NGINX_ENTRYPOINT_QUIET_LOGS     non-empty: no log lines
set -eu

log() {
  [ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$0: $*"
}

render_templates() {
  template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
  suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
  output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
  filter="${NGINX_ENVSUBST_FILTER:-}"

  [ -d "$template_dir" ] || return 0
  if [ ! -w "$output_dir" ]; then
    log "ERROR: $template_dir exists, but $output_dir is not writable"
    return 0
  fi

  # envsubst's SHELL-FORMAT argument: "${NAME} " for each environment variable
  # whose name matches the filter (all of them without a filter), so every
  # other $word (nginx's own variables) is left alone.
  names="$(awk -v re="$filter" 'END { for (n in ENVIRON) if (n ~ re) print n }' </dev/null)"
  defined=""
  for name in $names; do
    defined="$defined\${$name} "
  done

  find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
    relative="${template#"$template_dir/"}"
    output="$output_dir/${relative%"$suffix"}"
    mkdir -p "$(dirname "$output")"
    log "Running envsubst on $template to $output"
    envsubst "$defined" <"$template" >"$output"
  done
}

if [ "${1:-}" = nginx ] || [ "${1:-}" = nginx-debug ]; then
  render_templates
  for script in /docker-entrypoint.d/*.sh; do
    if [ -f "$script" ] && [ -x "$script" ]; then
      log "Launching $script"
      "$script"
    fi
  done
  log "Configuration complete; ready for start up"
fi

exec "$@"
