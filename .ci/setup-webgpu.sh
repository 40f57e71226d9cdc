#!/usr/bin/env bash
# Software WebGPU for Node on a GPU-less Debian 12: Dawn (npm `webgpu`) on Mesa lavapipe.
# Debian 12's own Mesa 22 lavapipe is refused by Dawn, so this fetches Mesa 25 from
# bookworm-backports and UNPACKS it (dpkg -x, never dpkg -i) into .cache/webgpu/ under the
# repo root, next to an ICD json and an env.sh to source:
#     .ci/setup-webgpu.sh && source .cache/webgpu/env.sh
# Only stock Debian packages (libvulkan1 and friends) are installed system-wide with apt-get.
# Idempotent: a second run with everything in place only checks and prints the summary.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/webgpu"
PREFIX="$CACHE/root"          # dpkg -x target for the backports packages
DEBS="$CACHE/debs"            # downloaded .deb files (kept, so a rerun does not refetch)
APTDIR="$CACHE/apt"           # private apt lists/cache for the backports suite
ICD="$CACHE/lvp_icd.json"
ENV_FILE="$CACHE/env.sh"
STAMP="$CACHE/.setup-done"
MAIN_PKG="mesa-vulkan-drivers"

log() { echo "[setup-webgpu] $*" >&2; }
die() { echo "[setup-webgpu] ERROR: $*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot apt-get install"
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

# Is the libvulkan loader installed and does the unpacked lavapipe resolve all its libraries?
lvp_lib() { find "$PREFIX" -name 'libvulkan_lvp.so' -print -quit 2>/dev/null; }
check_ready() {
  [ -f "$STAMP" ] && [ -f "$ICD" ] && [ -f "$ENV_FILE" ] || return 1
  local lvp; lvp="$(lvp_lib)"; [ -n "$lvp" ] || return 1
  grep -qF "\"$lvp\"" "$ICD" || return 1   # repo moved: the ICD json holds absolute paths
  ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1 ' >/dev/null || return 1
  ! LD_LIBRARY_PATH="$(dirname "$lvp")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$lvp" | grep 'not found' >/dev/null
}

emit_github_env() {  # make the variables stick for later GitHub Actions steps
  [ -n "${GITHUB_ENV:-}" ] || return 0
  ( . "$ENV_FILE"
    printf '%s=%s\n' VK_DRIVER_FILES "$VK_DRIVER_FILES" VK_ICD_FILENAMES "$VK_ICD_FILENAMES" \
      LD_LIBRARY_PATH "$LD_LIBRARY_PATH" XDG_RUNTIME_DIR "$XDG_RUNTIME_DIR" ) >> "$GITHUB_ENV"
}

if check_ready; then
  emit_github_env
  echo "setup-webgpu: already set up ($(cat "$STAMP")); run: source ${ENV_FILE#"$ROOT"/}"
  exit 0
fi

# ---- 1. private apt config naming <codename>-backports with the machine's own Debian URI ----
. /etc/os-release
CODENAME="${VERSION_CODENAME:-bookworm}"
[ "${ID:-}" = "debian" ] || log "warning: not Debian (ID=${ID:-?}); trying anyway"
SUITE="${CODENAME}-backports"

# Prints "URI<TAB>Signed-By" of the first enabled deb source whose suites include $CODENAME.
find_debian_source() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v cn="$CODENAME" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled != "no" && (" " suites " ") ~ (" " cn " ") && uris != "") {
          split(uris, u, " "); print u[1] "\t" signed; found = 1; exit
        }
        types = uris = suites = signed = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[A-Za-z-]+:/ {
        key = tolower(substr($0, 1, index($0, ":") - 1)); val = substr($0, index($0, ":") + 1)
        gsub(/^[ \t]+|[ \t]+$/, "", val)
        if (key == "types") types = val; else if (key == "uris") uris = val
        else if (key == "suites") suites = val; else if (key == "signed-by") signed = val
        else if (key == "enabled") enabled = tolower(val)
      }
      END { if (!found) flush() }' "$f" | head -n1 | grep . && return 0
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb [opts] URI suite components...
    awk -v cn="$CODENAME" '
      $1 == "deb" {
        i = 2; signed = ""
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) { if ($i ~ /signed-by=/) { s = $i; sub(/.*signed-by=/, "", s); signed = s } i++ }
                          if ($i ~ /signed-by=/) { s = $i; sub(/.*signed-by=/, "", s); sub(/\]$/, "", s); signed = s } i++ }
        if ($(i + 1) == cn) { print $i "\t" signed; exit }
      }' "$f" | head -n1 | grep . && return 0
  done
  return 1
}

