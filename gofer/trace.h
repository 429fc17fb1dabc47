/* --debug protocol trace: one log line per message, e.g.
 *   <- Twalk tag 3 fid 1 newfid 2 nwname 2 'a' 'b'
 *   -> Rwalk tag 3 nwqid 2 */
#ifndef BURROW_GOFER_TRACE_H
#define BURROW_GOFER_TRACE_H

#include "p9/p9.h"

void trace_request(const struct p9_msg *m);
void trace_reply(const struct p9_msg *m);

#endif
