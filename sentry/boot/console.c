/* The app's terminal: a pty from the container's own devpts instance.
 * The master goes to the sentry (and on to burrow); the slave becomes
 * /dev/console and the app's controlling terminal. */
#include "process.h"
#include "resolve.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

static int bind_console(int master)
{
	unsigned int n;
	if (ioctl(master, TIOCGPTN, &n) < 0)
		return -errno;
	char pts[32];
	snprintf(pts, sizeof pts, "/dev/pts/%u", n);
	int root __cleanup_close = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	int fd __cleanup_close = resolve_create(root, "/dev/console", RESOLVE_FILE);
	if (fd < 0)
		return fd;
	struct fd_path p;
	return mount(pts, fd_path(&p, fd), NULL, MS_BIND, NULL) < 0 ? -errno : 0;
}

int console_open(const struct oci_process *p, int *master_out, int *slave_out)
{
	int master __cleanup_close = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return boot_errorf(-errno, "process.terminal: open /dev/ptmx");
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return boot_errorf(-errno, "process.terminal: unlock the pty");
	int slave __cleanup_close = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return boot_errorf(-errno, "process.terminal: open the pty peer");
	int r = bind_console(master);
	if (r < 0)
		return boot_errorf(r, "process.terminal: bind /dev/console");
	if (p->console_height && p->console_width) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height,
				      .ws_col = (unsigned short)p->console_width };
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return boot_errorf(-errno, "process.consoleSize");
	}
	/* The app's user owns its terminal (ignored when unmapped). */
	if (fchown(slave, p->uid, (gid_t)-1) < 0 && errno != EINVAL)
		return boot_errorf(-errno, "process.terminal: chown the pty");
	*master_out = steal_fd(&master);
	*slave_out = steal_fd(&slave);
	return 0;
}

int console_attach(int slave)
{
	if (setsid() < 0)
		return boot_errorf(-errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return boot_errorf(-errno, "make the pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return boot_errorf(-errno, "dup2 the pty");
	if (slave > 2)
		close(slave);
	return 0;
}
