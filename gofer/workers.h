/* A bounded pool of worker threads running host I/O for every connection.
 * Work items are intrusive (no allocation per request); the queue is
 * bounded by the per-connection in-flight limit times the connections. */
#ifndef BURROW_GOFER_WORKERS_H
#define BURROW_GOFER_WORKERS_H

struct work {
	struct work *next;
	void (*fn)(struct work *w);
};

/* Start n threads (n >= 1).  0 or -errno. */
int workers_start(unsigned n);
void workers_submit(struct work *w);
/* Finish queued work, join the threads. */
void workers_stop(void);

#endif
