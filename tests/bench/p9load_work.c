/* p9load's workloads.  All files live in one directory of the export
 * (-D, default "p9load"):
 *   m000..m099   empty files the metadata workload walks to
 *   big          the read fixture (-s MiB), reused when its size matches
 *   c<pid>.<w>.<n>, w<pid>.<w>   scratch files of create and seqwrite
 * Fixtures are made through 9P, so p9load needs nothing but an address. */
#include "p9load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define META_FILES 100u
#define SMALL_IO   4096u

/* Record the first failure of a worker; returns rc for tail calls. */
static int fail(struct p9load_worker *w, const char *op, int rc)
{
	if (!w->err) {
		w->err = rc;
		w->err_op = op;
	}
	return rc;
}

/* Walk from `from` along names into a new fid.  A partial walk is ENOENT. */
static int walk_to(struct p9_client *c, uint32_t from, const char *const *names, uint16_t n,
		   uint32_t *out)
{
	uint32_t fid;
	int rc = p9_fid_alloc(c, &fid);
	if (rc < 0)
		return rc;
	struct p9_qid qids[P9_MAXWELEM];
	rc = p9_walk(c, from, fid, n, names, qids);
	if (rc >= 0 && rc < n)
		rc = -ENOENT;
	if (rc < 0) {
		p9_fid_release(c, fid);
		return rc;
	}
	*out = fid;
	return 0;
}

static int put_fid(struct p9_client *c, uint32_t *fid)
{
	if (*fid == P9_NOFID)
		return 0;
	int rc = p9_clunk(c, *fid);
	p9_fid_release(c, *fid);
	*fid = P9_NOFID;
	return rc;
}

/* Clone dirfid and create `name` in it; the new fid is the open file. */
static int create_in(struct p9_client *c, uint32_t dirfid, const char *name, uint32_t flags,
		     uint32_t *out)
{
	uint32_t fid;
	int rc = walk_to(c, dirfid, NULL, 0, &fid);
	if (rc < 0)
		return rc;
	rc = p9_lcreate(c, fid, name, flags | P9_DOTL_CREATE, 0644, 0, NULL, NULL);
	if (rc < 0) {
		put_fid(c, &fid);
		return rc;
	}
	*out = fid;
	return 0;
}

static int write_all(struct p9_client *c, uint32_t fid, uint64_t off, const uint8_t *buf,
		     uint32_t len)
{
	while (len > 0) {
		ssize_t n = p9_write(c, fid, off, buf, len);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EIO;
		off += (uint64_t)n;
		buf += n;
		len -= (uint32_t)n;
	}
	return 0;
}

/* Remove `name` from the work directory: Tunlinkat, or walk + Tremove
 * (the Linux client's fallback; diod has no Tunlinkat).  In auto mode the
 * first EOPNOTSUPP switches the worker to the fallback for good. */
static int remove_name(struct p9load_worker *w, const char *name)
{
	struct p9_client *c = w->cn->c;
	if (w->o->unlink_mode != P9LOAD_REMOVE) {
		int rc = p9_unlinkat(c, w->dirfid, name, 0);
		if (rc != -EOPNOTSUPP || w->o->unlink_mode == P9LOAD_UNLINKAT)
			return rc;
		w->use_remove = true;
	}
	const char *names[] = { name };
	uint32_t fid;
	int rc = walk_to(c, w->dirfid, names, 1, &fid);
	if (rc < 0)
		return rc;
	rc = p9_remove(c, fid);   /* clunks the fid, even on failure */
	p9_fid_release(c, fid);
	return rc;
}

/* ---- fixtures (on the first connection, untimed) ---- */

static int open_dir(const struct p9load_opts *o, struct p9load_conn *cn, uint32_t *fid)
{
	const char *names[] = { o->dir };
	int rc = walk_to(cn->c, cn->root, names, 1, fid);
	if (rc != -ENOENT)
		return rc;
	rc = p9_mkdir(cn->c, cn->root, o->dir, 0755, 0, NULL);
	if (rc < 0 && rc != -EEXIST)
		return rc;
	return walk_to(cn->c, cn->root, names, 1, fid);
}

static int ensure_empty(struct p9_client *c, uint32_t dirfid, const char *name)
{
	uint32_t fid;
	int rc = create_in(c, dirfid, name, P9_DOTL_WRONLY | P9_DOTL_EXCL, &fid);
	if (rc == -EEXIST)
		return 0;
	if (rc < 0)
		return rc;
	return put_fid(c, &fid);
}

static int prepare_meta(const struct p9load_opts *o, struct p9load_conn *cn)
{
	uint32_t dirfid = P9_NOFID;
	int rc = open_dir(o, cn, &dirfid);
	for (unsigned k = 0; rc == 0 && k < META_FILES; k++) {
		char name[16];
		snprintf(name, sizeof name, "m%03u", k);
		rc = ensure_empty(cn->c, dirfid, name);
	}
	int rc2 = put_fid(cn->c, &dirfid);
	return rc < 0 ? rc : rc2;
}