if SRC="$(find_debian_source)"; then
  URI="${SRC%%$'\t'*}"; SIGNED="${SRC#*$'\t'}"
else
  URI="http://deb.debian.org/debian"; SIGNED=""
  log "no '$CODENAME' entry found in /etc/apt sources; using $URI"
fi
# Signed-By may be an inline key block or missing: fall back to the archive keyring file.
if [ -z "$SIGNED" ] || [ ! -f "$SIGNED" ]; then SIGNED="/usr/share/keyrings/debian-archive-keyring.gpg"; fi
[ -f "$SIGNED" ] || die "no Debian archive keyring at $SIGNED (apt-get install debian-archive-keyring)"

mkdir -p "$PREFIX" "$DEBS" "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
cat > "$APTDIR/backports.sources" <<EOF
Types: deb
URIs: $URI
Suites: $SUITE
Components: main
Signed-By: $SIGNED
EOF
BP_APT=(-o "Dir::Etc::SourceList=$APTDIR/backports.sources" -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache" -o "APT::Sandbox::User=root")
log "apt-get update ($SUITE from $URI, private lists)"
apt-get "${BP_APT[@]}" -qq update

# ---- 2. resolve the dependencies of $MAIN_PKG/$SUITE ----
# A dependency already installed in a new-enough version: nothing to do.
# Otherwise, if the stock suites have a new-enough version: apt-get install it (system-wide).
# Otherwise: download the backports version and unpack it next to lavapipe (never installed).
STOCK_UPDATED=0
stock_candidate() {  # prints the stock candidate version of $1 (empty if none)
  apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && !done { done = 1; if ($2 != "(none)") print $2 }'
}
satisfies() {  # satisfies VERSION "OP VER" (empty constraint = any)
  local v="$1" c="$2"
  [ -n "$v" ] || return 1
  [ -z "$c" ] && return 0
  dpkg --compare-versions "$v" "${c%% *}" "${c#* }"
}
bp_depends() {  # one dependency group per line: "name (op ver) | name2 ..."
  apt-cache "${BP_APT[@]}" show "$1/$SUITE" 2>/dev/null |
    awk '/^Depends:/ && !done { done = 1; sub(/^Depends: */, ""); n = split($0, d, /, */); for (i = 1; i <= n; i++) print d[i] }'
}

declare -A SEEN=()
INSTALL=()
DOWNLOAD=("$MAIN_PKG")
QUEUE=("$MAIN_PKG")
SEEN[$MAIN_PKG]=1
while [ "${#QUEUE[@]}" -gt 0 ]; do
  pkg="${QUEUE[0]}"; QUEUE=("${QUEUE[@]:1}")
  while IFS= read -r group; do
    [ -n "$group" ] || continue
    chosen=""; chosen_c=""
    IFS='|' read -r -a alts <<< "$group"
    for alt in "${alts[@]}"; do
      name="$(echo "$alt" | awk '{print $1}')"; name="${name%%:*}"
      cons="$(echo "$alt" | sed -n 's/.*(\(.*\)).*/\1/p')"
      inst="$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$name" 2>/dev/null || true)"
      if [ "${inst:0:2}" = "ii" ] && satisfies "${inst##* }" "$cons"; then chosen="-"; break; fi
      [ -n "$chosen" ] || { chosen="$name"; chosen_c="$cons"; }
    done
    [ "$chosen" = "-" ] && continue
    [ -n "${SEEN[$chosen]:-}" ] && continue
    SEEN[$chosen]=1
    cand="$(stock_candidate "$chosen")"
    if [ -z "$cand" ] && [ "$STOCK_UPDATED" = 0 ]; then
      log "apt-get update (stock lists)"; $SUDO apt-get -qq update; STOCK_UPDATED=1
      cand="$(stock_candidate "$chosen")"
    fi
    if satisfies "$cand" "$chosen_c"; then
      INSTALL+=("$chosen")
    else
      DOWNLOAD+=("$chosen"); QUEUE+=("$chosen")
    fi
  done < <(bp_depends "$pkg")
done

