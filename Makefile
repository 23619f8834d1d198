# SPDX-License-Identifier: GPL-3.0-or-later
# The front door: `make run` and `make test` work on a fresh Debian 12 machine (as root, or with sudo).
BUILD_DIR   ?= build
BUILD_TYPE  ?= RelWithDebInfo
JOBS        ?= $(shell nproc)
CTEST_ARGS  ?=

# Debian packages the build, the app and the tests need.
BUILD_PKGS := build-essential cmake ninja-build pkg-config \
              qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-httpserver-dev qt6-websockets-dev qt6-svg-dev \
              qtkeychain-qt6-dev libspdlog-dev libqt6sql6-sqlite qt6-qpa-plugins libgl-dev
RUN_PKGS   := libsecret-1-0 gnome-keyring dbus-daemon dbus-bin
TEST_PKGS  := $(RUN_PKGS) libsecret-tools python3 python3-jsonschema xvfb xauth prometheus
LINT_PKGS  := clang-format clang-tidy

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps deps-test deps-lint configure build run test lint bench clean

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

deps-lint: deps
	$(call install_missing,$(LINT_PKGS))

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSIGNALDECK_WERROR=ON >/dev/null

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Opens the dashboard; with no config yet it runs the built-in demo (the embedded simulator).
run: build
	tools/run-app.sh $(BUILD_DIR)/app/signaldeck

# The whole suite, headless: offscreen Qt and a real gnome-keyring in a private D-Bus session.
test: deps-test build
	tools/run-tests.sh $(BUILD_DIR) $(CTEST_ARGS)

bench: build
	tools/run-bench.sh $(BUILD_DIR)

lint: deps-lint configure
	tools/lint.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
