/* Field-by-field comparison of two decoded 9P messages, shared by the unit
 * tests and the fuzz oracle. */
#ifndef BURROW_TEST_P9_MSGCMP_H
#define BURROW_TEST_P9_MSGCMP_H

#include "p9/p9.h"

/* NULL when a and b carry the same type, tag and fields (strings and
 * payloads compared by content); otherwise the name of the first field that
 * differs. */
const char *p9_msg_diff(const struct p9_msg *a, const struct p9_msg *b);

#endif
