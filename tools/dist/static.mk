# SPDX-License-Identifier: GPL-2.0
#
# make dist: self-contained static executables, one per architecture,
#   dist/ipctrace-VERSION-ARCH and dist/ipc-demo-VERSION-ARCH, that need
#   nothing on the target but a kernel with BTF. Included by the Makefile.
#
# The build is the Makefile's own, run again in OUTPUT/static-ARCH with
# STATIC=1: every library linked from its .a, and the two whose build
# matters built here from pinned Debian source packages
# (tools/dist/debian-source.sh), so the build machine's versions do not:
#   libbpf          its API is what the code is written against; the
#                   distribution's (0.3 to 1.x) no longer matters
#   libmicrohttpd   configured without HTTPS: Debian's libmicrohttpd.a needs
#                   GnuTLS, and GnuTLS's p11-kit has no static library. So
#                   a static ipctrace has no TLS for --listen, and says so
#                   (--features; --web-config asks libmicrohttpd).
# The others (libelf, zlib, glib, json-c, libcap, ncurses) are Debian's .a,
# for the target architecture through multiarch.

DIST_DIR     ?= dist
DIST_ARCHES  ?= x86_64 aarch64
DIST_SRC     ?= $(OUTPUT)/dist-src
LIBBPF_DEBIAN := 1.1.2-0+deb12u1
LIBBPF_SHA256 := b50ab60637fb713db78aa98e6ca911ddf13c0799d498a1f6ec03ebffc7dca588
MHD_DEBIAN    := 0.9.75-6
MHD_SHA256    := 796e7e217a4802679fcac667a4e98501c53185dcf50ca0583870e84192620131

# Types to compile the BPF code against, for CO-RE to relocate at load: the
# build machine's BTF for its own architecture; for arm64, the BTF inside
# Debian 12's arm64 kernel image, the kernel the qemu tests boot.
ARM64_KERNEL  ?= linux-image-6.1.0-57-arm64-unsigned
BTF_x86_64    := $(VMLINUX_BTF)
BTF_aarch64   := $(OUTPUT)/static-aarch64/vmlinux.btf

# Per architecture: the GNU triplet (compilers, multiarch paths) and the
# name libbpf's bpf_tracing.h knows it by (__TARGET_ARCH_...).
TRIPLET_x86_64  := x86_64-linux-gnu
TRIPLET_aarch64 := aarch64-linux-gnu
BPFARCH_x86_64  := x86
BPFARCH_aarch64 := arm64

dist:
	$(Q)tools/install-deps.sh dist $(if $(filter aarch64,$(DIST_ARCHES)),cross-arm64)
	$(Q)for a in $(DIST_ARCHES); do \
		$(MAKE) --no-print-directory dist-arch DIST_ARCH=$$a || exit 1; done

# One architecture: build, then strip into dist/ (the symbols stay in build/).
dist-arch:
	$(if $(TRIPLET_$(DIST_ARCH)),,$(error DIST_ARCH=$(DIST_ARCH): expected one of x86_64 aarch64))
	$(Q)$(if $(filter $(OUTPUT)/%,$(BTF_$(DIST_ARCH))),$(MAKE) --no-print-directory $(BTF_$(DIST_ARCH)),true)
	$(Q)$(MAKE) --no-print-directory STATIC=1 DIST_ARCH=$(DIST_ARCH) VMLINUX_BTF=$(BTF_$(DIST_ARCH)) \
		OUTPUT=$(OUTPUT)/static-$(DIST_ARCH) DIST_SRC=$(DIST_SRC) ARCH=$(BPFARCH_$(DIST_ARCH)) \
		$(OUTPUT)/static-$(DIST_ARCH)/ipctrace $(OUTPUT)/static-$(DIST_ARCH)/ipc-demo
	$(Q)mkdir -p $(DIST_DIR)
	$(call msg,STRIP,$(DIST_DIR)/ipctrace-$(VERSION)-$(DIST_ARCH))
	$(Q)$(TRIPLET_$(DIST_ARCH))-strip -o $(DIST_DIR)/ipctrace-$(VERSION)-$(DIST_ARCH) \
		$(OUTPUT)/static-$(DIST_ARCH)/ipctrace
	$(Q)$(TRIPLET_$(DIST_ARCH))-strip -o $(DIST_DIR)/ipc-demo-$(VERSION)-$(DIST_ARCH) \
		$(OUTPUT)/static-$(DIST_ARCH)/ipc-demo

