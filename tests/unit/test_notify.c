/* The sd_notify side of tend (notify.c): parsing a datagram's text, and
 * receiving real datagrams on a socket bound in a temp dir, with the sender
 * known from its credentials and any fds passed along closed. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "notify.h"

static struct notify_message parse(const char *text, size_t len)
{
	struct notify_message m;
	memset(&m, 0, sizeof m);
	notify_parse(text, len, &m);
	return m;
}
#define PARSE(lit) parse(lit, sizeof lit - 1)

/* ---- notify_parse ---- */

static void parse_ready(void **state)
{
	(void)state;
	struct notify_message m = PARSE("READY=1\n");
	assert_true(m.ready);
	assert_false(m.watchdog);
	assert_false(m.has_status);
	/* no trailing newline: the end of the datagram ends the line */
	m = PARSE("READY=1");
	assert_true(m.ready);
}

static void parse_watchdog(void **state)
{
	(void)state;
	struct notify_message m = PARSE("WATCHDOG=1\n");
	assert_true(m.watchdog);
	assert_false(m.ready);
	m = PARSE("WATCHDOG=1");
	assert_true(m.watchdog);
	/* systemd's WATCHDOG=trigger is not a ping */
	m = PARSE("WATCHDOG=trigger\n");
	assert_false(m.watchdog);
}

static void parse_not_ready(void **state)
{
	(void)state;
	struct notify_message m = PARSE("READY=0\n");
	assert_false(m.ready);
	m = PARSE("READY=\n");
	assert_false(m.ready);
	m = PARSE("READY=10\n");
	assert_false(m.ready);
	m = PARSE("READY=1 \n");
	assert_false(m.ready);
	m = PARSE("XREADY=1\n");
	assert_false(m.ready);
	m = PARSE("ready=1\n");
	assert_false(m.ready);
	m = PARSE("");
	assert_false(m.ready);
	assert_false(m.watchdog);
	assert_false(m.has_status);
}

static void parse_status(void **state)
{
	(void)state;
	struct notify_message m = PARSE("STATUS=warming up: 3 of 7 caches\n");
	assert_true(m.has_status);
	assert_string_equal(m.status, "warming up: 3 of 7 caches");
	assert_false(m.ready);
	/* no trailing newline */
	m = PARSE("STATUS=serving");
	assert_true(m.has_status);
	assert_string_equal(m.status, "serving");
	/* an empty status clears it */
	m = PARSE("STATUS=\n");
	assert_true(m.has_status);
	assert_string_equal(m.status, "");
	/* the last one of a datagram wins */
	m = PARSE("STATUS=one\nSTATUS=two\n");
	assert_string_equal(m.status, "two");
}

static void parse_status_control_chars(void **state)
{
	(void)state;
	/* tabs, escapes, CR, control bytes, DEL and a NUL: each a space */
	static const char text[] = "STATUS=a\tb\033[31mc\rd\x01" "e\0f\x7fg\n";
	struct notify_message m = parse(text, sizeof text - 1);
	assert_true(m.has_status);
	assert_string_equal(m.status, "a b [31mc d e f g");
	for (const char *c = m.status; *c; c++)
		assert_true((unsigned char)*c >= 0x20 && *c != 0x7f);
	/* bytes >= 0x80 (UTF-8) are kept as they are */
	m = PARSE("STATUS=caf\xc3\xa9\n");
	assert_string_equal(m.status, "caf\xc3\xa9");
}

static void parse_status_too_long(void **state)
{
	(void)state;
	char text[1000];
	strcpy(text, "STATUS=");
	size_t n = strlen(text);
	for (int i = 0; i < 600; i++)
		text[n++] = (char)('a' + i % 26);
	memcpy(text + n, "\nREADY=1\n", 9);
	n += 9;
	struct notify_message m = parse(text, n);
	assert_true(m.has_status);
	assert_int_equal(strlen(m.status), NOTIFY_STATUS_MAX);
	assert_memory_equal(m.status, text + 7, NOTIFY_STATUS_MAX);
	/* the line after the long one is still read */
	assert_true(m.ready);
	/* exactly the maximum: kept whole */
	memset(text, 'x', sizeof text);
	memcpy(text, "STATUS=", 7);
	m = parse(text, 7 + NOTIFY_STATUS_MAX);
	assert_int_equal(strlen(m.status), NOTIFY_STATUS_MAX);
}

