#!/usr/bin/env bash
# The demo until the server exists: an issuer's key store, credentials for a resident, and the
# checks a venue's verifier makes, including the refusals. Everything lands in var/tour/.
set -euo pipefail
cd "$(dirname "$0")/.."
JC=.venv/bin/jointcheck
OUT=var/tour
# A demo key store only: a real one takes its passphrase from a file or a prompt.
export JOINTCHECK_KEY_PASSPHRASE="${JOINTCHECK_KEY_PASSPHRASE:-demo-key-store-only}"
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$OUT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ ! -f "$OUT/keys/keystore.json" ]; then
  step "The district CDC creates its keys and a signed trust list"
  $JC keys init --dir "$OUT/keys" --name "Fangzi District CDC" --code FZCDC
fi
TRUST=(--trust "$OUT/keys/trustlist.json" --anchor "$OUT/keys/anchor.crt.pem")

step "It issues 张伟 a vaccination certificate, and a green health code (QR images in $OUT)"
$JC issue vaccination --keys "$OUT/keys" --name "张 伟" --dob 1985-03-14 --dose 2 --of 2 \
  --date 2021-08-10 --png "$OUT/vaccination.png" --svg "$OUT/vaccination.svg" > "$OUT/vaccination.txt"
$JC issue health-code --keys "$OUT/keys" --name "张 伟" --dob 1985-03-14 --color green \
  --pid zw-demo-pseudonym-0001 --ttl 600 --png "$OUT/health-code.png" > "$OUT/health-code.txt"
$JC issue exemption --keys "$OUT/keys" --name "李 娜" --dob 1990-07-02 \
  --institution "Fangzi People's Hospital" --institution-level 2 --reason allergy \
  --valid-until 2027-06-30 --png "$OUT/exemption.png" > "$OUT/exemption.txt"

step "A venue verifies the certificate from its QR image"
$JC verify "${TRUST[@]}" "@$OUT/vaccination.png"

step "... the health code"
$JC verify "${TRUST[@]}" "@$OUT/health-code.png"

step "... the exemption certificate"
$JC verify "${TRUST[@]}" "@$OUT/exemption.png"

step "A screenshot of the health code shown 11 minutes later is refused"
LATER=$(date -u -d "$NOW + 11 minutes" +%Y-%m-%dT%H:%M:%SZ)
$JC verify "${TRUST[@]}" --at "$LATER" "@$OUT/health-code.txt" || true

step "A certificate with one character changed is refused"
sed 's/^\(.\{60\}\)./\1A/' "$OUT/vaccination.txt" > "$OUT/tampered.txt"
$JC verify "${TRUST[@]}" "@$OUT/tampered.txt" || true

step "The machine-readable form (--json) of a verification"
$JC verify "${TRUST[@]}" --json "@$OUT/vaccination.txt" | head -20
echo "..."
echo
echo "QR images and texts are in $OUT/. Try: $JC verify --help"
