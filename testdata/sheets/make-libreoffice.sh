#!/bin/sh
# Regenerates libreoffice.xlsx: the CSV beside this script opened and saved
# as .xlsx by LibreOffice Calc (Debian's libreoffice-calc-nogui), the way a
# user's LibreOffice writes it. LibreOffice's CSV import turns 0701234567
# into the number 701234567 and 00123 into 123, keeps 1234,50 and 31/12/2026
# as text (English locale), and stores 2026-12-31 as a date serial with a
# date format: the reader test (sheet/libreoffice_test.go) pins all of that.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
cp libreoffice-source.csv "$tmp/kunder.csv"
soffice --headless --infilter="CSV:59,34,76,1" --convert-to xlsx:"Calc MS Excel 2007 XML" --outdir "$tmp" "$tmp/kunder.csv" >/dev/null
cp "$tmp/kunder.xlsx" libreoffice.xlsx
rm -rf "$tmp"
echo "wrote libreoffice.xlsx"
