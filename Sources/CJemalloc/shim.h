// Linking jemalloc puts its malloc in front of glibc's for the whole process (the Swift runtime
// and NIO included). Only its control interface is declared here: <jemalloc/jemalloc.h> would
// redeclare malloc and friends next to glibc's own declarations.
#include <stddef.h>

int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
