/**
 * DOC: socket addresses (POSIX only)
 *
 * An act_sockaddr holds one IPv4, IPv6 or Unix-domain address with its
 * length, in the form the socket calls take.  The helpers parse and print
 * numeric text only (no name lookup, which would block):
 *
 *   text                  family     meaning
 *   --------------------  ---------  ----------------------------------------
 *   127.0.0.1:8080        AF_INET    dotted quad, then a decimal port
 *   [::1]:8080            AF_INET6   bracketed address, then a decimal port
 *   /run/echo.sock        AF_UNIX    a path (anything with a '/')
 *   unix:echo.sock        AF_UNIX    a path given explicitly (relative here)
 *   @echo                 AF_UNIX    Linux's abstract namespace (no file)
 *
 * Ports are 0 to 65535 (0: the system picks one when binding).  IPv6 scope
 * ids ("%eth0") are not supported.
 *
 * Memory: plain data; copy, move and free it freely, except while a request
 * that was given it is outstanding (act_socket_sendto(), act_socket_recvfrom()).
 */
#ifndef ACTIVE_SOCKADDR_H
#define ACTIVE_SOCKADDR_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "base.h"

/**
 * ACT_SOCKADDR_STRLEN - a buffer this long holds any act_sockaddr_format()
 * text: the longest is "unix:" and a 108-byte path that fills sun_path with
 * no NUL (the kernel may return one), then the NUL.
 */
#define ACT_SOCKADDR_STRLEN 114

typedef struct act_sockaddr {
    /* public: the address, read through the member of its family */
    union {
        struct sockaddr sa;          /* sa.sa_family says which member is in use */
        struct sockaddr_in in;       /* AF_INET */
        struct sockaddr_in6 in6;     /* AF_INET6 */
        struct sockaddr_un un;       /* AF_UNIX */
        struct sockaddr_storage ss;  /* room for any of them */
    } u;
    socklen_t len; /* public: bytes of @u in use; 0 for no address */
} act_sockaddr;

/**
 * act_sockaddr_parse() - fill @addr from numeric text
 * @addr: caller-allocated address, overwritten
 * @text: "a.b.c.d:port", "[v6]:port", a path with a '/', "unix:path" or
 *        "@abstract" (see the table above)
 *
 * Context: any thread.
 * Ownership: @text stays the caller's; nothing is kept.
 * Return: 0; -EINVAL when @addr or @text is NULL or the text is none of the
 * forms above (a host name, a port over 65535, a missing port, an IPv6
 * address without brackets); -ENAMETOOLONG for a Unix path longer than
 * sizeof(sun_path) - 1 bytes.  On failure @addr is empty (len 0).
 * Panics: none.
 */
ACT_API int act_sockaddr_parse(act_sockaddr *addr, const char *text);

/**
 * act_sockaddr_format() - print @addr in the form act_sockaddr_parse() reads
 * @addr: an address (from a parse, act_socket_local_addr(),
 *        act_socket_peer_addr(), act_socket_recvfrom(), ...)
 * @buf:  where the text goes, always NUL-terminated when @size > 0
 * @size: its size; ACT_SOCKADDR_STRLEN is always enough
 *
 * An unnamed Unix socket (an unbound datagram peer, a socketpair end) prints
 * as "unix:" with an empty path.
 * Context: any thread.
 * Ownership: nothing is kept.
 * Return: the length of the text (without the NUL); -ENOSPC when it did not
 * fit (@buf then holds a truncated, terminated text); -EINVAL when @addr or
 * @buf is NULL or @addr holds no address of the three families.
 * Panics: none.
 */
ACT_API int act_sockaddr_format(const act_sockaddr *addr, char *buf, size_t size);

/**
 * act_sockaddr_family() - the family of @addr
 * @addr: an address
 *
 * Context: any thread.
 * Return: AF_INET, AF_INET6 or AF_UNIX; AF_UNSPEC (0) when @addr is NULL or
 * empty (len 0).
 */
ACT_API int act_sockaddr_family(const act_sockaddr *addr);

/**
 * act_sockaddr_port() - the port of an IPv4 or IPv6 address
 * @addr: an address
 *
 * Context: any thread.
 * Return: the port (0 to 65535); -EINVAL for a NULL, empty or Unix address.
 */
ACT_API int act_sockaddr_port(const act_sockaddr *addr);

#endif
