/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TirkeuSync against the in-process sandbox in auto mode: requests followed to every final
 * stage, the back-off while the portal is unreachable, and the recovery when the network
 * monitor says the network is back. */
#include "config.h"

#include <string.h>

#include "tirkeu-portal-error.h"
#include "tirkeu-portal-private.h"
#include "tirkeu-sync.h"
#include "tirkeu-tracking-test.h"

/* ------------------------------------------------------------------------------------------ */
/* A network monitor the test switches by hand */

#define TEST_TYPE_NETWORK_MONITOR (test_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestNetworkMonitor, test_network_monitor, TEST, NETWORK_MONITOR, GObject)

struct _TestNetworkMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum { MON_PROP_0, MON_PROP_AVAILABLE, MON_PROP_METERED, MON_PROP_CONNECTIVITY };

static void test_network_monitor_iface_init (GNetworkMonitorInterface *iface);

static gboolean
test_network_monitor_initable_init (GInitable     *initable,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  return TRUE;
}

static void
test_network_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = test_network_monitor_initable_init;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestNetworkMonitor, test_network_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      test_network_monitor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      test_network_monitor_iface_init))

static gboolean
test_network_monitor_can_reach (GNetworkMonitor     *monitor,
                                GSocketConnectable  *connectable,
                                GCancellable        *cancellable,
                                GError             **error)
{
  return TRUE;
}

static void
test_network_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = test_network_monitor_can_reach;
}

static void
test_network_monitor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TestNetworkMonitor *self = TEST_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case MON_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MON_PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case MON_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL
                                               : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_network_monitor_class_init (TestNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_network_monitor_get_property;
  g_object_class_override_property (object_class, MON_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MON_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MON_PROP_CONNECTIVITY, "connectivity");
}

static void
test_network_monitor_init (TestNetworkMonitor *self)
{
  self->available = TRUE;
}

static void
test_network_monitor_set_available (TestNetworkMonitor *self,
                                    gboolean            available)
{
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}

/* ------------------------------------------------------------------------------------------ */

typedef struct
{
  char *portal_id;
  int   old_stage;
  int   new_stage;
} Change;

static void
change_free (Change *change)
{
  g_free (change->portal_id);
  g_free (change);
}

static void
stage_changed_cb (TirkeuSync    *sync,
                  TirkeuRequest *request,
                  int            old_stage,
                  int            new_stage,
                  GPtrArray     *changes)
{
  Change *change = g_new0 (Change, 1);

  g_assert_cmpint (new_stage, ==, tirkeu_request_get_stage (request));
  g_assert_cmpint (old_stage, !=, new_stage);
  change->portal_id = g_strdup (tirkeu_request_get_portal_id (request));
  change->old_stage = old_stage;
  change->new_stage = new_stage;
  g_ptr_array_add (changes, change);
}

static guint
count_changes_to (GPtrArray  *changes,
                  const char *portal_id,
                  TirkeuStage stage)
{
  guint n = 0;

  for (guint i = 0; i < changes->len; i++)
    {
      Change *change = g_ptr_array_index (changes, i);

      if (g_str_equal (change->portal_id, portal_id) && change->new_stage == (int) stage)
        n++;
    }

  return n;
}

static void
flag_cb (GObject    *object,
         GParamSpec *pspec,
         gboolean   *flag)
{
  *flag = TRUE;
}

static void
wait_round (TirkeuSync *sync)
{
  guint calls = tirkeu_sync_get_n_calls (sync);

  while (tirkeu_sync_get_n_calls (sync) == calls || tirkeu_sync_get_syncing (sync))
    g_main_context_iteration (NULL, TRUE);
}

static void
test_sync_new_destroy (void)
{
  g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
  TirkeuSync *sync = tirkeu_sync_new (journal, NULL);

  g_assert_true (tirkeu_sync_get_online (sync));
  g_assert_false (tirkeu_sync_get_syncing (sync));
  g_assert_null (tirkeu_sync_get_client (sync));
  g_assert_true (tirkeu_sync_get_journal (sync) == journal);
  /* Without a client a start does nothing, and asks nothing. */
  tirkeu_sync_start (sync);
  g_assert_false (tirkeu_sync_get_syncing (sync));
  g_assert_cmpuint (tirkeu_sync_get_n_calls (sync), ==, 0);
  tirkeu_sync_stop (sync);
  g_assert_finalize_object (sync);
}

