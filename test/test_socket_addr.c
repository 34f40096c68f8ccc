/*
 * act_sockaddr: numeric text in every accepted form, the text it prints
 * back, and text that must be refused with a result (never a crash).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "support/sock.h"

TestSuite(socket_addr, .init = fx_setup, .fini = fx_teardown);

static void round_trip(const char *text, int family, int port)
{
    act_sockaddr a;
    char out[ACT_SOCKADDR_STRLEN];

    cr_assert_eq(act_sockaddr_parse(&a, text), 0, "parse %s", text);
    cr_assert_eq(act_sockaddr_family(&a), family, "%s", text);
    cr_assert_eq(act_sockaddr_port(&a), port, "%s", text);
    cr_assert_eq(act_sockaddr_format(&a, out, sizeof out), (int)strlen(text));
    cr_assert_str_eq(out, text);
}

Test(socket_addr, numeric_forms_parse_and_print_back_the_same)
{
    round_trip("127.0.0.1:8080", AF_INET, 8080);
    round_trip("0.0.0.0:0", AF_INET, 0);
    round_trip("255.255.255.255:65535", AF_INET, 65535);
    round_trip("[::1]:443", AF_INET6, 443);
    round_trip("[::ffff:127.0.0.1]:7", AF_INET6, 7);
    round_trip("[fe80::1:2:3:4]:1", AF_INET6, 1);
    round_trip("/tmp/echo.sock", AF_UNIX, -EINVAL);
    round_trip("./rel/echo.sock", AF_UNIX, -EINVAL);
    round_trip("unix:echo.sock", AF_UNIX, -EINVAL);
    round_trip("@abstract-name", AF_UNIX, -EINVAL);
}

Test(socket_addr, lengths_are_what_the_kernel_expects)
{
    act_sockaddr a;

    cr_assert_eq(act_sockaddr_parse(&a, "127.0.0.1:1"), 0);
    cr_assert_eq(a.len, sizeof(struct sockaddr_in));
    cr_assert_eq(act_sockaddr_parse(&a, "[::1]:1"), 0);
    cr_assert_eq(a.len, sizeof(struct sockaddr_in6));
    cr_assert_eq(act_sockaddr_parse(&a, "/a"), 0);
    cr_assert_eq(a.len, offsetof(struct sockaddr_un, sun_path) + 3, "a path counts its NUL");
    cr_assert_eq(act_sockaddr_parse(&a, "@a"), 0);
    cr_assert_eq(a.len, offsetof(struct sockaddr_un, sun_path) + 2, "an abstract name does not");
    cr_assert_eq(a.u.un.sun_path[0], '\0');
}

Test(socket_addr, text_that_is_not_numeric_is_einval_and_leaves_the_address_empty)
{
    static const char *bad[] = {
        "", "localhost:80", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
        "127.0.0.1:8x", "127.0.0.1:123456", "127.0.0.1:000080",
        "1111111111111111111111111111111111111111111111:80", /* a host of INET6_ADDRSTRLEN characters */ "1.2.3:80", "::1:80", "[::1]80", "[::1]:",
        "[::1", "[127.0.0.1]:80", "[]:80", ":80", "unix:", "@",
    };
    act_sockaddr a;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(act_sockaddr_parse(&a, bad[i]), -EINVAL, "\"%s\"", bad[i]);
        cr_assert_eq(a.len, 0);
        cr_assert_eq(act_sockaddr_family(&a), AF_UNSPEC);
    }
    cr_assert_eq(act_sockaddr_parse(&a, NULL), -EINVAL);
    cr_assert_eq(act_sockaddr_parse(NULL, "127.0.0.1:1"), -EINVAL);
}

Test(socket_addr, unix_paths_longer_than_sun_path_are_enametoolong)
{
    char path[200];
    act_sockaddr a;
    size_t max = sizeof a.u.un.sun_path - 1;

    memset(path, 'x', sizeof path);
    path[0] = '/';
    path[max] = '\0';
    cr_assert_eq(act_sockaddr_parse(&a, path), 0, "%zu bytes fit", max);
    path[max] = 'x';
    path[max + 1] = '\0';
    cr_assert_eq(act_sockaddr_parse(&a, path), -ENAMETOOLONG);
    cr_assert_eq(a.len, 0);
}

