/**
 * DOC: sockets (POSIX only)
 *
 * An act_socket (Symbian's RSocket) is one TCP or UDP socket over IPv4 or
 * IPv6, or one Unix-domain stream or datagram socket, served by one
 * scheduler.  It keeps at most one request outstanding per direction, each
 * completing a caller's act_status:
 *
 *   direction  requests                                      cancel
 *   ---------  --------------------------------------------  ------------------------
 *   read       recv, recv_full, recvfrom, accept             _cancel_recv, _cancel_accept
 *   write      send, sendto, connect                         _cancel_send, _cancel_connect
 *
 * A second request in a busy direction completes with -EBUSY inside its
 * call and the first is untouched.  A stream socket's connect holds both
 * directions: while it is outstanding, recv and recv_full complete with
 * -ENOTCONN, and a connect issued while a read is outstanding completes
 * with -EBUSY.  act_socket_cancel_all() cancels both directions.
 *
 * Where requests complete, every time (as for act_pipe):
 *  - recv, recv_full and recvfrom never complete inside their call, even
 *    when bytes are already waiting: they complete on a later pass;
 *  - send and sendto are tried inside their call and complete there when
 *    every byte went out at once;
 *  - accept is tried inside its call and completes there when a connection
 *    is already waiting (and, out of descriptors, with -EMFILE), otherwise
 *    on a later pass;
 *  - connect calls connect(2) inside the call and completes there when it
 *    finishes at once (UDP, Unix-domain: success or failure); a TCP connect
 *    completes on a later pass;
 *  - shutdown always completes inside its call;
 *  - a request rejected at once (-EBADF, -EINVAL, -EBUSY, -ENOTCONN,
 *    -EOPNOTSUPP, or an error from the first attempt) completes inside the
 *    call.
 * Either way the owner calls act_set_active() after issuing, and run comes
 * later, never from inside the issuing call.
 *
 * Late data: bytes and datagrams are read only while a read is pending,
 * straight into its buffer.  After a cancel (act_socket_cancel_recv(),
 * act_cancel(), close) nothing is written into the cancelled buffer, and
 * what arrives later stays in the kernel for the next read, in order.  A
 * cancelled accept leaves waiting connections for the next accept.
 *
 * SIGPIPE is never raised: sends use MSG_NOSIGNAL, so the process's signal
 * mask is not touched.
 *
 * Out of descriptors: when an accept finds the process (EMFILE) or the
 * system (ENFILE) out of descriptors, it completes with that error and
 * closes one waiting connection at once with a reset, using a reserve
 * descriptor the thread keeps while it has a listening socket open.  A
 * server that re-issues its accept at once therefore drains the backlog
 * with resets instead of spinning; one that waits (a timer) before the
 * next accept keeps the rest of the backlog for when descriptors are free.
 *
 * States (when the memory may be freed, moved or reused):
 *
 *   state            requests        free / move the act_socket
 *   ---------------  --------------  ----------------------------------------
 *   closed           complete -EBADF yes (also after a failed open, and a
 *                                    socket given to an accept that failed
 *                                    or was cancelled)
 *   open, idle       may be issued   no: close it first
 *   open, busy       outstanding     no; their buffers, addresses and
 *                                    statuses belong to the socket until
 *                                    they complete
 *   accept target    (none)          no: it belongs to the listener's accept
 *                                    until that completes; then it is open
 *                                    (success) or closed (failure)
 *
 * A request's buffer, address and status are the socket's from the issuing
 * call until the status completes (by the request, a cancel or the close);
 * then the caller may free or reuse them, even before run is called.  A
 * zeroed act_socket is a closed one (descriptor 0 is never touched).
 */
#ifndef ACTIVE_SOCKET_H
#define ACTIVE_SOCKET_H

#include "base.h"
#include "sockaddr.h"
#include "status.h"
#include "stream.h"

/* act_socket_set_option() options */
#define ACT_SOCKET_REUSEADDR 1 /* SO_REUSEADDR: value 0 off, 1 on */
#define ACT_SOCKET_NODELAY 2   /* TCP_NODELAY: value 0 off, 1 on (TCP only) */
#define ACT_SOCKET_KEEPALIVE 3 /* SO_KEEPALIVE: value 0 off, N > 0 on after N idle seconds (TCP) */

