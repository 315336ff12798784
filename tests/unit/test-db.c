/*
 * test-db.c — the parts of db.c that need no server: reading columns by name
 * from results built in memory, the result gate on success and on a bare error,
 * and a refused connection becoming one readable line.
 */
#include "unit.h"

#include "db.h"

/* A result like "SELECT 42 AS n, 't' AS ok, NULL AS gone" would give. */
static PGresult *
make_result(void)
{
	PGresult *res;
	PGresAttDesc cols[3];

	memset(cols, 0, sizeof cols);
	cols[0].name = (char *)"n";
	cols[1].name = (char *)"ok";
	cols[2].name = (char *)"gone";
	res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(res);
	assert_true(PQsetResultAttrs(res, 3, cols));
	assert_true(PQsetvalue(res, 0, 0, (char *)"42", 2));
	assert_true(PQsetvalue(res, 0, 1, (char *)"t", 1));
	assert_true(PQsetvalue(res, 0, 2, NULL, -1));
	assert_true(PQsetvalue(res, 1, 0, (char *)"-7", 2));
	assert_true(PQsetvalue(res, 1, 1, (char *)"f", 1));
	assert_true(PQsetvalue(res, 1, 2, (char *)"", 0));
	return res;
}

static void
columns_are_read_by_name(void **state)
{
	PGresult *res = make_result();

	assert_int_equal(db_column(res, "n"), 0);
	assert_int_equal(db_column(res, "gone"), 2);
	assert_string_equal(db_value(res, 0, "n"), "42");
	assert_null(db_value(res, 0, "gone"));
	assert_string_equal(db_value(res, 1, "gone"), "");
	assert_int_equal(db_int(res, 0, "n", 0), 42);
	assert_int_equal(db_int(res, 1, "n", 0), -7);
	assert_int_equal(db_int(res, 0, "gone", -1), -1);
	assert_true(db_bool(res, 0, "ok"));
	assert_false(db_bool(res, 1, "ok"));
	assert_false(db_bool(res, 0, "gone"));
	PQclear(res);
}

static void
gate_passes_a_good_result(void **state)
{
	PGresult *res = make_result(), *got;
	char sqlstate[6] = "?????", *cause = NULL;

	got = db_check(NULL, res, &cause, sqlstate);
	assert_ptr_equal(got, res);
	assert_null(cause);
	assert_string_equal(sqlstate, "00000");
	PQclear(res);
}

static void
gate_stops_an_error_and_says_why(void **state)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
	char sqlstate[6] = "?????", *cause = NULL;

	/* No connection at all counts as a lost connection. */
	assert_null(db_check(NULL, res, &cause, sqlstate));
	assert_non_null(cause);
	assert_true(strlen(cause) > 0);
	assert_null(strchr(cause, '\n'));
	assert_string_equal(sqlstate, "08006");
	assert_true(db_connection_lost(NULL, sqlstate));
	free(cause);
}

static void
lost_connection_states(void **state)
{
	PGconn *conn = PQconnectStart("host=/nonexistent-guichet-dir port=1");

	/* A connection that never came up is lost whatever the state says. */
	assert_true(db_connection_lost(conn, "00000"));
	PQfinish(conn);
	assert_true(db_connection_lost(NULL, NULL));
}

static void
refused_connection_is_one_line(void **state)
{
	char *cause = NULL;
	PGconn *conn;

	conn = db_connect("host=/nonexistent-guichet-dir port=1 connect_timeout=2", &cause);
	assert_null(conn);
	assert_non_null(cause);
	assert_null(strchr(cause, '\n'));
	assert_non_null(strstr(cause, "nonexistent-guichet-dir"));
	free(cause);

	conn = db_connect("not a conninfo", &cause);
	assert_null(conn);
	assert_non_null(cause);
	assert_null(strchr(cause, '\n'));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(columns_are_read_by_name),
		cmocka_unit_test(gate_passes_a_good_result),
		cmocka_unit_test(gate_stops_an_error_and_says_why),
		cmocka_unit_test(lost_connection_states),
		cmocka_unit_test(refused_connection_is_one_line),
	};

	log_open("test-db", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
