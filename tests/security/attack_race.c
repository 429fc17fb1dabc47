/* The symlink swap race (CVE-2016-9602 class): on the host, a directory
 * and a symlink to the canary tree trade names with
 * renameat2(RENAME_EXCHANGE) in a tight loop while clients walk to either
 * name and create, open, rename and unlink through what they got.  Nothing
 * may land outside the export; the creations that succeed must be in the
 * real directory. */
#include "attack.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

struct race {
	struct sec_env *e;
	atomic_bool stop;
	atomic_long swaps, created, breaches, ops;
};

static void *swapper(void *arg)
{
	struct race *r = arg;
	int d = open(r->e->export, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return NULL;
	while (!atomic_load(&r->stop))
		if (renameat2(d, "race_dir", d, "race_link", RENAME_EXCHANGE) == 0)
			atomic_fetch_add(&r->swaps, 1);
	close(d);
	return NULL;
}

/* One round through `name`: create, mkdir, symlink, open, rename, unlink. */
static void round_through(struct race *rc, struct sess *s, const char *name, int t, long i)
{
	const char *n1[] = { name };
	uint32_t f;
	char nm[64];
	if (sess_walk(s, s->root, 1, n1, &f, NULL) == 1) {
		snprintf(nm, sizeof nm, "evil_%d_%ld", t, i);
		if (p9_lcreate(s->c, f, nm, P9_DOTL_RDWR | P9_DOTL_CREATE | P9_DOTL_EXCL, 0644, 0,
			       NULL, NULL) == 0) {
			p9_write(s->c, f, 0, "x", 1);
			atomic_fetch_add(&rc->created, 1);
		}
		sess_clunk(s, f);
	}
	if (sess_walk(s, s->root, 1, n1, &f, NULL) == 1) {
		snprintf(nm, sizeof nm, "evild_%d_%ld", t, i);
		if (p9_mkdir(s->c, f, nm, 0755, 0, NULL) == 0)
			atomic_fetch_add(&rc->created, 1);
		snprintf(nm, sizeof nm, "evils_%d_%ld", t, i);
		if (p9_symlink(s->c, f, nm, "x", 0, NULL) == 0)
			atomic_fetch_add(&rc->created, 1);
		if (p9_renameat(s->c, f, "canary.txt", s->root, "stolen") == 0)
			atomic_fetch_add(&rc->breaches, 1);
		if (p9_unlinkat(s->c, f, "canary.txt", 0) == 0)
			atomic_fetch_add(&rc->breaches, 1);
		sess_clunk(s, f);
	}
	const char *n2[] = { name, "canary.txt" };
	if (sess_walk(s, s->root, 2, n2, &f, NULL) == 2) {
		atomic_fetch_add(&rc->breaches, 1);   /* walked into the canary tree */
		if (p9_lopen(s->c, f, P9_DOTL_RDWR, NULL, NULL) == 0)
			p9_write(s->c, f, 0, "pwned", 5);
		sess_clunk(s, f);
	}
	atomic_fetch_add(&rc->ops, 1);
}

struct walker_arg {
	struct race *r;
	int t;
};

static void *walker(void *arg)
{
	struct walker_arg *a = arg;
	struct sess s;
	if (sess_open(a->r->e, &s) < 0)
		return NULL;
	for (long i = 0; !atomic_load(&a->r->stop); i++)
		round_through(a->r, &s, (i & 1) ? "race_dir" : "race_link", a->t, i);
	sess_close(&s);
	return NULL;
}

/* Remove what the walkers made in the real directory (by fd, no path). */
static int clean_race_dir(const char *export)
{
	int ex = open(export, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int d = openat(ex, "race_dir", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d < 0)
		d = openat(ex, "race_link", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(ex);
	if (d < 0)
		return 0;
	int removed = 0;
	DIR *dir = fdopendir(d);
	struct dirent *de;
	while (dir && (de = readdir(dir))) {
		if (strncmp(de->d_name, "evil", 4))
			continue;
		if (unlinkat(d, de->d_name, 0) == 0 || unlinkat(d, de->d_name, AT_REMOVEDIR) == 0)
			removed++;
	}
	if (dir)
		closedir(dir);
	return removed;
}

static int count_evil(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += !strncmp(de->d_name, "evil", 4) || !strcmp(de->d_name, "stolen");
	if (d)
		closedir(d);
	return n;
}

void attack_symlink_race(struct sec_env *e)
{
	struct race r = { .e = e };
	const char *env = getenv("BURROW_RACE_SECONDS");
	int secs = env ? atoi(env) : 4;
	if (secs < 1)
		secs = 1;
	enum { WALKERS = 3 };
	pthread_t sw, wt[WALKERS];
	struct walker_arg args[WALKERS];
	pthread_create(&sw, NULL, swapper, &r);
	for (int i = 0; i < WALKERS; i++) {
		args[i] = (struct walker_arg){ &r, i };
		pthread_create(&wt[i], NULL, walker, &args[i]);
	}
	sleep((unsigned)secs);
	atomic_store(&r.stop, true);
	for (int i = 0; i < WALKERS; i++)
		pthread_join(wt[i], NULL);
	pthread_join(sw, NULL);

	int removed = clean_race_dir(e->export);
	NOTE("race: %ld swaps, %ld rounds, %ld creations (%d removed), %ld breaches", r.swaps,
	     r.ops, r.created, removed, r.breaches);
	CHECK(r.breaches == 0, "%ld operations reached the canary tree", r.breaches);
	CHECK(count_evil(e->outside) == 0, "files appeared in the canary tree");
	CHECK(count_evil(e->export) == 0, "files appeared in the export's root");
	CHECK(r.created == removed, "%ld creations succeeded, %d found in the real directory",
	      r.created, removed);
	/* The race must have run, or the test proves nothing. */
	CHECK(r.swaps > 100 && r.ops > 20 && r.created > 0,
	      "the race barely ran: %ld swaps, %ld rounds", r.swaps, r.ops);
}