static void
test_sync_error_classes (void)
{
  static const struct {
    TirkeuPortalCode code;
    gboolean offline;
  } cases[] = {
    { TIRKEU_PORTAL_CODE_NETWORK, TRUE },
    { TIRKEU_PORTAL_CODE_TIMEOUT, TRUE },
    { TIRKEU_PORTAL_CODE_UNAVAILABLE, TRUE },
    { TIRKEU_PORTAL_CODE_TLS, FALSE },
    { TIRKEU_PORTAL_CODE_SESSION_EXPIRED, FALSE },
    { TIRKEU_PORTAL_CODE_MALFORMED, FALSE },
    { TIRKEU_PORTAL_CODE_INTERNAL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (TIRKEU_PORTAL_ERROR, cases[i].code, "x");

      g_assert_cmpint (tirkeu_sync_error_is_offline (error), ==, cases[i].offline);
    }

  {
    g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
    g_assert_false (tirkeu_sync_error_is_offline (error));
  }

  for (TirkeuStage stage = 0; stage < TIRKEU_N_STAGES; stage++)
    g_assert_cmpint (tirkeu_sync_stage_is_notable (stage), ==,
                     stage == TIRKEU_STAGE_COMPLETED || stage == TIRKEU_STAGE_REFUSED
                     || stage == TIRKEU_STAGE_DECLINED || stage == TIRKEU_STAGE_EXPIRED
                     || stage == TIRKEU_STAGE_FINES_UNPAID);
}

static void
withdraw_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The sandbox's clock stands still while the requests are submitted (see
 * test_sync_final_stages), so the buyer cannot approve before the withdrawal; a CONFLICT all
 * the same takes the next contract. */
