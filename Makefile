# SPDX-License-Identifier: GPL-2.0
#
# ipctrace build.
#   make            build everything into build/
#   sudo make run   install missing packages, build, run ipctrace on the demos
#   sudo make test  install missing packages, build, run every test
#   sudo make test-qemu  build, run the integration tests on Debian 12's
#                   Linux 6.1 under qemu (not part of make test: minutes);
#                   QEMU_TARGET=bare|arm64|deb for the static pair or the
#                   package (docs/testing.md)
#   sudo make bench what ipctrace costs the IPC it watches, against bpftrace
#                   and strace (not part of make test: minutes)
#   sudo make install    install under PREFIX (default /usr/local), into
#                   DESTDIR if set; make uninstall removes those files
#   sudo make fuzz  the /proc parsers, the output writers and the command line
#                   under libFuzzer, FUZZ_SECONDS (60) each (not part of make test)
#   sudo make soak  SOAK_SECONDS (600) of churn under ipctrace: totals, RSS,
#                   map entries; SOAK=forkstorm: a fork storm (not part of make test)
#   make dist       static dist/ipctrace-VERSION-{x86_64,aarch64} and ipc-demo
#                   (tools/dist/static.mk); sudo make test-dist tests them
#   make deb        dist/ipctrace_VERSION_amd64.deb from debian/
#   sudo make demo-graph  draw docs/demo-graph.svg, the README's picture,
#                   from a run of the demos (tools/demo-graph.sh)
#
# Quiet by default; V=1 shows full commands.

OUTPUT   ?= build
CLANG    ?= clang
BPFTOOL  ?= bpftool
LLVM_STRIP ?= llvm-strip
CC       ?= cc
ARCH     ?= x86
PREFIX   ?= /usr/local
DESTDIR  ?=
INSTALL  ?= install
# ipctrace needs root, so sbin; the demo is for anyone, so bin. ipctrace
# --demo looks for ipc-demo next to itself, then on PATH (child_find_demo in
# user/session/children.c): installed, it is the PATH that finds it.
SBINDIR  ?= $(PREFIX)/sbin
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
# Where the bash-completion package loads a command's completion from, by the
# command's name, the first time it is completed.
COMPDIR  ?= $(PREFIX)/share/bash-completion/completions

# vmlinux.h is generated from the build machine's BTF rather than committed:
# CO-RE relocates every field access at load time, so any BTF-enabled kernel's
# types serve to compile, and the 3 MB generated header stays out of review.
# Packagers without /sys/kernel/btf/vmlinux can point VMLINUX_BTF at a kernel
# image's BTF (e.g. extracted with pahole) instead.
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

PKGS      := libbpf libelf zlib glib-2.0 json-c libcap libseccomp libmicrohttpd ncursesw yaml-0.1 libcrypt
# Recursively expanded on purpose: pkg-config must run after `make deps`.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
# Built before the first object; a static build (STATIC=1) builds its own
# libbpf and libmicrohttpd there.
LIB_DEPS  :=
# make dist and STATIC=1 (tools/dist/static.mk); all stays the default goal.
.DEFAULT_GOAL := all
include tools/dist/static.mk

VERSION := $(shell cat VERSION)

