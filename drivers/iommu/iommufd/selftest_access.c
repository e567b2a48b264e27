// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test interface's emulated device: an iommufd_access driven from
 * userspace.
 *
 * IOMMU_TEST_OP_CREATE_ACCESS returns a file descriptor; the other access
 * operations name it in iommu_test_cmd.id. Every IOMMU_TEST_OP_ACCESS_PAGES
 * call becomes a "pin" with its own number, undone by
 * IOMMU_TEST_OP_DESTROY_ACCESS_PAGES or, when userspace unmaps the IOVA,
 * by the unmap callback, as a real driver of a mediated device would.
 *
 * Test-only: built with CONFIG_IOMMUFD_TEST.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/iommufd.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "iommufd_test.h"
#include "selftest.h"
#include "ucmd.h"

/* Userspace may ask for this much per pin or copy: keeps kvcalloc() sane. */
#define TEST_ACCESS_MAX_LENGTH SZ_16M

/**
 * struct test_access - the driver state behind one access file
 * @access: the iommufd access
 * @pins_pages: created with MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES
 * @keeps_pins: created with MOCK_FLAGS_ACCESS_CREATE_KEEP_PINS
 * @lock: protects @pins and @next_pin; held across pin and unpin calls so
 *	that the unmap callback sees every pin that has been handed out
 * @pins: &struct test_pin, in pin order
 * @next_pin: the number the next pin gets
 */
struct test_access {
	struct iommufd_access *access;
	bool pins_pages;
	bool keeps_pins;
	struct mutex lock;	/* protects pins, next_pin */
	struct list_head pins;
	u32 next_pin;
};

/**
 * struct test_pin - one IOMMU_TEST_OP_ACCESS_PAGES
 * @item: on &test_access.pins
 * @iova: first IOVA pinned
 * @length: bytes pinned
 * @id: its number, for IOMMU_TEST_OP_DESTROY_ACCESS_PAGES
 */
struct test_pin {
	struct list_head item;
	unsigned long iova;
	unsigned long length;
	u32 id;
};

static void test_pin_drop(struct test_access *ta, struct test_pin *pin)
{
	iommufd_access_unpin_pages(ta->access, pin->iova, pin->length);
	list_del(&pin->item);
	kfree(pin);
}

/* The access's unmap callback: drop every pin that meets the range. */
static void test_access_unmap(void *data, unsigned long iova,
			      unsigned long length)
{
	unsigned long last = iova + length - 1;
	struct test_access *ta = data;
	struct test_pin *pin, *next;

	/* (0, ULONG_MAX) means everything, the last byte included. */
	if (!iova && length == ULONG_MAX)
		last = ULONG_MAX;
	else if (ta->keeps_pins)
		return;
	mutex_lock(&ta->lock);
	list_for_each_entry_safe(pin, next, &ta->pins, item)
		if (pin->iova <= last && pin->iova + pin->length - 1 >= iova)
			test_pin_drop(ta, pin);
	mutex_unlock(&ta->lock);
}

static const struct iommufd_access_ops test_access_copy_ops = {
	.unmap = test_access_unmap,
};

static const struct iommufd_access_ops test_access_pin_ops = {
	.needs_pin_pages = 1,
	.unmap = test_access_unmap,
};

static int test_access_release(struct inode *inode, struct file *file)
{
	struct test_access *ta = file->private_data;

	/* Detaching asks test_access_unmap() to drop every pin. */
	if (ta->access)
		iommufd_access_destroy(ta->access);
	WARN_ON(!list_empty(&ta->pins));
	mutex_destroy(&ta->lock);
	kfree(ta);
	return 0;
}

static const struct file_operations test_access_fops = {
	.owner = THIS_MODULE,
	.release = test_access_release,
};

/* The access behind a descriptor; release the file with fput(). */
static struct file *test_access_fget(int fd, struct test_access **ta)
{
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &test_access_fops) {
		fput(file);
		return ERR_PTR(-EBADFD);
	}
	*ta = file->private_data;
	return file;
}

/**
 * iommufd_test_create_access() - IOMMU_TEST_OP_CREATE_ACCESS
 * @ucmd: the ioctl; cmd->id is the IOAS
 *
 * Return: 0 with the new descriptor in out_access_fd, -EOPNOTSUPP for
 * unknown flags, or what creating and attaching the access returns.
 */
