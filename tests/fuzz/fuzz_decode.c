/* libFuzzer target for the 9P2000.L decoder, with an oracle.
 *
 * For each input and a few msizes, both decoders run.  A decode that fails
 * must fail with one of the documented errnos.  A decode that succeeds must:
 *  - be in the right direction (never both a request and a reply),
 *  - still succeed at every larger msize (all limits are upper bounds),
 *  - re-encode to exactly the input bytes (the wire format is canonical),
 *    and not fit one byte less,
 *  - decode again to the same fields.
 * The input is also walked as packed dirents, as is every Rreaddir payload:
 * each entry must re-encode to its own bytes.  Any violation abort()s.
 *
 * Built two ways: with tests/fuzz/replay.c into a plain program that `make
 * check` runs over the seed corpus, and by tests/fuzz/run.sh with
 * -fsanitize=fuzzer. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p9/p9.h"
#include "p9_msgcmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DIRENT_MAX (P9_QIDSZ + 8 + 1 + 2 + UINT16_MAX)

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_decode oracle: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

/* Walk data as packed dirents; each entry re-encodes to its own bytes. */
static void walk_dirents(const uint8_t *data, size_t len)
{
	static uint8_t again[DIRENT_MAX];
	size_t pos = 0;

	for (;;) {
		size_t start = pos;
		struct p9_dirent e;
		int rc = p9_dirent_next(data, len, &pos, &e);
		int n;

		if (rc == 0) {
			if (pos != len)
				die("dirent end before the data ends", NULL);
			return;
		}
		if (rc < 0) {
			if (rc != -EBADMSG || pos != start)
				die("dirent error is not -EBADMSG with pos kept", NULL);
			return;
		}
		if (rc != 1 || pos != start + P9_QIDSZ + 8 + 1 + 2 + e.name.len)
			die("dirent length", NULL);
		n = p9_dirent_put(again, sizeof(again), &e.qid, e.offset, e.type, e.name.s,
				  e.name.len);
		if (n < 0 || (size_t)n != pos - start || memcmp(again, data + start, (size_t)n))
			die("dirent does not re-encode to its bytes", NULL);
	}
}

static bool documented_error(int rc)
{
	return rc == -EBADMSG || rc == -EMSGSIZE || rc == -EPROTO || rc == -E2BIG;
}

static int decode(bool request, const uint8_t *b, size_t len, uint32_t msize, struct p9_msg *m)
{
	if (request)
		return p9_decode_request(b, len, msize, m);
	return p9_decode_reply(b, len, msize, m);
}

/* A decoded message must re-encode to the same bytes and decode again to
 * the same fields. */
static void check_reencode(const struct p9_msg *m, const uint8_t *data, size_t size,
			   uint32_t msize, bool request)
{
	uint8_t *out = malloc(size);
	uint8_t *small = malloc(size - 1 ? size - 1 : 1);
	struct p9_msg again;
	const char *diff;
	int n;

	if (!out || !small)
		die("out of memory", NULL);
	n = p9_encode(m, out, size);
	if (n < 0 || (size_t)n != size)
		die("re-encode length differs", p9_type_name(m->type));
	if (memcmp(out, data, size))
		die("re-encode bytes differ", p9_type_name(m->type));
	if (p9_encode(m, small, size - 1) != -EMSGSIZE)
		die("encode fits in one byte less", p9_type_name(m->type));
	if (decode(request, out, size, msize, &again) != 0)
		die("re-decode failed", p9_type_name(m->type));
	diff = p9_msg_diff(m, &again);
	if (diff)
		die("re-decode field differs", diff);
	free(small);
	free(out);
}

/* Limits the decoder promised on success. */
static void check_limits(const struct p9_msg *m, size_t size, uint32_t msize, bool request)
{
	uint64_t io = msize > P9_IOHDRSZ ? (uint64_t)msize - P9_IOHDRSZ : 0;

	if (size > msize || size < P9_HDRSZ)
		die("accepted size outside [7, msize]", NULL);
	if (request != (p9_is_request(m->type) != 0))
		die("accepted the wrong direction", p9_type_name(m->type));
	if ((m->type == P9_TWALK && m->u.twalk.nwname > P9_MAXWELEM) ||
	    (m->type == P9_RWALK && m->u.rwalk.nwqid > P9_MAXWELEM))
		die("accepted more than 16 walk elements", NULL);
	if ((m->type == P9_TREAD && m->u.tread.count > io) ||
	    (m->type == P9_TREADDIR && m->u.treaddir.count > io) ||
	    (m->type == P9_TWRITE && m->u.twrite.count > io))
		die("accepted an I/O count above msize - 24", p9_type_name(m->type));
}

/* Returns whether the decode succeeded. */
static bool check_one(const uint8_t *data, size_t size, uint32_t msize, bool request)
{
	struct p9_msg m;
	int rc = decode(request, data, size, msize, &m);

	if (rc < 0) {
		if (!documented_error(rc))
			die("undocumented decode error", NULL);
		return false;
	}
	if (rc != 0)
		die("decode returned a positive value", NULL);
	check_limits(&m, size, msize, request);
	check_reencode(&m, data, size, msize, request);
	if (m.type == P9_RREADDIR)
		walk_dirents(m.u.rreaddir.data, m.u.rreaddir.count);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* ascending, so success must persist from the first success on */
	const uint32_t msizes[] = { 24, 64, P9_MIN_MSIZE, 8192, P9_MAX_MSIZE, UINT32_MAX };

	walk_dirents(data, size);
	for (int dir = 0; dir < 2; dir++) {
		bool request = dir == 0, ok_before = false;

		for (size_t i = 0; i < sizeof(msizes) / sizeof(msizes[0]); i++) {
			bool ok = check_one(data, size, msizes[i], request);

			if (ok_before && !ok)
				die("rejected at a larger msize", NULL);
			ok_before = ok;
		}
		/* msize equal to the message length is the tightest accepted */
		if (size <= UINT32_MAX)
			(void)check_one(data, size, (uint32_t)size, request);
	}
	/* the two decoders never both accept one message */
	{
		struct p9_msg a, b;

		if (p9_decode_request(data, size, UINT32_MAX, &a) == 0 &&
		    p9_decode_reply(data, size, UINT32_MAX, &b) == 0)
			die("both decoders accepted", NULL);
	}
	return 0;
}
