# The C++ auditwheel: build, test, install. `make demo` and `make check` do all
# set-up on a fresh Debian 12 machine (see README.md).

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BUILD := build
CXX ?= g++
CXXFLAGS ?= -O2 -g
AW_CXXFLAGS = -std=c++20 -Wall -Wextra -Werror -Icommon -DAW_VERSION='"$(VERSION)"' $(CXXFLAGS) -MMD -MP
LDLIBS := -lzip -lelf -lyaml-cpp -lfmt -lcrypto -ldeflate -lutf8proc -lz
PYTHON ?= python3

STAGES := whl-unpack whl-pack elf-deps elf-symvers policy-check lib-graft rpath-set
COMMON_OBJ := $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard common/*/*.cpp))
UNIT_OBJ := $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard tests/unit/*.cpp))
BINARIES := $(addprefix $(BUILD)/bin/,$(STAGES) auditwheel)
POLICY_FILES := $(wildcard policies/*.yaml)
MAN_PAGES := $(wildcard man/*.1 man/*.7)

# Debian packages the build, the tests and the demo need.
DEB_PACKAGES := g++ make libelf-dev libzip-dev zlib1g-dev libdeflate-dev libyaml-cpp-dev libfmt-dev libboost-test-dev libutf8proc-dev \
	nlohmann-json3-dev libssl-dev gcc musl-tools python3 python3-dev python3-venv unzip time binutils python3-jsonschema elfutils

# Cross compilers and qemu-user for the tests on i686, aarch64 (64 KiB pages) and big-endian
# ppc64 and s390x; the check installs them when it can, and those tests say they skip otherwise.
# (32-bit x86 comes from the i686 cross compiler: Debian's gcc-multilib conflicts with them.)
CROSS_PACKAGES := qemu-user gcc-i686-linux-gnu gcc-aarch64-linux-gnu gcc-powerpc64-linux-gnu gcc-s390x-linux-gnu \
	libc6-dev-i386-cross libc6-dev-arm64-cross libc6-dev-ppc64-cross libc6-dev-s390x-cross

.PHONY: all bench-deps deps cross-deps cross-packages portable-check check sanitize stress fuzz fuzz-deps fuzz-seeds unit integration demo bench install clean

all: $(BINARIES) $(BUILD)/share/auditwheel/policies

# $(call install_missing,PACKAGES): installs with apt-get (through sudo when not root) those of
# the Debian PACKAGES that are missing; silent when all are there.
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  echo "make: installing$$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(DEB_PACKAGES))

# Never at the cost of a package the machine has: gcc-multilib and Debian's cross compilers exclude
# each other, and an apt-get failure (no network) only makes those tests skip. After deps: two
# apt-gets at once (make -j2) would fight over its lock.
cross-deps: deps
	@if dpkg-query -W -f='$${Status}\n' gcc-multilib 2>/dev/null | grep -q '^install ok installed$$'; then \
	  echo "make: gcc-multilib excludes Debian's cross compilers: the cross-architecture tests will skip"; \
	else $(MAKE) --no-print-directory cross-packages; fi

cross-packages:
	-$(call install_missing,$(CROSS_PACKAGES))

$(BUILD)/obj/%.o: %.cpp | deps
	@mkdir -p $(dir $@)
	$(CXX) $(AW_CXXFLAGS) -c $< -o $@

$(BUILD)/lib/libaw-common.a: $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/obj/tools/%/main.o $(BUILD)/lib/libaw-common.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/auditwheel: tools/auditwheel/auditwheel.sh Makefile
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(VERSION)/' $< > $@.tmp && chmod 755 $@.tmp && mv $@.tmp $@

# The build tree has the installed layout, so the wrapper finds the policies
# the same way in both; policy-split (a build step, not installed) adds each
# family's compiled split per architecture and the compiled stable ABI, which are
# what policy-check parses for a wheel.
POLICY_SPLIT := $(BUILD)/libexec/policy-split
$(POLICY_SPLIT): $(BUILD)/obj/tools/policy-split/main.o $(BUILD)/lib/libaw-common.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/share/auditwheel/policies: $(POLICY_FILES) $(POLICY_SPLIT) | deps
	@mkdir -p $@
	cp $(POLICY_FILES) $@/
	rm -rf $@/by-architecture && $(POLICY_SPLIT) policies $@
	@touch $@

$(BUILD)/tests/unit-tests: $(UNIT_OBJ) $(BUILD)/lib/libaw-common.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS) -lboost_unit_test_framework

# The build runs on every core (the README's commands take no -j).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# The check also builds the distribution (make dist) and runs it where auditwheel runs
# (tests/integration/test_distribution.py); CHECK_DIST=no leaves it out (those tests then skip).
CHECK_DIST ?= yes
DIST_ENV = AW_DIST_TREE=$(DIST_TREE) AW_DIST_WHEEL=$(DIST_WHEEL) AW_DIST_TARBALL=$(DIST_TARBALL)

check: deps cross-deps
	@$(MAKE) --no-print-directory -j$(JOBS) all $(BUILD)/tests/unit-tests
	@$(if $(filter yes,$(CHECK_DIST)),$(MAKE) --no-print-directory -j$(JOBS) dist)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) $(if $(filter yes,$(CHECK_DIST)),$(DIST_ENV)) sh tests/run-all.sh

# Every suite again, built with AddressSanitizer and UBSan, in $(BUILD)-asan (the static
# distribution cannot be sanitized: make check tests it).
sanitize:
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(MAKE) BUILD=$(BUILD)-asan CHECK_DIST=no \
	  CXXFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" check

# Every integration suite against the static programs of make dist instead of the build tree,
# and the distribution where auditwheel runs (venv, tarball, busybox and Debian 11 roots).
portable-check: dist
	$(DIST_ENV) $(PYTHON) tests/run_integration.py $(DIST_TREE)

# rpath-set's property test with thousands of cases, and every host library.
stress: all cross-deps
	RPATH_SET_CASES=3000 AW_HOST_SAMPLE=0 $(PYTHON) tests/run_integration.py $(BUILD) -k rpath_set

# libFuzzer targets (clang, ASan/UBSan), one per parser of untrusted bytes: rpath-set's rewrite,
# the ELF readers, the zip reader with whl-unpack's checks, RECORD/WHEEL text, the record protocol.
# Seeds (tests/fuzz/seeds.py) are the shared wheels, the host's libraries and what the stages make
# of them. Each runs FUZZ_SECONDS, two at a time on two cores; all run even when one finds a crash.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS := rpath_set elf wheel text records
FUZZ_DIR := $(BUILD)-fuzz
FUZZ_OBJ := $(patsubst %.cpp,$(FUZZ_DIR)/obj/%.o,$(wildcard common/*/*.cpp))
FUZZ_FLAGS := -std=c++20 -O1 -g -Icommon -DAW_VERSION='"$(VERSION)"' -fsanitize=fuzzer-no-link,address,undefined -MMD -MP

