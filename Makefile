# SPDX-License-Identifier: GPL-2.0
# iommufd for Linux 6.1: assemble the kernel tree, build guest kernels and
# tests, and run them under QEMU.  Everything lands in build/.
#
#   make run        build, boot the VT-d guest, run the demo
#   make check      all test lanes; LANE="vtd amd" picks some, TEST=prog one
#                   test program, FAULT=fail|panic|hang|warn injects a failure
#   make stress     the stress lane for 10 minutes (STRESS_SECONDS, SEED)
#   make fuzz       the fuzz lane with 10^6 ioctls (FUZZ_CALLS, SEED,
#                   FUZZ_ONLY=fuzz_device_cdev: one target's stream alone)
#   make bench      map/unmap benchmark in the VT-d guest (numbers, no verdict)
#   make deb        linux-image/-headers packages: Debian's 6.1 config + ours
#   make shell      the VT-d guest with an interactive shell
#   make help       everything else

H := harness
LANE ?=
export TEST FAULT TIMEOUT JOBS SEED STRESS_SECONDS FUZZ_CALLS FUZZ_ONLY

.PHONY: all run bench check stress fuzz deb shell deps tree kernels kernel-x86_64 kernel-arm64 \
	kernel-debug guests static refresh-patches clean distclean help

all: run

deps:
	@$(H)/deps.sh
	@$(H)/qemu10.sh

tree: deps
	@$(H)/prepare-tree.sh

kernel-x86_64 kernel-arm64: kernel-%: tree
	@$(H)/build-kernel.sh $*

kernel-debug: tree
	@$(H)/build-kernel.sh x86_64-debug

kernels: kernel-x86_64 kernel-arm64 kernel-debug

guests: tree
	@$(H)/build-guest.sh x86_64
	@$(H)/build-guest.sh arm64

run bench shell:
	@$(H)/boot.sh $@

check:
	@$(H)/check.sh $(LANE)

static:
	@$(H)/check.sh static

# The short runs of make check, made long.
stress:
	@STRESS_SECONDS=$${STRESS_SECONDS:-600} $(H)/check.sh stress

fuzz:
	@FUZZ_CALLS=$${FUZZ_CALLS:-1000000} $(H)/check.sh fuzz

# Installable packages of the kernel for Debian 12 (build/deb/debian/).
deb: tree
	@$(H)/deb.sh debian

# Turn the commits on top of the "base" tag in build/tree back into
# patches/ (see README.md).
refresh-patches:
	@$(H)/refresh-patches.sh

clean:
	rm -rf build/kbuild build/guest build/results build/logs

distclean:
	rm -rf build

help:
	@sed -n '2,/^$$/s/^# \{0,1\}//p' Makefile
	@echo "other targets: deps tree kernels kernel-x86_64 kernel-arm64"
	@echo "  kernel-debug guests static refresh-patches clean distclean"
