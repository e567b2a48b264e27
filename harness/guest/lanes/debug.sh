# SPDX-License-Identifier: GPL-2.0
# Debug lane: the mock lane and the device tests (the guest has VT-d and
# edu) on a KASAN/lockdep/kmemleak kernel, then a kmemleak scan.  Reports
# in the kernel log fail the lane on the host.
. /lanes/mock.sh
. /lanes/device.sh
. /lanes/kmemleak.sh
