# Autoencoders in Java: the commands of the course. Every target installs only what is missing (scripts/setup.sh).
#
#   make lab                  JupyterLab on notebooks/, Java kernel ready (prints the URL to open)
#   make test                 unit tests of the helper jar, then every notebook headless in fast mode, checked
#   make notebooks NB=iris    execute notebooks headless (all, or those matching NB) into target/notebooks/
#   make bench                training speed and memory of the notebooks' models, DL4J beside Keras (target/bench/)
#   make setup                install only (venv, helper jar, kernelspec); KERNEL=ijava for IJava
#
# Settings come from the environment: AE_MODE=full|fast, AE_EPOCHS, AE_LIMIT, AE_DATA, AE_DATA_MIRROR (see README).

SHELL := /bin/bash
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PYTHON := $(ROOT)/.venv/bin/python
KERNEL ?= rapaio
NB ?=
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
LAB_DIR ?= $(ROOT)/notebooks
MVN := mvn -B --no-transfer-progress -Dstyle.color=never

# The project's kernelspec "java" lives in target/jupyter; a "java" kernelspec earlier on JUPYTER_PATH wins.
export JUPYTER_PATH := $(if $(JUPYTER_PATH),$(JUPYTER_PATH):)$(ROOT)/target/jupyter

.PHONY: help setup lab test unit-test notebook-test notebooks bench clean

help:
	@sed -n '2,10p' Makefile | sed 's/^# \{0,1\}//'

setup:
	@KERNEL=$(KERNEL) $(ROOT)/scripts/setup.sh

lab: setup
	@echo "JupyterLab: open the URL printed below (with its token). Stop with Ctrl-C."
	PYTHONPATH=$(ROOT)/scripts $(ROOT)/.venv/bin/jupyter lab --no-browser --ServerApp.root_dir=$(LAB_DIR) \
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

clean:
	rm -rf target lib/target
