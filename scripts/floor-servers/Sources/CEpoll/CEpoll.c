// SwiftPM needs a source file for a C target; the header is all this module provides.
#include "CEpoll.h"
