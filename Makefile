# Thin wrapper over CMake. Each entry point first installs any missing
# Debian package it needs (apt-get, as root or through sudo), then builds.
#   make          build (Release, gcc)
#   make run      train examples/fashion_mlp.nr on Fashion-MNIST
#   make test     gcc build + ctest, clang ASan/UBSan build + ctest, valgrind leak check
#   make bench    W1 benchmark, side by side with PyTorch when python3-torch is present
#   make install  install into PREFIX (default /usr/local)

PREFIX     ?= /usr/local
BUILD      ?= build
JOBS       ?= $(shell nproc)
BUILD_PKGS := cmake make gcc pkg-config libopenblas-openmp-dev zlib1g-dev libpng-dev libjpeg-dev libcairo2-dev \
              libhdf5-dev libcjson-dev libzip-dev
TEST_PKGS  := clang libclang-rt-dev libomp-dev valgrind
RUN_PKGS   := dataset-fashion-mnist
BENCH_PKGS := python3-torch libtcmalloc-minimal4
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Installs the named Debian packages that are not installed yet.
define need_pkgs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "neurona: installing missing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null \
	    || { echo "neurona: apt-get install$$missing failed" >&2; exit 1; }; \
	fi
endef

.PHONY: all build deps run test test-gcc test-clang test-valgrind bench install clean

all: build

deps:
	$(call need_pkgs,$(BUILD_PKGS))

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null || cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	@cmake --build $(BUILD) -j $(JOBS)

# Fashion-MNIST for make run: the copy in ../shared/data when there is one
# (the same bytes), else Debian's package.
SHARED_FASHION := $(wildcard ../shared/data/fashion-mnist/train-images-idx3-ubyte.gz)
FASHION_DIR    := $(if $(SHARED_FASHION),../shared/data/fashion-mnist,/usr/share/datasets/fashion-mnist)

run: build
	$(if $(SHARED_FASHION),,$(call need_pkgs,$(RUN_PKGS)))
	@mkdir -p out
	env -u OPENBLAS_CORETYPE $(BUILD)/neurona train examples/fashion_mlp.nr \
	  --data $(FASHION_DIR) --out out/fashion_mlp.nrm --history out/fashion_mlp_history.csv

test: test-gcc test-clang test-valgrind

test-gcc: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-clang: deps
	$(call need_pkgs,$(TEST_PKGS))
	@CC=clang cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEURONA_SANITIZE=ON -DNEURONA_WERROR=ON >/dev/null
	@cmake --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ASAN_OPTIONS=detect_leaks=1 NEURONA_SANITIZED=1 ctest --output-on-failure -j $(JOBS) -LE slow

test-valgrind: build
	$(call need_pkgs,$(TEST_PKGS))
	@sh tests/valgrind_cli.sh $(BUILD)/neurona

bench: build
	$(call need_pkgs,$(BENCH_PKGS))
	@sh bench/run.sh $(BUILD)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(BUILD)-asan out
