#!/usr/bin/env bash
# Build the one-folder bundle: dist/starnet/ (the executable is dist/starnet/starnet).
#
#   packaging/build.sh                # uses .venv/bin/python (run `make package`, which installs PyInstaller)
#   PYTHON=python3 DIST=/tmp/dist packaging/build.sh
#
# The build is CPU-heavy (a few minutes); it runs under `nice`. When it is done it prints the
# bundle's size and the build time, copies the .desktop file and the icon beside the executable,
# and writes dist/starnet/install-desktop-entry.sh for a per-user menu entry.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
DIST="${DIST:-$ROOT/dist}"
WORK="${WORK:-$ROOT/build/pyinstaller}"
NICE="${NICE:-10}"

cd "$ROOT"
if ! "$PYTHON" -c 'import PyInstaller' 2>/dev/null; then
    echo "build.sh: PyInstaller is not installed for $PYTHON (pip install -e '.[gui,package]')" >&2
    exit 2
fi

start=$(date +%s)
nice -n "$NICE" "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/starnet.spec
end=$(date +%s)

BUNDLE="$DIST/starnet"
install -m 644 packaging/starnet.desktop "$BUNDLE/starnet.desktop"
install -m 644 resources/icons/starnet.png "$BUNDLE/starnet.png"
install -m 644 resources/icons/starnet.svg "$BUNDLE/starnet.svg"
cat > "$BUNDLE/install-desktop-entry.sh" <<'SH'
#!/bin/sh
# Add StarNet Studio to this user's application menu (no root needed).
set -e
HERE="$(cd "$(dirname "$0")" && pwd)"
APPS="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
ICONS="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor"
mkdir -p "$APPS" "$ICONS/256x256/apps" "$ICONS/scalable/apps"
cp "$HERE/starnet.png" "$ICONS/256x256/apps/starnet.png"
cp "$HERE/starnet.svg" "$ICONS/scalable/apps/starnet.svg"
sed "s|^Exec=starnet|Exec=\"$HERE/starnet\"|; s|^TryExec=starnet|TryExec=$HERE/starnet|" "$HERE/starnet.desktop" > "$APPS/starnet.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$APPS" || true
echo "installed $APPS/starnet.desktop"
# numba compiles the engine's kernels on first use (~30 s) and caches them; do it now, not on first launch
echo "compiling the engine's kernels once (about half a minute)..."
"$HERE/starnet" analyze default --quiet > /dev/null && echo "ready: StarNet Studio is in your application menu"
SH
chmod +x "$BUNDLE/install-desktop-entry.sh"

size=$(du -sh "$BUNDLE" | cut -f1)
files=$(find "$BUNDLE" -type f | wc -l)
echo "bundle: $BUNDLE ($size, $files files); built in $((end - start)) s"