typedef struct act_socket {
    /* private: the descriptor and one request slot per direction (the
     * byte-stream engine shared with act_pipe); two bits of its watcher's
     * owner field say datagram and listening */
    act__stream stream;
    union {
        struct act_socket *conn; /* an outstanding accept's new socket */
        act_sockaddr *from;      /* an outstanding recvfrom's sender */
    } rd_arg;
    const act_sockaddr *to;      /* an outstanding sendto's destination */
} act_socket;

/**
 * act_socket_open() - a new socket served by @s
 * @sock:   caller-allocated socket, closed or never used
 * @s:      the scheduler that serves it
 * @family: AF_INET, AF_INET6 or AF_UNIX
 * @type:   SOCK_STREAM (TCP, Unix stream) or SOCK_DGRAM (UDP, Unix datagram)
 *
 * The descriptor is non-blocking and close-on-exec.  An AF_INET6 socket
 * keeps the system's IPV6_V6ONLY default (Linux: it also takes IPv4).
 * Context: @s's thread.
 * Ownership: @sock owns the descriptor until act_socket_close().
 * Return: 0; -EINVAL when @s is NULL or @type is neither; -EAFNOSUPPORT for
 * another family or one the system lacks; -EMFILE or -ENFILE when out of
 * descriptors; -ENOBUFS, -ENOMEM.  On failure @sock is closed.
 * Panics: none.
 */
ACT_API int act_socket_open(act_socket *sock, act_sched *s, int family, int type);

/**
 * act_socket_close() - cancel what is outstanding and close the descriptor
 * @sock: a socket, open or closed
 *
 * Outstanding requests complete now with -ECANCELED (their owners' run gets
 * it, as an asynchronous notice; use act_cancel() first for "never run").
 * Bytes already sent keep going out in the background (close(2)), unless
 * received bytes were left unread: then Linux resets a TCP connection
 * instead and drops what it had not sent yet (RFC 2525, 2.17).  A Unix
 * socket's bound path is not unlinked.  Does nothing on a closed socket.
 * Context: the scheduler's thread.
 * Ownership: the descriptor is closed; @sock may be freed on return, and so
 * may the buffers, addresses and statuses of the cancelled requests.
 * Panics: none.
 */
ACT_API void act_socket_close(act_socket *sock);

/**
 * act_socket_fd() - the descriptor @sock serves
 * @sock: a socket
 *
 * For socket options this header does not cover, except those that queue
 * errors or notices (IP_RECVERR, IPV6_RECVERR, SO_TIMESTAMPING of sends,
 * SO_ZEROCOPY): the socket then polls EPOLLERR until that queue is read,
 * which libactive does not do, so a request waiting on it makes the
 * scheduler wake on every pass (doc/sockets.md, "What Linux made awkward").
 * Context: the scheduler's thread.
 * Ownership: the descriptor stays @sock's: do not close it, change its
 * flags, or read and write it while requests are outstanding.
 * Return: the descriptor, or -1 when @sock is closed.
 */
ACT_API int act_socket_fd(const act_socket *sock);

/**
 * act_socket_bind() - give @sock its local address
 * @sock: an open socket
 * @addr: the address; port 0 lets the system pick one (read it back with
 *        act_socket_local_addr())
 *
 * Context: the scheduler's thread.
 * Ownership: @addr is only read during the call.
 * Return: 0; -EBADF when @sock is closed; -EINVAL when @addr is NULL or
 * empty, or @sock is bound already; -EADDRINUSE, -EADDRNOTAVAIL (e.g. ::1
 * on a host without IPv6 loopback), -EAFNOSUPPORT or -EINVAL (another
 * family than the socket's: Linux gives -EINVAL for an address shorter than
 * the socket's own, such as IPv4 on an IPv6 or a Unix socket), -EACCES,
 * -ENOENT and the other bind(2) errors.
 * Panics: none.
 */
ACT_API int act_socket_bind(act_socket *sock, const act_sockaddr *addr);

/**
 * act_socket_listen() - accept connections on a bound stream socket
 * @sock:    an open stream socket, usually bound
 * @backlog: the queue of connections not yet accepted; <= 0 means the
 *           system's maximum (Linux: the net.core.somaxconn sysctl, which
 *           caps any backlog)
 *
 * The first listening socket of a thread also opens the thread's reserve
 * descriptor (see "Out of descriptors" above), closed with the last one.
 * Context: the scheduler's thread.
 * Ownership: none.
 * Return: 0; -EBADF when @sock is closed; -EOPNOTSUPP for a datagram
 * socket; -EADDRINUSE and the other listen(2) errors; -EMFILE or -ENFILE
 * when the reserve descriptor cannot be opened, or the error of opening
 * /dev/null for it (-ENOENT, -EACCES on a system without one; @sock then
 * does not listen).
 * Panics: none.
 */
