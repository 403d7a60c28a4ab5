# Cohort: top-level build.
#
#   make               build everything into $(B) (default build/)
#   make check         install test dependencies, build with every core
#                      (CHECK_JOBS), run the suite, then run it again under
#                      ASan+UBSan; ends with "N passed, N failed"
#   make demo          run the one-node demo
#   make install PREFIX=DIR [DESTDIR=DIR] [UNITDIR=DIR] [DEFAULTDIR=DIR]
#                      also the systemd unit cohort.service (into UNITDIR,
#                      default PREFIX/lib/systemd/system) and its options
#                      file DEFAULTDIR/cohort (default /etc/default; an
#                      existing one is kept)
#
# The build tree mirrors the install tree: $(B)/sbin/cohortd,
# $(B)/bin/cohortctl, $(B)/lib/libcpg.so.4, ... Programs find the libraries
# through an $ORIGIN-relative rpath, so the build tree runs as installed.

B       ?= build
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
UNITDIR ?= $(PREFIX)/lib/systemd/system
DEFAULTDIR ?= /etc/default
SAN     ?=
VERSION := 0.1.0

CC      ?= cc
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
OPT     ?= -O2 -g
ifeq ($(SAN),1)
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
           -fno-sanitize-recover=undefined
SANLD   := -fsanitize=address,undefined
endif
CFLAGS_ALL  = -DCOHORT_VERSION=\"$(VERSION)\" $(CSTD) $(OPT) $(WARN) -fPIC -Iinclude -Isrc $(CFLAGS)
LDFLAGS_ALL = $(SANLD) $(LDFLAGS)
THREADS := -pthread