static char *
submit_and_withdraw (TirkeuTrackingPortal *portal,
                     TirkeuPortalClient   *client)
{
  static const TirkeuTrackingCase spares[] = {
    { "DKP-2025-000109", "WDD2130441A000109", "990330500231", TIRKEU_STAGE_WITHDRAWN },
    { "DKP-2025-000110", "Y6DFD48S7S0000110", "030415600131", TIRKEU_STAGE_WITHDRAWN },
    { "DKP-2025-000102", "JTNB23HK4R3000102", "030415600131", TIRKEU_STAGE_WITHDRAWN },
  };

  for (guint i = 0; i < G_N_ELEMENTS (spares); i++)
    {
      g_autoptr(TirkeuRequest) submitted = tirkeu_tracking_portal_submit (portal, client,
                                                                          &spares[i]);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(TirkeuRequest) withdrawn = NULL;
      g_autoptr(GError) error = NULL;

      tirkeu_portal_client_withdraw_async (client, tirkeu_request_get_portal_id (submitted),
                                           NULL, withdraw_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      withdrawn = tirkeu_portal_client_withdraw_finish (client, result, NULL, &error);
      if (g_error_matches (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_CONFLICT))
        continue;
      g_assert_no_error (error);
      g_assert_cmpint (tirkeu_request_get_stage (withdrawn), ==, TIRKEU_STAGE_WITHDRAWN);
      return g_strdup (tirkeu_request_get_portal_id (submitted));
    }

  g_assert_not_reached ();
}

static void
test_sync_final_stages (void)
{
  g_autoptr(TirkeuTrackingPortal) portal = tirkeu_tracking_portal_new (60);
  g_autoptr(TirkeuPortalClient) client = tirkeu_tracking_portal_sign_in (portal);
  g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
  g_autoptr(TirkeuSync) sync = tirkeu_sync_new (journal, NULL);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gint64 started;
  guint rounds_allowed;
  gboolean all_final = FALSE;

  /* The buyer moves only when the test moves the sandbox's clock: on a loaded machine its
   * real-time steps would overtake the withdrawal that one case needs. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    tirkeu_sandbox_use_manual_clock (tirkeu_tracking_portal_get_sandbox (portal), now);
  }
  g_signal_connect (sync, "stage-changed", G_CALLBACK (stage_changed_cb), changes);
  tirkeu_sync_set_interval (sync, 100);
  tirkeu_sync_set_client (sync, client);
  tirkeu_sync_start (sync);
  /* The first round imports an empty journal and stores the cursor. */
  wait_round (sync);
  g_assert_null (tirkeu_sync_get_last_error (sync));
  started = g_get_monotonic_time ();

  for (guint i = 0; i < tirkeu_tracking_n_cases; i++)
    {
      const TirkeuTrackingCase *tcase = &tirkeu_tracking_cases[i];

      if (tcase->outcome == TIRKEU_STAGE_WITHDRAWN)
        {
          g_ptr_array_add (ids, submit_and_withdraw (portal, client));
        }
      else
        {
          g_autoptr(TirkeuRequest) submitted = tirkeu_tracking_portal_submit (portal, client,
                                                                              tcase);
          g_ptr_array_add (ids, g_strdup (tirkeu_request_get_portal_id (submitted)));
        }
    }

  /* Until every request reached its outcome in the stage-changed signals. */
  for (gint64 deadline = g_get_monotonic_time () + 40 * G_USEC_PER_SEC;
       !all_final && g_get_monotonic_time () < deadline;)
    {
      /* one buyer step per turn of the loop */
      tirkeu_sandbox_advance_clock (tirkeu_tracking_portal_get_sandbox (portal),
                                    60 * G_TIME_SPAN_MILLISECOND);
      g_main_context_iteration (NULL, TRUE);
      all_final = TRUE;
      for (guint i = 0; i < ids->len; i++)
        if (count_changes_to (changes, g_ptr_array_index (ids, i),
                              tirkeu_tracking_cases[i].outcome) == 0)
          all_final = FALSE;
    }
  g_assert_true (all_final);
  wait_round (sync);

  /* One changes call per interval, never one per request: at most one per round of 100 ms
   * (plus the rounds in flight), whatever the number of requests. */
  rounds_allowed = (g_get_monotonic_time () - started) / (100 * 1000) + 3;
  g_assert_cmpuint (tirkeu_sync_get_n_calls (sync), <=, rounds_allowed);

  for (guint i = 0; i < ids->len; i++)
    {
      const TirkeuTrackingCase *tcase = &tirkeu_tracking_cases[i];
      g_autoptr(TirkeuRequest) stored = tirkeu_journal_get_request_sync (journal,
                                                                          g_ptr_array_index (ids, i),
                                                                          NULL, &error);
      GPtrArray *history;

      g_assert_no_error (error);
      g_assert_cmpint (tirkeu_request_get_stage (stored), ==, tcase->outcome);
      history = tirkeu_request_get_history (stored);
      g_assert_cmpuint (history->len, >=, 2);
      /* Each notable stage reached once is announced once. */
      g_assert_cmpuint (count_changes_to (changes, g_ptr_array_index (ids, i), tcase->outcome),
                        ==, 1);
      if (tcase->outcome == TIRKEU_STAGE_REFUSED)
        {
          g_assert_nonnull (tirkeu_request_get_refusal_code (stored));
          g_assert_false (
            tirkeu_localized_text_is_empty (tirkeu_request_get_refusal_reason (stored)));
        }
    }

  /* The cursor moved with the last page. */
  {
    g_autofree char *cursor = tirkeu_journal_get_cursor_sync (journal, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (cursor);
  }

  /* A journal that already holds everything gets no news from a new sync object. */
  tirkeu_sync_stop (sync);
  {
    g_autoptr(TirkeuSync) again = tirkeu_sync_new (journal, NULL);
    g_autoptr(GPtrArray) none = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);

    g_signal_connect (again, "stage-changed", G_CALLBACK (stage_changed_cb), none);
    tirkeu_sync_set_client (again, client);
    tirkeu_sync_start (again);
    wait_round (again);
    g_assert_null (tirkeu_sync_get_last_error (again));
    /* Only the fines request may still move (it does not: it waits for the buyer). */
    g_assert_cmpuint (none->len, ==, 0);
    tirkeu_sync_stop (again);
  }
}

static void
test_sync_offline (void)
{
  g_autoptr(TirkeuTrackingPortal) portal = tirkeu_tracking_portal_new (100);
  g_autoptr(TirkeuPortalClient) client = tirkeu_tracking_portal_sign_in (portal);
  g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
  g_autoptr(TestNetworkMonitor) monitor = g_object_new (TEST_TYPE_NETWORK_MONITOR, NULL);
  g_autoptr(TirkeuSync) sync = tirkeu_sync_new (journal, G_NETWORK_MONITOR (monitor));
  g_autoptr(GArray) delays = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean online_changed = FALSE;
  gboolean back = FALSE;

  tirkeu_sync_set_interval (sync, 50);
  tirkeu_sync_set_backoff (sync, 100, 400);
  tirkeu_sync_set_client (sync, client);
  tirkeu_sync_start (sync);
  wait_round (sync);
  g_assert_true (tirkeu_sync_get_online (sync));

  /* The portal goes away: offline, with waits 100, 200, 400, 400 ms (capped). */
  tirkeu_tracking_portal_stop (portal);
  g_signal_connect (sync, "notify::online", G_CALLBACK (flag_cb), &online_changed);
  tirkeu_tracking_wait (&online_changed, 10000);
  g_assert_false (tirkeu_sync_get_online (sync));
  g_assert_nonnull (tirkeu_sync_get_last_error (sync));
  g_assert_true (tirkeu_sync_error_is_offline (tirkeu_sync_get_last_error (sync)));

  while (delays->len < 4)
    {
      guint delay;
      gboolean changed = FALSE;
      gulong id = g_signal_connect (sync, "notify::retry-delay", G_CALLBACK (flag_cb), &changed);

      if (delays->len == 0)
        {
          delay = tirkeu_sync_get_retry_delay (sync);
          g_array_append_val (delays, delay);
          g_signal_handler_disconnect (sync, id);
          continue;
        }
      /* notify only fires on a change: at the cap, wait for the next failed round instead. */
      if (delays->len == 3)
        {
          g_signal_handler_disconnect (sync, id);
          wait_round (sync);
          delay = tirkeu_sync_get_retry_delay (sync);
          g_array_append_val (delays, delay);
          continue;
        }
      tirkeu_tracking_wait (&changed, 10000);
      g_signal_handler_disconnect (sync, id);
      delay = tirkeu_sync_get_retry_delay (sync);
      g_array_append_val (delays, delay);
    }
  g_assert_cmpuint (g_array_index (delays, guint, 0), ==, 100);
  g_assert_cmpuint (g_array_index (delays, guint, 1), ==, 200);
  g_assert_cmpuint (g_array_index (delays, guint, 2), ==, 400);
  g_assert_cmpuint (g_array_index (delays, guint, 3), ==, 400);
  g_assert_false (tirkeu_sync_get_online (sync));

  /* A long back-off now: the portal comes back, but the sync waits... */
  tirkeu_sync_set_backoff (sync, 60000, 120000);
  wait_round (sync);
  g_assert_cmpuint (tirkeu_sync_get_retry_delay (sync), ==, 800);
  test_network_monitor_set_available (monitor, FALSE);
  tirkeu_tracking_portal_restart (portal);
  {
    gint64 until = g_get_monotonic_time () + 300 * 1000;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_false (tirkeu_sync_get_online (sync));

  /* ...until the network monitor says the network is back: then at once. */
  g_signal_connect (sync, "notify::online", G_CALLBACK (flag_cb), &back);
  test_network_monitor_set_available (monitor, TRUE);
  tirkeu_tracking_wait (&back, 5000);
  g_assert_true (tirkeu_sync_get_online (sync));
  g_assert_cmpuint (tirkeu_sync_get_retry_delay (sync), ==, 0);
  g_assert_null (tirkeu_sync_get_last_error (sync));
  tirkeu_sync_stop (sync);
}

static void
test_sync_refresh (void)
{
  g_autoptr(TirkeuTrackingPortal) portal = tirkeu_tracking_portal_new (100);
  g_autoptr(TirkeuPortalClient) client = tirkeu_tracking_portal_sign_in (portal);
  g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
  g_autoptr(TirkeuSync) sync = tirkeu_sync_new (journal, NULL);
  guint calls;

  /* An hour between rounds: only the manual refresh asks the portal. */
  tirkeu_sync_set_interval (sync, 3600 * 1000);
  tirkeu_sync_set_client (sync, client);
  tirkeu_sync_start (sync);
  wait_round (sync);
  calls = tirkeu_sync_get_n_calls (sync);
  g_assert_cmpuint (calls, ==, 1);

  tirkeu_sync_refresh (sync);
  g_assert_true (tirkeu_sync_get_syncing (sync));
  /* A refresh during a round queues exactly one more round. */
  tirkeu_sync_refresh (sync);
  tirkeu_sync_refresh (sync);
  while (tirkeu_sync_get_n_calls (sync) < calls + 2 || tirkeu_sync_get_syncing (sync))
    g_main_context_iteration (NULL, TRUE);
  {
    gint64 until = g_get_monotonic_time () + 200 * 1000;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_cmpuint (tirkeu_sync_get_n_calls (sync), ==, calls + 2);
  tirkeu_sync_stop (sync);
}

/* ------------------------------------------------------------------------------------------ */
/* A stage a newer portal added                                                              */

#define TEXT(x) "{\"kk\":\"" x " kk\",\"ru\":\"" x " ru\",\"en\":\"" x " en\"}"
#define HISTORY(stage, at) "{\"stage\":\"" stage "\",\"at\":\"" at "\",\"message\":" \
                           TEXT (stage) "}"

/* A request of the contract at "buyer_approved"; %s: its id, its stage, one more history
 * entry (or ""). */
static const char request_format[] =
  "{\"id\":\"%s\",\"stage\":\"%s\",\"revision\":12,"
  "\"vin\":\"XW8ZZZ61ZJG123456\",\"buyer_iin\":\"900101300123\",\"contract_number\":\"DKP-77\","
  "\"seller_bin\":\"940140000385\",\"created_at\":\"2025-10-17T09:30:00Z\","
  "\"updated_at\":\"2025-10-17T11:00:00Z\",\"signing_payload\":\"eyJhIjoxfQ==\","
  "\"vehicle\":{\"make\":\"Toyota\",\"model\":\"Camry\",\"year\":2025,\"colour\":\"white\","
  "\"category\":\"M1\"},"
  "\"buyer\":{\"iin\":\"900101300123\",\"full_name\":\"IVANOV IVAN\"},"
  "\"contract\":{\"number\":\"DKP-77\",\"date\":\"2025-10-16\",\"price\":\"12500000.50\","
  "\"currency\":\"KZT\",\"seller\":{\"bin\":\"940140000385\",\"name\":\"AVTO LLP\"},"
  "\"buyer\":{\"iin\":\"900101300123\",\"full_name\":\"IVANOV IVAN\"}},"
  "\"history\":[" HISTORY ("draft", "2025-10-17T09:30:00Z") ","
  HISTORY ("contract_found", "2025-10-17T09:30:00Z") ","
  HISTORY ("signed", "2025-10-17T09:31:00Z") ","
  HISTORY ("submitted", "2025-10-17T09:31:00Z") ","
  HISTORY ("awaiting_buyer", "2025-10-17T09:31:00Z") ","
  HISTORY ("buyer_approved", "2025-10-17T10:00:00Z") "%s],"
  "\"refusal\":null,\"tson\":null,\"plate_type\":null}";

static void
changes_page_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  g_autofree char *first = g_strdup_printf (request_format, "R-first", "buyer_approved", "");
  g_autofree char *middle =
    g_strdup_printf (request_format, "R-middle", "handed_to_insurer",
                     "," HISTORY ("handed_to_insurer", "2025-10-17T11:00:00Z"));
  g_autofree char *last = g_strdup_printf (request_format, "R-last", "buyer_approved", "");
  g_autofree char *page = NULL;

  if (!g_str_equal (path, "/api/v1/changes"))
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  page = g_strdup_printf ("{\"changes\":[%s,%s,%s],\"cursor\":\"c-1\",\"has_more\":false}",
                          first, middle, last);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, page,
                                    strlen (page));
}

/* One request of a /changes page is at a stage this build does not know: the page is
 * stored, that request with the portal's name of its stage (shown as unknown), the others
 * as usual. */
static void
test_sync_unknown_stage (void)
{
  /* The tracking sandbox only lends its TLS certificate: the page comes from the server
   * below, which plays a newer portal. */
  g_autoptr(TirkeuTrackingPortal) portal = tirkeu_tracking_portal_new (60);
  const char *ca_file = tirkeu_sandbox_get_ca_file (tirkeu_tracking_portal_get_sandbox (portal));
  g_autofree char *dir = g_path_get_dirname (ca_file);
  g_autofree char *cert_file = g_build_filename (dir, "server.pem", NULL);
  g_autofree char *key_file = g_build_filename (dir, "server-key.pem", NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(TirkeuPortalClient) client = NULL;
  g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
  g_autoptr(TirkeuSync) sync = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *ids[] = { "R-first", "R-middle", "R-last" };

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, changes_page_cb, NULL, NULL);
  /* Our own listening socket: soup_server_listen_local() and soup_server_get_uris() of
   * libsoup 3.2 leak the local address they ask the socket for. */
  {
    g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, &error);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_no_error (error);
    g_assert_true (g_socket_bind (socket, any, TRUE, &error));
    g_assert_true (g_socket_listen (socket, &error));
    bound = g_socket_get_local_address (socket, &error);
    g_assert_no_error (error);
    soup_server_listen_socket (server, socket, SOUP_SERVER_LISTEN_HTTPS, &error);
    g_assert_no_error (error);
    url = g_strdup_printf ("https://127.0.0.1:%u",
                           g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  }

  client = tirkeu_portal_client_new (url, ca_file, &error);
  g_assert_no_error (error);
  tirkeu_portal_client_set_max_attempts (client, 1);
  /* generous: a loaded machine under the sanitizers took more than 5 s for the first TLS
   * handshake */
  tirkeu_portal_client_set_timeout_ms (client, 30000);
  /* signed in: the session's token and end (both taken) */
  now = g_date_time_new_now_utc ();
  _tirkeu_portal_client_set_session (client, g_strdup ("session-token"),
                                     g_date_time_add_hours (now, 1));

  sync = tirkeu_sync_new (journal, NULL);
  tirkeu_sync_set_client (sync, client);
  tirkeu_sync_start (sync);
  wait_round (sync);
  if (tirkeu_sync_get_last_error (sync) != NULL)
    g_error ("sync: %s", tirkeu_sync_get_last_error (sync)->message);
  tirkeu_sync_stop (sync);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(TirkeuRequest) stored = tirkeu_journal_get_request_sync (journal, ids[i], NULL,
                                                                          &error);
      g_autofree char *label = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (stored);
      /* the last stage this build knows, never passed off as the current one */
      g_assert_cmpint (tirkeu_request_get_stage (stored), ==, TIRKEU_STAGE_BUYER_APPROVED);
      label = tirkeu_request_dup_unknown_stage_label (stored);
      if (i == 1)
        {
          g_assert_cmpstr (tirkeu_request_get_unknown_stage (stored), ==, "handed_to_insurer");
          g_assert_nonnull (strstr (label, "handed_to_insurer"));
        }
      else
        {
          g_assert_null (tirkeu_request_get_unknown_stage (stored));
          g_assert_null (label);
        }
    }

  {
    g_autofree char *cursor = tirkeu_journal_get_cursor_sync (journal, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (cursor, ==, "c-1");
  }

  soup_server_disconnect (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sync/new-destroy", test_sync_new_destroy);
  g_test_add_func ("/sync/error-classes", test_sync_error_classes);
  g_test_add_func ("/sync/final-stages", test_sync_final_stages);
  g_test_add_func ("/sync/offline", test_sync_offline);
  g_test_add_func ("/sync/refresh", test_sync_refresh);
  g_test_add_func ("/sync/unknown-stage", test_sync_unknown_stage);

  return g_test_run ();
}
