/* A fixed set of valid 9P2000.L messages, at least one of every T and R
 * type, with every field set to a distinct value.  The unit tests round-trip
 * and truncate them; gen_corpus writes them out as the fuzzer's seeds. */
#ifndef BURROW_TEST_P9_SAMPLES_H
#define BURROW_TEST_P9_SAMPLES_H

#include <stddef.h>
#include "p9/p9.h"

/* Returns the samples and their number in *n.  Strings and payloads point
 * to static storage.  Deterministic; not thread-safe on first call. */
const struct p9_msg *p9_samples(size_t *n);

#endif
