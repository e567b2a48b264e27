# SPDX-License-Identifier: GPL-2.0
# iommufd for Linux 6.1: assemble the kernel tree, build guest kernels and
# tests, and run them under QEMU.  Everything lands in build/.
#
#   make run        build, boot the VT-d guest, run the demo
#   make check      all test lanes; LANE="vtd amd" picks some, TEST=prog one
#                   test program, FAULT=fail|panic|hang|warn injects a failure
#   make bench      map/unmap benchmark in the VT-d guest (numbers, no verdict)
#   make shell      the VT-d guest with an interactive shell
#   make help       everything else

H := harness
LANE ?=
export TEST FAULT TIMEOUT JOBS

.PHONY: all run bench check shell deps tree kernels kernel-x86_64 kernel-arm64 \
	kernel-debug guests static refresh-patches clean distclean help

all: run

deps:
	@$(H)/deps.sh

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
