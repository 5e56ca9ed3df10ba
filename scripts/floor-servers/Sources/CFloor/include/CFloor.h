#ifndef CFLOOR_H
#define CFLOOR_H
#include <stdint.h>

/// Serves 127.0.0.1:port on one thread with epoll_wait, read and write, answering every Redis
/// request with the fixed 100-byte bulk string. Returns only on a setup failure (-1).
int floor_c_epoll(uint16_t port);

/// The same on io_uring (single issuer, deferred task work): one io_uring_enter submits the
/// replies and receives of a turn and waits for the next completion. Returns -1 on a setup
/// failure (no io_uring in this kernel, for one).
int floor_c_uring(uint16_t port);

#endif
