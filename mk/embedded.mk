# make embedded: the Cortex-M port (src/port/cortex-m/), built and tested.
#
#   - installs gcc-arm-none-eabi, libnewlib-arm-none-eabi and qemu-system-arm
#     with apt-get when they are missing;
#   - builds libactive (core, timers, port) for cortex-m0plus, cortex-m3 and
#     cortex-m4 into build/embedded/<cpu>/, the same with ACT_SMALL_STRINGS
#     into build/embedded/<cpu>-small/, and the M4 with ACT_CM_BASEPRI
#     critical sections into build/embedded/cortex-m4-basepri/;
#   - prints arm-none-eabi-size of the core and timer objects per core, and
#     checks that they need nothing but the port (no libc, no libgcc);
#   - runs the contract tests (test/contract/, test/target/runner.c) of every
#     build, and the firmware demo (demo/firmware/) of each core, under
#     qemu-system-arm: microbit (M0+), mps2-an385 (M3), mps2-an386 (M4), each
#     under timeout, and checks the default panic (message, exit status 1);
#   - ends with the size table and each machine's closing lines; fails when
#     any target test or demo fails.
#
# Included by the top Makefile; every name here starts with EMB_ or emb.

EMB_DIR      ?= build/embedded
EMB_CC       ?= arm-none-eabi-gcc
EMB_SIZE     ?= arm-none-eabi-size
EMB_QEMU     ?= qemu-system-arm
EMB_TIMEOUT  ?= 120
EMB_PKGS     := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm

EMB_CPUS     := cortex-m0plus cortex-m3 cortex-m4
EMB_VARIANTS := $(EMB_CPUS) $(EMB_CPUS:%=%-small) cortex-m4-basepri

# A variant's core, QEMU machine, SysTick clock and extra flags.
emb_cpu     = $(patsubst %-small,%,$(patsubst %-basepri,%,$(1)))
emb_machine = $(if $(findstring m0plus,$(1)),microbit,$(if $(findstring m3,$(1)),mps2-an385,mps2-an386))
emb_hz      = $(if $(findstring m0plus,$(1)),16000000u,25000000u)
emb_extra   = $(if $(findstring basepri,$(1)),-DACT_CM_BASEPRI=0x80) \
              $(if $(findstring small,$(1)),-DACT_SMALL_STRINGS)

EMB_WARN     := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror
emb_cflags   = $(EMB_WARN) -mthumb -mcpu=$(call emb_cpu,$(1)) -Os -g -ffreestanding \
               -ffunction-sections -fdata-sections -fno-tree-loop-distribute-patterns \
               -Iinc $(call emb_extra,$(1))
EMB_BOARD    := src/port/cortex-m/qemu
EMB_LDFLAGS  := -nostdlib -T $(EMB_BOARD)/qemu.ld -Wl,--gc-sections

# The tests run with virtual time tied to instructions (8 ns each): the
# race's interrupts land at reproducible places, and sleeps take no time.
# The demo runs in real time.
EMB_ICOUNT   := -icount shift=3,sleep=off
EMB_QEMU_ARGS = -M $(call emb_machine,$(1)) -display none -monitor none -serial null -semihosting