int iommufd_test_create_access(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	u32 flags = cmd->create_access.flags;
	struct test_access *ta;
	struct file *file;
	int fd, rc;
	u32 id;

	if (flags & ~(MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES |
		      MOCK_FLAGS_ACCESS_CREATE_KEEP_PINS))
		return -EOPNOTSUPP;

	ta = kzalloc(sizeof(*ta), GFP_KERNEL_ACCOUNT);
	if (!ta)
		return -ENOMEM;
	mutex_init(&ta->lock);
	INIT_LIST_HEAD(&ta->pins);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		rc = fd;
		goto err_free;
	}
	/* From here on, the file's release frees @ta. */
	file = anon_inode_getfile("[iommufd_test_access]", &test_access_fops,
				  ta, O_RDWR);
	if (IS_ERR(file)) {
		rc = PTR_ERR(file);
		goto err_fd;
	}

	ta->pins_pages = flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
	ta->keeps_pins = flags & MOCK_FLAGS_ACCESS_CREATE_KEEP_PINS;
	ta->access = iommufd_access_create(ucmd->ctx, ta->pins_pages ?
					   &test_access_pin_ops :
					   &test_access_copy_ops, ta, &id);
	if (IS_ERR(ta->access)) {
		rc = PTR_ERR(ta->access);
		ta->access = NULL;
		goto err_file;
	}
	rc = iommufd_access_attach(ta->access, cmd->id);
	if (rc)
		goto err_file;

	cmd->create_access.out_access_fd = fd;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_file;
	fd_install(fd, file);
	return 0;

err_file:
	put_unused_fd(fd);
	fput(file);
	return rc;
err_fd:
	put_unused_fd(fd);
err_free:
	mutex_destroy(&ta->lock);
	kfree(ta);
	return rc;
}

/**
 * iommufd_test_access_replace_ioas() - IOMMU_TEST_OP_ACCESS_REPLACE_IOAS
 * @ucmd: the ioctl; cmd->id is the access descriptor
 *
 * Return: 0, -EBADF/-EBADFD for a descriptor that is not an access, or
 * what iommufd_access_replace() returns.
 */
int iommufd_test_access_replace_ioas(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct test_access *ta;
	struct file *file;
	int rc;

	file = test_access_fget(cmd->id, &ta);
	if (IS_ERR(file))
		return PTR_ERR(file);
	rc = iommufd_access_replace(ta->access,
				    cmd->access_replace_ioas.ioas_id);
	fput(file);
	return rc;
}

/* -EINVAL unless @pages are the pages behind user memory at @uptr. */
static int test_same_pages(unsigned long uptr, struct page **pages,
			   unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++, uptr += PAGE_SIZE) {
		struct page *page = iommufd_test_user_page(uptr);

		if (IS_ERR(page))
			return PTR_ERR(page);
		put_page(page);
		if (page != pages[i])
			return -EINVAL;
	}
	return 0;
}

/**
 * iommufd_test_access_pages() - IOMMU_TEST_OP_ACCESS_PAGES
 * @ucmd: the ioctl; cmd->id is the access descriptor
 *
 * Pins the range and, when uptr is given, checks that the pages handed out
 * are the ones mapped there.
 *
 * Return: 0 with the pin's number in out_access_pages_id, -EOPNOTSUPP for
 * unknown flags or an access created without NEEDS_PIN_PAGES, -ENOMEM for
 * over 16 MiB, -EINVAL when the pages differ, or what
 * iommufd_access_pin_pages() returns.
 */