if [ "${#INSTALL[@]}" -gt 0 ]; then
  log "apt-get install -y ${INSTALL[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${INSTALL[@]}" >/dev/null ||
    { [ "$STOCK_UPDATED" = 0 ] && $SUDO apt-get -qq update && STOCK_UPDATED=1 &&
      $SUDO apt-get install -y -qq --no-install-recommends "${INSTALL[@]}" >/dev/null; } ||
    die "apt-get install ${INSTALL[*]} failed"
fi

# ---- 3. download + unpack the backports packages into $PREFIX (private, not installed) ----
log "from $SUITE: ${DOWNLOAD[*]}"
rm -rf "$PREFIX"; mkdir -p "$PREFIX"
for pkg in "${DOWNLOAD[@]}"; do
  ver="$(apt-cache "${BP_APT[@]}" show "$pkg/$SUITE" | awk '/^Version:/ && !done { done = 1; print $2 }')"
  [ -n "$ver" ] || die "$pkg not found in $SUITE"
  deb="$(ls "$DEBS/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)"
  if [ -z "$deb" ]; then
    (cd "$DEBS" && apt-get "${BP_APT[@]}" -qq download "$pkg=$ver") || die "apt-get download $pkg=$ver failed"
    deb="$(ls "$DEBS/${pkg}_${ver//:/%3a}_"*.deb | head -n1)"
  fi
  dpkg -x "$deb" "$PREFIX"
done

LVP="$(lvp_lib)"
[ -n "$LVP" ] || die "libvulkan_lvp.so not found in the unpacked $MAIN_PKG"
LIBDIR="$(dirname "$LVP")"
missing="$(LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$LVP" | grep 'not found' || true)"
[ -z "$missing" ] || die "libvulkan_lvp.so has unresolved libraries:"$'\n'"$missing"
ldconfig -p | grep 'libvulkan\.so\.1 ' >/dev/null || die "libvulkan.so.1 (package libvulkan1) is not installed"

# ---- 4. ICD json + env.sh ----
SHIPPED_ICD="$(find "$PREFIX" -name 'lvp_icd*.json' -print -quit)"
API_VERSION="$( { [ -n "$SHIPPED_ICD" ] && sed -n 's/.*"api_version": *"\([^"]*\)".*/\1/p' "$SHIPPED_ICD"; } || true)"
cat > "$ICD" <<EOF
{
    "ICD": {
        "api_version": "${API_VERSION:-1.3.0}",
        "library_path": "$LVP"
    },
    "file_format_version": "1.0.0"
}
EOF

cat > "$ENV_FILE" <<EOF
# Generated by .ci/setup-webgpu.sh: Mesa lavapipe (software Vulkan) for Dawn / npm \`webgpu\`.
# Source it before starting node (LD_LIBRARY_PATH is only read at process start).
export VK_DRIVER_FILES="$ICD"
export VK_ICD_FILENAMES="$ICD"
case ":\${LD_LIBRARY_PATH:-}:" in
  *":$LIBDIR:"*) ;;
  *) export LD_LIBRARY_PATH="$LIBDIR\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" ;;
esac
export XDG_RUNTIME_DIR="\${XDG_RUNTIME_DIR:-/tmp}"
EOF

MESA_VER="$(apt-cache "${BP_APT[@]}" show "$MAIN_PKG/$SUITE" | awk '/^Version:/ && !done { done = 1; print $2 }')"

# ---- 5. optional smoke check: can Dawn see the adapter? (skipped if node/webgpu absent) ----
ADAPTER="unchecked"
if command -v node >/dev/null 2>&1 && [ -d "$ROOT/node_modules/webgpu" ]; then
  ADAPTER="$(cd "$ROOT" && . "$ENV_FILE" && timeout 60 node --input-type=module -e '
    const { create, globals } = await import("webgpu");
    Object.assign(globalThis, globals);
    const a = await create([]).requestAdapter();
    const i = a?.info;
    console.log(a ? [i?.vendor, i?.architecture, i?.description].filter(Boolean).join(" / ") || "adapter" : "NO ADAPTER");
    process.exit(0);' 2>/dev/null | tail -n1 || echo "check failed")"
  [ "$ADAPTER" != "NO ADAPTER" ] && [ "$ADAPTER" != "check failed" ] ||
    die "Dawn found no adapter with $ICD ($ADAPTER)"
fi

echo "mesa $MESA_VER lavapipe, adapter: $ADAPTER" > "$STAMP"
echo "setup-webgpu: ready (mesa $MESA_VER lavapipe, adapter: $ADAPTER); run: source ${ENV_FILE#"$ROOT"/}"
emit_github_env
