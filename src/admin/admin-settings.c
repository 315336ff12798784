/*
 * admin-settings.c — the part of guichet-admin status that names the server
 * settings that matter for this database's size: the reports read a year of
 * tickets and of report facts (report_fact), and are several times slower
 * when those tables do not fit in shared_buffers, when their sorts and hashes
 * spill to disk (work_mem) or when they cannot use parallel workers. Each
 * setting is printed with its value and, when it is below what this desk
 * needs, the value to set (README, "Installation", says where).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

/*
 * One row per setting: its name, its value, the value advised (NULL: it is
 * enough) and the reason's key. The sizes are the tables' and their indexes'
 * (what a report reads). 32MB of work_mem holds a year's sort of a desk of a
 * million tickets (the agents' medians, the SLA's clocks per queue) in memory.
 */
static const char settings_sql[] =
    "WITH t AS ("
    "  SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes,"
    "      coalesce(max(greatest(c.reltuples, 0)) FILTER (WHERE c.relname = 'ticket'), 0) AS tickets"
    "  FROM pg_catalog.pg_class c"
    "  WHERE c.relnamespace = 'guichet'::regnamespace"
    "    AND c.relname IN ('ticket', 'report_fact')"
    "), s AS ("
    "  SELECT x.name, x.k, pg_catalog.current_setting(x.name) AS value,"
    "      CASE WHEN x.name = 'max_parallel_workers_per_gather'"
    "          THEN pg_catalog.current_setting(x.name)::bigint"
    "          ELSE pg_catalog.pg_size_bytes(pg_catalog.current_setting(x.name)) END AS v"
    "  FROM (VALUES (1, 'shared_buffers'), (2, 'work_mem'),"
    "      (3, 'max_parallel_workers_per_gather'), (4, 'effective_cache_size')) x(k, name)"
    ")"
    "SELECT s.name, s.value,"
    "    CASE WHEN s.name = 'shared_buffers' AND s.v < t.bytes"
    "        THEN pg_catalog.pg_size_pretty(t.bytes)"
    "      WHEN s.name = 'work_mem' AND s.v < 32 * 1024 * 1024 AND t.tickets >= 100000"
    "        THEN '32MB'"
    "      WHEN s.name = 'max_parallel_workers_per_gather' AND s.v < 2 THEN '2'"
    "      WHEN s.name = 'effective_cache_size' AND s.v < 2 * t.bytes"
    "        THEN pg_catalog.pg_size_pretty(2 * t.bytes) END AS advised,"
    "    pg_catalog.pg_size_pretty(t.bytes) AS size, t.tickets::bigint"
    " FROM s CROSS JOIN t ORDER BY s.k";

static const char *
settings_reason(const char *name)
{
	if (strcmp(name, "shared_buffers") == 0)
		return _("the reports read these tables from memory");
	if (strcmp(name, "work_mem") == 0)
		return _("a year's sorts and hashes stay in memory");
	if (strcmp(name, "max_parallel_workers_per_gather") == 0)
		return _("the reports read a year in parallel workers");
	return _("the planner counts on the tables being cached");
}

/* Prints the settings and what to set; a server that refuses says why. */
void
status_settings(struct admin *a)
{
	PGresult *res;
	char *cause = NULL, state[6];
	int i;

	res = admin_try(a, settings_sql, 0, NULL, &cause, state);
	if (res == NULL) {
		printf(_("server settings: cannot read them: %s\n"), cause);
		free(cause);
		return;
	}
	if (PQntuples(res) > 0)
		printf(_("server settings for the reports (ticket and report_fact: %s, "
			 "%s tickets):\n"),
		    PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4));
	for (i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);

		if (PQgetisnull(res, i, 2))
			printf("  %-32s %-8s %s\n", name, PQgetvalue(res, i, 1), _("ok"));
		else
			printf(_("  %-32s %-8s set %s: %s\n"), name, PQgetvalue(res, i, 1),
			    PQgetvalue(res, i, 2), settings_reason(name));
	}
	PQclear(res);
}