EMB_CORE_SRC := $(wildcard src/core/*.c src/timer/*.c)
EMB_CORE_MEMBERS := $(basename $(notdir $(EMB_CORE_SRC)))
EMB_LIB_SRC  := $(EMB_CORE_SRC) src/port/cortex-m/port.c
EMB_TEST_SRC := test/target/runner.c test/contract/support.c test/contract/tests.c \
                test/contract/misuse.c test/contract/irq.c $(EMB_BOARD)/startup.c
EMB_DEMO_SRC := $(wildcard demo/firmware/*.c) $(EMB_BOARD)/startup.c
EMB_DEPS     := $(wildcard inc/*.h inc/active/*.h src/core/*.h $(EMB_BOARD)/*.h)
EMB_TEST_DEPS := $(wildcard test/contract/*.h)

.PHONY: embedded emb-tools emb-sizes

# The tools: installed through apt-get when missing (sudo when not root).
emb-tools:
	@missing=; \
	command -v $(EMB_CC) >/dev/null 2>&1 || missing="$$missing gcc-arm-none-eabi"; \
	printf '#include <errno.h>\n' | $(EMB_CC) -E -x c - >/dev/null 2>&1 || missing="$$missing libnewlib-arm-none-eabi"; \
	command -v $(EMB_QEMU) >/dev/null 2>&1 || missing="$$missing qemu-system-arm"; \
	[ -z "$$missing" ] && exit 0; \
	command -v apt-get >/dev/null 2>&1 || { echo "embedded: missing:$$missing (install them; Debian/Ubuntu package names)"; exit 1; }; \
	SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	echo "embedded: installing$$missing with apt-get"; \
	for try in 1 2 3 4 5; do \
	  if $$SUDO apt-get -o DPkg::Lock::Timeout=120 update -qq && \
	     $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 \
	       install -y -qq --no-install-recommends $$missing; then exit 0; fi; \
	  echo "embedded: apt-get failed (try $$try), retrying in 10 s"; sleep 10; \
	done; \
	echo "embedded: could not install:$$missing; run: sudo apt-get install --no-install-recommends$$missing"; exit 1

# Per variant: objects, the library, the test image and the demo image, and
# their runs.  $(1) is the variant.
define emb_variant_rules
$(EMB_DIR)/$(1)/obj/%.o: %.c $(EMB_DEPS) | emb-tools
	@mkdir -p $$(@D)
	$(EMB_CC) $(call emb_cflags,$(1)) -I$(EMB_BOARD) -Itest -DBOARD_CORE_HZ=$(call emb_hz,$(1)) -c $$< -o $$@

$(EMB_TEST_SRC:%.c=$(EMB_DIR)/$(1)/obj/%.o): $(EMB_TEST_DEPS)

$(EMB_DIR)/$(1)/libactive.a: $(EMB_LIB_SRC:%.c=$(EMB_DIR)/$(1)/obj/%.o)
	@rm -f $$@
	arm-none-eabi-ar rcs $$@ $$^

$(EMB_DIR)/$(1)/test.elf: $(EMB_TEST_SRC:%.c=$(EMB_DIR)/$(1)/obj/%.o) $(EMB_DIR)/$(1)/libactive.a $(EMB_BOARD)/qemu.ld
	$(EMB_CC) $(call emb_cflags,$(1)) $(EMB_LDFLAGS) -Wl,-Map=$$(@:.elf=.map) -o $$@ \
	  $(EMB_TEST_SRC:%.c=$(EMB_DIR)/$(1)/obj/%.o) $(EMB_DIR)/$(1)/libactive.a -lgcc

$(EMB_DIR)/$(1)/blinky.elf: $(EMB_DEMO_SRC:%.c=$(EMB_DIR)/$(1)/obj/%.o) $(EMB_DIR)/$(1)/libactive.a $(EMB_BOARD)/qemu.ld
	$(EMB_CC) $(call emb_cflags,$(1)) $(EMB_LDFLAGS) -Wl,-Map=$$(@:.elf=.map) -o $$@ \
	  $(EMB_DEMO_SRC:%.c=$(EMB_DIR)/$(1)/obj/%.o) $(EMB_DIR)/$(1)/libactive.a -lgcc

$(EMB_DIR)/$(1)/panic.elf: $(EMB_DIR)/$(1)/obj/test/target/panic.o $(EMB_DIR)/$(1)/obj/$(EMB_BOARD)/startup.o $(EMB_DIR)/$(1)/libactive.a $(EMB_BOARD)/qemu.ld
	$(EMB_CC) $(call emb_cflags,$(1)) $(EMB_LDFLAGS) -o $$@ $$(filter %.o %.a,$$^) -lgcc

# The footprint program (test/target/footprint.c): what a minimal firmware
# links of the core and the timers; its link map feeds the size table.
$(EMB_DIR)/$(1)/footprint.elf: $(EMB_DIR)/$(1)/obj/test/target/footprint.o $(EMB_DIR)/$(1)/obj/$(EMB_BOARD)/startup.o $(EMB_DIR)/$(1)/libactive.a $(EMB_BOARD)/qemu.ld
	$(EMB_CC) $(call emb_cflags,$(1)) $(EMB_LDFLAGS) -Wl,-Map=$$(@:.elf=.map) -o $$@ $$(filter %.o %.a,$$^) -lgcc

$(EMB_DIR)/$(1)/footprint.log: $(EMB_DIR)/$(1)/footprint.elf
	@timeout $(EMB_TIMEOUT) $(EMB_QEMU) $(call EMB_QEMU_ARGS,$(1)) $(EMB_ICOUNT) -kernel $$< >$$@.tmp 2>&1; \
	  rc=$$$$?; \
	  if [ $$$$rc -ne 0 ] || ! grep -q '^footprint: ok' $$@.tmp; then \
	    cat $$@.tmp; echo "embedded: the footprint program failed on $(1) (exit $$$$rc)"; exit 1; fi; \
	  mv $$@.tmp $$@

# The default panic: prints the rule through semihosting, exits with 1.
$(EMB_DIR)/$(1)/panic.log: $(EMB_DIR)/$(1)/panic.elf
	@timeout $(EMB_TIMEOUT) $(EMB_QEMU) $(call EMB_QEMU_ARGS,$(1)) -kernel $$< >$$@.tmp 2>&1; \
	  rc=$$$$?; \
	  if [ $$$$rc -ne 1 ] || ! grep -q '^libactive panic: stop-no-level: ' $$@.tmp; then \
	    cat $$@.tmp; echo "embedded: the default panic on $(1) gave exit $$$$rc (want 1 and the message)"; exit 1; fi; \
	  echo "== default panic: $(1): exit $$$$rc, $$$$(cat $$@.tmp)"; \
	  mv $$@.tmp $$@

# The runs: the log is kept, printed, and the recipe fails with QEMU's status
# (124 when timeout killed it).
$(EMB_DIR)/$(1)/test.log: $(EMB_DIR)/$(1)/test.elf
	@echo "== contract tests: $(1) on $(call emb_machine,$(1))"
	@timeout $(EMB_TIMEOUT) $(EMB_QEMU) $(call EMB_QEMU_ARGS,$(1)) $(EMB_ICOUNT) -kernel $$< >$$@.tmp 2>&1; \
	  rc=$$$$?; cat $$@.tmp; \
	  if [ $$$$rc -ne 0 ]; then echo "embedded: contract tests failed on $(1) (exit $$$$rc)"; exit 1; fi; \
	  mv $$@.tmp $$@

$(EMB_DIR)/$(1)/blinky.log: $(EMB_DIR)/$(1)/blinky.elf
	@echo "== firmware demo: $(1) on $(call emb_machine,$(1))"
	@timeout $(EMB_TIMEOUT) $(EMB_QEMU) $(call EMB_QEMU_ARGS,$(1)) -kernel $$< >$$@.tmp 2>&1; \
	  rc=$$$$?; cat $$@.tmp; \
	  if [ $$$$rc -ne 0 ]; then echo "embedded: firmware demo failed on $(1) (exit $$$$rc)"; exit 1; fi; \
	  mv $$@.tmp $$@
endef
$(foreach v,$(EMB_VARIANTS),$(eval $(call emb_variant_rules,$(v))))

emb_core_objs = $(EMB_CORE_SRC:%.c=$(EMB_DIR)/$(1)/obj/%.o)
EMB_LOGS := $(foreach v,$(EMB_VARIANTS),$(EMB_DIR)/$(v)/test.log) \
            $(foreach v,$(EMB_CPUS),$(EMB_DIR)/$(v)/blinky.log) \
            $(foreach v,$(EMB_VARIANTS),$(EMB_DIR)/$(v)/panic.log) \
            $(foreach v,$(EMB_VARIANTS),$(EMB_DIR)/$(v)/footprint.log) \
            $(foreach v,$(EMB_CPUS),$(EMB_DIR)/$(v)-small/blinky.elf)

# arm-none-eabi-size of the core and timer objects, per core; then the
# freestanding check: linked together, they need nothing but act_port_*.
emb-sizes: $(foreach v,$(EMB_CPUS),$(EMB_DIR)/$(v)/libactive.a)
	@for v in $(EMB_CPUS); do \
	  echo "== arm-none-eabi-size: core and timers, $$v -Os"; \
	  $(EMB_SIZE) -t $(call emb_core_objs,$$v) | sed 's|$(EMB_DIR)/[^ ]*/obj/||'; \
	  arm-none-eabi-ld -r -o $(EMB_DIR)/$$v/core.o $(call emb_core_objs,$$v) || exit 1; \
	  extra=$$(arm-none-eabi-nm -u $(EMB_DIR)/$$v/core.o | awk '{print $$2}' | grep -v '^act_port_'); \
	  if [ -n "$$extra" ]; then echo "embedded: core+timers on $$v need more than the port:" $$extra; exit 1; fi; \
	  echo "core+timers on $$v need only:" $$(arm-none-eabi-nm -u $(EMB_DIR)/$$v/core.o | awk '{print $$2}'); \
	done

# One line of the size table for $(1): all the core and timer objects, then
# what the footprint, test and demo images keep of them after --gc-sections.
define emb_size_line
	@set -- $$($(EMB_SIZE) -t $(call emb_core_objs,$(1)) | tail -1) \
	  $$($(EMB_SIZE) -A $(call emb_core_objs,$(1)) | awk '/^\.text/ {c += $$2} END {print c}') \
	  $$(awk -v members="$(EMB_CORE_MEMBERS)" -f mk/fw-size.awk $(EMB_DIR)/$(1)/footprint.map) \
	  $$(awk -v members="$(EMB_CORE_MEMBERS)" -f mk/fw-size.awk $(EMB_DIR)/$(1)/test.map) \
	  $$(awk -v members="$(EMB_CORE_MEMBERS)" -f mk/fw-size.awk $(EMB_DIR)/$(1)/blinky.map); \
	printf '%-20s %5s %5s %4s %4s | %5s %6s %5s | %5s %6s %5s | %5s %6s %5s\n' $(1) $$1 $$7 $$2 $$3 \
	  $$8 $$9 $$(($$8 + $$9)) $${12} $${13} $$(($${12} + $${13})) $${16} $${17} $$(($${16} + $${17}))

endef

define emb_result_lines
	@printf '%-18s %-11s tests: %s\n' $(1) $(call emb_machine,$(1)) "$$(tail -1 $(EMB_DIR)/$(1)/test.log)"
	@grep -h -E '^\[----\] (race|idle)' $(EMB_DIR)/$(1)/test.log | sed 's/^\[----\] /                   /'

endef

define emb_demo_line
	@printf '%-18s %-11s demo:  %s\n' $(1) $(call emb_machine,$(1)) "$$(tail -1 $(EMB_DIR)/$(1)/blinky.log)"

endef

# The sizes, the runs, then the size table (core + timers: src/core/*.c
# src/timer/*.c) and each machine's closing lines.
embedded: emb-tools
	@$(MAKE) --no-print-directory emb-sizes
	@$(MAKE) --no-print-directory $(EMB_LOGS)
	@echo
	@echo "== footprint of core + timers, bytes, -Os: $(EMB_CORE_MEMBERS)"
	@printf '%-20s %-21s | %-18s | %-18s | %-18s\n' "" " all objects" " linked: minimal" " linked: tests" " linked: demo"
	@printf '%-20s %5s %5s %4s %4s | %5s %6s %5s | %5s %6s %5s | %5s %6s %5s\n' build \
	  text code data bss code rodata text code rodata text code rodata text
	$(foreach v,$(EMB_CPUS),$(call emb_size_line,$(v))$(call emb_size_line,$(v)-small))
	@echo "  all objects: every function and string, text = code + rodata (arm-none-eabi-size);"
	@echo "  linked: what an image keeps of those objects after --gc-sections (its link map; merged strings once);"
	@echo "  minimal: test/target/footprint.c (scheduler, object, one-shot timer, cancel, remote);"
	@echo "  .data and .bss of every image: none but the 8-byte panic handler (all objects' bss);"
	@echo "  -small: built with ACT_SMALL_STRINGS; the port and the board are not counted."
	@echo
	$(foreach v,$(EMB_VARIANTS),$(call emb_result_lines,$(v)))
	$(foreach v,$(EMB_CPUS),$(call emb_demo_line,$(v)))
