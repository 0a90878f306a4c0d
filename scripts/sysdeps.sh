#!/usr/bin/env bash
# System packages the report and tests need (Debian/Ubuntu). A fast no-op when all are present.
#   scripts/sysdeps.sh         fonts, pango/harfbuzz (WeasyPrint), poppler-utils (tests), chromium (the
#                              interactive page's browser tests), LibreOffice Writer (the Word file's test)
#   scripts/sysdeps.sh --venv  only python3-venv (used by `make env`)
set -euo pipefail

pkgs=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils fontconfig chromium
      libreoffice-writer-nogui)
for arg in "$@"; do
  case "$arg" in
    --venv) pkgs=(python3-venv) ;;
    *) echo "usage: $0 [--venv]" >&2; exit 2 ;;
  esac
done

if ! command -v dpkg-query >/dev/null; then
  if [[ "${pkgs[*]}" == python3-venv ]]; then
    echo "sysdeps: 'python3 -m venv' failed; install your system's Python venv/ensurepip support." >&2
    exit 1
  fi
  echo "sysdeps: not a Debian system; please provide: the font family \"Noto Sans CJK SC\"," \
       "pango >= 1.44 with HarfBuzz subsetting (libharfbuzz-subset), poppler's pdftotext/pdffonts."
  if command -v fc-list >/dev/null && [[ -n "$(fc-list ':family=Noto Sans CJK SC' family)" ]]; then
    echo "sysdeps: found \"Noto Sans CJK SC\" (fc-list); the rest is not checked."
    exit 0
  fi
  echo "sysdeps: \"Noto Sans CJK SC\" not found by fc-list." >&2
  exit 1
fi

installed="$(dpkg-query -W -f='${Package} ${Status}\n' "${pkgs[@]}" 2>/dev/null || true)"
missing=()
for p in "${pkgs[@]}"; do
  grep -qx "$p install ok installed" <<<"$installed" || missing+=("$p")
done
(( ${#missing[@]} == 0 )) && exit 0

cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if (( EUID == 0 )); then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "sysdeps: missing Debian packages: ${missing[*]}" >&2
  echo "Install them as root, then re-run make:" >&2
  echo "  sudo apt-get update && sudo ${cmd[*]}" >&2
  exit 1
fi
echo "sysdeps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${cmd[@]}"

# matplotlib caches its font list on first import: drop it so the new fonts are seen.
if [[ " ${missing[*]} " == *" fonts-noto-cjk "* || " ${missing[*]} " == *" fontconfig "* ]]; then
  rm -f "${MPLCONFIGDIR:-${XDG_CACHE_HOME:-$HOME/.cache}/matplotlib}"/fontlist-*.json
fi
