// SwiftPM needs a source file for a C target. accept4 and pthread_setname_np are declared only
// under _GNU_SOURCE, which the Swift importer does not define, so they are called from here.
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/socket.h>
#include "CEpoll.h"

int cepoll_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int cepoll_name_this_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
