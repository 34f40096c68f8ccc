# libactive: GNU Make only.
#   make              build/libactive.a and build/libactive.so
#   make test         build and run the Criterion suite (SAN=1: ASan+UBSan)
#   make valgrind     the suite under memcheck
#   make demo         build the demos and run the timer demo
#   make install      PREFIX=/usr/local DESTDIR=
#   make bench        benchmarks against libuv, libev and libevent
#   make embedded     the Cortex-M builds and their tests under QEMU

VERSION    := 0.1.0
SOVERSION  := 0
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= cc

ifeq ($(SAN),1)
BUILD      ?= build/san
SANFLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD      ?= build
SANFLAGS   :=
endif

WARN       := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror
OPT        ?= -O2 -g
CFLAGS     ?=
ALLCFLAGS  := $(WARN) $(OPT) $(SANFLAGS) -Iinc $(CFLAGS)
LIBCFLAGS  := $(ALLCFLAGS) -fPIC -fvisibility=hidden -DACT_BUILDING
LDLIBS     := -lpthread

CORE_SRC   := $(wildcard src/core/*.c src/timer/*.c)
POSIX_SRC  := $(wildcard src/port/posix/*.c src/io/*.c)
LIB_SRC    := $(CORE_SRC) $(POSIX_SRC)
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
HEADERS    := $(wildcard inc/*.h inc/active/*.h)

TEST_SRC   := $(wildcard test/*.c test/support/*.c)
TEST_OBJ   := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN   := $(BUILD)/test/run
DEMOS      := $(patsubst demo/%.c,$(BUILD)/demo/%,$(wildcard demo/*.c))

.PHONY: all test valgrind demo install uninstall clean criterion bench bench-callgrind embedded
all: $(BUILD)/libactive.a $(BUILD)/libactive.so

$(BUILD)/obj/src/%.o: src/%.c $(HEADERS) $(wildcard src/*/*.h src/port/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(LIBCFLAGS) -c $< -o $@

$(BUILD)/libactive.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libactive.so.$(VERSION): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libactive.so.$(SOVERSION) $(SANFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libactive.so: $(BUILD)/libactive.so.$(VERSION)
	ln -sf libactive.so.$(VERSION) $(BUILD)/libactive.so.$(SOVERSION)
	ln -sf libactive.so.$(VERSION) $@

# Criterion: install it through apt-get when missing, or say exactly how.
criterion:
	@if [ ! -f /usr/include/criterion/criterion.h ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "libcriterion-dev is missing: installing it with apt-get"; \
	    SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends libcriterion-dev || \
	    { echo "could not install it: run 'sudo apt-get install libcriterion-dev'"; exit 1; }; \
	  else \
	    echo "Criterion is missing: install libcriterion-dev (Debian/Ubuntu) or criterion from https://github.com/Snaipe/Criterion"; exit 1; \
	  fi; \
	fi

$(BUILD)/obj/test/%.o: test/%.c $(HEADERS) $(wildcard test/support/*.h) | criterion
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -D_GNU_SOURCE -Itest -Isrc -c $< -o $@

# test_contract.c includes the shared bodies (test/contract/), which the target builds too.
$(BUILD)/obj/test/test_contract.o: $(wildcard test/contract/*.c test/contract/*.h)

$(TEST_BIN): $(TEST_OBJ) $(BUILD)/libactive.a
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $(TEST_OBJ) $(BUILD)/libactive.a -lcriterion $(LDLIBS)

# The full-size tests run when ACT_TEST_SLOW is set; valgrind runs them smaller.
TEST_ARGS ?= --jobs 2
test: $(TEST_BIN)
	ACT_TEST_SLOW=1 $(TEST_BIN) $(TEST_ARGS)

VALGRIND := valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --trace-children=yes --quiet
valgrind: $(TEST_BIN)
	@command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind"; exit 1; }
	$(VALGRIND) $(TEST_BIN)

$(BUILD)/demo/%: demo/%.c $(BUILD)/libactive.a
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -D_GNU_SOURCE -o $@ $< $(BUILD)/libactive.a $(LDLIBS)

demo: $(DEMOS)
	$(BUILD)/demo/timers

install: all
	install -d $(DESTDIR)$(PREFIX)/include/active $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 inc/active.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 inc/active/*.h $(DESTDIR)$(PREFIX)/include/active/
	install -m 644 $(BUILD)/libactive.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libactive.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libactive.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libactive.so.$(SOVERSION)
	ln -sf libactive.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libactive.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' libactive.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libactive.pc

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/include/active $(DESTDIR)$(PREFIX)/include/active.h
	rm -f $(DESTDIR)$(PREFIX)/lib/libactive.* $(DESTDIR)$(PREFIX)/lib/pkgconfig/libactive.pc

clean:
	rm -rf build

-include $(wildcard mk/*.mk)