CFLAGS   ?= -g -O2
WARN     := -Wall -Wextra -Werror
ALL_CFLAGS = $(CPPFLAGS) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -DIPCTRACE_VERSION='"$(VERSION)"' \
	     -Iinclude -Iuser -I$(OUTPUT) $(PKG_CFLAGS)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -Iinclude -Ibpf -I$(OUTPUT)

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRC   := bpf/ipctrace.bpf.c
BPF_HDRS  := $(wildcard bpf/*.h bpf/*/*.h) $(wildcard include/*.h)
# Two builds of the BPF code (bpf/core/settings.bpf.h says why): the default one,
# and a portable one for kernels without bpf_rdonly_cast(). User code is
# written against the default one's skeleton and loads the portable one's
# bytes through it, so the two must lay out their maps, programs and
# settings alike: the portable skeleton's rule checks that they do.
BPF_OBJ   := $(OUTPUT)/ipctrace.bpf.o
SKEL      := $(OUTPUT)/ipctrace.skel.h
PORTABLE_OBJ  := $(OUTPUT)/ipctrace-portable.bpf.o
PORTABLE_SKEL := $(OUTPUT)/ipctrace-portable.skel.h
SKELS     := $(SKEL) $(PORTABLE_SKEL)

# user/ is layered in folders (the comment atop user/main.c lists them);
# includes name the folder ("model/rows.h"), so an arrow is seen where it
# is written. Everything but main.c goes into a library the unit tests and
# the fuzz targets link too.
USER_DIRS := common model mechanisms loader output session cli
LIB_SRCS  := $(foreach d,$(USER_DIRS),$(wildcard user/$(d)/*.c))
LIB_OBJS  := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(LIB_SRCS))
LIB       := $(OUTPUT)/libipctrace.a
USER_HDRS := $(foreach d,$(USER_DIRS),$(wildcard user/$(d)/*.h)) $(wildcard include/*.h)

DEMO_SRCS := $(wildcard tools/demo/*.c)
DEMO_OBJS := $(patsubst tools/demo/%.c,$(OUTPUT)/demo/%.o,$(DEMO_SRCS))
DEMO_HDRS := $(wildcard tools/demo/*.h)

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BIN  := $(OUTPUT)/unit-tests

.PHONY: all compat-bins dist dist-arch test-dist deb deps run test test-unit test-integration test-qemu bench bench-hookcost soak fuzz fuzz-syntax clean install uninstall demo-graph
.DELETE_ON_ERROR:

all: $(OUTPUT)/ipctrace $(OUTPUT)/ipc-demo $(OUTPUT)/ipc-bench

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/demo:
	$(Q)mkdir -p $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BPF_OBJ): $(BPF_SRC) $(BPF_HDRS) $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@	# DWARF is not needed at load time; BTF stays

$(PORTABLE_OBJ): $(BPF_SRC) $(BPF_HDRS) $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DIPCTRACE_PORTABLE -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(SKEL): $(BPF_OBJ)
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name ipctrace_bpf > $@

$(PORTABLE_SKEL): $(PORTABLE_OBJ) $(SKEL) tools/skel-layout.sh
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name ipctrace_portable_bpf > $@
	$(Q)tools/skel-layout.sh $(SKEL) $@

$(OUTPUT)/user/%.o: user/%.c $(USER_HDRS) $(SKELS) | $(OUTPUT)/user $(LIB_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# Made afresh: ar would keep the members of files moved or removed since.
$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(OUTPUT)/ipctrace: $(OUTPUT)/user/main.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(PKG_LIBS) -lm -o $@

$(OUTPUT)/demo/%.o: tools/demo/%.c $(DEMO_HDRS) include/ipctrace.h | $(OUTPUT)/demo $(LIB_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The demo and the benchmark's uring workload submit through io_uring:
# liburing. ipctrace itself does not link it.
URING_LIBS = $(shell pkg-config $(if $(filter 1,$(STATIC)),--static) --libs liburing)

$(OUTPUT)/ipc-demo: $(DEMO_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(PKG_LIBS) $(URING_LIBS) -lrt -lm -o $@

# The benchmark's workloads: libc and liburing, no project headers.
$(OUTPUT)/ipc-bench: tools/bench/ipc-bench.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE $< $(URING_LIBS) -lrt -o $@

# The 32-bit syscall test's workload (tests/compat), for the qemu guests that
# have IA32 emulation: static, so a guest needs no 32-bit libc; the 64-bit one
# not position-independent, so its buffer is below 4 GiB.
COMPAT_BINS := $(OUTPUT)/compat-int80 $(OUTPUT)/compat-int80-m32
compat-bins: $(COMPAT_BINS)
$(OUTPUT)/compat-int80: tests/compat/int80.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 $(WARN) -static -no-pie -fno-pie $< -o $@
$(OUTPUT)/compat-int80-m32: tests/compat/int80.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -m32 -O2 $(WARN) -static $< -o $@

$(UNIT_BIN): $(UNIT_SRCS) $(wildcard tests/unit/*.h) $(LIB) $(USER_HDRS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(UNIT_SRCS) $(LIB) $(PKG_LIBS) -lcmocka -lm -o $@

# The two commands the README promises. Each installs what is missing first,
# then builds in a sub-make, so pkg-config runs once the packages are there.
# Each target asks tools/install-deps.sh for its own purpose only.
deps:
	$(Q)tools/install-deps.sh run

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(OUTPUT)/ipctrace --demo $(RUN_ARGS)

test:
	$(Q)tools/install-deps.sh test
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BIN)
	$(Q)tests/run-all.sh

# One group, or some of its tests: make test-unit UNIT="rows peers"
# (build/unit-tests --list names the groups).
test-unit: $(UNIT_BIN)
	$(Q)$(UNIT_BIN) $(UNIT)

test-integration: all
	$(Q)tests/run-all.sh integration

# A second kernel: the guest image is built once into build/qemu, the
# tests run on the build just made. See tools/qemu/run-tests.sh.
# QEMU_TARGET picks the guest (tools/qemu/target-*.sh) and so what to build:
# full the dynamic build, bare and arm64 make dist's static pair, deb the
# package (under systemd).
QEMU_TARGET ?= full
QEMU_BUILD_full  := all compat-bins
QEMU_BUILD_bare  := dist DIST_ARCHES=x86_64 compat-bins
QEMU_BUILD_arm64 := dist DIST_ARCHES=aarch64
QEMU_BUILD_deb   := deb
test-qemu:
	$(if $(QEMU_BUILD_$(QEMU_TARGET)),,$(error QEMU_TARGET=$(QEMU_TARGET): expected one of full bare arm64 deb))
	$(Q)tools/install-deps.sh qemu
	$(Q)$(MAKE) --no-print-directory $(QEMU_BUILD_$(QEMU_TARGET))
	$(Q)QEMU_TARGET=$(QEMU_TARGET) tools/qemu/run-tests.sh

# The README's picture of who talks to whom, from a real run of the demos.
demo-graph: all
	$(Q)tools/demo-graph.sh

# Churn under ipctrace for SOAK_SECONDS (600): totals exact, RSS and maps
# flat, the series a Prometheus scraping it holds bounded (tools/soak/soak.py;
# the server comes with the test packages); SOAK=forkstorm: FORK_RATE forks a
# second beside a long-lived writer, intervals on time and CPU bounded
# (tools/soak/forkstorm.py). Not part of make test.
SOAK_SECONDS ?= 600
SOAK ?= churn
FORK_RATE ?= 10000
soak: all
ifeq ($(SOAK),forkstorm)
	$(Q)tools/soak/forkstorm.py $(SOAK_SECONDS) $(FORK_RATE)
else
	$(Q)tools/install-deps.sh test
	$(Q)tools/soak/soak.py $(SOAK_SECONDS)
endif

# libFuzzer targets (tests/fuzz/): the library built again with clang and
# AddressSanitizer + UndefinedBehaviorSanitizer, every finding an abort.
FUZZ_DIR     := $(OUTPUT)/fuzz
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=all
FUZZ_OBJS    := $(patsubst user/%.c,$(FUZZ_DIR)/user/%.o,$(LIB_SRCS))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60

$(FUZZ_DIR)/user:
	$(Q)mkdir -p $@

$(FUZZ_DIR)/user/%.o: user/%.c $(USER_HDRS) $(SKELS) | $(FUZZ_DIR)/user
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(filter-out $(CFLAGS) $(CPPFLAGS),$(ALL_CFLAGS)) -c $< -o $@

$(FUZZ_DIR)/libipctrace.a: $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_DIR)/libipctrace.a
	$(call msg,LINK,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $(filter-out $(CFLAGS) $(CPPFLAGS),$(ALL_CFLAGS)) \
		$< $(FUZZ_DIR)/libipctrace.a $(PKG_LIBS) -lm -o $@

# The fuzz targets against today's headers, with the compiler the tests
# have (no libFuzzer needed): run by tests/run-all.sh, so that a changed
# interface cannot leave `make fuzz` broken unseen.
fuzz-syntax:
	$(Q)$(CC) $(ALL_CFLAGS) -fsyntax-only $(wildcard tests/fuzz/fuzz_*.c)

fuzz:
	$(Q)tools/install-deps.sh fuzz
	$(Q)$(MAKE) --no-print-directory $(FUZZ_TARGETS)
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Interleaved runs untraced / ipctrace / bpftrace / strace, then ipctrace's
# own costs; compares with tools/bench/baseline.json. BENCH_ARGS passes
# options (tools/bench/run.sh --help).
bench:
	$(Q)tools/install-deps.sh bench
	$(Q)$(MAKE) --no-print-directory all $(HOOKCOST)
	$(Q)tools/bench/run.sh $(BENCH_ARGS)

# Variants of the pipe hot path, one change at a time (tools/bench/hookcost/).
HOOKCOST := $(OUTPUT)/hookcost/hookcost

$(OUTPUT)/hookcost:
	$(Q)mkdir -p $@

$(OUTPUT)/hookcost/hookcost.bpf.o: tools/bench/hookcost/hookcost.bpf.c $(OUTPUT)/vmlinux.h | $(OUTPUT)/hookcost
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/hookcost/hookcost.skel.h: $(OUTPUT)/hookcost/hookcost.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name hookcost_bpf > $@

$(HOOKCOST): tools/bench/hookcost/hookcost.c $(OUTPUT)/hookcost/hookcost.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) -I$(OUTPUT)/hookcost $< $(PKG_LIBS) -o $@

bench-hookcost:
	$(Q)tools/install-deps.sh bench
	$(Q)$(MAKE) --no-print-directory all $(HOOKCOST)
	$(Q)tools/bench/run.sh --hookcost $(BENCH_ARGS)

# Every file install puts in place: what uninstall removes.
INSTALLED := $(SBINDIR)/ipctrace $(BINDIR)/ipc-demo \
	     $(MANDIR)/man8/ipctrace.8 $(MANDIR)/man5/ipctrace-output.5 \
	     $(MANDIR)/man7/ipctrace-mechanisms.7 $(MANDIR)/man1/ipc-demo.1 \
	     $(COMPDIR)/ipctrace $(COMPDIR)/ipc-demo

install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -D -m 0755 $(OUTPUT)/ipctrace $(DESTDIR)$(SBINDIR)/ipctrace
	$(Q)$(INSTALL) -D -m 0755 $(OUTPUT)/ipc-demo $(DESTDIR)$(BINDIR)/ipc-demo
	$(Q)$(INSTALL) -D -m 0644 man/ipctrace.8 $(DESTDIR)$(MANDIR)/man8/ipctrace.8
	$(Q)$(INSTALL) -D -m 0644 man/ipctrace-output.5 $(DESTDIR)$(MANDIR)/man5/ipctrace-output.5
	$(Q)$(INSTALL) -D -m 0644 man/ipctrace-mechanisms.7 $(DESTDIR)$(MANDIR)/man7/ipctrace-mechanisms.7
	$(Q)$(INSTALL) -D -m 0644 man/ipc-demo.1 $(DESTDIR)$(MANDIR)/man1/ipc-demo.1
	$(Q)$(INSTALL) -D -m 0644 completion/ipctrace.bash $(DESTDIR)$(COMPDIR)/ipctrace
	$(Q)$(INSTALL) -D -m 0644 completion/ipc-demo.bash $(DESTDIR)$(COMPDIR)/ipc-demo

# The files only: the directories are shared with everything else installed
# under PREFIX.
uninstall:
	$(call msg,UNINST,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT) $(DIST_DIR)