ACT_API int act_socket_listen(act_socket *sock, int backlog);

/**
 * act_socket_set_option() - set one of the usual options
 * @sock:   an open socket
 * @option: ACT_SOCKET_REUSEADDR, ACT_SOCKET_NODELAY or ACT_SOCKET_KEEPALIVE
 * @value:  0 to turn it off; 1 to turn it on; for ACT_SOCKET_KEEPALIVE the
 *          idle seconds before the first probe (TCP_KEEPIDLE)
 *
 * Context: the scheduler's thread.
 * Ownership: none.
 * Return: 0; -EBADF when @sock is closed; -EINVAL for another @option or a
 * negative @value; -EOPNOTSUPP when the option does not apply to the
 * socket's protocol (TCP_NODELAY, or a keepalive time, on UDP or a Unix
 * socket); the other setsockopt(2) errors.
 * Panics: none.
 */
ACT_API int act_socket_set_option(act_socket *sock, int option, int value);

/**
 * act_socket_local_addr() - the address @sock is bound to
 * @sock: an open socket
 * @addr: caller-allocated, overwritten
 *
 * Context: the scheduler's thread.
 * Ownership: nothing is kept.
 * Return: 0 (an unbound Unix socket gives the unnamed address, "unix:");
 * -EBADF when @sock is closed; -EINVAL when @addr is NULL.  On failure
 * @addr is empty.
 * Panics: none.
 */
ACT_API int act_socket_local_addr(const act_socket *sock, act_sockaddr *addr);

/**
 * act_socket_peer_addr() - the address of @sock's connected peer
 * @sock: an open, connected socket
 * @addr: caller-allocated, overwritten
 *
 * Context: the scheduler's thread.
 * Ownership: nothing is kept.
 * Return: 0; -ENOTCONN when @sock is not connected (or its connect is
 * still outstanding); -EBADF when @sock is closed; -EINVAL when @addr is
 * NULL.  On failure @addr is empty.
 * Panics: none.
 */
ACT_API int act_socket_peer_addr(const act_socket *sock, act_sockaddr *addr);