/* STATUS= text cut at NOTIFY_STATUS_MAX bytes, where the cut would fall
 * inside a character of 2, 3 or 4 bytes: the character is left out whole,
 * never split into bytes that are no UTF-8 (which /health must escape). */
static void parse_status_cut_between_characters(void **state)
{
	(void)state;
	static const char *const chars[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80" };
	for (size_t c = 0; c < 3; c++) {
		size_t clen = strlen(chars[c]);
		/* the character starts at each offset that makes it cross the cut */
		for (size_t before = NOTIFY_STATUS_MAX - clen + 1; before < NOTIFY_STATUS_MAX; before++) {
			char text[NOTIFY_STATUS_MAX + 64];
			memcpy(text, "STATUS=", 7);
			memset(text + 7, 'a', before);
			memcpy(text + 7 + before, chars[c], clen);
			memcpy(text + 7 + before + clen, "tail", 4);
			struct notify_message m = parse(text, 7 + before + clen + 4);
			assert_true(m.has_status);
			if (strlen(m.status) != before)
				fail_msg("%zu-byte character at %zu: kept %zu bytes, expected %zu", clen, before,
					 strlen(m.status), before);
		}
		/* ending right at the cut: kept */
		char text[NOTIFY_STATUS_MAX + 64];
		size_t before = NOTIFY_STATUS_MAX - clen;
		memcpy(text, "STATUS=", 7);
		memset(text + 7, 'a', before);
		memcpy(text + 7 + before, chars[c], clen);
		memcpy(text + 7 + before + clen, "tail", 4);
		struct notify_message m = parse(text, 7 + before + clen + 4);
		assert_int_equal(strlen(m.status), NOTIFY_STATUS_MAX);
		assert_memory_equal(m.status + before, chars[c], clen);
	}
	/* bytes of no character are kept as far as the cut (JSON escapes them) */
	char text[NOTIFY_STATUS_MAX + 64];
	memcpy(text, "STATUS=", 7);
	memset(text + 7, '\xff', NOTIFY_STATUS_MAX + 10);
	struct notify_message m = parse(text, 7 + NOTIFY_STATUS_MAX + 10);
	assert_int_equal(strlen(m.status), NOTIFY_STATUS_MAX);
}

static void parse_several_lines(void **state)
{
	(void)state;
	struct notify_message m = PARSE("STATUS=up\nMAINPID=42\nREADY=1\nWATCHDOG=1\n");
	assert_true(m.ready);
	assert_true(m.watchdog);
	assert_true(m.has_status);
	assert_string_equal(m.status, "up");
	/* blank lines and unknown keys in between are skipped */
	m = PARSE("\n\nFOO=bar\nWATCHDOG=1\n\nREADY=1");
	assert_true(m.ready);
	assert_true(m.watchdog);
	assert_false(m.has_status);
}

static void parse_junk(void **state)
{
	(void)state;
	static const char junk[] = "\xff\xfe\x00READY=1x\n=\n==\nSTATUS\nWATCHDOG\n\x00\x00\x00";
	struct notify_message m = parse(junk, sizeof junk - 1);
	assert_false(m.ready);
	assert_false(m.watchdog);
	assert_false(m.has_status);
	/* a NUL ends nothing: the line "READY=1\0" is not "READY=1" */
	static const char nul[] = "READY=1\0\n";
	m = parse(nul, sizeof nul - 1);
	assert_false(m.ready);
	/* random bytes of every value, many times: no crash (ASan watches) */
	unsigned seed = 12345;
	char buf[512];
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof buf);
		for (size_t i = 0; i < len; i++) {
			int r = rand_r(&seed) % 8;
			buf[i] = r == 0 ? '\n' : r == 1 ? '=' : (char)rand_r(&seed);
		}
		m = parse(buf, len);
		assert_true(strlen(m.status) <= NOTIFY_STATUS_MAX);
	}
}

