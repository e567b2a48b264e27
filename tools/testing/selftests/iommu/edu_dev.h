/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for driving QEMU's "edu" PCI device (1234:11e8) from userspace
 * through a VFIO device fd.  edu copies up to 4 KiB between guest memory
 * and a buffer inside the device; every transfer goes through the IOMMU
 * in front of the device, which is what the device tests exercise.
 * edu can also raise its one MSI vector when a transfer ends, or whenever
 * software writes its raise register.
 *
 * The helpers return 0 or a negative errno and print nothing, so they can
 * serve both the selftests and the demo program.
 */
#ifndef __SELFTEST_IOMMU_EDU_DEV_H
#define __SELFTEST_IOMMU_EDU_DEV_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_REG_IDENT		0x00
/* Interrupt registers: 32-bit accesses only. */
#define EDU_REG_IRQ_STATUS	0x24	/* RO: the causes not acknowledged yet */
#define EDU_REG_IRQ_RAISE	0x60	/* WO: ORed into the status, then raised */
#define EDU_REG_IRQ_ACK		0x64	/* WO: clears these bits of the status */
/* The cause a finished EDU_CMD_IRQ transfer sets in EDU_REG_IRQ_STATUS. */
#define EDU_IRQ_DMA		0x100
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_CMD_START		0x1
#define EDU_CMD_TO_RAM		0x2
#define EDU_CMD_IRQ		0x4	/* interrupt when the transfer is done */
/* Device-side buffer: QEMU 7.2 aborts on a transfer of the full 4 KiB. */
#define EDU_BUF_ADDR		0x40000ULL
#define EDU_MAX_XFER		2048
/* edu masks DMA addresses to 28 bits: IOVAs must stay below this. */
#define EDU_DMA_LIMIT		0x10000000ULL
#define EDU_DMA_TIMEOUT_MS	10000

struct edu_dev {
	int device_fd;
	uint8_t *bar;
	size_t bar_size;
};

