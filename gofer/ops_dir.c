/* Treaddir: entries packed straight into the reply buffer.  The offset a
 * client sends back is the d_off cookie of the last entry it got, so a
 * read resumes exactly after it; 0 rewinds.  An entry never straddles two
 * replies. */
#include "ops.h"
#include "qid.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static uint8_t qtype_of_dtype(unsigned char t)
{
	return t == DT_DIR ? P9_QTDIR : t == DT_LNK ? P9_QTSYMLINK : P9_QTFILE;
}

/* Pack entries from one getdents64 chunk.  Returns bytes packed; sets
 * *full when an entry did not fit, *resume to the cookie after the last
 * entry packed. */
static size_t pack(const struct fid *f, const uint8_t *ents, size_t len, uint8_t *dst,
		   size_t cap, bool *full, int64_t *resume)
{
	size_t used = 0;
	for (size_t pos = 0; pos < len;) {
		const struct linux_dirent64 *d = (const void *)(ents + pos);
		size_t nlen = strlen(d->d_name);
		uint64_t ino = d->d_ino;
		/* '..' of the attach point: do not describe what lies above. */
		if (nlen == 2 && memcmp(d->d_name, "..", 2) == 0 && fid_is_root(f))
			ino = f->ino;
		struct p9_qid q = { .type = qtype_of_dtype(d->d_type), .path = qid_path(f->dev, ino) };
		int n = p9_dirent_put(dst + used, cap - used, &q, (uint64_t)d->d_off, d->d_type,
				      d->d_name, (uint16_t)nlen);
		if (n < 0) {
			*full = true;
			break;
		}
		used += (size_t)n;
		*resume = d->d_off;
		pos += d->d_reclen;
	}
	return used;
}

static int readdir_locked(struct fid *f, int fd, uint64_t offset, uint8_t *dst, size_t cap)
{
	if (lseek(fd, (off_t)offset, SEEK_SET) < 0)
		return -errno;
	uint8_t buf[8192] __attribute__((aligned(8)));
	size_t used = 0;
	bool full = false;
	int64_t resume = (int64_t)offset;
	while (!full) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		used += pack(f, buf, (size_t)n, dst + used, cap - used, &full, &resume);
		if (full || used == 0)
			break;
		/* The chunk may hold more than fit: continue from the cookie. */
		if (lseek(fd, resume, SEEK_SET) < 0)
			return -errno;
	}
	if (used == 0 && full)
		return -EINVAL;   /* count too small for one entry */
	return (int)used;
}

int op_readdir(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	struct fid *f;
	int rc = fid_use(x, m->u.treaddir.fid, &f);
	if (rc < 0)
		return rc;
	uint32_t count = m->u.treaddir.count, max = x->msize - P9_READDIRHDRSZ;
	if (count > max)
		count = max;
	if (count > x->out_cap - P9_RREAD_HDRSZ)
		count = x->out_cap - P9_RREAD_HDRSZ;
	int fd = atomic_load(&f->open_fd);
	uint8_t *dst = x->out + P9_RREAD_HDRSZ;
	if (f->kind != FID_FILE || fd < 0 || f->fmt != S_IFDIR || m->u.treaddir.offset > INT64_MAX) {
		rc = f->fmt != S_IFDIR ? -ENOTDIR : m->u.treaddir.offset > INT64_MAX ? -EINVAL : -EBADF;
	} else {
		pthread_mutex_lock(&f->lock);
		rc = readdir_locked(f, fd, m->u.treaddir.offset, dst, count);
		pthread_mutex_unlock(&f->lock);
	}
	fid_put(f);
	if (rc < 0)
		return rc;
	r->u.rreaddir.count = (uint32_t)rc;
	r->u.rreaddir.data = dst;
	return 0;
}