/**
 * act_socket_connect() - connect to @addr
 * @sock: an open socket
 * @addr: the peer's address
 * @st:   the caller's status, not pending
 *
 * A write-direction request (a stream socket's also holds the read
 * direction, see above).  A datagram socket's connect sets its default
 * peer and filters what arrives after it (datagrams of other senders
 * queued before it are still received).
 * Completes inside the call for UDP and Unix-domain sockets, whenever
 * connect(2) fails at once, and when the descriptor cannot be watched
 * (-ENOMEM, -ENOSPC: the handshake is then abandoned, as by a cancel); a
 * TCP connect otherwise completes on a later pass.
 * Cancelling it (act_socket_cancel_connect()) aborts the handshake: no
 * half-open connection is left and @sock is open and unconnected again
 * (ready for another connect or a close), as after a connect that failed.
 * Context: the scheduler's thread.
 * Ownership: @addr is only read during the call; @sock holds @st until it
 * completes.
 * Return (in @st): 0 when connected; -ECONNREFUSED (nothing listens there;
 * a Unix path with no listener); -ETIMEDOUT, -ENETUNREACH, -EHOSTUNREACH;
 * -EAGAIN for a Unix stream listener whose backlog is full (try again
 * later: the kernel cannot report when it has room); -ENOENT for a Unix
 * path that does not exist; -ECANCELED after a cancel or close; inside the
 * call: -EBUSY when a connect, send or sendto is outstanding, or for a
 * stream socket a read; -EBADF when @sock is closed; -EINVAL when @addr is
 * NULL or empty; -EISCONN when already connected; -ENOMEM or -ENOSPC
 * (epoll's max_user_watches) when it cannot be watched; -EAFNOSUPPORT and
 * the other connect(2) errors.
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_socket_connect(act_socket *sock, const act_sockaddr *addr, act_status *st);

/**
 * act_socket_accept() - take the next connection of a listening socket
 * @sock: a listening socket (act_socket_listen())
 * @conn: caller-allocated socket, closed or never used; once the request is
 *        taken it is closed, and it is opened with the new connection when
 *        the accept succeeds (a request rejected inside the call leaves it
 *        untouched)
 * @st:   the caller's status, not pending
 *
 * A read-direction request, tried inside the call: it completes there when
 * a connection is already waiting, otherwise on a later pass.  @conn is
 * served by @sock's scheduler, non-blocking and close-on-exec.  A
 * connection the peer reset while it waited is handed over like any other
 * (Linux completes it before accept(2) sees it), and its first recv gets
 * -ECONNRESET; only those accept(2) reports as failed (ECONNABORTED,
 * EPROTO, a network error) are skipped.
 * Context: the scheduler's thread.
 * Ownership: @sock holds @conn and @st until @st completes; then @conn is
 * the caller's: open (success, close it later) or closed (any error).
 * Return (in @st): 0 with @conn open; -EMFILE or -ENFILE when out of
 * descriptors (one waiting connection was reset, see above); -ENOBUFS,
 * -ENOMEM; -EPERM when a firewall rule refused the connection;
 * -ECANCELED after act_socket_cancel_accept() or a close (waiting
 * connections stay for the next accept); inside the call: -EBUSY when a
 * read-direction request is outstanding; -EBADF when @sock is closed;
 * -EINVAL when @sock is not listening or @conn is NULL or @sock itself.
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_socket_accept(act_socket *sock, act_socket *conn, act_status *st);

/**
 * act_socket_send() - send all @len bytes (one datagram on a datagram socket)
 * @sock: an open, connected socket
 * @buf:  the bytes
 * @len:  how many, at most INT_MAX (0: completes with 0 at once on a stream
 *        socket, sends an empty datagram on a datagram socket)
 * @st:   the caller's status, not pending
 *
 * Tried inside the call: completes there when every byte went out at once,
 * otherwise on a later pass once the rest has gone.  Never raises SIGPIPE.
 * Context: the scheduler's thread.
 * Ownership: @sock holds @buf and @st until @st completes.
 * Return (in @st): @len; -EPIPE when the peer has closed or shut down its
 * reading side, or this side was shut down for writing; -ECONNRESET when
 * the peer reset the connection (the first request to see a reset gets
 * it; later sends get -EPIPE); -ECANCELED after act_socket_cancel_send()
 * or a close (act_socket_sent() tells how many bytes went out; the rest is
 * never sent); the bytes before any error are counted the same way;
 * -EMSGSIZE for a datagram too big for the protocol; -ECONNREFUSED on a
 * connected UDP socket whose peer port was closed; inside the call: -EBUSY
 * when a send, sendto or connect is outstanding (it is untouched); -EBADF
 * when @sock is closed; -ENOTCONN (Unix), -EDESTADDRREQ (UDP)
 * or -EPIPE (TCP) when not connected;
 * -EINVAL when @buf is NULL with @len > 0 or @len > INT_MAX.
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_socket_send(act_socket *sock, const void *buf, size_t len, act_status *st);

/**
 * act_socket_recv() - receive one or more bytes (Symbian's RecvOneOrMore);
 * on a datagram socket, one datagram
 * @sock: an open, connected (or, for datagrams, bound) socket
 * @buf:  where the bytes go
 * @len:  its size, >= 1 (at most INT_MAX is used); a longer datagram is
 *        truncated to @len and the rest of it discarded
 * @st:   the caller's status, not pending
 *
 * Completes on a later pass, never inside this call.
 * Context: the scheduler's thread.
 * Ownership: @sock holds @buf and @st until @st completes; nothing is
 * written into @buf after that, even after a cancel.
 * Return (in @st): the byte count (>= 1); 0 at the peer's orderly shutdown
 * (stream), for an empty datagram, or once @sock is shut down for reading
 * (act_socket_shutdown()) and what arrived before has been read;
 * -ECONNRESET when the peer reset the
 * connection; -ECONNREFUSED on a connected UDP socket whose peer port is
 * closed; -ECANCELED after act_socket_cancel_recv() or a close; inside the
 * call: -EBUSY when a read-direction request is outstanding (it is
 * untouched); -ENOTCONN while a stream socket's connect is outstanding;
 * -EBADF when @sock is closed; -EINVAL when @buf is NULL or @len is 0.
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_socket_recv(act_socket *sock, void *buf, size_t len, act_status *st);

/**
 * act_socket_recv_full() - receive exactly @len bytes, fewer at the peer's
 * orderly shutdown (stream sockets only)
 * @sock: an open, connected stream socket
 * @buf:  where the bytes go
 * @len:  how many, at most INT_MAX
 * @st:   the caller's status, not pending
 *
 * Completes on a later pass (inside the call only for @len 0, with 0).
 * Context: the scheduler's thread.
 * Ownership: as act_socket_recv().
 * Return (in @st): @len; fewer (possibly 0) at the peer's orderly
 * shutdown; -ECANCELED, with the bytes that arrived before the cancel in
 * @buf and counted by act_socket_received() (they are not received again);
 * -ECONNRESET, the bytes before it counted the same way; inside the call:
 * -EBUSY, -ENOTCONN, -EBADF as for act_socket_recv(); -EOPNOTSUPP on a
 * datagram socket; -EINVAL when @buf is NULL with @len > 0 or @len >
 * INT_MAX.
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_socket_recv_full(act_socket *sock, void *buf, size_t len, act_status *st);

/**
 * act_socket_sendto() - send one datagram to @to (datagram sockets only)
 * @sock: an open datagram socket
 * @buf:  the datagram's bytes
 * @len:  how many, at most INT_MAX (0 sends an empty datagram)
 * @to:   the destination
 * @st:   the caller's status, not pending
 *
 * A write-direction request, tried inside the call; completes there unless
 * the socket's send buffer is full.  A Unix receiver's full queue is not
 * waited for (the kernel cannot report when it has room, see -EAGAIN).
 * Context: the scheduler's thread.
 * Ownership: @sock holds @buf, @to and @st until @st completes.
 * Return (in @st): @len; -EMSGSIZE for a datagram too big; -EAGAIN when
 * a Unix receiver's queue is full and @sock is not connected to it (try
 * again later, with a timer; a connected socket's act_socket_send() waits
 * for room instead); -ECONNREFUSED or -ENOENT for a Unix path with no
 * socket; -EPERM when the Unix receiver is connected to another peer;
 * -ECANCELED after
 * act_socket_cancel_send() or a close (the datagram was not sent);
 * inside the call: -EBUSY when a send, sendto or connect is outstanding;
 * -EBADF when @sock is closed; -EOPNOTSUPP on a stream socket; -EINVAL
 * when @to is NULL or empty, @buf is NULL with @len > 0, or @len > INT_MAX;
 * the other sendto(2) errors (-EAFNOSUPPORT, -ENETUNREACH, -EACCES).
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_socket_sendto(act_socket *sock, const void *buf, size_t len,
                               const act_sockaddr *to, act_status *st);

/**
 * act_socket_recvfrom() - receive one datagram and its sender's address
 * (datagram sockets only)
 * @sock: an open, bound datagram socket
 * @buf:  where the datagram goes
 * @len:  its size, >= 1 (at most INT_MAX is used); a longer datagram is
 *        truncated to @len and the rest of it discarded
 * @from: caller-allocated, receives the sender's address (an unbound Unix
 *        sender gives the unnamed address, "unix:")
 * @st:   the caller's status, not pending
 *
 * Completes on a later pass, never inside this call.
 * Context: the scheduler's thread.
 * Ownership: @sock holds @buf, @from and @st until @st completes; neither
 * is written after that, even after a cancel.
 * Return (in @st): the byte count (>= 0: an empty datagram is 0), with
 * @from filled; 0 with @from empty (len 0) once @sock is shut down for
 * reading and the datagrams that arrived before have been read;
 * -ECONNREFUSED (UDP: an earlier datagram hit a closed
 * port); -ECANCELED after act_socket_cancel_recv() or a close (the
 * datagram waits for the next read); inside the call: -EBUSY, -EBADF as
 * for act_socket_recv(); -EOPNOTSUPP on a stream socket; -EINVAL when
 * @buf or @from is NULL or @len is 0.
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_socket_recvfrom(act_socket *sock, void *buf, size_t len,
                                 act_sockaddr *from, act_status *st);

/**
 * act_socket_shutdown() - end one or both directions of a connection
 * @sock: an open, connected socket
 * @how:  SHUT_RD, SHUT_WR or SHUT_RDWR
 * @st:   the caller's status, not pending
 *
 * Completes inside the call, always.  SHUT_WR sends the peer an orderly
 * end of stream after the bytes already sent (the peer's recv then gives
 * 0); it is refused while a send is outstanding, so the end never cuts
 * one short: wait for the send, or cancel it first.  SHUT_RD makes an
 * outstanding or later recv (or a datagram socket's recvfrom) complete
 * with 0 once what already arrived has been read.
 * Context: the scheduler's thread.
 * Ownership: none kept.
 * Return (in @st): 0; -EBUSY while a connect is outstanding, and for
 * SHUT_WR or SHUT_RDWR while a send or sendto is outstanding; -ENOTCONN
 * when not connected (a TCP or Unix stream socket, a listening one
 * included, which goes on listening; an unconnected UDP
 * socket too, but Linux shuts its directions all the same, so a later recv
 * completes with 0; an unconnected Unix datagram socket gives 0); -EBADF
 * when @sock is closed; -EINVAL for another @how.
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_socket_shutdown(act_socket *sock, int how, act_status *st);

/**
 * act_socket_cancel_connect() - cancel the outstanding connect, now
 * @sock: a socket
 *
 * The connect completes inside this call with -ECANCELED; the handshake is
 * aborted (a connection the kernel had already completed is reset), so the
 * peer keeps no half-open connection, and @sock is open and unconnected.
 * Does nothing when no connect is outstanding (a connect that completed
 * keeps its result).  Suitable as an object's do_cancel.
 * Context: the scheduler's thread.
 * Ownership: the status is the caller's again on return.
 */
