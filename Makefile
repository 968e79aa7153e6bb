# tend — see README.md. `make` builds build/tend; `make test` installs what
# the tests need, builds, and runs every test, then again under ASan/UBSan.

CC      ?= cc
CFLAGS  ?= -Os -g
WARN    := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
CPPFLAGS += -D_GNU_SOURCE
LDLIBS  := -lev -linih
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# The version, written once (VERSION), and the commit tend is built from,
# both printed by `tend --version`. The commit comes from git when the
# sources are a clone; elsewhere (a tarball, the Docker build, which copies
# only the sources) from TEND_COMMIT on the command line, else "unknown".
VERSION := $(shell cat VERSION)
TEND_COMMIT ?= $(or $(if $(wildcard .git),$(shell git describe --always --dirty --abbrev=7 --exclude='*' 2>/dev/null)),unknown)

SOURCES := $(wildcard supervisor/*.c)
LIBSRC  := $(filter-out supervisor/main.c,$(SOURCES))
HEADERS := $(wildcard supervisor/*.h)
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

# How build/tend is made small (numbers in docs/benchmarks.md):
# - -Os, and no unwind tables: a C program reads them only for backtraces
#   (gdb uses the .debug_frame of -g);
# - libev and libinih linked in from Debian's .a files, libc shared: no
#   relocated pages of two more libraries, and libc's pages are shared with
#   every other program of the container;
# - -z now: every symbol bound at load, so that the symbol tables are not
#   needed afterwards (shed.c drops them);
# - the files that run only before the loop (STARTUP), and inih, keep their
#   code and constants in sections of their own, which shed.c drops once the
#   loop runs.
TEND_CFLAGS  := -fno-asynchronous-unwind-tables -DTEND_SHED_SECTIONS
TEND_LDFLAGS := -Wl,-z,now
TEND_LIBINIH := build/obj/libinih-startup.a
TEND_LDLIBS  := $(TEND_LIBINIH) -Wl,-Bstatic -lev -Wl,-Bdynamic
STARTUP := main sched_slice config config_ini config_include config_percent config_supervisord config_numprocs config_logfile rlimits config_keys config_convert config_build config_env config_single config_diag \
           values expand words users client client_http client_render dirs probe_spec \
           listen_spec listen json json_read json_string
STARTUP_SECTIONS := --rename-section .text=tend_startup_text \
                    --rename-section .text.startup=tend_startup_text \
                    --rename-section .text.unlikely=tend_startup_text \
                    --rename-section .rodata=tend_startup_rodata \
                    --rename-section .rodata.str1.1=tend_startup_rodata \
                    --rename-section .rodata.str1.8=tend_startup_rodata
OBJECTS := $(patsubst supervisor/%.c,build/obj/%.o,$(SOURCES))

# Debian packages the build and the tests use (checked by `make deps`).
DEPS_PACKAGES := gcc make libc6-dev libev-dev libinih-dev libcmocka-dev python3 valgrind \
                 util-linux procps strace nginx-light clang libclang-rt-14-dev \
                 curl prometheus \
                 scdoc man-db groff-base

.PHONY: all deps test man man-check unit integration valgrind test-asan unit-asan integration-asan clean demo check-deps static

all: build/tend build/backend man

build/obj/%.o: supervisor/%.c $(HEADERS) | build
	@mkdir -p build/obj
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(TEND_CFLAGS) -c -o $@ $<
	$(if $(filter $*,$(STARTUP)),objcopy $(STARTUP_SECTIONS) $@)

# Rewritten only when the version or the commit changes, so that only
# main.c is compiled again then.
build/gen/version.h: FORCE | build
	@mkdir -p build/gen
	@printf '#define TEND_VERSION "%s"\n#define TEND_COMMIT "%s"\n' '$(VERSION)' '$(TEND_COMMIT)' >$@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

build/obj/main.o build/asan/tend: build/gen/version.h
build/obj/main.o build/asan/tend: CPPFLAGS += -Ibuild/gen

.PHONY: FORCE
FORCE:

# Debian's libinih.a, its sections renamed as STARTUP's are
$(TEND_LIBINIH): | build
	@mkdir -p build/obj
	objcopy $(STARTUP_SECTIONS) "$$($(CC) -print-file-name=libinih.a)" $@

build/tend: $(OBJECTS) $(TEND_LIBINIH)
	$(CC) $(CFLAGS) $(TEND_LDFLAGS) -o $@ $(OBJECTS) $(TEND_LDLIBS)

# One static binary, for images that COPY it alone (as people do with
# tini-static), glibc included.
# glibc warns at link time about functions that need NSS at run time
# (getpwnam…); --fatal-warnings makes such a warning an error — tend reads
# /etc/passwd and /etc/group itself and resolves no host names.
build/tend-static: $(OBJECTS)
	$(CC) $(CFLAGS) $(TEND_LDFLAGS) -static -Wl,--fatal-warnings -o $@ $(OBJECTS) $(LDLIBS)

static: build/tend-static

build/asan/tend: $(SOURCES) $(HEADERS) | build
	@mkdir -p build/asan
	$(CC) $(WARN) $(CPPFLAGS) -O1 -g $(SANITIZE) -o $@ $(SOURCES) $(LDLIBS)

# The unit tests link tend's sources (all but main.c) from an archive,
# each source compiled once for all the tests (plain, and under ASan/UBSan):
# a test pulls in only the objects it uses.
TEST_OBJECTS := $(patsubst supervisor/%.c,build/tobj/%.o,$(LIBSRC))
ASAN_TEST_OBJECTS := $(patsubst supervisor/%.c,build/asan/tobj/%.o,$(LIBSRC))

build/tobj/%.o: supervisor/%.c $(HEADERS) | build
	@mkdir -p build/tobj
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

build/asan/tobj/%.o: supervisor/%.c $(HEADERS) | build
	@mkdir -p build/asan/tobj
	$(CC) $(WARN) $(CPPFLAGS) -O1 -g $(SANITIZE) -c -o $@ $<

build/libtend-test.a: $(TEST_OBJECTS)
	rm -f $@ && ar rcs $@ $^

build/asan/libtend-test.a: $(ASAN_TEST_OBJECTS)
	rm -f $@ && ar rcs $@ $^

build/tests/%: tests/unit/%.c build/libtend-test.a $(HEADERS) tests/unit/*.h | build
	@mkdir -p build/tests
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -Isupervisor -o $@ $< build/libtend-test.a $(LDLIBS) -lcmocka

build/asan/tests/%: tests/unit/%.c build/asan/libtend-test.a $(HEADERS) tests/unit/*.h | build
	@mkdir -p build/asan/tests
	$(CC) $(WARN) $(CPPFLAGS) -O1 -g $(SANITIZE) -Isupervisor -o $@ $< build/asan/libtend-test.a $(LDLIBS) -lcmocka

build/helpers/%: tests/helpers/%.c | build
	@mkdir -p build/helpers
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ $<

build:
	@mkdir -p build

# The man pages, written in scdoc (man/*.scd). Their date is the
# SOURCE_DATE_EPOCH that Debian's build sets, else that of the last commit,
# else today, so that a build is reproducible. scdoc turns hyphenation off
# before .TH, which turns it on again: it is turned off after it, so that no
# key name is cut.
MAN_PAGES := build/man/tend.8 build/man/tend.ini.5
MAN_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(if $(wildcard .git),$(shell git log -1 --format=%ct 2>/dev/null)))

man: $(MAN_PAGES)

build/man/%: man/%.scd VERSION | build
	@mkdir -p build/man
	sed 's/@VERSION@/$(VERSION)/g' $< >$@.scd
	$(if $(MAN_EPOCH),SOURCE_DATE_EPOCH=$(MAN_EPOCH)) scdoc <$@.scd >$@.roff
	sed '/^\.TH /a .nh\n.ad l' $@.roff >$@.new && rm $@.scd $@.roff && mv $@.new $@

# Every key of the configuration in tend.ini(5), every command in tend(8),
# both rendered by man without a warning; tend --help and --version.
man-check: build/tend man
	bash tests/man/check.sh build/tend

# Installs only what is missing, so it is quick when everything is there.
deps:
	@missing=""; for p in $(DEPS_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

HELPERS := $(patsubst tests/helpers/%.c,build/helpers/%,$(wildcard tests/helpers/*.c))

unit: $(addprefix build/tests/,$(UNIT_TESTS))
	@set -e; for t in $^; do echo "== $$t"; $$t; done

integration: build/tend $(HELPERS)
	bash tests/integration/run.sh build/tend

# tend under valgrind's memcheck: restarts, probes, HTTP traffic, no leak.
valgrind: build/tend $(HELPERS)
	bash tests/integration/valgrind.sh build/tend

unit-asan: $(addprefix build/asan/tests/,$(UNIT_TESTS))
	@set -e; for t in $^; do echo "== $$t"; $$t; done

integration-asan: build/asan/tend $(HELPERS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 bash tests/integration/run.sh build/asan/tend

test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) man-check
	$(MAKE) integration
	$(MAKE) valgrind
	$(MAKE) unit-asan
	$(MAKE) integration-asan
	$(MAKE) fuzz-smoke
	TEST_IMAGE_NET=netns $(MAKE) test-image
	$(MAKE) deb-test

# libFuzzer on the HTTP head parser (requests and responses) and on the JSON string writers
# (clang; crashes land in build/fuzz/). `make fuzz` runs each for
# FUZZ_SECONDS; fuzz-smoke briefly.
FUZZ_SECONDS ?= 60
FUZZ_CC  ?= clang
FUZZ_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_JSON_SOURCES := supervisor/json_escape.c supervisor/utf8.c supervisor/strbuf.c supervisor/json.c \
                     supervisor/json_read.c supervisor/json_string.c

.PHONY: fuzz fuzz-http fuzz-json fuzz-smoke

build/fuzz/fuzz_http_parser: tests/fuzz/fuzz_http_parser.c supervisor/http_parser.c supervisor/http_parser.h | build
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(WARN) $(CPPFLAGS) -O1 -g $(FUZZ_SAN) -Isupervisor -o $@ $< supervisor/http_parser.c

build/fuzz/fuzz_json_escape: tests/fuzz/fuzz_json_escape.c $(FUZZ_JSON_SOURCES) $(HEADERS) | build
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(WARN) $(CPPFLAGS) -O1 -g $(FUZZ_SAN) -Isupervisor -o $@ $< $(FUZZ_JSON_SOURCES)

fuzz: fuzz-http fuzz-json

fuzz-http: build/fuzz/fuzz_http_parser
	@mkdir -p build/fuzz/corpus && cp tests/fuzz/corpus/* build/fuzz/corpus/
	build/fuzz/fuzz_http_parser -max_total_time=$(FUZZ_SECONDS) -max_len=9000 \
	  -dict=tests/fuzz/http.dict -artifact_prefix=build/fuzz/ -print_final_stats=1 build/fuzz/corpus

fuzz-json: build/fuzz/fuzz_json_escape
	@mkdir -p build/fuzz/corpus_json && cp tests/fuzz/corpus_json/* build/fuzz/corpus_json/
	build/fuzz/fuzz_json_escape -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -artifact_prefix=build/fuzz/json- -print_final_stats=1 build/fuzz/corpus_json

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=10

# Benchmarks (tests/bench/run.sh): tend next to tini, dumb-init, catatonit,
# supervisord, s6, runit and nginx; results in docs/benchmarks.md.
# What only they need is installed here, if missing.
BENCH_PACKAGES := wrk nginx-light tini dumb-init catatonit supervisor s6 runit strace gnuplot-nox

.PHONY: bench

bench: deps build/tend build/tend-static build/bench/stamp build/backend build/bench/load
	@missing=""; for p in $(BENCH_PACKAGES) $(ZD_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	bash tests/bench/run.sh build/tend
	bash tests/bench/zero_downtime.sh build/tend -w

# The suite's own stamping program (tests/bench/stamp.c).
build/bench/stamp: tests/bench/stamp.c | build
	@mkdir -p build/bench
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ tests/bench/stamp.c

# Restarts, crashes and `docker stop` that clients do not see (make bench
# runs it after the rest and adds its section to docs/benchmarks.md):
# nginx → the example backend under a paced load (tests/bench/load.c), tend
# with and without `listen`, and supervisord; a markdown report
# (tests/bench/zero_downtime.sh). ZD_WRITE=1 also writes it into
# docs/benchmarks.md (its own section; the rest of the file kept).
ZD_PACKAGES := nginx-light supervisor iproute2 util-linux

.PHONY: bench-zero-downtime

bench-zero-downtime: deps build/tend build/backend build/bench/load
	@missing=""; for p in $(ZD_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	bash tests/bench/zero_downtime.sh build/tend $(if $(ZD_WRITE),-w)

# The zero-downtime benchmark's load generator.
build/bench/load: tests/bench/load.c | build
	@mkdir -p build/bench
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ tests/bench/load.c

# The image (Dockerfile) built and run in Docker for real; see
# tests/image/run.sh. `make test` runs it with TEST_IMAGE_NET=netns: no
# bridge, the container reached on its own loopback (nsenter), so no test
# traffic goes to a private-range address. Installs Debian's docker.io and
# mmdebstrap if missing, starts its own dockerd when no engine answers (and
# stops it after), makes the base image from this machine's apt mirror;
# gcc and libc6-dev build the static program of its image without libc.
TEST_IMAGE_PACKAGES := docker.io mmdebstrap curl util-linux iproute2 gcc libc6-dev

.PHONY: test-image

test-image:
	@missing=""; for p in $(TEST_IMAGE_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	bash tests/image/run.sh

# `make install` (PREFIX, DESTDIR as usual; the Debian package runs it with
# PREFIX=/usr): the binary, the two man pages (scdoc's output, made by the
# `man` target into build/man/) and, in share/doc/tend, the image's
# configuration as tend.ini.example and the examples. `make uninstall`
# removes exactly those files, and share/doc/tend when it is left empty.
PREFIX  ?= /usr/local
DESTDIR ?=
MAN_PAGES := build/man/tend.8 build/man/tend.ini.5
DOC_DIR   := $(PREFIX)/share/doc/tend
EXAMPLES  := examples/Dockerfile.single examples/docker-compose.yml examples/kubernetes.yaml config/nginx.conf
INSTALLED := $(PREFIX)/sbin/tend $(PREFIX)/share/man/man8/tend.8 $(PREFIX)/share/man/man5/tend.ini.5 \
             $(DOC_DIR)/tend.ini.example $(addprefix $(DOC_DIR)/examples/,$(notdir $(EXAMPLES)))

.PHONY: install uninstall

install: build/tend $(MAN_PAGES)
	install -D -m 0755 build/tend $(DESTDIR)$(PREFIX)/sbin/tend
	install -D -m 0644 build/man/tend.8 $(DESTDIR)$(PREFIX)/share/man/man8/tend.8
	install -D -m 0644 build/man/tend.ini.5 $(DESTDIR)$(PREFIX)/share/man/man5/tend.ini.5
	install -D -m 0644 config/tend.ini $(DESTDIR)$(DOC_DIR)/tend.ini.example
	install -D -m 0644 -t $(DESTDIR)$(DOC_DIR)/examples $(EXAMPLES)

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	for d in $(DESTDIR)$(DOC_DIR)/examples $(DESTDIR)$(DOC_DIR); do \
	  [ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d; done

# `make deb`: the Debian package (debian/), built by dpkg-buildpackage with
# debhelper from a copy of the tree in build/deb/src, because it writes the
# .deb, .buildinfo and .changes next to the source directory: they land in
# build/deb/. `make deb-test` builds it, checks it with lintian and installs
# it with apt in a throwaway Debian root (tests/deb/run.sh).
DEB_PACKAGES := dpkg-dev debhelper fakeroot lintian scdoc gcc make libc6-dev libev-dev libinih-dev \
                libcmocka-dev mmdebstrap util-linux

.PHONY: deb deb-test

deb:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	rm -rf build/deb && mkdir -p build/deb/src
	tar -cf - --exclude=./build --exclude=./.git . | tar -xf - -C build/deb/src
	cd build/deb/src && TEND_COMMIT=$(TEND_COMMIT) dpkg-buildpackage -us -uc -b

deb-test: deb
	bash tests/deb/run.sh

build/backend: examples/backend/backend.c | build
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ $<

demo: deps build/tend build/backend
	bash examples/demo.sh build/tend

clean:
	rm -rf build
