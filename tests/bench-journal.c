/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-journal: figures for the journal, printed, never asserted (a benchmark() in meson).
 *
 *   bench-journal [N]      N requests, 10000 by default
 *
 * Inserts N requests in one sync batch, then the same N again as 100-request batches (as
 * sync pages arrive), loads them all for the list, looks one up by portal id, and prints the
 * times and the process's memory (VmRSS, VmHWM from /proc/self/status). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "tirkeu-journal.h"
#include "tirkeu-request.h"
#include "tirkeu-vehicle.h"

static const TirkeuStage stages[] = { TIRKEU_STAGE_AWAITING_BUYER, TIRKEU_STAGE_BUYER_APPROVED,
                                      TIRKEU_STAGE_FINES_CHECK, TIRKEU_STAGE_TSON_CHOSEN,
                                      TIRKEU_STAGE_PROCESSING, TIRKEU_STAGE_COMPLETED };

static TirkeuRequest *
make_request (guint i)
{
  g_autofree char *portal_id = g_strdup_printf ("KZ-2025-%06u", i);
  g_autofree char *vin = g_strdup_printf ("XTA21099%09u", i);
  g_autofree char *iin = g_strdup_printf ("9001013%05u", i % 100000);
  g_autofree char *name = g_strdup_printf ("Buyer Number %u", i);
  g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_new (vin);
  g_autoptr(GBytes) signature = NULL;
  guint8 *der = g_malloc (1500);
  TirkeuRequest *request = tirkeu_request_new ();

  /* a CMS signature with a certificate chain is about 1.5 KB */
  for (guint b = 0; b < 1500; b++)
    der[b] = (guint8) (b * 31 + i);
  signature = g_bytes_new_take (der, 1500);

  vehicle->make = g_strdup ("Lada");
  vehicle->model = g_strdup ("Vesta");
  tirkeu_request_set_vehicle (request, vehicle);
  tirkeu_request_set_seller_bin (request, "180340021791");
  tirkeu_request_set_seller_name (request, "TOO Avto Salon Almaty");
  tirkeu_request_set_buyer_iin (request, iin);
  tirkeu_request_set_buyer_name (request, name);
  tirkeu_request_set_seller_signature (request, signature);
  tirkeu_request_set_portal_id (request, portal_id);
  for (guint s = 0; s <= i % G_N_ELEMENTS (stages); s++)
    {
      g_autoptr(TirkeuLocalizedText) message =
        tirkeu_localized_text_new ("Сатып алушы өтінімді келісті.",
                                   "Покупатель согласовал заявку.",
                                   "The buyer approved the request.");

      tirkeu_request_apply_portal_stage (request, stages[s], NULL, message, NULL);
    }

  return request;
}

static void
print_memory (const char *when)
{
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 rss_kb = 0;
  guint64 hwm_kb = 0;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;

  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "VmRSS:"))
        rss_kb = g_ascii_strtoull (lines[i] + strlen ("VmRSS:"), NULL, 10);
      else if (g_str_has_prefix (lines[i], "VmHWM:"))
        hwm_kb = g_ascii_strtoull (lines[i] + strlen ("VmHWM:"), NULL, 10);
    }

  g_print ("memory %-20s VmRSS %7.1f MiB  VmHWM %7.1f MiB\n", when,
           rss_kb / 1024.0, hwm_kb / 1024.0);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
fail (GError *error)
{
  g_printerr ("bench-journal: %s\n", error->message);
  exit (1);
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(TirkeuJournal) journal = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(TirkeuRequest) one = NULL;
  g_autofree char *lookup_id = NULL;
  GStatBuf st;
  gint64 start;

  if (n == 0)
    n = 10000;

  dir = g_dir_make_tmp ("bench-journal-XXXXXX", &error);
  if (dir == NULL)
    fail (error);
  path = g_build_filename (dir, "journal.sqlite3", NULL);

  print_memory ("at start");

  start = g_get_monotonic_time ();
  journal = tirkeu_journal_new_sync (path, NULL, &error);
  if (journal == NULL)
    fail (error);
  g_print ("open and migrate            %9.2f ms\n", ms_since (start));

  start = g_get_monotonic_time ();
  records = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (records, make_request (i));
  g_print ("build %u TirkeuRequests     %9.2f ms\n", n, ms_since (start));
  print_memory ("requests built");

  start = g_get_monotonic_time ();
  if (!tirkeu_journal_upsert_requests_sync (journal, records, "bench-1", NULL, &error))
    fail (error);
  g_print ("insert %u in one batch     %9.2f ms\n", n, ms_since (start));

  /* the same requests again (newer: the setters touched them), as 100-request sync pages:
   * one fsync'd commit each */
  {
    g_autoptr(TirkeuLocalizedText) tson = tirkeu_localized_text_new ("Алматы ХҚКО №1",
                                                                     "ЦОН Алматы №1",
                                                                     "TsON Almaty 1");

    for (guint i = 0; i < n; i++)
      tirkeu_request_set_tson (g_ptr_array_index (records, i), tson, NULL);
  }
  start = g_get_monotonic_time ();
  for (guint page = 0; page * 100 < n; page++)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
      g_autofree char *cursor = g_strdup_printf ("bench-page-%u", page);

      for (guint i = page * 100; i < MIN (n, (page + 1) * 100); i++)
        g_ptr_array_add (batch, g_object_ref (g_ptr_array_index (records, i)));
      if (!tirkeu_journal_upsert_requests_sync (journal, batch, cursor, NULL, &error))
        fail (error);
    }
  g_print ("update %u in pages of 100  %9.2f ms\n", n, ms_since (start));
  g_clear_pointer (&records, g_ptr_array_unref);
  print_memory ("after writes");

  start = g_get_monotonic_time ();
  loaded = tirkeu_journal_list_requests_sync (journal, NULL, &error);
  if (loaded == NULL)
    fail (error);
  g_print ("load all %u (TirkeuRequest)%9.2f ms\n", loaded->len, ms_since (start));
  print_memory ("list loaded");

  lookup_id = g_strdup_printf ("KZ-2025-%06u", n / 2);
  start = g_get_monotonic_time ();
  one = tirkeu_journal_get_request_sync (journal, lookup_id, NULL, &error);
  if (one == NULL)
    fail (error);
  g_print ("look up one by portal id    %9.3f ms\n", ms_since (start));

  start = g_get_monotonic_time ();
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *id = g_strdup_printf ("KZ-2025-%06u", g_random_int_range (0, n));
      g_autoptr(TirkeuRequest) found = tirkeu_journal_get_request_sync (journal, id, NULL, &error);

      if (found == NULL)
        fail (error);
    }
  g_print ("1000 random look-ups        %9.2f ms\n", ms_since (start));

  if (g_stat (path, &st) == 0)
    g_print ("journal file                %9.2f MiB\n", st.st_size / (1024.0 * 1024.0));

  g_clear_pointer (&loaded, g_ptr_array_unref);
  g_clear_object (&journal);
  print_memory ("at end");

  for (const char *suffix_list[] = { "", "-wal", "-shm", NULL }, **s = suffix_list; *s; s++)
    {
      g_autofree char *file = g_strconcat (path, *s, NULL);
      g_unlink (file);
    }
  g_rmdir (dir);

  return 0;
}
