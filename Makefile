# Autoencoders in Java: the commands of the course. Every target installs only what is missing (scripts/setup.sh).
#
#   make lab                  JupyterLab on notebooks/, Java kernel ready (prints the URL to open)
#   make test                 unit tests of the helper jar, then every notebook headless in fast mode, checked
#   make notebooks NB=iris    execute notebooks headless (all, or those matching NB) into target/notebooks/
#   make bench                training speed and memory of the notebooks' models, DL4J beside Keras (target/bench/)
#   make data                 every data set into the download cache (data/), verified: for a room without internet
#   make image-test           build the container image (Dockerfile) and test it: notebooks, JupyterLab, make data
#   make setup                install only (venv, helper jar, kernelspec); KERNEL=ijava for IJava
#
# Settings come from the environment: AE_MODE=full|fast, AE_EPOCHS, AE_LIMIT, AE_DATA, AE_DATA_MIRROR (see README).

SHELL := /bin/bash
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# In an active conda environment other than base (environment.yml) its Python serves instead of .venv/ (setup.sh alike).
PYENV := $(if $(and $(CONDA_PREFIX),$(filter-out base,$(CONDA_DEFAULT_ENV))),$(CONDA_PREFIX),$(ROOT)/.venv)
PYTHON := $(PYENV)/bin/python
KERNEL ?= rapaio
NB ?=
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
MVN := mvn -B --no-transfer-progress -Dstyle.color=never

# The project's kernelspec "java" lives in target/jupyter; a "java" kernelspec earlier on JUPYTER_PATH wins.
export JUPYTER_PATH := $(if $(JUPYTER_PATH),$(JUPYTER_PATH):)$(ROOT)/target/jupyter

.PHONY: help setup lab test unit-test notebook-test notebooks bench data image-test clean

help:
	@sed -n '2,12p' Makefile | sed 's/^# \{0,1\}//'

setup:
	@KERNEL=$(KERNEL) $(ROOT)/scripts/setup.sh

lab: setup
	@echo "JupyterLab: open the URL printed below (with its token). Stop with Ctrl-C."
	PYTHONPATH=$(ROOT)/scripts $(PYENV)/bin/jupyter lab --no-browser --ServerApp.root_dir=$(ROOT)/notebooks \
	  --AsyncMappingKernelManager.kernel_manager_class=patient_kernel.PatientServerKernelManager \
	  --ServerApp.ip=$(LAB_IP) --ServerApp.port=$(LAB_PORT) $$([ "$$(id -u)" = 0 ] && echo --allow-root)

test: setup unit-test notebook-test

unit-test:
	$(MVN) $$(cat lib/target/.maven-args) test

notebook-test:
	AE_MODE=$${AE_MODE:-fast} $(PYTHON) -m pytest tests -v

notebooks: setup
	$(PYTHON) scripts/run_notebooks.py $(NB)

bench: setup
	$(PYTHON) scripts/bench.py

data: setup
	java -cp "$$(ls lib/target/ae-lib-*.jar | head -1):lib/target/kernel-lib/*" scripts/FetchData.java

image-test:
	scripts/image_test.sh

clean:
	rm -rf target lib/target
