/* qids: path unique per (st_dev, st_ino) inside an export; version 0
 * (see qid.c for why). */
#ifndef BURROW_GOFER_QID_H
#define BURROW_GOFER_QID_H

#include <stdint.h>
#include <sys/stat.h>

#include "p9/p9.h"

/* Register the export's own device first so its inodes map to themselves. */
void qid_register_dev(dev_t dev);
uint8_t qid_type_of_mode(mode_t mode);
uint64_t qid_path(dev_t dev, ino_t ino);
struct p9_qid qid_from_stat(const struct stat *st);

#endif
