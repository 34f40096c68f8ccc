# Benchmarks against libuv, libev and libevent (issue 5); included by the
# top Makefile.  Not part of `make test`: nothing there depends on timing.
#
#   make bench             the suite, about four minutes (BENCH_ROUNDS=5)
#   make bench-callgrind   instructions (and system calls) per operation
#
# libactive is linked statically, the peers as Debian ships them (shared).
# libevent comes first: libev.so also exports event_* names (its libevent
# emulation), and the first library in the link order wins them.

BENCH_PKGS  := libuv1-dev libev-dev libevent-dev
BENCH_BIN   := $(BUILD)/bench/bench
BENCH_SRC   := $(wildcard bench/*.c)
BENCH_OBJ   := $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_HAVE  :=
BENCH_CFLAGS := $(WARN) -O2 -g -D_GNU_SOURCE -Iinc $(BENCH_HAVE)
BENCH_LIBS  := -levent_core -levent_pthreads -luv -lev -lpthread \
               -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

.PHONY: bench-deps
# The peers' headers: install them through apt-get when missing, or say how.
bench-deps:
	@missing=; \
	for h in uv.h ev.h event2/event.h event2/thread.h; do \
	  [ -f /usr/include/$$h ] || missing=1; \
	done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $(BENCH_PKGS) with apt-get"; \
	    SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(BENCH_PKGS) || \
	    { echo "could not install them: run 'sudo apt-get install $(BENCH_PKGS)'"; exit 1; }; \
	  else \
	    echo "the peers are missing: install $(BENCH_PKGS) (Debian/Ubuntu)"; exit 1; \
	  fi; \
	fi

$(BUILD)/obj/bench/%.o: bench/%.c bench/bench.h $(HEADERS) | bench-deps
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@

$(BENCH_BIN): $(BENCH_OBJ) $(BUILD)/libactive.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $(BENCH_OBJ) $(BUILD)/libactive.a $(BENCH_LIBS)

bench: $(BENCH_BIN)
	$(BENCH_BIN)

bench-callgrind: $(BENCH_BIN)
	@command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind"; exit 1; }
	sh bench/callgrind.sh $(BENCH_BIN)
