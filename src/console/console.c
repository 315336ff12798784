/*
 * console.c — the console's state that every part may read (struct console),
 * the clocks (monotonic milliseconds, the server's time) and who the agents are.
 * It calls nothing else of the console, so that every file can depend on it
 * without closing a circle.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "console.h"

struct console console;

static const char sql_whoami[] = "SELECT id, display_name, now FROM guichet.console_agent()";

/* id → login of the agents one may see, for the owner column of the indexes. */
static const char sql_agents[] = "SELECT id, login FROM guichet.agent_logins()";
static struct agent_name {
	int id;
	char *login;
} * agents;
static size_t nagents;

double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

time_t
server_now(void)
{
	return time(NULL) + console.clock_skew;
}

/* Who we are: the agent's row and the server's clock; a non-agent cannot go on. */
void
console_whoami(PGconn *pg)
{
	PGresult *res;
	char *cause = NULL;

	res = db_exec(pg, sql_whoami, 0, NULL, &cause, NULL);
	if (res == NULL)
		die(EX_UNAVAILABLE, "%s", cause);
	if (PQntuples(res) != 1) {
		PQclear(res);
		die(EX_NOPERM,
		    _("%s is not a guichet agent: ask an administrator "
		      "(guichet-admin agent add)"),
		    PQuser(pg));
	}
	console.login = xstrdup(PQuser(pg));
	console.agent_id = (int)db_int(res, 0, "id", 0);
	console.display_name = xstrdup(db_value(res, 0, "display_name"));
	console.clock_skew = db_int(res, 0, "now", 0) - time(NULL);
	PQclear(res);
}

void
console_load_agents(PGconn *pg)
{
	PGresult *res;
	char *cause = NULL;
	int i;

	if ((res = db_exec(pg, sql_agents, 0, NULL, &cause, NULL)) == NULL)
		die(EX_UNAVAILABLE, "%s", cause);
	nagents = (size_t)PQntuples(res);
	agents = xcalloc(nagents > 0 ? nagents : 1, sizeof *agents);
	for (i = 0; i < PQntuples(res); i++) {
		agents[i].id = (int)db_int(res, i, "id", 0);
		agents[i].login = xstrdup(db_value(res, i, "login"));
	}
	PQclear(res);
}

const char *
agent_login(int id)
{
	static char unknown[24];
	size_t lo = 0, hi = nagents;

	if (id == 0)
		return "";
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (agents[mid].id == id)
			return agents[mid].login;
		if (agents[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* An agent added since the start (or not visible): her number will do. */
	snprintf(unknown, sizeof unknown, "#%d", id);
	return unknown;
}

void
console_free(void)
{
	size_t i;

	config_free(console.config);
	free(console.login);
	free(console.display_name);
	for (i = 0; i < nagents; i++)
		free(agents[i].login);
	free(agents);
	agents = NULL;
	nagents = 0;
}