ACT_API void act_socket_cancel_connect(act_socket *sock);

/**
 * act_socket_cancel_accept() - cancel the outstanding accept, now
 * @sock: a socket
 *
 * The accept completes inside this call with -ECANCELED and its target
 * socket stays closed; waiting connections stay for the next accept.  Does
 * nothing when no accept is outstanding.
 * Context: the scheduler's thread.
 * Ownership: the status and the target socket are the caller's again.
 */
ACT_API void act_socket_cancel_accept(act_socket *sock);

/**
 * act_socket_cancel_recv() - cancel the outstanding recv, recv_full or
 * recvfrom, now
 * @sock: a socket
 *
 * It completes inside this call with -ECANCELED; bytes and datagrams that
 * arrive later stay for the next read; the write direction is untouched.
 * Does nothing when no such request is outstanding (one that completed
 * keeps its result; an accept is left alone).
 * Context: the scheduler's thread.
 * Ownership: the buffer, address and status are the caller's again.
 */
ACT_API void act_socket_cancel_recv(act_socket *sock);

/**
 * act_socket_cancel_send() - cancel the outstanding send or sendto, now
 * @sock: a socket
 *
 * It completes inside this call with -ECANCELED; act_socket_sent() tells
 * how many of its bytes went out, and the rest is never sent.  The read
 * direction is untouched.  Does nothing when no send is outstanding (a
 * connect is left alone).
 * Context: the scheduler's thread.
 * Ownership: the buffer, address and status are the caller's again.
 */
