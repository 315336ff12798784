/*
 * test-strbuf.c — the growable string and the x* allocators: always terminated,
 * growth across many appends, printf beyond the first allocation, detach/reset.
 */
#include "unit.h"

static void
empty_strbuf_is_a_valid_empty_string(void **state)
{
	struct strbuf sb;

	strbuf_init(&sb);
	assert_non_null(sb.buf);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.len, 0);
	strbuf_reset(&sb);
	assert_string_equal(sb.buf, "");
	strbuf_free(&sb);
	assert_string_equal(sb.buf, "");
}

static void
add_puts_addch_append_in_order(void **state)
{
	struct strbuf sb;

	strbuf_init(&sb);
	strbuf_add(&sb, "abcdef", 3);
	strbuf_puts(&sb, "-");
	strbuf_addch(&sb, 'x');
	strbuf_add(&sb, "", 0);
	assert_string_equal(sb.buf, "abc-x");
	assert_int_equal(sb.len, 5);
	strbuf_free(&sb);
}

static void
embedded_nul_bytes_are_kept_in_len(void **state)
{
	struct strbuf sb;

	strbuf_init(&sb);
	strbuf_add(&sb, "a\0b", 3);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, "a\0b\0", 4);
	strbuf_free(&sb);
}

static void
many_appends_grow_and_stay_terminated(void **state)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb);
	for (i = 0; i < 100000; i++) {
		strbuf_addch(&sb, 'a' + (int)(i % 26));
		assert_true(sb.len < sb.cap);
	}
	assert_int_equal(sb.len, 100000);
	assert_int_equal(strlen(sb.buf), 100000);
	assert_int_equal(sb.buf[99999], 'a' + 99999 % 26);
	strbuf_free(&sb);
}

static void
printf_longer_than_the_buffer_is_complete(void **state)
{
	struct strbuf sb;
	char big[1000];

	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	strbuf_init(&sb);
	strbuf_puts(&sb, "<");
	strbuf_printf(&sb, "%s|%d|%s", big, 42, "end");
	assert_int_equal(sb.len, 1 + 999 + 1 + 2 + 1 + 3);
	assert_int_equal(strncmp(sb.buf + 1000, "|42|end", 7), 0);
	strbuf_printf(&sb, "%s", "");
	assert_int_equal(sb.len, 1007);
	strbuf_free(&sb);
}

static void
detach_hands_over_and_empties(void **state)
{
	struct strbuf sb;
	char *s;

	strbuf_init(&sb);
	assert_take_string(strbuf_detach(&sb), "");
	strbuf_puts(&sb, "hello");
	s = strbuf_detach(&sb);
	assert_string_equal(s, "hello");
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_puts(&sb, "again");
	assert_string_equal(sb.buf, "again");
	assert_string_equal(s, "hello");
	free(s);
	strbuf_reset(&sb);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.len, 0);
	strbuf_free(&sb);
}

static void
xasprintf_and_xstrndup(void **state)
{
	char *s;
	int n;

	n = xasprintf(&s, "%s-%05d", "id", 42);
	assert_int_equal(n, 8);
	assert_take_string(s, "id-00042");
	assert_take_string(xstrndup("abcdef", 3), "abc");
	assert_take_string(xstrndup("ab", 10), "ab");
	assert_take_string(xstrdup(""), "");
}

static void
allocators_accept_zero_sizes(void **state)
{
	void *p;

	p = xmalloc(0);
	assert_non_null(p);
	free(p);
	p = xcalloc(0, 8);
	assert_non_null(p);
	free(p);
	p = xreallocarray(NULL, 0, 0);
	assert_non_null(p);
	p = xreallocarray(p, 10, 10);
	memset(p, 1, 100);
	free(p);
}

static void
xcalloc_zeroes(void **state)
{
	unsigned char *p = xcalloc(64, 4);
	size_t i;

	for (i = 0; i < 256; i++)
		assert_int_equal(p[i], 0);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_strbuf_is_a_valid_empty_string),
		cmocka_unit_test(add_puts_addch_append_in_order),
		cmocka_unit_test(embedded_nul_bytes_are_kept_in_len),
		cmocka_unit_test(many_appends_grow_and_stay_terminated),
		cmocka_unit_test(printf_longer_than_the_buffer_is_complete),
		cmocka_unit_test(detach_hands_over_and_empties),
		cmocka_unit_test(xasprintf_and_xstrndup),
		cmocka_unit_test(allocators_accept_zero_sizes),
		cmocka_unit_test(xcalloc_zeroes),
	};

	log_open("test-strbuf", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
