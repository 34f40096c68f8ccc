/*
 * Helpers for the socket suites (test_socket*.c): an active object that owns
 * one request of an act_socket, an echo server connection, loopback
 * listeners and connected pairs, and the descriptor limit.  Only loopback
 * addresses (127.0.0.1, ::1) and abstract Unix names are ever used.
 */
#ifndef TEST_SUPPORT_SOCK_H
#define TEST_SUPPORT_SOCK_H

#include <active/socket.h>

#include "io.h"

/* Which cancel a sk_obj's do_cancel calls. */
enum sk_cancel { SK_CONNECT, SK_ACCEPT, SK_RECV, SK_SEND, SK_ALL };

/* An object whose do_cancel cancels one kind of request on @sock. */
typedef struct sk_obj {
    act_object base;
    act_socket *sock;
    enum sk_cancel cancel;
    int runs;
    int last;                         /* the result run saw */
    int (*on_run)(struct sk_obj *o);  /* optional, after recording */
    void *user;
} sk_obj;

void sk_obj_init(sk_obj *o, act_socket *sock, enum sk_cancel cancel);

/* Set @o active after the caller issued its request; check it pends. */
void sk_activate_pending(sk_obj *o);

/* One server-side echo connection: recv, send it back, until 0 or an error. */
typedef struct sk_echo {
    act_object base;
    act_socket sock;     /* opened by the caller (an accept) */
    bool sending;
    bool closed;         /* the socket was closed at the end */
    int end;             /* the result that ended it: 0 (peer done) or an error */
    size_t bytes;        /* bytes echoed */
    unsigned char buf[4096];
} sk_echo;

/* Add @e to the fixture's scheduler and issue its first recv. */
void sk_echo_start(sk_echo *e);

/* An abstract Unix name unique to this process and call: "@act-<pid>-<n>". */
void sk_unix_name(char *buf, size_t size);

/* Open @l as a stream socket bound to @text and listening; its address in @at. */
void sk_listen(act_socket *l, const char *text, act_sockaddr *at);

/* Open, bind to @text, no listen (datagram sockets); address in @at. */
void sk_bind(act_socket *s, int type, const char *text, act_sockaddr *at);

/*
 * A connected stream pair through the library: @client connects to a
 * listener bound to @text (closed again before returning), @server is the
 * accepted end.
 */
void sk_pair(act_socket *client, act_socket *server, const char *text);

/* Whether ::1 can be bound here (a socket and a bind, then closed). */
bool sk_have_ipv6(void);

/*
 * Raise RLIMIT_NOFILE to at least @n, the hard limit too when the process
 * may (root); false when it cannot.
 */
bool sk_raise_nofile(long n);

/* Fill @buf with bytes that depend on @seed and the offset @off. */
void sk_pattern(unsigned char *buf, size_t len, uint32_t seed, size_t off);

#endif
