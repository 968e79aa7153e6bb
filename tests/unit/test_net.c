/* net.c: the socket helpers, on real sockets in a temporary directory. */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "net.h"

static char dir[] = "/tmp/tend-test-net.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static void assert_cloexec_nonblock(int fd, bool nonblock)
{
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, nonblock);
}

static void host_port(void **state)
{
	(void)state;
	struct sockaddr_storage a;
	socklen_t len;
	char err[128];
	assert_true(net_parse_host_port("127.0.0.1:8080", &a, &len, err, sizeof err));
	assert_int_equal(a.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(((struct sockaddr_in *)&a)->sin_port), 8080);
	assert_true(net_parse_host_port("localhost:1", &a, &len, err, sizeof err));
	assert_int_equal(((struct sockaddr_in *)&a)->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_true(net_parse_host_port("[::1]:65535", &a, &len, err, sizeof err));
	assert_int_equal(a.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_true(net_parse_host_port("0.0.0.0:9", &a, &len, err, sizeof err));

	assert_false(net_parse_host_port("127.0.0.1", &a, &len, err, sizeof err));
	assert_string_equal(err, "\"127.0.0.1\" is not HOST:PORT");
	assert_false(net_parse_host_port("[::1]8080", &a, &len, err, sizeof err));
	assert_string_equal(err, "\"[::1]8080\" is not [IPV6]:PORT");
	assert_false(net_parse_host_port("127.0.0.1:0", &a, &len, err, sizeof err));
	assert_string_equal(err, "\"127.0.0.1:0\" has no port from 1 to 65535");
	assert_false(net_parse_host_port("127.0.0.1:65536", &a, &len, err, sizeof err));
	assert_false(net_parse_host_port("127.0.0.1:", &a, &len, err, sizeof err));
	assert_false(net_parse_host_port("127.0.0.1:80x", &a, &len, err, sizeof err));
	assert_false(net_parse_host_port("example.com:80", &a, &len, err, sizeof err));
	assert_string_equal(err, "\"example.com\" is not a numeric address (or localhost)");
}

static void unix_path_length(void **state)
{
	(void)state;
	char path[NET_UNIX_PATH_MAX + 2];
	memset(path, 'x', sizeof path - 1);
	path[0] = '/';
	path[NET_UNIX_PATH_MAX] = '\0';
	assert_true(net_unix_path_fits(path));
	path[NET_UNIX_PATH_MAX] = 'x';
	path[NET_UNIX_PATH_MAX + 1] = '\0';
	assert_false(net_unix_path_fits(path));
	char err[128];
	assert_int_equal(net_unix_listen(path, 0600, 1, err, sizeof err), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_contains(err, "socket path too long (at most 107 bytes)");
	assert_int_equal(net_unix_dgram_bind(path, 0600, err, sizeof err), -1);
	int fd = net_socket(AF_UNIX, SOCK_STREAM, err, sizeof err);
	assert_false(net_unix_connect(fd, path, err, sizeof err));
	assert_int_equal(errno, ENAMETOOLONG);
	close(fd);
}

static void unix_listen_and_connect(void **state)
{
	(void)state;
	char path[128], err[128];
	snprintf(path, sizeof path, "%s/api.sock", dir);
	int l = net_unix_listen(path, 0660, 4, err, sizeof err);
	assert_cloexec_nonblock(l, true);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);	/* whatever the umask */

	int c = net_socket(AF_UNIX, SOCK_STREAM, err, sizeof err);
	assert_cloexec_nonblock(c, false);
	assert_true(net_unix_connect(c, path, err, sizeof err));
	int a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	assert_true(a >= 0);
	close(a);
	close(c);

	/* a second listener on a live path: bind fails, errno kept */
	assert_int_equal(net_unix_listen(path, 0600, 4, err, sizeof err), -1);
	assert_int_equal(errno, EADDRINUSE);
	assert_string_equal(err + strlen(err) - strlen(strerror(EADDRINUSE)), strerror(EADDRINUSE));
	assert_contains(err, "cannot listen on ");
	close(l);

	/* nobody there any more */
	c = net_socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, err, sizeof err);
	assert_cloexec_nonblock(c, true);
	assert_false(net_unix_connect(c, path, err, sizeof err));
	assert_int_equal(errno, ECONNREFUSED);
	unlink(path);
	assert_false(net_unix_connect(c, path, err, sizeof err));
	assert_int_equal(errno, ENOENT);
	assert_contains(err, strerror(ENOENT));
	close(c);
}

static void datagram_bind(void **state)
{
	(void)state;
	char path[128], err[128];
	snprintf(path, sizeof path, "%s/notify.sock", dir);
	int fd = net_unix_dgram_bind(path, 0666, err, sizeof err);
	assert_cloexec_nonblock(fd, true);
	int on = 0;
	socklen_t len = sizeof on;
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, &len), 0);
	assert_true(on);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666);
	assert_int_equal(net_unix_dgram_bind(path, 0666, err, sizeof err), -1);
	assert_int_equal(errno, EADDRINUSE);
	close(fd);
	unlink(path);
}

static void tcp_listen_and_connect(void **state)
{
	(void)state;
	char err[128];
	assert_int_equal(net_tcp_listen("nope:80", 4, err, sizeof err), -1);
	assert_string_equal(err, "\"nope\" is not a numeric address (or localhost)");

	/* a free port, found by binding port 0 */
	int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	assert_int_equal(bind(probe, (struct sockaddr *)&a, sizeof a), 0);
	getsockname(probe, (struct sockaddr *)&a, &alen);
	close(probe);
	char hp[64];
	snprintf(hp, sizeof hp, "127.0.0.1:%d", ntohs(a.sin_port));
	int l = net_tcp_listen(hp, 4, err, sizeof err);
	if (l < 0)
		fail_msg("net_tcp_listen %s: %s", hp, err);
	assert_cloexec_nonblock(l, true);

	struct sockaddr_storage ss;
	socklen_t sslen;
	assert_true(net_parse_host_port(hp, &ss, &sslen, err, sizeof err));
	int c = net_tcp_connect(&ss, sslen, err, sizeof err);
	assert_cloexec_nonblock(c, true);
	close(c);
	/* the same port taken */
	assert_int_equal(net_tcp_listen(hp, 4, err, sizeof err), -1);
	assert_int_equal(errno, EADDRINUSE);
	char expected[128];
	snprintf(expected, sizeof expected, "cannot listen on %s: %s", hp, strerror(EADDRINUSE));
	assert_string_equal(err, expected);
	close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(host_port),
		cmocka_unit_test(unix_path_length),
		cmocka_unit_test(unix_listen_and_connect),
		cmocka_unit_test(datagram_bind),
		cmocka_unit_test(tcp_listen_and_connect),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
