# SPDX-License-Identifier: GPL-3.0-or-later
# The front door: `make run` and `make test` work on a fresh Debian 12 machine (as root, or with sudo).
BUILD_DIR   ?= build
BUILD_TYPE  ?= RelWithDebInfo
JOBS        ?= $(shell nproc)
CTEST_ARGS  ?=

# Debian packages the build, the app, the tests, the package and lint need. Installed with
# --no-install-recommends, so every package read is listed here or is a hard dependency of one listed:
# tools/check-packages.sh proves it (`make print-packages` is how it reads these lists).
# libqt6opengl6-dev: only a Recommends of qt6-charts-dev, but Qt6Charts' CMake config requires Qt6OpenGL.
# libsqlite3-dev: find_package(SQLite3) in models/history.
# lld: the linker (SIGNALDECK_LINKER in CMakeLists.txt, docs/BUILDING.md).
BUILD_PKGS   := build-essential cmake ninja-build pkg-config \
                qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev qt6-httpserver-dev \
                qt6-websockets-dev qt6-svg-dev qtkeychain-qt6-dev libspdlog-dev libsqlite3-dev \
                libqt6sql6-sqlite qt6-qpa-plugins libgl-dev librsvg2-bin zlib1g-dev \
                libcurl4-openssl-dev libssl-dev lld
RUN_PKGS     := libsecret-1-0 gnome-keyring dbus-daemon dbus-bin
TEST_PKGS    := $(RUN_PKGS) libsecret-tools python3 python3-jsonschema xvfb xauth strace python3-httpbin nginx-light openssl prometheus prometheus-blackbox-exporter
# `make package` (CPack DEB: dpkg-shlibdeps, file) and the package's checks (tests/packaging).
PACKAGE_PKGS := dpkg-dev file lintian appstream desktop-file-utils man-db
LINT_PKGS    := git clang-format clang-tidy
# `make bench`: nginx is the loopback server, curl the floor, Prometheus + prometheus-blackbox-exporter the peer,
# python3 writes docs/PERFORMANCE.md.
BENCH_PKGS   := nginx-light curl python3 prometheus prometheus-blackbox-exporter

# Records what a step and its descendants open and execute under /usr, for tools/check-packages.sh: fanotify
# notifications, which never stop the traced programs (being ptraced by `strace -f` made the network tests several
# times slower); where fanotify is not allowed, tools/trace-opens.py runs the step under strace instead.
TRACE := /usr/bin/python3 tools/trace-opens.py -o

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps deps-test deps-package deps-lint deps-bench configure build run test package check-packages lint bench clean \
        print-packages

all: build

# Installs only what is missing; a no-op when everything is present.
define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(BUILD_PKGS) $(RUN_PKGS))

deps-test: deps
	$(call install_missing,$(TEST_PKGS))

deps-package: deps
	$(call install_missing,$(PACKAGE_PKGS))

deps-lint: deps
	$(call install_missing,$(LINT_PKGS))

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSIGNALDECK_WERROR=ON >/dev/null

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Opens the dashboard; with no config yet it runs the built-in demo (the embedded simulator).
run: build
	tools/run-app.sh $(BUILD_DIR)/app/signaldeck

# The whole suite, headless: offscreen Qt and a real gnome-keyring in a private D-Bus session. It builds
# the .deb first (tests/packaging checks it), and records what both read ($(TRACE)) so that tools/check-packages.sh
# proves afterwards that every file the configure step, the build, the package and the tests read comes
# from a package in the lists above.
test: deps-test deps-package build
	@mkdir -p $(BUILD_DIR)/traces
	$(TRACE) $(BUILD_DIR)/traces/package.trace cmake --build $(BUILD_DIR) --target package
	@status=0; $(TRACE) $(BUILD_DIR)/traces/tests.trace tools/run-tests.sh $(BUILD_DIR) $(CTEST_ARGS) || status=$$?; \
	tools/check-packages.sh --build $(BUILD_DIR) $(BUILD_DIR)/traces/package.trace $(BUILD_DIR)/traces/tests.trace \
	  || status=1; exit $$status

# The .deb (CPack): build/signaldeck_VERSION_ARCH.deb. Install it with `apt install ./build/signaldeck_*.deb`.
package: deps-package build
	cmake --build $(BUILD_DIR) --target package

# The package lists alone (configure under strace, and the build's headers and tools when it exists).
check-packages: deps-test deps-package
	tools/check-packages.sh $(if $(wildcard $(BUILD_DIR)/build.ninja),--build $(BUILD_DIR))

# One line per list, `NAME: pkg pkg …`; tools/check-packages.sh reads the lists from here.
print-packages:
	@echo "BUILD_PKGS: $(BUILD_PKGS)"
	@echo "RUN_PKGS: $(RUN_PKGS)"
	@echo "TEST_PKGS: $(TEST_PKGS)"
	@echo "PACKAGE_PKGS: $(PACKAGE_PKGS)"
	@echo "LINT_PKGS: $(LINT_PKGS)"

deps-bench: deps
	$(call install_missing,$(BENCH_PKGS))

# Regenerates docs/PERFORMANCE.md entirely (about 1.5 h at the defaults). BENCH_SECONDS (60), BENCH_REPS (3),
# BENCH_ENDPOINTS (100,1000), BENCH_ONLY (a subset of the sections), BENCH_PEER=0 (no Prometheus peer).
bench: deps-bench build
	tools/run-bench.sh $(BUILD_DIR)

lint: deps-lint configure
	tools/lint.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