/* ---- notify_open and notify_receive on a real socket ---- */

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/tend-notify-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tree(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static bool wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, ms) == 1;
}

/* A datagram to path, from this process, with fds attached when nfds > 0. */
static void send_to(const char *path, const void *data, size_t len, const int *fds, int nfds)
{
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	union {
		struct cmsghdr align;
		char space[CMSG_SPACE(sizeof(int) * 8)];
	} control;
	memset(&control, 0, sizeof control);
	struct msghdr msg = { .msg_name = &a, .msg_namelen = sizeof a, .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		msg.msg_control = &control;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	ssize_t sent = sendmsg(s, &msg, 0);
	if (sent != (ssize_t)len)
		fail_msg("sendmsg to %s: %s", path, strerror(errno));
	close(s);
}

static char *sock_path(const char *rel)
{
	static char path[108];
	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	return path;
}

static void open_makes_parents(void **state)
{
	(void)state;
	char err[256] = "";
	const char *path = sock_path("run/tend/notify/web.sock");
	int fd = notify_open(path, err, sizeof err);
	if (fd < 0)
		fail_msg("notify_open: %s", err);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0666);
	/* close-on-exec and non-blocking: programs do not inherit it */
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	/* nothing there yet: no message, at once */
	struct notify_message m;
	assert_false(notify_receive(fd, &m));
	close(fd);
	/* a stale socket file (a dead tend's) is replaced */
	fd = notify_open(path, err, sizeof err);
	if (fd < 0)
		fail_msg("notify_open over an old socket: %s", err);
	send_to(path, "READY=1", 7, NULL, 0);
	assert_true(wait_readable(fd, 2000));
	assert_true(notify_receive(fd, &m));
	assert_true(m.ready);
	assert_int_equal(m.sender, getpid());
	close(fd);
}

static void open_errors(void **state)
{
	(void)state;
	char err[256] = "";
	char path[300];
	memset(path, 0, sizeof path);
	snprintf(path, sizeof path, "%s/", tmpdir);
	memset(path + strlen(path), 'x', 150);
	assert_int_equal(notify_open(path, err, sizeof err), -1);
	assert_contains(err, "too long");
	/* a parent that is a regular file */
	char *file = write_temp_file(tmpdir, "plain", "x");
	snprintf(path, sizeof path, "%s/sub/a.sock", file);
	err[0] = '\0';
	assert_int_equal(notify_open(path, err, sizeof err), -1);
	assert_true(err[0] != '\0');
	free(file);
}

/* The sender's pid comes from the kernel: a forked child's own pid. */
static void sender_is_the_child(void **state)
{
	(void)state;
	char err[256];
	const char *path = sock_path("notify/child.sock");
	int fd = notify_open(path, err, sizeof err);
	if (fd < 0)
		fail_msg("notify_open: %s", err);
	int go[2];
	assert_int_equal(pipe(go), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(go[1]);
		int s = socket(AF_UNIX, SOCK_DGRAM, 0);
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
		const char msg[] = "STATUS=from the child\nREADY=1\n";
		bool ok = sendto(s, msg, sizeof msg - 1, 0, (struct sockaddr *)&a, sizeof a) == (ssize_t)(sizeof msg - 1);
		/* stay until the parent has read it, so that the pid is still ours */
		char c;
		ssize_t r = read(go[0], &c, 1);
		(void)r;
		_exit(ok ? 0 : 1);
	}
	close(go[0]);
	assert_true(wait_readable(fd, 5000));
	struct notify_message m;
	assert_true(notify_receive(fd, &m));
	assert_int_equal(m.sender, child);
	assert_true(m.sender != getpid());
	assert_true(m.ready);
	assert_string_equal(m.status, "from the child");
	close(go[1]);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_false(notify_receive(fd, &m));
	close(fd);
}

