/*
 * act_sockaddr: numeric text to socket addresses and back.  Nothing here
 * touches a descriptor or blocks; no name lookup (NOTE 1).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <active/sockaddr.h>

enum { PATH_MAX_LEN = sizeof(((struct sockaddr_un *)0)->sun_path) - 1 };

static void clear(act_sockaddr *addr)
{
    memset(addr, 0, sizeof *addr);
}

/* A decimal port: 1 to 5 digits, at most 65535, nothing after. */
static int parse_port(const char *text, in_port_t *port)
{
    unsigned long value = 0;
    size_t n = 0;

    for (; text[n] >= '0' && text[n] <= '9'; n++) {
        if (n == 5)
            return -EINVAL;
        value = value * 10 + (unsigned long)(text[n] - '0');
    }
    if (n == 0 || text[n] != '\0' || value > 65535)
        return -EINVAL;
    *port = htons((uint16_t)value);
    return 0;
}

/* @name is a path, or with @abstract a name in Linux's abstract namespace. */
static int parse_unix(act_sockaddr *addr, const char *name, bool abstract)
{
    size_t n = strlen(name);
    size_t at = abstract ? 1 : 0;

    if (n == 0)
        return -EINVAL;
    if (n > PATH_MAX_LEN)
        return -ENAMETOOLONG;
    addr->u.un.sun_family = AF_UNIX;
    memcpy(addr->u.un.sun_path + at, name, n);
    /* a path is counted with its NUL; an abstract name is exactly its bytes */
    addr->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + at + n + (abstract ? 0 : 1));
    return 0;
}

/* "a.b.c.d:port" or "[v6]:port". */
static int parse_inet(act_sockaddr *addr, const char *text)
{
    char host[INET6_ADDRSTRLEN];
    const char *colon, *start = text;
    size_t n;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':')
            return -EINVAL;
        start = text + 1;
        colon = close + 1;
        n = (size_t)(close - start);
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL)
            return -EINVAL;
        n = (size_t)(colon - text);
    }
    if (n == 0 || n >= sizeof host)
        return -EINVAL;
    memcpy(host, start, n);
    host[n] = '\0';
    if (text[0] == '[') {
        addr->u.in6.sin6_family = AF_INET6;
        addr->len = sizeof addr->u.in6;
        if (inet_pton(AF_INET6, host, &addr->u.in6.sin6_addr) != 1)
            return -EINVAL;
        return parse_port(colon + 1, &addr->u.in6.sin6_port);
    }
    addr->u.in.sin_family = AF_INET;
    addr->len = sizeof addr->u.in;
    if (inet_pton(AF_INET, host, &addr->u.in.sin_addr) != 1)
        return -EINVAL;
    return parse_port(colon + 1, &addr->u.in.sin_port);
}

int act_sockaddr_parse(act_sockaddr *addr, const char *text)
{
    int rc;

    if (addr == NULL)
        return -EINVAL;
    clear(addr);
    if (text == NULL)
        return -EINVAL;
    if (strncmp(text, "unix:", 5) == 0)
        rc = parse_unix(addr, text + 5, false);
    else if (text[0] == '@')
        rc = parse_unix(addr, text + 1, true);
    else if (strchr(text, '/') != NULL)
        rc = parse_unix(addr, text, false);
    else
        rc = parse_inet(addr, text);
    if (rc < 0)
        clear(addr);
    return rc;
}

/* snprintf's count as a result: the length, or -ENOSPC when cut short. */
static int fitted(int n, size_t size)
{
    if (n < 0)
        return -EINVAL;
    return (size_t)n < size ? n : -ENOSPC;
}

/* Whether parse reads the @n bytes of @path, printed bare, as that path: a '/', no other form's prefix. */
static bool reads_as_path(const char *path, size_t n)
{
    return memchr(path, '/', n) != NULL && path[0] != '@' && !(n >= 5 && memcmp(path, "unix:", 5) == 0);
}

static int format_unix(const struct sockaddr_un *un, socklen_t len, char *buf, size_t size)
{
    size_t max = len > offsetof(struct sockaddr_un, sun_path)
                     ? len - offsetof(struct sockaddr_un, sun_path) : 0;
    size_t n;

    if (max > sizeof un->sun_path) /* a length past sun_path: ACT_SOCKADDR_STRLEN still holds */
        max = sizeof un->sun_path;

    if (max == 0)
        return fitted(snprintf(buf, size, "unix:"), size);
    if (un->sun_path[0] == '\0') /* abstract: the name is exactly the remaining bytes */
        return fitted(snprintf(buf, size, "@%.*s", (int)(max - 1), un->sun_path + 1), size);
    n = strnlen(un->sun_path, max);
    if (reads_as_path(un->sun_path, n))
        return fitted(snprintf(buf, size, "%.*s", (int)n, un->sun_path), size);
    return fitted(snprintf(buf, size, "unix:%.*s", (int)n, un->sun_path), size);
}

int act_sockaddr_format(const act_sockaddr *addr, char *buf, size_t size)
{
    char host[INET6_ADDRSTRLEN];

    if (addr == NULL || buf == NULL)
        return -EINVAL;
    if (size > 0)
        buf[0] = '\0';
    switch (act_sockaddr_family(addr)) {
    case AF_INET:
        inet_ntop(AF_INET, &addr->u.in.sin_addr, host, sizeof host);
        return fitted(snprintf(buf, size, "%s:%u", host, ntohs(addr->u.in.sin_port)), size);
    case AF_INET6:
        inet_ntop(AF_INET6, &addr->u.in6.sin6_addr, host, sizeof host);
        return fitted(snprintf(buf, size, "[%s]:%u", host, ntohs(addr->u.in6.sin6_port)), size);
    case AF_UNIX:
        return format_unix(&addr->u.un, addr->len, buf, size);
    default:
        return -EINVAL;
    }
}

int act_sockaddr_family(const act_sockaddr *addr)
{
    if (addr == NULL || addr->len < sizeof(sa_family_t))
        return AF_UNSPEC;
    return addr->u.sa.sa_family;
}

int act_sockaddr_port(const act_sockaddr *addr)
{
    switch (act_sockaddr_family(addr)) {
    case AF_INET:
        return ntohs(addr->u.in.sin_port);
    case AF_INET6:
        return ntohs(addr->u.in6.sin6_port);
    default:
        return -EINVAL;
    }
}

/*
 * NOTE 1: why numeric only.  getaddrinfo() blocks the scheduler's thread for
 * as long as DNS takes, and a cancellable lookup needs a worker thread; the
 * worker pool (src/work/) is the place for that.  A Unix-domain address
 * received from the kernel carries its length, and an unnamed socket's is
 * only the family (or 0), which is why format_unix() works from @len rather
 * than from the NUL.
 */
