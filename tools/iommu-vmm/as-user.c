// SPDX-License-Identifier: GPL-2.0
/*
 * as-user UID MEMLOCK_KB PROG ARGS...: run PROG as UID (and GID UID, no
 * supplementary groups, so without CAP_IPC_LOCK) with RLIMIT_MEMLOCK set
 * to MEMLOCK_KB: the vmm lane's unprivileged VMM, whose pinned memory
 * iommufd charges against that limit.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>

int main(int argc, char **argv)
{
	struct rlimit rl;
	uid_t uid;

	if (argc < 4) {
		fprintf(stderr, "usage: %s UID MEMLOCK_KB PROG ARGS...\n",
			argv[0]);
		return 2;
	}
	uid = strtoul(argv[1], NULL, 0);
	rl.rlim_cur = strtoull(argv[2], NULL, 0) * 1024;
	rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgroups(0, NULL) ||
	    setgid(uid) || setuid(uid)) {
		perror("as-user");
		return 2;
	}
	execvp(argv[3], argv + 3);
	perror(argv[3]);
	return 2;
}
