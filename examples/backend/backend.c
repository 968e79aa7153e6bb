/* The example backend: a stand-in for the seed's Rust backend. Serves JSON
 * on /api/health, /api/status and /api/v1/towns/selection, one request per
 * connection, and exits cleanly on SIGTERM. Kept deliberately simple: it is
 * the program tend supervises, not part of tend.
 *
 * usage: backend [PORT] (default $BACKEND_PORT, else 3000); BACKEND_DELAY=SECS
 * waits that long before serving, to show depends_on waiting for health.
 * Under tend's `listen` (or systemd's socket activation) it takes the
 * socket it is given as fd 3 (LISTEN_FDS, LISTEN_PID) and binds nothing:
 * connections that come while it restarts wait in that socket's backlog. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The head and the body in one send: a process killed between two sends
 * would leave the proxy with a head and half an answer, which it cannot
 * retry elsewhere; killed before the one send, the proxy sees no answer and
 * retries (config/nginx.conf). */
static void answer(int fd, int status, const char *body)
{
	char out[640];
	int n = snprintf(out, sizeof out,
			 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%s",
			 status, status == 200 ? "OK" : "Not Found", strlen(body), body);
	if (n > 0 && (size_t)n < sizeof out)
		send(fd, out, (size_t)n, MSG_NOSIGNAL);
}

static void serve(int fd, time_t started)
{
	char req[2048], body[256];
	struct timeval tv = { .tv_sec = 2 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	ssize_t n = recv(fd, req, sizeof req - 1, 0);
	if (n <= 0)
		return;
	req[n] = '\0';
	char *path = strchr(req, ' ');
	if (!path)
		return;
	path++;
	path[strcspn(path, " ?")] = '\0';
	if (strcmp(path, "/api/health") == 0) {
		answer(fd, 200, "{\"status\":\"ok\"}\n");
	} else if (strcmp(path, "/api/status") == 0) {
		snprintf(body, sizeof body, "{\"service\":\"backend\",\"pid\":%d,\"uptime\":%ld}\n", (int)getpid(),
			 (long)(time(NULL) - started));
		answer(fd, 200, body);
	} else if (strcmp(path, "/api/v1/towns/selection") == 0) {
		answer(fd, 200, "{\"towns\":[{\"id\":1,\"name\":\"Lisboa\"},{\"id\":2,\"name\":\"Porto\"},"
				"{\"id\":3,\"name\":\"Coimbra\"}]}\n");
	} else {
		answer(fd, 404, "{\"error\":\"not found\"}\n");
	}
}

/* The sd_listen_fds protocol: the first socket passed, fd 3, when
 * LISTEN_PID names this process (a variable inherited from a parent that
 * was given sockets itself does not count); -1 otherwise. The variables
 * are removed and the fd made close-on-exec, so that nothing this process
 * starts takes them for its own. */
static int passed_socket(void)
{
	const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	bool ours = fds && pid && atoi(fds) >= 1 && atol(pid) == (long)getpid();
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDNAMES");
	if (!ours)
		return -1;
	fcntl(3, F_SETFD, FD_CLOEXEC);
	return 3;
}

static int bind_port(int port)
{
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 64) < 0) {
		fprintf(stderr, "backend: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
		exit(1);
	}
	fprintf(stderr, "backend: listening on 127.0.0.1:%d\n", port);
	return lfd;
}

int main(int argc, char **argv)
{
	const char *port_text = argc > 1 ? argv[1] : getenv("BACKEND_PORT");
	int port = port_text ? atoi(port_text) : 3000;
	const char *delay = getenv("BACKEND_DELAY");
	struct sigaction sa = { .sa_handler = on_term };	/* no SA_RESTART: accept returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (delay)
		usleep((useconds_t)(atof(delay) * 1e6));
	int lfd = passed_socket();
	if (lfd >= 0)
		fprintf(stderr, "backend: serving on the socket passed as fd 3\n");
	else
		lfd = bind_port(port);
	time_t started = time(NULL);
	while (!stopping) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve(fd, started);
		close(fd);
	}
	fprintf(stderr, "backend: SIGTERM received, exiting cleanly\n");
	return 0;
}