Test(socket_addr, format_reports_enospc_and_bad_addresses)
{
    act_sockaddr a, empty = { .len = 0 };
    char small[8], exact[sizeof "127.0.0.1:8080" - 1], one[1] = { 'x' };

    cr_assert_eq(act_sockaddr_parse(&a, "127.0.0.1:8080"), 0);
    cr_assert_eq(act_sockaddr_format(&a, small, sizeof small), -ENOSPC);
    cr_assert_eq(strlen(small), sizeof small - 1, "cut short but terminated");
    cr_assert_eq(act_sockaddr_format(&a, exact, sizeof exact), -ENOSPC, "no room for the NUL");
    cr_assert_str_eq(exact, "127.0.0.1:808");
    cr_assert_eq(act_sockaddr_format(&empty, one, sizeof one), -EINVAL);
    cr_assert_eq(one[0], '\0', "terminated even when the address is bad");
    cr_assert_eq(act_sockaddr_format(&empty, small, sizeof small), -EINVAL);
    cr_assert_eq(act_sockaddr_format(NULL, small, sizeof small), -EINVAL);
    cr_assert_eq(act_sockaddr_format(&a, NULL, 0), -EINVAL);
    cr_assert_eq(act_sockaddr_port(&empty), -EINVAL);
    cr_assert_eq(act_sockaddr_port(NULL), -EINVAL);
    cr_assert_eq(act_sockaddr_family(NULL), AF_UNSPEC);
}

/* An abstract name is exactly len's bytes: what lies past them is not printed. */
Test(socket_addr, abstract_name_prints_only_the_bytes_its_length_counts)
{
    act_sockaddr a;
    char text[ACT_SOCKADDR_STRLEN];

    cr_assert_eq(act_sockaddr_parse(&a, "@name"), 0);
    memcpy(a.u.un.sun_path + 1 + 4, "junk", 4); /* bytes past the name, as a reused buffer may hold */
    cr_assert_eq(act_sockaddr_format(&a, text, sizeof text), 5);
    cr_assert_str_eq(text, "@name");
}

Test(socket_addr, a_bound_socket_prints_the_port_the_system_chose)
{
    act_socket s;
    act_sockaddr at;
    char text[ACT_SOCKADDR_STRLEN], want[ACT_SOCKADDR_STRLEN];

    sk_bind(&s, SOCK_STREAM, "127.0.0.1:0", &at);
    cr_assert_gt(act_sockaddr_port(&at), 0);
    cr_assert_geq(act_sockaddr_format(&at, text, sizeof text), 0);
    snprintf(want, sizeof want, "127.0.0.1:%d", act_sockaddr_port(&at));
    cr_assert_str_eq(text, want);
    act_socket_close(&s);
}

Test(socket_addr, the_longest_unix_paths_fit_act_sockaddr_strlen)
{
    act_sockaddr a;
    char path[5 + 107 + 1] = "unix:", text[ACT_SOCKADDR_STRLEN];

    memset(path + 5, 'p', 107);
    path[5 + 107] = '\0';
    cr_assert_eq(act_sockaddr_parse(&a, path), 0, "107 bytes and the NUL fill sun_path");
    cr_assert_eq(act_sockaddr_format(&a, text, sizeof text), 5 + 107);
    cr_assert_str_eq(text, path);
    /* as the kernel may return it: 108 bytes, no NUL; and a length past sun_path */
    memset(&a, 0, sizeof a);
    a.u.un.sun_family = AF_UNIX;
    memset(a.u.un.sun_path, 'k', sizeof a.u.un.sun_path);
    a.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof a.u.un.sun_path);
    cr_assert_eq(act_sockaddr_format(&a, text, sizeof text), 5 + 108);
    cr_assert_eq(strlen(text), 5 + 108);
    a.len = sizeof a.u;
    cr_assert_eq(act_sockaddr_format(&a, text, sizeof text), 5 + 108, "read no further than sun_path");
}

/*
 * format "prints @addr in the form act_sockaddr_parse() reads": a relative
 * path whose first bytes look like another form ("@", "unix:") and that
 * holds a '/' must print as text that parses back to the same path.
 */
Test(socket_addr, a_path_that_starts_like_another_form_prints_as_text_that_parses_back_to_it)
{
    static const char *paths[] = { "@dir/echo.sock", "unix:dir/echo.sock" };

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        act_sockaddr a, back;
        char text[ACT_SOCKADDR_STRLEN];
        size_t n = strlen(paths[i]);

        memset(&a, 0, sizeof a);
        a.u.un.sun_family = AF_UNIX;
        memcpy(a.u.un.sun_path, paths[i], n); /* as a bind outside the library or getsockname gives it */
        a.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
        cr_assert_geq(act_sockaddr_format(&a, text, sizeof text), 0);
        cr_assert_eq(act_sockaddr_parse(&back, text), 0, "parse %s", text);
        cr_assert_eq(back.len, a.len, "path %s printed as %s", paths[i], text);
        cr_assert_eq(memcmp(back.u.un.sun_path, a.u.un.sun_path, n + 1), 0,
                     "path %s printed as %s, which parses to another address", paths[i], text);
    }
}
