/**
 * DOC: libactive
 *
 * The umbrella header: the Symbian active-object model for C.  See
 * doc/guide.md for the model and the cancel protocol.
 */
#ifndef ACTIVE_H
#define ACTIVE_H

#include "active/base.h"
#include "active/panic.h"
#include "active/status.h"
#include "active/object.h"
#include "active/sched.h"
#include "active/timer.h"
#include "active/periodic.h"
#include "active/idle.h"
#include "active/callback.h"

#endif