ACT_API void act_socket_cancel_send(act_socket *sock);

/**
 * act_socket_cancel_all() - cancel whatever is outstanding, both directions
 * @sock: a socket
 *
 * act_socket_cancel_connect(), _cancel_send(), _cancel_accept() and
 * _cancel_recv() together; @sock stays open.
 * Context: the scheduler's thread.
 * Ownership: as the single cancels.
 */
ACT_API void act_socket_cancel_all(act_socket *sock);

/**
 * act_socket_sent() - bytes of the last send that went out
 * @sock: a socket
 *
 * Context: the scheduler's thread.
 * Return: for the send (or sendto) outstanding or last completed, with any
 * result: the bytes sent so far; 0 before the first, and after a connect.
 * A request rejected inside its call does not change it.
 */
ACT_API size_t act_socket_sent(const act_socket *sock);

/**
 * act_socket_received() - bytes the last recv placed in its buffer
 * @sock: a socket
 *
 * Context: the scheduler's thread.
 * Return: for the read outstanding or last completed: the bytes in its
 * buffer (its count on success; what act_socket_recv_full() had received
 * before -ECANCELED or an error); 0 before the first, and after an accept.
 * A request rejected inside its call does not change it.
 */
ACT_API size_t act_socket_received(const act_socket *sock);

#endif