$(OUTPUT)/static-aarch64/vmlinux.btf:
	$(call msg,BTF,$@ from $(ARM64_KERNEL))
	$(Q)rm -rf $(@D)/kernel && mkdir -p $(@D)/kernel
	$(Q)cd $(@D)/kernel && apt-get download -qq $(ARM64_KERNEL):arm64 2>/dev/null
	$(Q)dpkg-deb --fsys-tarfile $(@D)/kernel/*.deb | tar -x -C $(@D)/kernel --wildcards './boot/vmlinuz-*'
	$(Q)tools/dist/kernel-btf.py $(@D)/kernel/boot/vmlinuz-* $@
	$(Q)rm -rf $(@D)/kernel

ifeq ($(STATIC),1)
TRIPLET := $(TRIPLET_$(DIST_ARCH))
CC      := $(TRIPLET)-gcc
AR      := $(TRIPLET)-ar
# pkg-config answers for the target architecture's libraries.
export PKG_CONFIG_LIBDIR := /usr/lib/$(TRIPLET)/pkgconfig:/usr/share/pkgconfig
DEPS       := $(OUTPUT)/deps
DEPS_ABS   := $(abspath $(DEPS))
STATIC_PKGS = $(filter-out libbpf libmicrohttpd,$(PKGS))
PKG_CFLAGS  = -DIPCTRACE_STATIC -I$(DEPS)/include $(shell pkg-config --cflags $(STATIC_PKGS))
PKG_LIBS    = -static $(DEPS)/lib/libbpf.a $(DEPS)/lib/libmicrohttpd.a \
	      $(shell pkg-config --static --libs $(STATIC_PKGS))
LIB_DEPS   := $(DEPS)/lib/libbpf.a $(DEPS)/lib/libmicrohttpd.a
LIBBPF_SRC := $(DIST_SRC)/libbpf-$(LIBBPF_DEBIAN)
MHD_SRC    := $(DIST_SRC)/libmicrohttpd-$(MHD_DEBIAN)
# The libraries' own builds must not see this make's command-line variables
# (OUTPUT, ARCH, CC...): they are run with a clean environment of make's.
SUBMAKE    := env -u MAKEFLAGS -u MAKELEVEL -u MAKEOVERRIDES make -j2

$(LIBBPF_SRC)/src/Makefile:
	$(call msg,SOURCE,libbpf $(LIBBPF_DEBIAN))
	$(Q)tools/dist/debian-source.sh libbpf $(LIBBPF_DEBIAN) $(LIBBPF_SHA256) $(LIBBPF_SRC)

$(MHD_SRC)/configure:
	$(call msg,SOURCE,libmicrohttpd $(MHD_DEBIAN))
	$(Q)tools/dist/debian-source.sh libmicrohttpd $(MHD_DEBIAN) $(MHD_SHA256) $(MHD_SRC)

$(DEPS)/lib/libbpf.a: $(LIBBPF_SRC)/src/Makefile
	$(call msg,LIBBPF,$@)
	$(Q)mkdir -p $(DEPS)/libbpf-obj
	$(Q)$(SUBMAKE) -s -C $(LIBBPF_SRC)/src BUILD_STATIC_ONLY=1 CC=$(CC) AR=$(AR) \
		OBJDIR=$(DEPS_ABS)/libbpf-obj DESTDIR=$(DEPS_ABS) PREFIX= LIBDIR=/lib \
		INCLUDEDIR=/include install >/dev/null

$(DEPS)/lib/libmicrohttpd.a: $(MHD_SRC)/configure
	$(call msg,MHD,$@ (no HTTPS))
	$(Q)rm -rf $(DEPS)/mhd-build && mkdir -p $(DEPS)/mhd-build
	$(Q)cd $(DEPS)/mhd-build && $(abspath $(MHD_SRC))/configure --quiet \
		--host=$(TRIPLET) CC=$(CC) --prefix=$(DEPS_ABS) --enable-static --disable-shared \
		--disable-https --disable-curl --disable-doc --disable-examples --disable-nls \
		>config.out 2>&1 || { cat config.out; exit 1; }
	$(Q)$(SUBMAKE) -s -C $(DEPS)/mhd-build/src/microhttpd install >/dev/null
	$(Q)$(SUBMAKE) -s -C $(DEPS)/mhd-build/src/include install >/dev/null
endif

# The static binaries under test: tests/dist/dist.bats (static, no TLS, alone
# in an empty root), the integration tests that need no server run against
# them, and the package installed, used and purged (tests/dist/deb.bats).
# Not part of make test: the first make dist and make deb take minutes.
DIST_TESTS ?= $(shell cat tests/dist/no-server-tests)
test-dist: dist deb
	$(Q)tools/install-deps.sh test
	$(Q)IPCTRACE=$(abspath $(DIST_DIR)/ipctrace-$(VERSION)-x86_64) \
		IPC_DEMO=$(abspath $(DIST_DIR)/ipc-demo-$(VERSION)-x86_64) \
		bats --tap tests/dist/dist.bats $(DIST_TESTS:%=tests/integration/%.bats) \
		tests/dist/deb.bats

# make deb: dist/ipctrace_VERSION_amd64.deb, built by dpkg-buildpackage from
# debian/ in a copy of the tree (its clean step would empty build/ here),
# linked against Debian's shared libraries, then checked by lintian.
DEB_TREE  = $(OUTPUT)/deb/ipctrace-$(VERSION)
deb:
	$(Q)tools/install-deps.sh dist
	$(Q)test "$$(dpkg-parsechangelog -S Version)" = "$(VERSION)" || \
		{ echo "make deb: debian/changelog's version is not VERSION's ($(VERSION)): add an entry" >&2; exit 1; }
	$(Q)rm -rf $(OUTPUT)/deb && mkdir -p $(DEB_TREE) $(DIST_DIR)
	$(Q)tar --exclude=./build --exclude=./$(DIST_DIR) --exclude=./.git -cf - . | tar -xf - -C $(DEB_TREE)
	$(call msg,DEB,$(DIST_DIR)/ipctrace_$(VERSION)_amd64.deb)
	$(Q)cd $(DEB_TREE) && dpkg-buildpackage -b -us -uc -j2 >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	$(Q)lintian --fail-on error $(OUTPUT)/deb/ipctrace_$(VERSION)_amd64.deb
	$(Q)cp $(OUTPUT)/deb/ipctrace_$(VERSION)_amd64.deb $(DIST_DIR)/
