/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TirkeuSerialExecutor TirkeuSerialExecutor;

/**
 * TirkeuSerialExecutorFunc:
 * @job: the job pushed with tirkeu_serial_executor_push()
 * @state: the executor's state, as given to tirkeu_serial_executor_new()
 *
 * Runs one job on the executor's thread.
 */
typedef void (*TirkeuSerialExecutorFunc) (gpointer job,
                                          gpointer state);

TirkeuSerialExecutor *tirkeu_serial_executor_new  (TirkeuSerialExecutorFunc   func,
                                                   gpointer                   state,
                                                   GDestroyNotify             state_free,
                                                   GError                   **error);
void                  tirkeu_serial_executor_push (TirkeuSerialExecutor      *self,
                                                   gpointer                   job);
void                  tirkeu_serial_executor_free (TirkeuSerialExecutor      *self);

G_END_DECLS