static int big_has_size(struct p9_client *c, uint32_t dirfid, uint64_t size)
{
	const char *names[] = { "big" };
	uint32_t fid;
	int rc = walk_to(c, dirfid, names, 1, &fid);
	if (rc < 0)
		return rc == -ENOENT ? 0 : rc;
	struct p9_attr a;
	rc = p9_getattr(c, fid, P9_GETATTR_SIZE, &a);
	put_fid(c, &fid);
	return rc < 0 ? rc : a.size == size;
}

/* Fill "big" with a recognisable pattern in 1 MiB (or iounit) pieces. */
static int fill_big(struct p9_client *c, uint32_t dirfid, uint64_t size)
{
	uint32_t chunk = p9_client_iounit(c);
	uint8_t *buf = malloc(chunk);
	if (!buf)
		return -ENOMEM;
	for (uint32_t k = 0; k < chunk; k++)
		buf[k] = (uint8_t)(k * 131u + 7u);
	uint32_t fid = P9_NOFID;
	int rc = create_in(c, dirfid, "big", P9_DOTL_WRONLY | P9_DOTL_TRUNC, &fid);
	for (uint64_t off = 0; rc == 0 && off < size; off += chunk) {
		uint64_t left = size - off;
		rc = write_all(c, fid, off, buf, left < chunk ? (uint32_t)left : chunk);
	}
	free(buf);
	int rc2 = put_fid(c, &fid);
	return rc < 0 ? rc : rc2;
}

static int prepare_big(const struct p9load_opts *o, struct p9load_conn *cn)
{
	uint32_t dirfid = P9_NOFID;
	int rc = open_dir(o, cn, &dirfid);
	if (rc < 0)
		return rc;
	rc = big_has_size(cn->c, dirfid, o->big_size);
	if (rc == 0)
		rc = fill_big(cn->c, dirfid, o->big_size);
	int rc2 = put_fid(cn->c, &dirfid);
	return rc < 0 ? rc : rc2;
}

/* ---- per-worker set-up and tear-down ---- */

static int setup_dir(struct p9load_worker *w)
{
	const char *names[] = { w->o->dir };
	int rc = walk_to(w->cn->c, w->cn->root, names, 1, &w->dirfid);
	return rc < 0 ? fail(w, "walk to the work directory", rc) : 0;
}

static int setup_buf(struct p9load_worker *w, uint32_t size)
{
	w->chunk = size;
	w->buf = malloc(size);
	if (!w->buf)
		return fail(w, "malloc", -ENOMEM);
	for (uint32_t k = 0; k < size; k++)
		w->buf[k] = (uint8_t)(k ^ w->id);
	return 0;
}

static uint32_t io_block(const struct p9load_worker *w)
{
	uint32_t iounit = p9_client_iounit(w->cn->c);
	return w->o->block < iounit ? w->o->block : iounit;
}

static int setup_plain(struct p9load_worker *w)
{
	w->rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)w->id << 32 | (uint64_t)getpid());
	int rc = setup_dir(w);
	return rc < 0 ? rc : setup_buf(w, SMALL_IO);
}

static int open_big(struct p9load_worker *w, uint32_t block)
{
	int rc = setup_dir(w);
	if (rc < 0)
		return rc;
	if ((rc = setup_buf(w, block)) < 0)
		return rc;
	const char *names[] = { "big" };
	rc = walk_to(w->cn->c, w->dirfid, names, 1, &w->fid);
	if (rc == 0)
		rc = p9_lopen(w->cn->c, w->fid, P9_DOTL_RDONLY, NULL, NULL);
	return rc < 0 ? fail(w, "open big", rc) : 0;
}

static int setup_randread(struct p9load_worker *w)
{
	w->rng = 0x2545f4914f6cdd1dull ^ ((uint64_t)w->id << 32 | (uint64_t)getpid());
	return open_big(w, SMALL_IO);
}

static int setup_seqread(struct p9load_worker *w)
{
	int rc = open_big(w, io_block(w));
	/* spread the readers over the file */
	w->off = ((uint64_t)w->id * 7919u * w->chunk) % w->o->big_size;
	w->off -= w->off % w->chunk;
	return rc;
}

static int setup_seqwrite(struct p9load_worker *w)
{
	int rc = setup_dir(w);
	if (rc < 0 || (rc = setup_buf(w, io_block(w))) < 0)
		return rc;
	snprintf(w->name, sizeof w->name, "w%d.%u", (int)getpid(), w->id);
	rc = create_in(w->cn->c, w->dirfid, w->name, P9_DOTL_WRONLY | P9_DOTL_TRUNC, &w->fid);
	return rc < 0 ? fail(w, "create the write file", rc) : 0;
}