fuzz-deps: deps
	$(call install_missing,clang)

$(FUZZ_DIR)/obj/%.o: %.cpp | fuzz-deps
	@mkdir -p $(dir $@)
	clang++ $(FUZZ_FLAGS) -c $< -o $@

$(FUZZ_DIR)/%_fuzz: tests/fuzz/%_fuzz.cpp tests/fuzz/fuzz_input.hpp $(FUZZ_OBJ)
	clang++ $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

fuzz-seeds: all
	$(PYTHON) tests/fuzz/seeds.py $(BUILD) $(FUZZ_DIR)/seeds

fuzz: $(addprefix $(FUZZ_DIR)/,$(addsuffix _fuzz,$(FUZZ_TARGETS))) fuzz-seeds
	@$(MAKE) --no-print-directory -k -j2 $(addprefix fuzz-run-,$(FUZZ_TARGETS))

fuzz-run-%:
	@mkdir -p $(FUZZ_DIR)/corpus/$* $(FUZZ_DIR)/crashes/$*
	@cd $(FUZZ_DIR)/crashes/$* && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ../../$*_fuzz \
	  -max_total_time=$(FUZZ_SECONDS) -max_len=1048576 -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 \
	  ../../corpus/$* ../../seeds/$* >../../$*.log 2>&1; status=$$?; \
	  echo "$*: $$(grep -h '^stat::number_of_executed_units' ../../$*.log) (log: $(FUZZ_DIR)/$*.log)"; \
	  grep -h -A12 -E '^==[0-9]+==ERROR|^SUMMARY' ../../$*.log; exit $$status

include tools/dist/dist.mk

unit: $(BUILD)/tests/unit-tests
	$(BUILD)/tests/unit-tests

integration: all
	$(PYTHON) tests/run_integration.py $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	$(PYTHON) tests/demo.py $(BUILD)

# make bench BENCH_DIST=yes also times show with make dist's static programs, as pip installs them.
bench: all $(if $(filter yes,$(BENCH_DIST)),dist)
	$(if $(filter yes,$(BENCH_DIST)),AW_DIST_TREE=$(DIST_TREE)) $(PYTHON) tests/bench.py $(BUILD)

# The Debian packages whose extensions make bench's nine repair wheels (tests/debian_wheels.py).
BENCH_PACKAGES := python3-numpy python3-scipy python3-lxml python3-h5py-serial python3-pil python3-psycopg2 \
	python3-zmq python3-yaml python3-cryptography
bench-deps: deps
	$(call install_missing,$(BENCH_PACKAGES))

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/auditwheel/policies/by-architecture \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(BINARIES) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(POLICY_FILES) $(BUILD)/share/auditwheel/policies/stable-abi.json \
	  $(DESTDIR)$(PREFIX)/share/auditwheel/policies/
	install -m 644 $(BUILD)/share/auditwheel/policies/by-architecture/*.json \
	  $(DESTDIR)$(PREFIX)/share/auditwheel/policies/by-architecture/
	install -m 644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(filter %.7,$(MAN_PAGES)) $(DESTDIR)$(PREFIX)/share/man/man7/

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-fuzz $(DIST_ROOT) dist

# Keep the stages' objects: they are intermediate files of a pattern chain.
.SECONDARY:

-include $(COMMON_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d) $(patsubst %,$(BUILD)/obj/tools/%/main.d,$(STAGES))
