/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's tracefs, for tests that must see what a kernel function did
 * when no uAPI shows it: which functions ran (the function tracer, where
 * the kernel has one) and which trace events fired.
 *
 * Every helper returns 0 (or a count) on success and a negative errno when
 * tracefs, the tracer or the event is missing; a test SKIPs that part then.
 */
#ifndef __SELFTEST_IOMMU_TRACEFS_UTIL_H
#define __SELFTEST_IOMMU_TRACEFS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define TRACEFS_DIR	"/sys/kernel/tracing"

/*
 * Write @val to @file in one open; the kernel may take a list a word at a
 * time (set_ftrace_filter does), so write until all of it is taken.
 */
static inline int tracefs_write(const char *file, const char *val)
{
	size_t len = strlen(val), done = 0;
	char path[256];
	ssize_t n = 0;
	int fd, rc = 0;

	snprintf(path, sizeof(path), TRACEFS_DIR "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	while (done < len) {
		n = write(fd, val + done, len - done);
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		done += n;
	}
	close(fd);
	return rc;
}

/* Mount tracefs if it is not there; -ENOENT when the kernel has none. */
static inline int tracefs_ready(void)
{
	if (!access(TRACEFS_DIR "/trace", F_OK))
		return 0;
	if (mount("tracefs", TRACEFS_DIR, "tracefs", 0, NULL) &&
	    errno != EBUSY)
		return -ENOENT;
	return access(TRACEFS_DIR "/trace", F_OK) ? -ENOENT : 0;
}

/*
 * Trace only calls of the functions named in @funcs (separated by spaces),
 * from now on, into an empty buffer.  -ENOENT without a function tracer or
 * when a function cannot be traced (inlined, or not in this kernel).
 */
static inline int tracefs_trace_functions(const char *funcs)
{
	if (tracefs_ready())
		return -ENOENT;
	tracefs_write("tracing_on", "0");
	if (tracefs_write("current_tracer", "nop") ||
	    tracefs_write("set_ftrace_filter", funcs) ||
	    tracefs_write("current_tracer", "function"))
		return -ENOENT;
	tracefs_write("trace", "");
	return tracefs_write("tracing_on", "1");
}

/* Trace the event @event ("system/name") alone, into an empty buffer. */
static inline int tracefs_trace_event(const char *event)
{
	char path[160];

	if (tracefs_ready())
		return -ENOENT;
	tracefs_write("tracing_on", "0");
	tracefs_write("set_event", "");
	snprintf(path, sizeof(path), "events/%s/enable", event);
	if (tracefs_write(path, "1"))
		return -ENOENT;
	tracefs_write("trace", "");
	return tracefs_write("tracing_on", "1");
}

/* Stop tracing and put tracefs back as the tests found it. */
static inline void tracefs_stop(void)
{
	tracefs_write("tracing_on", "0");
	tracefs_write("current_tracer", "nop");
	tracefs_write("set_ftrace_filter", "");
	tracefs_write("set_event", "");
	tracefs_write("trace", "");
}

/*
 * Call @fn on every line of the trace buffer that contains @needle;
 * returns how many there were, or a negative errno.
 */
static inline int tracefs_grep(const char *needle,
			       void (*fn)(const char *line, void *arg),
			       void *arg)
{
	FILE *f = fopen(TRACEFS_DIR "/trace", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || !strstr(line, needle))
			continue;
		if (fn)
			fn(line, arg);
		n++;
	}
	fclose(f);
	return n;
}

#endif /* __SELFTEST_IOMMU_TRACEFS_UTIL_H */