static void teardown(struct p9load_worker *w)
{
	struct p9_client *c = w->cn->c;
	put_fid(c, &w->fid);
	if (w->name[0] && w->dirfid != P9_NOFID)
		remove_name(w, w->name);
	put_fid(c, &w->dirfid);
	free(w->buf);
	w->buf = NULL;
}

/* ---- the timed operations ---- */

static uint64_t next_rand(uint64_t *s)
{
	/* xorshift64: cheap, good enough to scatter offsets */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* walk+getattr+clunk of one of the metadata files: one op. */
static int step_walk(struct p9load_worker *w)
{
	char name[16];
	snprintf(name, sizeof name, "m%03u", (unsigned)(next_rand(&w->rng) % META_FILES));
	const char *names[] = { w->o->dir, name };
	uint32_t fid;
	struct p9_client *c = w->cn->c;
	int rc = walk_to(c, w->cn->root, names, 2, &fid);
	if (rc < 0)
		return fail(w, "walk", rc);
	struct p9_attr a;
	rc = p9_getattr(c, fid, P9_GETATTR_BASIC, &a);
	if (rc < 0) {
		put_fid(c, &fid);
		return fail(w, "getattr", rc);
	}
	rc = put_fid(c, &fid);
	return rc < 0 ? fail(w, "clunk", rc) : 0;
}

/* Tlcreate + Twrite 4 KiB + Tclunk + removal (see remove_name): one op. */
static int step_create(struct p9load_worker *w)
{
	struct p9_client *c = w->cn->c;
	char name[64];
	snprintf(name, sizeof name, "c%d.%u.%llu", (int)getpid(), w->id,
		 (unsigned long long)w->seq++);
	uint32_t fid;
	int rc = create_in(c, w->dirfid, name, P9_DOTL_WRONLY | P9_DOTL_EXCL, &fid);
	if (rc < 0)
		return fail(w, "lcreate", rc);
	rc = write_all(c, fid, 0, w->buf, SMALL_IO);
	int rc2 = put_fid(c, &fid);
	int rc3 = remove_name(w, name);
	if (rc < 0)
		return fail(w, "write", rc);
	if (rc2 < 0)
		return fail(w, "clunk", rc2);
	if (rc3 < 0)
		return fail(w, w->use_remove || w->o->unlink_mode == P9LOAD_REMOVE ? "remove" : "unlinkat",
			    rc3);
	atomic_fetch_add_explicit(&w->bytes, SMALL_IO, memory_order_relaxed);
	return 0;
}

static int step_randread(struct p9load_worker *w)
{
	uint64_t blocks = w->o->big_size / SMALL_IO;
	uint64_t off = (next_rand(&w->rng) % blocks) * SMALL_IO;
	ssize_t n = p9_read(w->cn->c, w->fid, off, w->buf, SMALL_IO);
	if (n < 0)
		return fail(w, "read", (int)n);
	if (n != SMALL_IO)
		return fail(w, "short read", -EIO);
	atomic_fetch_add_explicit(&w->bytes, (uint64_t)n, memory_order_relaxed);
	return 0;
}

static int step_seqread(struct p9load_worker *w)
{
	if (w->off >= w->o->big_size)
		w->off = 0;
	ssize_t n = p9_read(w->cn->c, w->fid, w->off, w->buf, w->chunk);
	if (n < 0)
		return fail(w, "read", (int)n);
	if (n == 0)
		return fail(w, "read hit EOF early (fixture shrank?)", -EIO);
	w->off += (uint64_t)n;
	atomic_fetch_add_explicit(&w->bytes, (uint64_t)n, memory_order_relaxed);
	return 0;
}

static int step_seqwrite(struct p9load_worker *w)
{
	if (w->off >= w->o->wrap)
		w->off = 0;   /* rewrite in place: tmpfs memory stays bounded */
	ssize_t n = p9_write(w->cn->c, w->fid, w->off, w->buf, w->chunk);
	if (n < 0)
		return fail(w, "write", (int)n);
	if (n == 0)
		return fail(w, "write returned 0", -EIO);
	w->off += (uint64_t)n;
	atomic_fetch_add_explicit(&w->bytes, (uint64_t)n, memory_order_relaxed);
	return 0;
}

static const struct p9load_workload workloads[] = {
	{ "walk", false, prepare_meta, setup_plain, step_walk, teardown },
	{ "create", false, prepare_meta, setup_plain, step_create, teardown },
	{ "randread", false, prepare_big, setup_randread, step_randread, teardown },
	{ "seqread", true, prepare_big, setup_seqread, step_seqread, teardown },
	{ "seqwrite", true, prepare_meta, setup_seqwrite, step_seqwrite, teardown },
};

const struct p9load_workload *p9load_find(const char *name)
{
	for (size_t k = 0; k < sizeof workloads / sizeof workloads[0]; k++)
		if (strcmp(workloads[k].name, name) == 0)
			return &workloads[k];
	return NULL;
}

const char *p9load_names(void)
{
	return "walk create randread seqread seqwrite";
}
