#!/bin/sh
# Draws Concordia's icon (three voices overlapping into one) and writes every size the
# builds use: build/appicon.png (Wails' source icon), build/windows/icon.ico, the Linux
# hicolor PNGs, and the tray icons embedded by app/. Needs ImageMagick (`convert`).
# The outputs are committed; run this only to change the icon.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

convert -size 1024x1024 gradient:'#7480f0-#323cab' \
	\( -size 1024x1024 xc:black -fill white -draw "roundrectangle 64,64 960,960 210,210" \) \
	-alpha off -compose CopyOpacity -composite -compose Over \
	-fill 'rgba(255,255,255,0.5)' \
	-draw "circle 512,412 512,202" -draw "circle 403,600 403,390" -draw "circle 621,600 621,390" \
	-depth 8 -strip "PNG32:$tmp/icon.png"

install -m 0644 "$tmp/icon.png" build/appicon.png
for s in 16 24 32 48 64 128 256 512; do
	d=build/linux/icons/hicolor/${s}x${s}/apps
	mkdir -p "$d"
	convert "$tmp/icon.png" -resize ${s}x${s} -depth 8 -strip "PNG32:$d/concordia.png"
done
mkdir -p build/windows
convert "$tmp/icon.png" -define icon:auto-resize=256,128,64,48,32,24,16 build/windows/icon.ico
convert "$tmp/icon.png" -resize 64x64 -depth 8 -strip PNG32:app/trayicon.png
convert "$tmp/icon.png" -define icon:auto-resize=48,32,16 app/trayicon.ico
echo "icons written"
