/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Leaks on purpose, built only in a sanitized build: test-lsan-canary runs it under the
 * project's LeakSanitizer suppressions and requires LSan to report each of these leaks. The
 * suppressions name libraries' leaks by a frame of their stacks; if one ever came to match
 * a stack through the project's code, this program would exit clean and the test would fail.
 *
 * The leaks go through GLib the way the project's own do (g_object_new, g_new0, a worker of
 * GTask's thread pool, a main loop callback), so that a suppression of a GLib frame shared by
 * every leak would be caught here too.
 */

#include <string.h>

#include <gio/gio.h>

#include "tirkeu-request.h"
#include "tirkeu-vehicle.h"

/* Not inlined, so that the only pointer to the object is in a frame that is gone. */
static void __attribute__ ((noinline))
leak_request (void)
{
  TirkeuRequest *request = tirkeu_request_new ();

  g_assert_nonnull (request);
}

static void
leak_vehicle_in_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  TirkeuVehicle *vehicle = tirkeu_vehicle_new ("JTDKB20U887654321");

  g_assert_nonnull (vehicle);
  g_task_return_boolean (task, TRUE);
}

static gboolean
leak_contract_in_idle (gpointer user_data)
{
  GMainLoop *loop = user_data;
  char *number = g_strdup_printf ("canary-%d", 1);

  g_assert_nonnull (number);
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* Overwrites the stack the leaks' frames used, so no stale copy of a pointer keeps them. */
static void __attribute__ ((noinline))
scrub_stack (void)
{
  volatile char scratch[16384];

  memset ((char *) scratch, 0, sizeof scratch);
}

int
main (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  leak_request ();

  g_task_run_in_thread_sync (task, leak_vehicle_in_thread);
  g_assert_true (g_task_propagate_boolean (task, NULL));

  g_idle_add (leak_contract_in_idle, loop);
  g_main_loop_run (loop);

  scrub_stack ();
  return 0;
}
