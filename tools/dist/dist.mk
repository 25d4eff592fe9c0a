# make dist [ARCH=...]: programs that run in every manylinux and musllinux container of one
# architecture (any Linux of that architecture with no libc at all): one static, stripped multi-call
# program, auditwheel-stages, behind a small script per stage name (a wheel cannot hold links).
# Built only from Debian's packages: the static archives of its -dev packages for ARCH, fetched into
# a sysroot under the build folder with a private apt configuration (tools/dist/sysroot.sh: the
# machine's dpkg architectures are left alone), and Debian's source packages where Debian ships no
# static archive (libzip, fmt) or, on riscv64, no packages at all (tools/dist/source-build.sh),
# compiled with Debian's cross compiler for ARCH (g++-TRIPLET) or the machine's own. The install
# tree becomes one wheel and one tarball in dist/, both byte-identical from run to run (dated
# SOURCE_DATE_EPOCH or 1980). make dist-all does it for every architecture.

HOST_ARCH := $(shell uname -m)
ARCH ?= $(HOST_ARCH)
DIST_ARCHES := x86_64 i686 aarch64 ppc64le s390x armv7l riscv64

# Each architecture: Debian's name for it, the GNU triplet of its compiler, its multiarch folder,
# its qemu-user program (for the tests), and its wheel's platform tags: the oldest manylinux policy
# (with its alias) and the oldest musllinux one it exists in, since a static program needs no libc,
# so every newer glibc or musl runs it too (our own show of the wheel says the same).
DIST_DEBIAN_x86_64 := amd64
DIST_DEBIAN_i686 := i386
DIST_DEBIAN_aarch64 := arm64
DIST_DEBIAN_ppc64le := ppc64el
DIST_DEBIAN_s390x := s390x
DIST_DEBIAN_armv7l := armhf
DIST_DEBIAN_riscv64 := riscv64
DIST_TRIPLET_x86_64 := x86_64-linux-gnu
DIST_TRIPLET_i686 := i686-linux-gnu
DIST_TRIPLET_aarch64 := aarch64-linux-gnu
DIST_TRIPLET_ppc64le := powerpc64le-linux-gnu
DIST_TRIPLET_s390x := s390x-linux-gnu
DIST_TRIPLET_armv7l := arm-linux-gnueabihf
DIST_TRIPLET_riscv64 := riscv64-linux-gnu
DIST_QEMU_x86_64 := qemu-x86_64
DIST_QEMU_i686 := qemu-i386
DIST_QEMU_aarch64 := qemu-aarch64
DIST_QEMU_ppc64le := qemu-ppc64le
DIST_QEMU_s390x := qemu-s390x
DIST_QEMU_armv7l := qemu-arm
DIST_QEMU_riscv64 := qemu-riscv64
DIST_PLATFORMS_x86_64 := manylinux_2_5_x86_64.manylinux1_x86_64.musllinux_1_1_x86_64
DIST_PLATFORMS_i686 := manylinux_2_5_i686.manylinux1_i686.musllinux_1_1_i686
DIST_PLATFORMS_aarch64 := manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64
DIST_PLATFORMS_ppc64le := manylinux_2_17_ppc64le.manylinux2014_ppc64le.musllinux_1_1_ppc64le
DIST_PLATFORMS_s390x := manylinux_2_17_s390x.manylinux2014_s390x.musllinux_1_1_s390x
DIST_PLATFORMS_armv7l := manylinux_2_17_armv7l.manylinux2014_armv7l.musllinux_1_1_armv7l
DIST_PLATFORMS_riscv64 := manylinux_2_31_riscv64.musllinux_1_1_riscv64

DIST_TRIPLET := $(DIST_TRIPLET_$(ARCH))
DIST_MULTIARCH := $(if $(filter i686,$(ARCH)),i386-linux-gnu,$(DIST_TRIPLET))
DIST_PLATFORMS := $(DIST_PLATFORMS_$(ARCH))
DIST_ROOT := $(BUILD)-dist
DIST_BUILD := $(DIST_ROOT)/$(ARCH)
DIST_TREE := $(DIST_BUILD)/tree
DIST_SOURCES := $(DIST_ROOT)/sources
DIST_PREFIX := $(DIST_BUILD)/sysroot/usr
DIST_WHEEL := dist/auditwheel_cpp-$(VERSION)-py3-none-$(DIST_PLATFORMS).whl
DIST_TARBALL := dist/auditwheel-cpp-$(VERSION)-linux-$(ARCH).tar.gz
DIST_CXX := $(if $(filter $(HOST_ARCH),$(ARCH)),g++,$(DIST_TRIPLET)-g++)
# riscv64 is no release architecture of Debian 12: everything from source packages there.
DIST_DEBIAN_PACKAGES := $(if $(filter riscv64,$(ARCH)),,libelf-dev zlib1g-dev libdeflate-dev libyaml-cpp-dev \
	libssl-dev libutf8proc-dev nlohmann-json3-dev:all)
DIST_SOURCE_PACKAGES := $(if $(filter riscv64,$(ARCH)),zlib libdeflate yaml-cpp utf8proc elfutils openssl nlohmann-json3) \
	libzip fmtlib
