/* What the client commands print from tend's answers (client_http.h
 * fetches them): the status table and the health lines on stdout, and
 * every message on stderr as one line "tend: ...". */
#ifndef TEND_CLIENT_RENDER_H
#define TEND_CLIENT_RENDER_H

#include <stdbool.h>

#include "client_http.h"
#include "json.h"

void client_complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "SUBJECT: the error of an error answer" (or its HTTP status, when it
 * gives none). */
void client_report_error(const struct client_answer *a, const char *subject);
/* The answer's body as JSON; false after reporting that it is not. */
bool client_answer_json(const struct client_answer *a, const char *socket_path, struct json_doc *doc);

/* tend status: the summary line and a table of the programs of /health;
 * false after reporting (out of memory). */
bool client_print_status(const struct json_value *root);
/* tend health: "ready", or "not_ready; not ready: NAME (STATE...), ..." */
void client_print_health(const struct json_value *root, bool ready);
/* tend health NAME: "NAME: ok (STATE...)" or "NAME: not ready (...)" */
void client_print_program_health(const char *name, const struct json_value *program, bool ready);
/* tend start|stop|restart NAME, tend signal NAME SIG: what tend accepted
 * (answer 202), or why not. */
void client_print_control(const struct client_answer *a, const char *action, const char *name, const char *sig);

#endif
