# Sourced by ./scripts/run and ./scripts/test: make .venv and install duty-desk into it, but
# only when something changed, so a restart takes a second instead of twenty.
#
#   ensure_venv          the package and its dependencies
#   ensure_venv dev      ... with the development tools (pytest, ruff, mypy)
#
# A stamp per install (.venv/.installed-base, .venv/.installed-dev) holds a hash of
# pyproject.toml and the interpreter's version at the last successful install; the code itself
# is installed editable, so changes to it need no reinstall. Set DUTY_DESK_REINSTALL=1 to force.

ensure_venv() {
  local extra=${1:-base}
  local want
  if ! .venv/bin/python -c '' 2>/dev/null; then
    # No venv yet, or its interpreter is gone (Python upgraded or removed): start afresh.
    if ! python3 -m venv --clear .venv; then
      echo "Could not create .venv with python3 -m venv. On Debian/Ubuntu install the" \
        "python3-venv package (apt install python3-venv), then run this again." >&2
      return 1
    fi
    rm -f .venv/.installed-*
    .venv/bin/pip install --quiet --upgrade pip
  fi
  want="$(.venv/bin/python -c 'import sys; print(sys.version)' | head -n 1) $(
    sha256sum pyproject.toml | cut -d ' ' -f 1
  )"
  if [ "${DUTY_DESK_REINSTALL:-}" != 1 ] && [ -f ".venv/.installed-$extra" ] \
    && [ "$(cat ".venv/.installed-$extra")" = "$want" ]; then
    return 0
  fi
  if [ "$extra" = dev ]; then
    .venv/bin/pip install --quiet -e '.[dev]'
    # The dev install holds everything the plain one does.
    printf '%s\n' "$want" >.venv/.installed-base
  else
    .venv/bin/pip install --quiet -e .
  fi
  printf '%s\n' "$want" >".venv/.installed-$extra"
}