# ---------------------------------------------------------------- sources
COMMON_SRC := $(wildcard src/common/*.c)
PROTO_SRC  := $(wildcard src/proto/*.c)
DAEMON_SRC := $(filter-out src/daemon/main.c,$(wildcard src/daemon/*.c src/daemon/*/*.c))
LIB_SRC    := $(filter-out src/lib/corosync_common.c,$(wildcard src/lib/*.c))
# What the cmap, quorum, votequorum and cfg libraries share (lib/svc.h).
LIBCORE_SRC := src/lib/conn.c src/lib/hdb.c src/lib/svc.c
# Those libraries, NAME:SONAME-MAJOR, each from src/lib/NAME/*.c with its
# version script src/lib/NAME/libNAME.versions and libNAME.pc.in.
SVC_LIBS   := cmap:4 quorum:5 votequorum:8 cfg:7
SVC_LIBS_BUILT := $(foreach l,$(SVC_LIBS),$(if $(wildcard src/lib/$(word 1,$(subst :, ,$(l)))/*.c),$(l)))
svc_name = $(word 1,$(subst :, ,$(1)))
svc_major = $(word 2,$(subst :, ,$(1)))
SVC_SOS    := $(foreach l,$(SVC_LIBS_BUILT),$(B)/lib/lib$(call svc_name,$(l)).so.$(call svc_major,$(l)) $(B)/lib/lib$(call svc_name,$(l)).so $(B)/lib/pkgconfig/lib$(call svc_name,$(l)).pc)
# corosync's tools under their own names, each from src/tools/corosync/NAME.c
# (with the helpers of src/tools/corosync/*_util.c), linked against our
# libraries as any user program.
COROTOOLS_SRC := $(filter-out %_util.c,$(wildcard src/tools/corosync/*.c))
COROTOOLS_UTIL := $(wildcard src/tools/corosync/*_util.c)
COROTOOLS  := $(patsubst src/tools/corosync/%.c,$(B)/bin/%,$(COROTOOLS_SRC))
TOOLS_SRC  := $(wildcard src/tools/*.c)
SIM_SRC    := $(wildcard tests/sim/*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

LIBCOMMON := $(B)/obj/libcommon.a
LIBPROTO  := $(B)/obj/libproto.a
LIBDAEMON := $(B)/obj/libdaemon.a
LIBCLIENT := $(B)/obj/libclient.a
CPG_SO    := $(B)/lib/libcpg.so.4
CPG_LINK  := $(B)/lib/libcpg.so
CSC_SO    := $(B)/lib/libcorosync_common.so.4
CSC_LINK  := $(B)/lib/libcorosync_common.so
COHORTD   := $(B)/sbin/cohortd
COHORTCTL := $(B)/bin/cohortctl
PCFILE    := $(B)/lib/pkgconfig/libcpg.pc

UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/test_*.c))
API_TESTS  := $(patsubst tests/api/%.c,$(B)/tests/api/%,$(wildcard tests/api/api_*.c))
API_HELP   := $(filter-out $(wildcard tests/api/api_*.c),$(wildcard tests/api/*.c))
UNIT_HELP  := $(filter-out $(wildcard tests/unit/test_*.c),$(wildcard tests/unit/*.c))
SIM        := $(if $(SIM_SRC),$(B)/tests/sim/sim)
EVS_SRC    := $(wildcard tests/evs/*.c)
CLUSTER_PROGS := $(patsubst tests/cluster/%.c,$(B)/tests/cluster/%,$(wildcard tests/cluster/*.c))
EVSCHECK   := $(B)/tests/evs/evscheck

PROGRAMS := $(COHORTD) $(COHORTCTL) $(COROTOOLS)
ALL := $(CSC_SO) $(CSC_LINK) $(CPG_SO) $(CPG_LINK) $(SVC_SOS) $(PROGRAMS) $(PCFILE)

.PHONY: all check check-build demo install clean deps fuzz bench bench-contention bench-floor bench-links bench-scale sim-long deb
all: $(ALL)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
$(LIBPROTO):  $(call obj,$(PROTO_SRC))
$(LIBDAEMON): $(call obj,$(DAEMON_SRC))
$(LIBCLIENT): $(call obj,$(LIB_SRC))
$(B)/obj/%.a:
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# libcorosync_common.so.4: cs_strerror, qb_to_cs_error, hdb_error_to_cs.
$(CSC_SO): $(call obj,src/lib/corosync_common.c)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libcorosync_common.so.4 $(LDFLAGS_ALL) -o $@ $^
$(CSC_LINK): $(CSC_SO)
	ln -sf libcorosync_common.so.4 $@

# libcpg.so.4: every cpg_* function under COROSYNC_CPG_1.0, nothing else.
$(CPG_SO): $(LIBCLIENT) $(LIBCOMMON) $(CSC_SO) src/lib/libcpg.versions
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libcpg.so.4 -Wl,--version-script=src/lib/libcpg.versions \
	    -Wl,--no-undefined $(LDFLAGS_ALL) -o $@ \
	    -Wl,--whole-archive $(LIBCLIENT) -Wl,--no-whole-archive $(LIBCOMMON) \
	    -L$(B)/lib -lcorosync_common $(THREADS)
$(CPG_LINK): $(CPG_SO)
	ln -sf libcpg.so.4 $@

# libcmap.so.4, libquorum.so.5, libvotequorum.so.8, libcfg.so.7: each
# library's functions under its version node (its .versions file),
# nothing else exported.
define svclib_rule
$(B)/lib/lib$(1).so.$(2): $(call obj,$(wildcard src/lib/$(1)/*.c) $(LIBCORE_SRC)) $(LIBCOMMON) $(CSC_SO) src/lib/$(1)/lib$(1).versions
	@mkdir -p $$(dir $$@)
	$$(CC) -shared -Wl,-soname,lib$(1).so.$(2) -Wl,--version-script=src/lib/$(1)/lib$(1).versions \
	    -Wl,--no-undefined $$(LDFLAGS_ALL) -o $$@ $$(filter %.o,$$^) $(LIBCOMMON) \
	    -L$(B)/lib -lcorosync_common $$(THREADS)
$(B)/lib/lib$(1).so: $(B)/lib/lib$(1).so.$(2)
	ln -sf lib$(1).so.$(2) $$@
$(B)/lib/pkgconfig/lib$(1).pc: src/lib/$(1)/lib$(1).pc.in
	@mkdir -p $$(dir $$@)
	sed -e 's|@PREFIX@|$$(PREFIX)|g' -e 's|@VERSION@|$$(VERSION)|g' $$< > $$@
endef
$(foreach l,$(SVC_LIBS_BUILT),$(eval $(call svclib_rule,$(call svc_name,$(l)),$(call svc_major,$(l)))))
SVC_LINKS := $(foreach l,$(SVC_LIBS_BUILT),$(B)/lib/lib$(call svc_name,$(l)).so)
SVC_LDLIBS := $(foreach l,$(SVC_LIBS_BUILT),-l$(call svc_name,$(l)))

RPATH := -Wl,-rpath,'$$ORIGIN/../lib'

$(B)/bin/corosync-%: $(B)/obj/src/tools/corosync/corosync-%.o $(call obj,$(COROTOOLS_UTIL)) $(CPG_LINK) $(SVC_LINKS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) $(RPATH) -o $@ $< $(call obj,$(COROTOOLS_UTIL)) \
	    -L$(B)/lib $(SVC_LDLIBS) -lcpg -lcorosync_common $(THREADS)

$(COHORTD): $(call obj,src/daemon/main.c) $(LIBDAEMON) $(LIBPROTO) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lsodium $(THREADS)

# cohortctl cpgtool shares corosync-cpgtool's listing.
COHORTCTL_SRC := $(TOOLS_SRC) src/tools/corosync/cpglist_util.c
$(COHORTCTL): $(call obj,$(COHORTCTL_SRC)) $(CPG_LINK) $(LIBCLIENT) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) $(RPATH) -o $@ $(call obj,$(COHORTCTL_SRC)) $(LIBCLIENT) \
	    $(LIBCOMMON) -L$(B)/lib -lcorosync_common $(THREADS)

$(PCFILE): src/lib/libcpg.pc.in
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@

# ---------------------------------------------------------------- tests
# Unit tests link only the layer they test, chosen by their name:
# test_common_*, test_proto_*, test_daemon_*, test_lib_*; and the helpers
# they share (tests/unit/ files not named test_*, which use libc alone).
UNIT_LIBS_common := $(LIBCOMMON)
UNIT_LIBS_proto  := $(LIBPROTO) $(LIBCOMMON)
UNIT_LIBS_daemon := $(LIBDAEMON) $(LIBPROTO) $(LIBCOMMON)
UNIT_LIBS_lib    := $(LIBCLIENT) $(LIBCOMMON) $(CSC_SO)
define unit_rule
$$(filter $(B)/tests/unit/test_$(1)_%,$$(UNIT_TESTS)): $(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(call obj,$(UNIT_HELP)) $$(UNIT_LIBS_$(1))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS_ALL) -Wl,-rpath,'$$$$ORIGIN/../../lib' -o $$@ $$< $(call obj,$(UNIT_HELP)) \
	    $$(filter %.a,$$^) $(if $(filter lib,$(1)),-L$(B)/lib -lcorosync_common) \
	    $(if $(filter daemon,$(1)),-lsodium) -lcmocka $$(THREADS)
endef
$(foreach layer,common proto daemon lib,$(eval $(call unit_rule,$(layer))))

# API tests use the installed API through libcpg.so; the frame helpers of
# libcommon let the hostile-client tests speak raw IPC.
$(B)/tests/api/%: $(B)/obj/tests/api/%.o $(call obj,$(API_HELP)) $(CPG_LINK) $(SVC_LINKS) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -Wl,-rpath,'$$ORIGIN/../../lib' -o $@ $< $(call obj,$(API_HELP)) \
	    -L$(B)/lib -Wl,--as-needed $(SVC_LDLIBS) -lcpg -Wl,--no-as-needed -lcorosync_common $(LIBCOMMON) $(THREADS)

$(B)/tests/sim/sim: $(call obj,$(SIM_SRC)) $(B)/obj/tests/evs/evs.o $(B)/obj/tests/evs/evs_group.o $(LIBPROTO) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^

# The cluster tests' programs: CPG clients, linked as users link them.
$(B)/tests/cluster/%: $(B)/obj/tests/cluster/%.o $(CPG_LINK) $(SVC_LINKS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -Wl,-rpath,'$$ORIGIN/../../lib' -o $@ $< \
	    -L$(B)/lib -Wl,--as-needed $(SVC_LDLIBS) -lcpg -Wl,--no-as-needed -lcorosync_common $(THREADS)

# The history checker shared by the simulator and the cluster tests.
$(EVSCHECK): $(call obj,$(EVS_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^

check-build: $(ALL) $(UNIT_TESTS) $(API_TESTS) $(SIM) $(EVSCHECK) $(CLUSTER_PROGS)

deps:
	@tests/scripts/deps.sh

# The suite runs twice: a normal build, then an ASan+UBSan build of
# everything (daemon, library, tests) in build-san/. Each build compiles
# CHECK_JOBS files at a time (default: one per processor) unless make was
# given its own -j; the two builds run one after the other, as two at once
# only compete for the same cores.
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
check_j = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(CHECK_JOBS))
check: deps
	@$(MAKE) --no-print-directory $(check_j) check-build
	@$(MAKE) --no-print-directory $(check_j) B=build-san SAN=1 check-build
	@tests/scripts/run-suite.sh $(B) build-san

demo: deps all
	@tests/scripts/demo.sh $(B)

# Every fuzz target for FUZZ_SECONDS each (tests/scripts/t_fuzz.sh; make
# check runs the same targets for 3 s each, in its normal pass).
FUZZ_SECONDS ?= 600
fuzz: deps
	tests/scripts/t_fuzz.sh $(B) $(FUZZ_SECONDS)

bench: all
	BENCH_BUILD=$(B) bench/run.sh

# The one-thread 1 KiB flood beside two CPU-bound processes (bench/run.sh).
bench-contention: all
	BENCH_BUILD=$(B) BENCH_MODE=contention bench/run.sh

# The latency floor of a daemon per node on this machine: a relay that
# only forwards, in make bench's latency shapes (bench/floor.sh).
bench-floor:
	bench/floor.sh $(ROUNDS)

# Link failover against corosync with knet, two networks (bench/linkfail.sh).
bench-links: all
	BENCH_BUILD=$(B) LF_REPORT=1 bench/linkfail.sh

# How the ring behaves at 16, 32 and 64 nodes in namespaces
# (bench/scale.sh: formation, idle CPU, SIGSTOP/SIGCONT, restart,
# one-sender throughput; SCALE_LONG_S=600 adds the long idle check).
bench-scale: all
	bench/scale.sh $(B)

# The simulator's long mode: SIM_SEEDS scenarios over two processes,
# and SIM_LARGE_SEEDS rings each of 32 and of 64 nodes (make check runs
# 1000 scenarios and 3 rings of each size, tests/scripts/t_sim.sh).
SIM_SEEDS ?= 100000
SIM_LARGE_SEEDS ?= 200
sim-long: $(SIM)
	SIM_SEEDS=$(SIM_SEEDS) SIM_LARGE_SEEDS=$(SIM_LARGE_SEEDS) tests/scripts/t_sim.sh $(B)

# The chaos soak: five nodes in namespaces under a seeded random mix of
# faults and client churn for SOAK_SECONDS, every history checked at the
# end (tests/cluster/chaos.sh; SOAK_SEED replays a schedule; needs root).
# make check runs 45 s of it with a fixed seed (t_cluster_chaos.sh).
SOAK_SECONDS ?= 1800
SOAK_SEED ?=
.PHONY: soak
soak: $(ALL) $(EVSCHECK) $(CLUSTER_PROGS)
	bash tests/cluster/chaos.sh $(B) $(SOAK_SECONDS) $(SOAK_SEED)

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig \
	    $(DESTDIR)$(PREFIX)/include/corosync $(DESTDIR)$(PREFIX)/share/man/man3 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(COHORTD) $(DESTDIR)$(PREFIX)/sbin/cohortd
	install -m 755 $(COHORTCTL) $(DESTDIR)$(PREFIX)/bin/cohortctl
	install -m 755 $(CPG_SO) $(CSC_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libcpg.so.4 $(DESTDIR)$(LIBDIR)/libcpg.so
	ln -sf libcorosync_common.so.4 $(DESTDIR)$(LIBDIR)/libcorosync_common.so
	for pc in libcpg libcorosync_common; do \
	    sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|^libdir=.*|libdir=$(LIBDIR)|' src/lib/$$pc.pc.in \
	        > $(DESTDIR)$(LIBDIR)/pkgconfig/$$pc.pc; done
	for l in $(SVC_LIBS_BUILT); do n=$${l%%:*} m=$${l##*:}; \
	    install -m 755 $(B)/lib/lib$$n.so.$$m $(DESTDIR)$(LIBDIR)/ && \
	    ln -sf lib$$n.so.$$m $(DESTDIR)$(LIBDIR)/lib$$n.so && \
	    sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|^libdir=.*|libdir=$(LIBDIR)|' src/lib/$$n/lib$$n.pc.in \
	        > $(DESTDIR)$(LIBDIR)/pkgconfig/lib$$n.pc || exit 1; done
	for t in $(COROTOOLS); do install -m 755 $$t $(DESTDIR)$(PREFIX)/sbin/ || exit 1; done
	install -m 644 include/corosync/*.h $(DESTDIR)$(PREFIX)/include/corosync/
	for f in man/*.3; do install -m 644 $$f $(DESTDIR)$(PREFIX)/share/man/man3/; done
	for f in man/*.5; do install -m 644 $$f $(DESTDIR)$(PREFIX)/share/man/man5/; done
	for f in man/*.8; do install -m 644 $$f $(DESTDIR)$(PREFIX)/share/man/man8/; done
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DEFAULTDIR)
	sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@BINDIR@|$(PREFIX)/bin|g' \
	    -e 's|@DEFAULTDIR@|$(DEFAULTDIR)|g' init/cohort.service.in \
	    > $(DESTDIR)$(UNITDIR)/cohort.service
	chmod 644 $(DESTDIR)$(UNITDIR)/cohort.service
	[ -e $(DESTDIR)$(DEFAULTDIR)/cohort ] || \
	    install -m 644 init/cohort.default $(DESTDIR)$(DEFAULTDIR)/cohort

# A Debian package of everything `make install` installs (pkg/deb.sh).
deb: all
	pkg/deb.sh $(B) $(VERSION)

clean:
	rm -rf build build-san

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
