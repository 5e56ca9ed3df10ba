// The I/O floor in plain C, without Swift: what the kernel alone costs per request over epoll
// and over io_uring. Every request ('*' starts each, as in FixedReply.swift) is answered with
// a fixed 100-byte bulk string. A measuring instrument, not a server: no limits beyond
// dropping a connection whose output backs up.
#define _GNU_SOURCE
#include "CFloor.h"
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { max_fd = 4096, in_capacity = 16384, out_capacity = 65536, reply_length = 108 };

typedef struct {
    int fd;
    char in[in_capacity];
    char out[out_capacity];
    int out_length, out_sent;
    int sending, receiving, closing;
} connection;

static connection *connections[max_fd];
static char reply[reply_length];

static void make_reply(void) {
    memcpy(reply, "$100\r\n", 6);
    memset(reply + 6, 'x', 100);
    memcpy(reply + 106, "\r\n", 2);
}

static int open_listener(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    if (fd < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 511) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static connection *open_connection(int fd) {
    int one = 1;
    if (fd >= max_fd) {
        close(fd);
        return NULL;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connection *c = calloc(1, sizeof *c);
    if (c == NULL) {
        close(fd);
        return NULL;
    }
    c->fd = fd;
    connections[fd] = c;
    return c;
}

static void close_connection(connection *c) {
    connections[c->fd] = NULL;
    close(c->fd);
    free(c);
}

/// Appends one reply per request in `length` received bytes; 0 when the output is full.
static int answer(connection *c, int length) {
    for (int i = 0; i < length; i++) {
        if (c->in[i] != '*') continue;
        if (c->out_length + reply_length > out_capacity) return 0;
        memcpy(c->out + c->out_length, reply, reply_length);
        c->out_length += reply_length;
    }
    return 1;
}

int floor_c_epoll(uint16_t port) {
    make_reply();
    int listener = open_listener(port), poll = epoll_create1(0);
    if (listener < 0 || poll < 0) return -1;
    struct epoll_event event = {.events = EPOLLIN, .data.fd = listener}, ready[64];
    epoll_ctl(poll, EPOLL_CTL_ADD, listener, &event);
    for (;;) {
        int count = epoll_wait(poll, ready, 64, -1);
        for (int i = 0; i < count; i++) {
            int fd = ready[i].data.fd;
            if (fd == listener) {
                int accepted;
                while ((accepted = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (open_connection(accepted) == NULL) continue;
                    event.data.fd = accepted;
                    epoll_ctl(poll, EPOLL_CTL_ADD, accepted, &event);
                }
                continue;
            }
            connection *c = connections[fd];
            if (c == NULL) continue;
            ssize_t received = read(fd, c->in, in_capacity);
            if (received < 0 && errno == EAGAIN) continue;
            if (received <= 0 || !answer(c, (int)received)) {
                close_connection(c);
                continue;
            }
            ssize_t written = write(fd, c->out, c->out_length);
            if (written < c->out_length) {  // a client that does not read: not measured here
                close_connection(c);
                continue;
            }
            c->out_length = 0;
        }
    }
}

// io_uring without liburing: the rings mapped by hand.
typedef struct {
    int fd;
    unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    unsigned sq_local_tail, sq_submitted;
} ring;

enum { op_accept = 1, op_receive = 2, op_send = 3 };

static int ring_open(ring *r, unsigned entries) {
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    r->fd = (int)syscall(__NR_io_uring_setup, entries, &params);
    if (r->fd < 0 || !(params.features & IORING_FEAT_SINGLE_MMAP)) return -1;
    size_t sq_size = params.sq_off.array + params.sq_entries * sizeof(unsigned);
    size_t cq_size = params.cq_off.cqes + params.cq_entries * sizeof(struct io_uring_cqe);
    size_t size = sq_size > cq_size ? sq_size : cq_size;
    char *rings = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
    r->sqes = mmap(NULL, params.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                   r->fd, IORING_OFF_SQES);
    if (rings == MAP_FAILED || r->sqes == MAP_FAILED) return -1;
    r->sq_tail = (unsigned *)(rings + params.sq_off.tail);
    r->sq_mask = (unsigned *)(rings + params.sq_off.ring_mask);
    r->sq_array = (unsigned *)(rings + params.sq_off.array);
    r->cq_head = (unsigned *)(rings + params.cq_off.head);
    r->cq_tail = (unsigned *)(rings + params.cq_off.tail);
    r->cq_mask = (unsigned *)(rings + params.cq_off.ring_mask);
    r->cqes = (struct io_uring_cqe *)(rings + params.cq_off.cqes);
    r->sq_local_tail = r->sq_submitted = *r->sq_tail;
    return 0;
}

/// The next submission entry, zeroed. One receive and one send per connection at most, so a
/// ring of 4 × max_fd entries cannot overflow between two submits.
static struct io_uring_sqe *ring_entry(ring *r, int opcode, int fd, uint64_t user_data) {
    unsigned index = r->sq_local_tail & *r->sq_mask;
    struct io_uring_sqe *entry = &r->sqes[index];
    memset(entry, 0, sizeof *entry);
    entry->opcode = (uint8_t)opcode;
    entry->fd = fd;
    entry->user_data = user_data;
    r->sq_array[index] = index;
    r->sq_local_tail++;
    return entry;
}

static void submit_receive(ring *r, connection *c) {
    struct io_uring_sqe *entry = ring_entry(r, IORING_OP_RECV, c->fd, ((uint64_t)c->fd << 8) | op_receive);
    entry->addr = (uint64_t)(uintptr_t)c->in;
    entry->len = in_capacity;
    c->receiving = 1;
}

static void submit_send(ring *r, connection *c) {
    struct io_uring_sqe *entry = ring_entry(r, IORING_OP_SEND, c->fd, ((uint64_t)c->fd << 8) | op_send);
    entry->addr = (uint64_t)(uintptr_t)(c->out + c->out_sent);
    entry->len = (unsigned)(c->out_length - c->out_sent);
    c->sending = 1;
}

static void submit_accept(ring *r, int listener) {
    struct io_uring_sqe *entry = ring_entry(r, IORING_OP_ACCEPT, listener, op_accept);
    entry->ioprio = IORING_ACCEPT_MULTISHOT;
    entry->accept_flags = SOCK_NONBLOCK;
}

/// A connection closes once neither its receive nor its send is still in the kernel (their
/// buffers are the connection's); shutting it down ends a receive still waiting.
static void finish_or_close(connection *c) {
    if (!c->closing) return;
    if (c->receiving) shutdown(c->fd, SHUT_RDWR);
    else if (!c->sending) close_connection(c);
}

int floor_c_uring(uint16_t port) {
    make_reply();
    ring r;
    int listener = open_listener(port);
    if (listener < 0 || ring_open(&r, 4 * max_fd) != 0) return -1;
    submit_accept(&r, listener);
    for (;;) {
        atomic_store_explicit((_Atomic unsigned *)r.sq_tail, r.sq_local_tail, memory_order_release);
        unsigned to_submit = r.sq_local_tail - r.sq_submitted;
        r.sq_submitted = r.sq_local_tail;
        long entered = syscall(__NR_io_uring_enter, r.fd, to_submit, 1, IORING_ENTER_GETEVENTS, NULL, 0);
        if (entered < 0 && errno != EINTR && errno != EAGAIN && errno != EBUSY) return -1;
        unsigned head = *r.cq_head;
        unsigned tail = atomic_load_explicit((_Atomic unsigned *)r.cq_tail, memory_order_acquire);
        for (; head != tail; head++) {
            struct io_uring_cqe *completion = &r.cqes[head & *r.cq_mask];
            int op = (int)(completion->user_data & 0xff), fd = (int)(completion->user_data >> 8), result = completion->res;
            if (op == op_accept) {
                connection *c = result >= 0 ? open_connection(result) : NULL;
                if (c != NULL) submit_receive(&r, c);
                if (!(completion->flags & IORING_CQE_F_MORE)) submit_accept(&r, listener);
                continue;
            }
            connection *c = fd < max_fd ? connections[fd] : NULL;
            if (c == NULL) continue;
            if (op == op_receive) {
                c->receiving = 0;
                if (result <= 0 || !answer(c, result)) {
                    c->closing = 1;
                } else {
                    if (!c->sending && c->out_length > c->out_sent) submit_send(&r, c);
                    if (!c->closing) submit_receive(&r, c);
                }
            } else {
                c->sending = 0;
                if (result < 0) {
                    c->closing = 1;
                } else if (!c->closing) {
                    c->out_sent += result;
                    if (c->out_sent == c->out_length) c->out_sent = c->out_length = 0;
                    else submit_send(&r, c);
                }
            }
            finish_or_close(c);
        }
        atomic_store_explicit((_Atomic unsigned *)r.cq_head, head, memory_order_release);
    }
}