/* fds sent along with SCM_RIGHTS never stay open in tend. */
static void passed_fds_are_closed(void **state)
{
	(void)state;
	char err[256];
	const char *path = sock_path("notify/fds.sock");
	int fd = notify_open(path, err, sizeof err);
	if (fd < 0)
		fail_msg("notify_open: %s", err);
	int before = count_fds();
	for (int round = 0; round < 20; round++) {
		int fds[4];
		for (int i = 0; i < 4; i++) {
			fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
			assert_true(fds[i] >= 0);
		}
		send_to(path, "READY=1\n", 8, fds, round % 4 + 1);
		for (int i = 0; i < 4; i++)
			close(fds[i]);	/* only the copies in flight are left */
		assert_true(wait_readable(fd, 2000));
		struct notify_message m;
		assert_true(notify_receive(fd, &m));
		assert_true(m.ready);
		assert_int_equal(m.sender, getpid());
		assert_int_equal(count_fds(), before);
	}
	/* the same from another process, with many fds */
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int fds[8];
		for (int i = 0; i < 8; i++)
			fds[i] = open("/dev/null", O_RDONLY);
		send_to(path, "WATCHDOG=1", 10, fds, 8);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(wait_readable(fd, 2000));
	struct notify_message m;
	assert_true(notify_receive(fd, &m));
	assert_true(m.watchdog);
	assert_int_equal(count_fds(), before);
	close(fd);
}

/* A datagram larger than the buffer: its start is still read, the rest
 * dropped; the next datagram is read whole. Each datagram is one message. */
static void big_and_several_datagrams(void **state)
{
	(void)state;
	char err[256];
	const char *path = sock_path("notify/big.sock");
	int fd = notify_open(path, err, sizeof err);
	if (fd < 0)
		fail_msg("notify_open: %s", err);
	size_t len = 20000;
	char *big = malloc(len);
	assert_non_null(big);
	memset(big, 'x', len);
	memcpy(big, "READY=1\nSTATUS=big\n", 19);
	big[19] = 'X';
	send_to(path, big, len, NULL, 0);
	send_to(path, "WATCHDOG=1\n", 11, NULL, 0);
	send_to(path, "STATUS=last", 11, NULL, 0);
	free(big);
	struct notify_message m;
	assert_true(wait_readable(fd, 2000));
	assert_true(notify_receive(fd, &m));
	assert_true(m.ready);
	assert_string_equal(m.status, "big");
	assert_false(m.watchdog);
	assert_true(notify_receive(fd, &m));
	assert_true(m.watchdog);
	assert_false(m.ready);	/* each message on its own: nothing carried over */
	assert_false(m.has_status);
	assert_true(notify_receive(fd, &m));
	assert_string_equal(m.status, "last");
	assert_false(notify_receive(fd, &m));
	/* an empty datagram is a message with nothing in it */
	send_to(path, "", 0, NULL, 0);
	assert_true(wait_readable(fd, 2000));
	assert_true(notify_receive(fd, &m));
	assert_false(m.ready || m.watchdog || m.has_status);
	assert_int_equal(m.sender, getpid());
	close(fd);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_ready),
		cmocka_unit_test(parse_watchdog),
		cmocka_unit_test(parse_not_ready),
		cmocka_unit_test(parse_status),
		cmocka_unit_test(parse_status_control_chars),
		cmocka_unit_test(parse_status_too_long),
		cmocka_unit_test(parse_status_cut_between_characters),
		cmocka_unit_test(parse_several_lines),
		cmocka_unit_test(parse_junk),
		cmocka_unit_test(open_makes_parents),
		cmocka_unit_test(open_errors),
		cmocka_unit_test(sender_is_the_child),
		cmocka_unit_test(passed_fds_are_closed),
		cmocka_unit_test(big_and_several_datagrams),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_tree);
}