int iommufd_test_access_pages(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommu_test_pin_args *args = &cmd->access_pages;
	unsigned long iova = args->iova, length = args->length;
	unsigned long npages;
	struct test_access *ta;
	struct test_pin *pin;
	struct page **pages;
	struct file *file;
	int rc;

	if (args->flags & ~MOCK_FLAGS_ACCESS_WRITE)
		return -EOPNOTSUPP;
	if (args->length > TEST_ACCESS_MAX_LENGTH)
		return -ENOMEM;
	if (!length || iova + length - 1 < iova)
		return -EINVAL;

	file = test_access_fget(cmd->id, &ta);
	if (IS_ERR(file))
		return PTR_ERR(file);
	rc = -EOPNOTSUPP;
	if (!ta->pins_pages)
		goto out_fput;

	npages = ((iova + length - 1) >> PAGE_SHIFT) - (iova >> PAGE_SHIFT) + 1;
	rc = -ENOMEM;
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	pin = kzalloc(sizeof(*pin), GFP_KERNEL_ACCOUNT);
	if (!pages || !pin)
		goto out_free;

	mutex_lock(&ta->lock);
	rc = iommufd_access_pin_pages(ta->access, iova, length, pages,
				      (args->flags & MOCK_FLAGS_ACCESS_WRITE) ?
					      IOMMUFD_ACCESS_RW_WRITE : 0);
	if (rc)
		goto out_unlock;
	if (args->uptr) {
		rc = test_same_pages((args->uptr & PAGE_MASK), pages, npages);
		if (rc) {
			iommufd_access_unpin_pages(ta->access, iova, length);
			goto out_unlock;
		}
	}
	pin->iova = iova;
	pin->length = length;
	pin->id = ta->next_pin++;
	list_add_tail(&pin->item, &ta->pins);
	args->out_access_pages_id = pin->id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		test_pin_drop(ta, pin);
	pin = NULL;
out_unlock:
	mutex_unlock(&ta->lock);
out_free:
	kfree(pin);
	kvfree(pages);
out_fput:
	fput(file);
	return rc;
}

/**
 * iommufd_test_destroy_access_pages() - IOMMU_TEST_OP_DESTROY_ACCESS_PAGES
 * @ucmd: the ioctl; cmd->id is the access descriptor
 *
 * Return: 0, -ENOENT when no pin has that number (the unmap callback may
 * have dropped it already), -EBADF/-EBADFD.
 */
int iommufd_test_destroy_access_pages(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	u32 id = cmd->destroy_access_pages.access_pages_id;
	struct test_access *ta;
	struct test_pin *pin;
	struct file *file;
	int rc = -ENOENT;

	file = test_access_fget(cmd->id, &ta);
	if (IS_ERR(file))
		return PTR_ERR(file);
	mutex_lock(&ta->lock);
	list_for_each_entry(pin, &ta->pins, item) {
		if (pin->id == id) {
			test_pin_drop(ta, pin);
			rc = 0;
			break;
		}
	}
	mutex_unlock(&ta->lock);
	fput(file);
	return rc;
}

/**
 * iommufd_test_access_rw() - IOMMU_TEST_OP_ACCESS_RW
 * @ucmd: the ioctl; cmd->id is the access descriptor
 *
 * Return: 0, -EOPNOTSUPP for unknown flags, -ENOMEM for over 16 MiB,
 * -EFAULT on the user buffer, or what iommufd_access_rw() returns.
 */
int iommufd_test_access_rw(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommu_test_rw_args *args = &cmd->access_rw;
	void __user *ubuf = u64_to_user_ptr(args->uptr);
	struct test_access *ta;
	struct file *file;
	unsigned int flags;
	void *buf;
	int rc;

	if (args->flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH))
		return -EOPNOTSUPP;
	if (args->length > TEST_ACCESS_MAX_LENGTH)
		return -ENOMEM;
	flags = (args->flags & MOCK_ACCESS_RW_WRITE) ?
			IOMMUFD_ACCESS_RW_WRITE : IOMMUFD_ACCESS_RW_READ;
	if (args->flags & MOCK_ACCESS_RW_SLOW_PATH)
		flags |= __IOMMUFD_ACCESS_RW_SLOW_PATH;

	file = test_access_fget(cmd->id, &ta);
	if (IS_ERR(file))
		return PTR_ERR(file);
	rc = -ENOMEM;
	buf = kvzalloc(max_t(u64, args->length, 1), GFP_KERNEL_ACCOUNT);
	if (!buf)
		goto out_fput;

	rc = -EFAULT;
	if ((flags & IOMMUFD_ACCESS_RW_WRITE) &&
	    copy_from_user(buf, ubuf, args->length))
		goto out_free;
	rc = iommufd_access_rw(ta->access, args->iova, buf, args->length,
			       flags);
	if (!rc && !(flags & IOMMUFD_ACCESS_RW_WRITE) &&
	    copy_to_user(ubuf, buf, args->length))
		rc = -EFAULT;
out_free:
	kvfree(buf);
out_fput:
	fput(file);
	return rc;
}