static inline int edu_read_sysfs(const char *bdf, const char *attr,
				 char *buf, size_t len)
{
	char path[600];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

/* Find the first edu device; @bdf receives its PCI address. */
static inline int edu_find(char *bdf, size_t len)
{
	DIR *dir = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	char vendor[16], device[16];
	int ret = -ENODEV;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (edu_read_sysfs(de->d_name, "vendor", vendor, sizeof(vendor)) ||
		    edu_read_sysfs(de->d_name, "device", device, sizeof(device)))
			continue;
		if (strtoul(vendor, NULL, 16) == EDU_VENDOR &&
		    strtoul(device, NULL, 16) == EDU_DEVICE &&
		    strlen(de->d_name) < len) {
			strcpy(bdf, de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(dir);
	return ret;
}

/* The IOMMU group number of @bdf, or a negative errno. */
static inline int edu_iommu_group(const char *bdf)
{
	char path[256], link[256];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	slash = strrchr(link, '/');
	return atoi(slash ? slash + 1 : link);
}

/*
 * The first region of type "msi" that IOMMU group @group lists in sysfs:
 * the interrupt window every IOAS the device joins must keep free (behind
 * an SMMUv3, the IOMMU_RESV_SW_MSI window where the kernel maps MSI
 * doorbells). Its first address in *@start and, if @len is not NULL, its
 * size in *@len; -ENOENT when there is none, or another negative errno.
 */
static inline int edu_msi_window(int group, uint64_t *start, uint64_t *len)
{
	char path[128], type[32];
	unsigned long long s, e;
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/kernel/iommu_groups/%d/reserved_regions", group);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fscanf(f, "%llx %llx %31s", &s, &e, type) == 3) {
		if (strcmp(type, "msi"))
			continue;
		*start = s;
		if (len)
			*len = e - s + 1;
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static inline int edu_region_info(int device_fd, unsigned int index,
				  struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	if (ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, info))
		return -errno;
	return 0;
}

/*
 * Map BAR0 and turn on memory decoding and bus mastering; without the
 * latter edu's DMA silently does nothing.
 */
static inline int edu_open(struct edu_dev *edu, int device_fd)
{
	struct vfio_region_info bar, cfg;
	uint16_t cmd;
	void *map;
	int ret;

	edu->device_fd = device_fd;
	ret = edu_region_info(device_fd, VFIO_PCI_BAR0_REGION_INDEX, &bar);
	if (!ret)
		ret = edu_region_info(device_fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (ret)
		return ret;
	if (!(bar.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return -EOPNOTSUPP;

	if (pread(device_fd, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) !=
	    sizeof(cmd))
		return -EIO;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(device_fd, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) !=
	    sizeof(cmd))
		return -EIO;

	map = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   device_fd, bar.offset);
	if (map == MAP_FAILED)
		return -errno;
	edu->bar = map;
	edu->bar_size = bar.size;
	return 0;
}

static inline void edu_close(struct edu_dev *edu)
{
	if (edu->bar)
		munmap(edu->bar, edu->bar_size);
	edu->bar = NULL;
}

/*
 * Register access: relaxed atomics give single, untorn loads and stores
 * the compiler may not merge or drop, which is all MMIO needs here.
 */
static inline uint32_t edu_read32(struct edu_dev *edu, unsigned int reg)
{
	return __atomic_load_n((uint32_t *)(edu->bar + reg), __ATOMIC_RELAXED);
}

static inline void edu_write32(struct edu_dev *edu, unsigned int reg,
			       uint32_t val)
{
	__atomic_store_n((uint32_t *)(edu->bar + reg), val, __ATOMIC_RELAXED);
}

static inline void edu_write64(struct edu_dev *edu, unsigned int reg,
			       uint64_t val)
{
	__atomic_store_n((uint64_t *)(edu->bar + reg), val, __ATOMIC_RELAXED);
}

static inline uint64_t edu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * Run one transfer and wait for it.  @cmd holds the EDU_CMD_* bits besides
 * EDU_CMD_START: without EDU_CMD_TO_RAM, @len bytes go from @iova into the
 * device buffer, with it from the device buffer to @iova; EDU_CMD_IRQ has
 * edu raise EDU_IRQ_DMA once done.  A transfer the IOMMU blocks still
 * completes from the device's view: the caller checks memory to tell.
 */
static inline int edu_dma_cmd(struct edu_dev *edu, uint64_t iova,
			      uint32_t len, uint32_t cmd)
{
	uint64_t deadline = edu_now_ms() + EDU_DMA_TIMEOUT_MS;
	bool to_ram = cmd & EDU_CMD_TO_RAM;

	if (!len || len > EDU_MAX_XFER || iova + len > EDU_DMA_LIMIT ||
	    (cmd & ~(EDU_CMD_TO_RAM | EDU_CMD_IRQ)))
		return -EINVAL;
	if (edu_read32(edu, EDU_REG_DMA_CMD) & EDU_CMD_START)
		return -EBUSY;
	edu_write64(edu, EDU_REG_DMA_SRC, to_ram ? EDU_BUF_ADDR : iova);
	edu_write64(edu, EDU_REG_DMA_DST, to_ram ? iova : EDU_BUF_ADDR);
	edu_write64(edu, EDU_REG_DMA_COUNT, len);
	/* Buffer contents must be visible before the device starts. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	edu_write64(edu, EDU_REG_DMA_CMD, EDU_CMD_START | cmd);
	while (edu_read32(edu, EDU_REG_DMA_CMD) & EDU_CMD_START) {
		if (edu_now_ms() > deadline)
			return -ETIMEDOUT;
		usleep(1000);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

/*
 * One transfer without an interrupt: @to_ram false copies @len bytes from
 * @iova into the device buffer, true copies the device buffer to @iova.
 */
static inline int edu_dma(struct edu_dev *edu, uint64_t iova, uint32_t len,
			  bool to_ram)
{
	return edu_dma_cmd(edu, iova, len, to_ram ? EDU_CMD_TO_RAM : 0);
}

/* Fill @buf with a pattern that differs for every @seed and offset. */
static inline void edu_pattern(uint8_t *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed * 31 + (i >> 8));
}

#endif /* __SELFTEST_IOMMU_EDU_DEV_H */
