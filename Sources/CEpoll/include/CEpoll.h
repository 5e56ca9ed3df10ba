// What Swift's Glibc module leaves out and RingtailLoop needs: epoll, eventfd, the TCP options,
// and accept4 and pthread_setname_np, which glibc only declares under _GNU_SOURCE (so CEpoll.c
// wraps them).
#ifndef RINGTAIL_CEPOLL_H
#define RINGTAIL_CEPOLL_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/// accept4(2): accepts with SOCK_NONBLOCK|SOCK_CLOEXEC in one call instead of accept + two fcntl.
int cepoll_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// pthread_setname_np(pthread_self(), name): names the calling thread (at most 15 bytes).
int cepoll_name_this_thread(const char *name);

#endif
