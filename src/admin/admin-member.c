/*
 * admin-member.c — who works in which queue: queue_member rows, writable or
 * read-only. Membership is what the row-level security of tickets looks at.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

static void
member_option(int ch, const char *arg, void *ctx)
{
	bool *read_only = ctx;

	if (ch == 'r')
		*read_only = true;
}

int
cmd_member_add(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "read-only", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_args args;
	const char *params[3];
	char *agent, *queue;
	bool read_only = false;

	admin_parse("member", "add", argc, argv, opts, member_option, &read_only, 2, 2, &args);
	admin_begin(a);
	agent = admin_lookup(a, KIND_AGENT, args.argv[0]);
	queue = admin_lookup(a, KIND_QUEUE, args.argv[1]);
	params[0] = agent;
	params[1] = queue;
	params[2] = read_only ? "false" : "true";
	/* Adding again changes the access: the command says what should be. */
	PQclear(admin_exec(a,
	    "INSERT INTO guichet.queue_member (agent_id, queue_id, "
	    "may_write) VALUES ($1, $2, $3) ON CONFLICT (agent_id, queue_id) "
	    "DO UPDATE SET may_write = EXCLUDED.may_write",
	    3, params));
	admin_commit(a);
	free(agent);
	free(queue);
	return EX_OK;
}

int
cmd_member_remove(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *params[2];
	char *agent, *queue;
	PGresult *res;

	admin_parse("member", "remove", argc, argv, NULL, NULL, NULL, 2, 2, &args);
	agent = admin_lookup(a, KIND_AGENT, args.argv[0]);
	queue = admin_lookup(a, KIND_QUEUE, args.argv[1]);
	params[0] = agent;
	params[1] = queue;
	res = admin_exec(a,
	    "DELETE FROM guichet.queue_member WHERE agent_id = $1 "
	    "AND queue_id = $2 RETURNING agent_id",
	    2, params);
	if (PQntuples(res) == 0) {
		PQclear(res);
		die(EX_DATAERR, _("%s is not a member of %s"), args.argv[0], args.argv[1]);
	}
	PQclear(res);
	free(agent);
	free(queue);
	return EX_OK;
}

int
cmd_member_list(struct admin *a, int argc, char **argv)
{
	struct admin_list l;

	admin_list_args("member", argc, argv, 1, &l);
	if (l.filter != NULL)
		free(admin_lookup(a, KIND_QUEUE, l.filter));
	return admin_list_run(a,
	    "SELECT q.code AS queue, g.login AS agent, g.display_name AS name, "
	    "CASE WHEN m.may_write THEN 'write' ELSE 'read' END AS access, g.active "
	    "FROM guichet.queue_member m JOIN guichet.queue q ON q.id = m.queue_id "
	    "JOIN guichet.agent g ON g.id = m.agent_id "
	    "WHERE $1::text IS NULL OR q.code = $1 ORDER BY q.code, g.login",
	    &l);
}
