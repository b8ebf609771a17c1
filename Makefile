# SPDX-License-Identifier: GPL-2.0
#
# hv: the commands a user types.  'make help' lists them.
#
# The module itself is built by the kernel's build system from Kbuild.

# The kernel to build hv.ko for: the running one when its headers are
# installed, else the newest Debian headers on the machine.
KDIR ?= $(shell \
	if [ -d /lib/modules/$$(uname -r)/build ]; then \
		echo /lib/modules/$$(uname -r)/build; \
	else \
		ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1; \
	fi)

KSFT_DIR := $(CURDIR)/build/linux-source/tools/testing/selftests
CHECKPATCH := $(CURDIR)/build/linux-source/scripts/checkpatch.pl

all: module userspace selftests

help:
	@echo "make             build hv.ko, the launcher and the selftests"
	@echo "make module      build hv.ko against KDIR (now: $(KDIR))"
	@echo "make deps        install the build and test dependencies (Debian, root)"
	@echo "make check       the selftests on hv and on KVM in emulated Intel and AMD PCs (<30 min)"
	@echo "make check-full  the same with every test whole in every machine (hours)"
	@echo "make fuzz        the fuzzer on the debug machine: FUZZ_SECONDS=N (300), FUZZ_SEED=N (random)"
	@echo "make demo        boot an emulated PC, load hv.ko and show it working"
	@echo "make debug-kernel build the test machines' debug kernel (KASAN, UBSAN, lockdep...)"
	@echo "make bench       exit costs, VM start and memory, hv beside KVM, in emulated PCs"
	@echo "make bench-host  the same benchmark on this machine's own VT-x/AMD-V"
	@echo "make checkpatch  run the kernel's checkpatch.pl on all C sources"
	@echo "make sparse      build hv.ko with sparse (C=1)"
	@echo "make clean       remove what the build made"

module:
	@if [ -z "$(KDIR)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "hv: no kernel headers found: install linux-headers-$$(uname -r) or set KDIR"; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	@[ ! -f userspace/Makefile ] || $(MAKE) -C userspace

$(KSFT_DIR)/kselftest_harness.h:
	selftests/vm/kernel-files.sh $(CURDIR)/build/linux-source

selftests: $(KSFT_DIR)/kselftest_harness.h
	$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR)

deps:
	@selftests/vm/deps.sh

check:
	@selftests/vm/deps.sh
	@selftests/vm/check.sh

# Every suite whole in every machine (no Bochs slices, all of KVM's
# selftests): hours, not minutes (Documentation/testing.rst).
check-full:
	@selftests/vm/deps.sh
	@HV_FULL=1 selftests/vm/check.sh

# FUZZ_SECONDS on each device; HV_MACHINES picks other machines.
FUZZ_SECONDS ?= 300
ifeq ($(origin FUZZ_SEED), undefined)
FUZZ_SEED := $(shell date +%s)
endif
fuzz:
	@selftests/vm/deps.sh
	@echo "fuzz: seed $(FUZZ_SEED), $(FUZZ_SECONDS) s on each device"
	@HV_MACHINES="$${HV_MACHINES:-qemu-svm-debug}" HV_FUZZ=$(FUZZ_SECONDS) \
		HV_SEED=$(FUZZ_SEED) selftests/vm/check.sh

demo:
	@selftests/vm/deps.sh
	@selftests/vm/demo.sh

debug-kernel:
	@selftests/vm/deps.sh
	@selftests/vm/debug-kernel.sh

bench:
	@selftests/vm/deps.sh
	@selftests/vm/bench.sh

bench-host: selftests
	@selftests/vm/bench-host.sh

$(CHECKPATCH):
	selftests/vm/kernel-files.sh $(CURDIR)/build/linux-source

checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) --no-tree --terse --show-types --ignore FILE_PATH_CHANGES \
		-f $$(git ls-files --cached --others --exclude-standard '*.c' '*.h')

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	[ ! -f userspace/Makefile ] || $(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	rm -rf build

.PHONY: all help module userspace selftests deps check check-full fuzz demo debug-kernel bench bench-host checkpatch sparse clean