DIST_PACKAGES := cmake dpkg-dev debootstrap qemu-user $(if $(filter $(HOST_ARCH),$(ARCH)),,g++-$(DIST_TRIPLET))
DIST_OBJ := $(patsubst %.cpp,$(DIST_BUILD)/obj/%.o,$(wildcard common/*/*.cpp)) \
	$(patsubst %,$(DIST_BUILD)/obj/tools/%/main.o,$(STAGES) auditwheel-stages)
DIST_CXXFLAGS := -std=c++20 -Wall -Wextra -Werror -Icommon -isystem $(DIST_PREFIX)/include \
	-isystem $(DIST_PREFIX)/include/$(DIST_MULTIARCH) -DAW_VERSION='"$(VERSION)"' -O2 -MMD -MP
DIST_LIBS := -L$(DIST_PREFIX)/lib/$(DIST_MULTIARCH) -lzip -lelf -lyaml-cpp -lfmt -lcrypto -ldeflate -lutf8proc -lz

.PHONY: dist dist-all dist-deps

dist-deps: deps
	@test -n "$(DIST_TRIPLET)" || { echo "make dist: ARCH must be one of $(DIST_ARCHES), not '$(ARCH)'"; exit 2; }
	$(call install_missing,$(DIST_PACKAGES))

# The libraries of ARCH: Debian's packages, then what is built from source into the same sysroot.
$(DIST_BUILD)/sysroot/.ready: tools/dist/sysroot.sh tools/dist/source-build.sh | dist-deps
	$(if $(DIST_DEBIAN_PACKAGES),sh tools/dist/sysroot.sh $(DIST_DEBIAN_$(ARCH)) $(DIST_BUILD)/sysroot $(DIST_DEBIAN_PACKAGES))
	for package in $(DIST_SOURCE_PACKAGES); do \
	  sh tools/dist/source-build.sh $$package $(abspath $(DIST_SOURCES)) $(abspath $(DIST_PREFIX)) $(DIST_TRIPLET) || exit 1; \
	done
	touch $@

$(DIST_BUILD)/obj/common/%.o: common/%.cpp | $(DIST_BUILD)/sysroot/.ready
	@mkdir -p $(dir $@)
	$(DIST_CXX) $(DIST_CXXFLAGS) -c $< -o $@

# Each stage's main() is named for the multi-call program (tools/auditwheel-stages).
$(DIST_BUILD)/obj/tools/%/main.o: tools/%/main.cpp | $(DIST_BUILD)/sysroot/.ready
	@mkdir -p $(dir $@)
	$(DIST_CXX) $(DIST_CXXFLAGS) $(if $(filter $*,$(STAGES)),-Dmain=aw_main_$(subst -,_,$*)) -c $< -o $@

# glibc's warnings about a static dlopen/getaddrinfo come from libcrypto's network and engine
# code, which no stage calls (the digests skip openssl.cnf); any other message is shown.
$(DIST_TREE)/bin/auditwheel-stages: $(DIST_OBJ) $(DIST_BUILD)/sysroot/.ready
	@mkdir -p $(dir $@)
	$(DIST_CXX) -static -s -o $@ $(DIST_OBJ) $(DIST_LIBS) 2>$(DIST_BUILD)/link.log; \
	  status=$$?; grep -v -e 'in statically linked applications requires at runtime' -e ': in function ' $(DIST_BUILD)/link.log >&2; \
	  rm -f $(DIST_BUILD)/link.log; exit $$status

$(DIST_TREE)/bin/auditwheel: $(BUILD)/bin/auditwheel
	@mkdir -p $(dir $@)
	cp $< $@

$(addprefix $(DIST_TREE)/bin/,$(STAGES)): tools/dist/stage.sh tools/dist/dist.mk
	@mkdir -p $(dir $@)
	sed 's/@STAGE@/$(notdir $@)/g' $< >$@.tmp && chmod 755 $@.tmp && mv $@.tmp $@

$(DIST_TREE)/share: $(BUILD)/share/auditwheel/policies $(MAN_PAGES)
	rm -rf $@ && install -d $@/auditwheel $@/man/man1 $@/man/man7
	cp -R $(BUILD)/share/auditwheel/policies $@/auditwheel/
	install -m 644 $(filter %.1,$(MAN_PAGES)) $@/man/man1/
	install -m 644 $(filter %.7,$(MAN_PAGES)) $@/man/man7/

DIST_FILES := $(addprefix $(DIST_TREE)/bin/,auditwheel auditwheel-stages $(STAGES)) $(DIST_TREE)/share

dist: $(DIST_FILES)
	@mkdir -p dist
	$(PYTHON) tools/dist/make-wheel.py --tree $(DIST_TREE) --version $(VERSION) --platforms $(DIST_PLATFORMS) \
	  --out $(DIST_WHEEL)
	$(PYTHON) tools/dist/make-wheel.py --tree $(DIST_TREE) --version $(VERSION) --tarball $(DIST_TARBALL)
	@ls -l $(DIST_TREE)/bin/auditwheel-stages $(DIST_WHEEL) $(DIST_TARBALL)

# One architecture after another (each builds on every core; their source packages are shared).
dist-all: all
	@for arch in $(DIST_ARCHES); do $(MAKE) --no-print-directory -j$(JOBS) dist ARCH=$$arch || exit 1; done

-include $(DIST_OBJ:.o=.d)

# make cross-check: every architecture's distribution (make dist-all) answers as the x86_64 one
# does, run under qemu-user (tests/integration/test_cross_architectures.py, which the table above
# reaches through AW_CROSS_ARCHES); ends with "N passed, N failed[, N skipped]".
CROSS_ENV = AW_DIST_ROOT=$(DIST_ROOT) \
	AW_CROSS_ARCHES="$(foreach a,$(DIST_ARCHES),$(a):$(DIST_QEMU_$(a)):$(DIST_TRIPLET_$(a)):$(DIST_DEBIAN_$(a)))"

.PHONY: cross-check
cross-check: dist-all
	@$(CROSS_ENV) $(PYTHON) tests/run_integration.py $(BUILD) -k cross_architectures
