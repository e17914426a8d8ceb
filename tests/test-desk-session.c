/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TirkeuSession, TirkeuSync and TirkeuOutbox together, as the app and the CLI drive them:
 * the SoftHSM token of tests/fixtures/make-token.sh behind the PKCS#11 shim (which counts the
 * logins, tests/pkcs11-shim.c) and the in-process sandbox over real TLS. */
#include "config.h"

#include <glib/gstdio.h>

#include "test-token-fixture.h"
#include "test-token-gost.h"
#include "tirkeu-certificate-choice.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-private.h"
#include "tirkeu-sandbox.h"
#include "tirkeu-session.h"
#include "tirkeu-session-cache.h"
#include "tirkeu-sync.h"
#include "tirkeu-token-error.h"

static TokenFixture *token;
static char *shim_path;
static char *shim_logins;

typedef struct
{
  TirkeuSandbox      *sandbox;
  char               *state_dir;
  char               *journal_path;
  TirkeuPortalClient *client;
  TirkeuTokenManager *tokens;
  TirkeuSession      *session;
  TirkeuJournal      *journal;
} Desk;

/* --- helpers ----------------------------------------------------------------------------- */

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* How many user logins the token saw, and how many of them with an empty PIN. */
static guint
count_logins (guint *n_empty)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (n_empty != NULL)
    *n_empty = 0;
  if (!g_file_get_contents (shim_logins, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (*lines[i] == '\0')
        continue;
      n++;
      if (n_empty != NULL && g_str_equal (lines[i], "login-empty"))
        (*n_empty)++;
    }
  return n;
}

static Desk *
desk_new_full (guint session_ttl_s,
               guint latency_ms)
{
  Desk *desk = g_new0 (Desk, 1);
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;

  g_unlink (shim_logins);

  tirkeu_sandbox_options_init (&options);
  g_free (options.listen);
  options.listen = g_strdup ("127.0.0.1:0");
  desk->state_dir = g_dir_make_tmp ("tirkeu-desk-session-XXXXXX", &error);
  g_assert_no_error (error);
  options.state_dir = g_strdup (desk->state_dir);
  options.signer_ca_file = g_strdup (token->ca_file);
  options.buyer_mode = TIRKEU_SANDBOX_BUYER_MANUAL;
  options.session_ttl_s = session_ttl_s;
  options.latency_ms = latency_ms;
  desk->sandbox = tirkeu_sandbox_new (&options, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_start (desk->sandbox, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_options_clear (&options);

  desk->client = tirkeu_portal_client_new (tirkeu_sandbox_get_url (desk->sandbox),
                                           tirkeu_sandbox_get_ca_file (desk->sandbox), &error);
  g_assert_no_error (error);
  desk->journal_path = g_build_filename (desk->state_dir, "journal.sqlite", NULL);
  desk->journal = tirkeu_journal_new_sync (desk->journal_path, NULL, &error);
  g_assert_no_error (error);

  desk->tokens = tirkeu_token_manager_new (shim_path);
  tirkeu_token_manager_set_poll_interval (desk->tokens, 0);
  desk->session = tirkeu_session_new (desk->tokens, desk->client);
  tirkeu_session_set_journal (desk->session, desk->journal);
  tirkeu_session_start (desk->session);
  while (tirkeu_session_get_state (desk->session) < TIRKEU_SESSION_STATE_TOKEN_PRESENT)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (tirkeu_session_get_state (desk->session), ==,
                   TIRKEU_SESSION_STATE_TOKEN_PRESENT);

  return desk;
}

static Desk *
desk_new (guint session_ttl_s)
{
  return desk_new_full (session_ttl_s, 0);
}

static void
desk_free (Desk *desk)
{
  TirkeuSession *session = g_steal_pointer (&desk->session);

  /* A listing of the token started when it was found may still be on its way back; it holds
   * the session until then. A session kept for longer (a leak) hangs here until the test's
   * timeout. */
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  g_object_unref (session);
  while (session != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&desk->tokens);
  g_clear_object (&desk->client);
  g_clear_object (&desk->journal);
  tirkeu_sandbox_stop (desk->sandbox);
  g_clear_object (&desk->sandbox);
  token_fixture_run ((const char *[]) { "rm", "-rf", desk->state_dir, NULL });
  g_free (desk->state_dir);
  g_free (desk->journal_path);
  g_free (desk);
}

static TirkeuCertificate *
auth_certificate (Desk *desk)
{
  g_autoptr(GPtrArray) certificates = NULL;

  certificates = tirkeu_session_dup_certificates (desk->session, TIRKEU_CERTIFICATE_KIND_AUTH);
  g_assert_cmpuint (certificates->len, >, 0);
  return g_object_ref (g_ptr_array_index (certificates, 0));
}

static void
sign_in (Desk *desk)
{
  g_autoptr(TirkeuCertificate) certificate = auth_certificate (desk);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_session_sign_in_async (desk->session, certificate, token->pin, NULL, store_result_cb,
                                &result);
  g_assert_true (tirkeu_session_sign_in_finish (desk->session, wait_for_result (&result),
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_session_get_state (desk->session), ==,
                   TIRKEU_SESSION_STATE_SIGNED_IN);
}

/* The sandbox's session life in the tests that end one. */
#define SESSION_TTL_S 1800

/* The portal's session ends: its clock (the sandbox's manual one, set before the sign-in)
 * moves past the session's end. No real second is waited, so a loaded machine cannot let a
 * short session end before the test is ready for it. */
static void
end_portal_session (Desk *desk)
{
  tirkeu_sandbox_advance_clock (desk->sandbox, (SESSION_TTL_S + 1) * G_TIME_SPAN_SECOND);
}

/* --- the session cache ------------------------------------------------------------------- */

static char *
only_cache_file (void)
{
  g_autofree char *dir = tirkeu_session_cache_get_dir ();
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  char *found = NULL;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_assert_null (found);
      found = g_build_filename (dir, name, NULL);
    }
  return found;
}

/* Kept per portal, for the user only; a session that ended, or a file others could read,
 * opens nothing and is wiped. */
static void
test_session_cache (void)
{
  const char *url = "https://portal.example/api";
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_hours (now, 1);
  g_autoptr(GDateTime) earlier = g_date_time_add_hours (now, -1);
  g_autoptr(GDateTime) expires_at = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  char *stored = NULL;

  g_assert_false (tirkeu_session_cache_load (url, &stored, &expires_at, &error));
  g_assert_no_error (error);

  g_assert_true (tirkeu_session_cache_store (url, "secret-token", later, &error));
  g_assert_no_error (error);
  g_assert_true (tirkeu_session_cache_load (url, &stored, &expires_at, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, "secret-token");
  g_assert_cmpint (g_date_time_to_unix (expires_at), ==, g_date_time_to_unix (later));
  g_clear_pointer (&stored, tirkeu_wipe_string);
  g_clear_pointer (&expires_at, g_date_time_unref);
  /* another portal's is another */
  g_assert_false (tirkeu_session_cache_load ("https://other.example", &stored, &expires_at,
                                             &error));
  g_assert_no_error (error);

  /* readable by others: not trusted, wiped */
  file = only_cache_file ();
  g_assert_cmpint (g_chmod (file, 0644), ==, 0);
  g_assert_false (tirkeu_session_cache_load (url, &stored, &expires_at, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  /* ended: wiped */
  g_assert_true (tirkeu_session_cache_store (url, "secret-token", earlier, &error));
  g_assert_false (tirkeu_session_cache_load (url, &stored, &expires_at, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  /* sign-out */
  g_assert_true (tirkeu_session_cache_store (url, "secret-token", later, &error));
  g_assert_true (tirkeu_session_cache_wipe (NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

/* --- certificate choice ------------------------------------------------------------------ */

/* The default certificate, on the fixture token's real certificates (make-token.sh): of the
 * ones that may sign, the signed-in person's own, valid longest. */
static void
test_certificate_choice (void)
{
  Desk *desk = desk_new (1800);
  GPtrArray *certificates = tirkeu_session_get_certificates (desk->session);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(TirkeuCertificate) chosen = NULL;
  g_autoptr(GPtrArray) usable = NULL;
  g_autoptr(GError) error = NULL;

  /* Sign-in: the one AUTH key. */
  chosen = tirkeu_certificate_choose (certificates, TIRKEU_SIGN_PURPOSE_SIGN_IN, NULL, NULL,
                                      now, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_certificate_get_label (chosen), ==, "auth-rsa");
  g_clear_object (&chosen);

  /* A request of the seller: not the expired, not-yet-valid or employee's keys, not the
   * other BIN's; of the signed-in person's own, not the one expiring in ten days. */
  usable = tirkeu_certificate_choice_usable (certificates, TIRKEU_SIGN_PURPOSE_REQUEST,
                                             token->seller_bin, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (usable->len, ==, 3);
  chosen = tirkeu_certificate_choose (certificates, TIRKEU_SIGN_PURPOSE_REQUEST,
                                      token->seller_bin, "850304300128", now, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_certificate_get_label (chosen), ==, "sign-rsa");
  g_clear_object (&chosen);

  /* Another person signed in: theirs, though the first head's is valid as long. */
  chosen = tirkeu_certificate_choose (certificates, TIRKEU_SIGN_PURPOSE_REQUEST,
                                      token->seller_bin, "900715400236", now, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_certificate_get_label (chosen), ==, "sign-ec");
  g_clear_object (&chosen);

  /* A seller this token has no key for: why, in the token's words. */
  chosen = tirkeu_certificate_choose (certificates, TIRKEU_SIGN_PURPOSE_REQUEST,
                                      "081140000436", "850304300128", now, &error);
  g_assert_null (chosen);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NOT_SELLER_BIN);

  desk_free (desk);
}

/* --- an expired session ------------------------------------------------------------------ */

static void
last_error_cb (TirkeuSync *sync,
               GParamSpec *pspec,
               gboolean   *failed)
{
  *failed = TRUE;
}

/* The portal session ends while the sync runs: no login of the token without a PIN the user
 * just gave, the session says "signed out: enter the PIN", and the sync waits for a new
 * sign-in instead of trying on its own. Then a sign-in with the PIN brings everything back. */
static void
test_expired_session (void)
{
  Desk *desk = desk_new (SESSION_TTL_S);
  g_autoptr(TirkeuSync) sync = tirkeu_sync_new (desk->journal, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gboolean failed = FALSE;
  guint n_empty;
  const GError *error;

  tirkeu_sandbox_use_manual_clock (desk->sandbox, now);
  sign_in (desk);
  g_assert_cmpuint (count_logins (NULL), ==, 1);

  tirkeu_sync_set_interval (sync, 50);
  tirkeu_sync_set_client (sync, tirkeu_session_get_client (desk->session));
  tirkeu_sync_start (sync);
  while (tirkeu_sync_get_n_calls (sync) == 0 || tirkeu_sync_get_syncing (sync))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (tirkeu_sync_get_last_error (sync));

  g_signal_connect (sync, "notify::last-error", G_CALLBACK (last_error_cb), &failed);
  end_portal_session (desk);
  while (!failed)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (count_logins (&n_empty), ==, 1);
  g_assert_cmpuint (n_empty, ==, 0);
  g_assert_cmpint (tirkeu_session_get_state (desk->session), ==, TIRKEU_SESSION_STATE_EXPIRED);
  g_assert_false (tirkeu_portal_client_get_signed_in (desk->client));
  error = tirkeu_sync_get_last_error (sync);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_SESSION_EXPIRED);
  /* The sync holds no client any more: nothing can start a round until a new sign-in. */
  g_assert_null (tirkeu_sync_get_client (sync));

  /* The PIN the user gives now signs in again, once. */
  sign_in (desk);
  g_assert_cmpuint (count_logins (&n_empty), ==, 2);
  g_assert_cmpuint (n_empty, ==, 0);

  tirkeu_sync_stop (sync);
  g_assert_finalize_object (g_steal_pointer (&sync));
  desk_free (desk);
}

/* --- a forgotten cursor ----------------------------------------------------------------- */

/* The portal no longer knows the journal's cursor (its state was reset, or the cursor aged
 * out): the sync starts again from no cursor, as the CLI does, and goes through. */
static void
test_forgotten_cursor (void)
{
  Desk *desk = desk_new (1800);
  g_autoptr(TirkeuSync) sync = tirkeu_sync_new (desk->journal, NULL);
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;

  sign_in (desk);
  tirkeu_journal_upsert_requests_sync (desk->journal, none, "r999999", NULL, &error);
  g_assert_no_error (error);

  tirkeu_sync_set_client (sync, tirkeu_session_get_client (desk->session));
  tirkeu_sync_run_async (sync, NULL, store_result_cb, &result);
  g_assert_true (tirkeu_sync_run_finish (sync, wait_for_result (&result), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tirkeu_sync_get_n_calls (sync), ==, 2);

  cursor = tirkeu_journal_get_cursor_sync (desk->journal, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cursor, !=, "r999999");

  g_clear_object (&result);
  g_assert_finalize_object (g_steal_pointer (&sync));
  desk_free (desk);
}

/* A round that fails says why in TirkeuSync:last-error, and clears it once one goes
 * through. */
static void
test_sync_error_visible (void)
{
  Desk *desk = desk_new (1800);
  g_autoptr(TirkeuSync) sync = tirkeu_sync_new (desk->journal, NULL);
  g_autoptr(GError) shown = NULL;
  gboolean notified = FALSE;

  sign_in (desk);
  tirkeu_sync_set_client (sync, tirkeu_session_get_client (desk->session));
  tirkeu_sync_set_interval (sync, 60000);
  g_signal_connect (sync, "notify::last-error", G_CALLBACK (last_error_cb), &notified);
  g_object_get (sync, "last-error", &shown, NULL);
  g_assert_null (shown);

  /* The portal goes away under a signed-in desk. */
  tirkeu_sandbox_stop (desk->sandbox);
  tirkeu_sync_start (sync);
  while (!notified)
    g_main_context_iteration (NULL, TRUE);
  g_object_get (sync, "last-error", &shown, NULL);
  g_assert_nonnull (shown);
  g_assert_true (shown->domain == TIRKEU_PORTAL_ERROR);

  tirkeu_sync_stop (sync);
  g_assert_finalize_object (g_steal_pointer (&sync));
  desk_free (desk);
}

/* --- the outbox --------------------------------------------------------------------------- */

static void
flag_cb (gpointer  instance,
         gpointer  argument,
         gboolean *flag)
{
  *flag = TRUE;
}

/* Creates a request of the fixture token's seller on the portal and signs it with the token:
 * what the new-request flow hands to the outbox. */
static TirkeuRequest *
make_signed_request (Desk *desk)
{
  TirkeuPortalClient *client = tirkeu_session_get_client (desk->session);
  const TirkeuPortalSeller *seller = tirkeu_session_get_seller (desk->session);
  TirkeuCertificate *auth = tirkeu_session_get_certificate (desk->session);
  g_autofree char *key = g_uuid_string_random ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(TirkeuCertificate) signer = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuRequest *created;

  tirkeu_portal_client_create_request_async (client, key, "JTNB23HK2R3000115", "850312300121",
                                             "DKP-2025-940001", NULL, store_result_cb, &result);
  created = tirkeu_portal_client_create_request_finish (client, wait_for_result (&result), &info,
                                                        &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  signer = tirkeu_certificate_choose (tirkeu_session_get_certificates (desk->session),
                                      TIRKEU_SIGN_PURPOSE_REQUEST, seller->bin,
                                      tirkeu_certificate_get_iin (auth), now, &error);
  g_assert_no_error (error);
  tirkeu_session_sign_async (desk->session, signer, token->pin, info->signing_payload, NULL,
                             store_result_cb, &result);
  signature = tirkeu_session_sign_finish (desk->session, wait_for_result (&result), &error);
  g_assert_no_error (error);
  tirkeu_request_set_seller_signature (created, signature);

  return created;
}

/* The page that sent a signed request goes away (cancelled) while it is on its way: only the
 * page stops waiting; the request stays in the outbox on the outbox's own schedule, and
 * reaches the portal. */
static void
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_outbox_page_cancelled (void)
{
  /* Each answer of the portal takes 400 ms: the page leaves while the submission is on its
   * way, after the outbox wrote it to the journal (a few milliseconds). */
  Desk *desk = desk_new_full (1800, 400);
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TirkeuRequest) confirmed = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuOutbox *outbox;
  gboolean sent = FALSE;
  const guint retry_ms = 200;

  sign_in (desk);
  request = make_signed_request (desk);
  outbox = tirkeu_session_get_outbox (desk->session);
  tirkeu_outbox_set_retry_ms (outbox, retry_ms);
  g_signal_connect (outbox, "sent", G_CALLBACK (flag_cb), &sent);

  tirkeu_outbox_send_async (outbox, request, NULL, cancellable, store_result_cb, &result);
  g_timeout_add_once (100, cancel_cb, cancellable);
  confirmed = tirkeu_outbox_send_finish (outbox, wait_for_result (&result), &error);
  g_assert_null (confirmed);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Not sent yet: then it is in the outbox, due within its own retry delay, not later. */
  if (!sent)
    {
      g_autoptr(GVariant) due = NULL;
      const char *key = tirkeu_request_get_idempotency_key (request);
      gboolean found = FALSE;
      GVariantIter iter;
      const char *entry_key;

      tirkeu_journal_list_outbox_due_async (desk->journal,
                                            g_get_real_time () + 2 * retry_ms * 1000, NULL,
                                            store_result_cb, &result);
      due = tirkeu_journal_list_outbox_due_finish (desk->journal, wait_for_result (&result),
                                                   &error);
      g_assert_no_error (error);
      g_variant_iter_init (&iter, due);
      while (g_variant_iter_next (&iter, "(&s@a{sv}u&sx&s)", &entry_key, NULL, NULL, NULL,
                                  NULL, NULL))
        found = found || g_str_equal (entry_key, key);
      g_assert_true (found || sent);
    }

  while (!sent)
    g_main_context_iteration (NULL, TRUE);

  /* The journal's copy keeps the portal's time: adding the signature the portal does not
   * send back must not make it newer than the portal's next answer (a withdrawal in the same
   * second would then be dropped as older). */
  {
    g_autoptr(TirkeuRequest) stored = NULL;
    g_autoptr(JsonNode) portal = NULL;
    g_autoptr(GDateTime) portal_updated = NULL;
    const char *id = tirkeu_request_get_portal_id (request);

    /* The journal writes the confirmation on its thread: wait for it to be there. */
    do
      {
        g_clear_object (&stored);
        g_clear_error (&error);
        g_main_context_iteration (NULL, FALSE);
        stored = tirkeu_journal_get_request_sync (desk->journal, id, NULL, &error);
      }
    while (stored == NULL);
    portal = tirkeu_sandbox_get_request (desk->sandbox, id);
    portal_updated = g_date_time_new_from_iso8601 (
      json_object_get_string_member (json_node_get_object (portal), "updated_at"), NULL);
    g_assert_nonnull (portal_updated);
    g_assert_cmpint (g_date_time_compare (tirkeu_request_get_updated_at (stored),
                                          portal_updated), ==, 0);
  }

  desk_free (desk);
}

/* "Retry" while the portal is away tries at once and fails, without lengthening the
 * back-off: the entry keeps its next automatic try, and the automatic try after it waits the
 * next step (twice the first), not the one after (four times). Once the portal is back,
 * "Retry" sends it at once. */

static void
notify_flag_cb (GObject    *object,
                GParamSpec *pspec,
                gboolean   *flag)
{
  *flag = TRUE;
}

static void
restart_sandbox (Desk       *desk,
                 const char *listen)
{
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;

  tirkeu_sandbox_options_init (&options);
  g_free (options.listen);
  options.listen = g_strdup (listen);
  options.state_dir = g_strdup (desk->state_dir);
  options.signer_ca_file = g_strdup (token->ca_file);
  options.buyer_mode = TIRKEU_SANDBOX_BUYER_MANUAL;
  options.session_ttl_s = 1800;
  desk->sandbox = tirkeu_sandbox_new (&options, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_start (desk->sandbox, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_options_clear (&options);
}

static guint
journal_attempts (Desk       *desk,
                  const char *key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) outbox = NULL;
  g_autoptr(GError) error = NULL;
  GVariantIter iter;
  const char *entry_key;
  guint attempts;

  tirkeu_journal_list_outbox_due_async (desk->journal, G_MAXINT64, NULL, store_result_cb,
                                        &result);
  outbox = tirkeu_journal_list_outbox_due_finish (desk->journal, wait_for_result (&result),
                                                  &error);
  g_assert_no_error (error);
  g_variant_iter_init (&iter, outbox);
  while (g_variant_iter_next (&iter, "(&s@a{sv}u&sx&s)", &entry_key, NULL, &attempts, NULL,
                              NULL, NULL))
    {
      if (g_str_equal (entry_key, key))
        return attempts;
    }
  g_assert_not_reached ();
}

static void
test_outbox_retry_now (void)
{
  Desk *desk = desk_new (1800);
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TirkeuRequest) confirmed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *key = NULL;
  TirkeuOutbox *outbox;
  gboolean sent = FALSE;
  gboolean rescheduled = FALSE;
  const guint retry_ms = 2000;
  gint64 first_at;
  gint64 second_at;

  sign_in (desk);
  request = make_signed_request (desk);
  key = g_strdup (tirkeu_request_get_idempotency_key (request));
  outbox = tirkeu_session_get_outbox (desk->session);
  tirkeu_outbox_set_retry_ms (outbox, retry_ms);
  /* One try per call: the client's own quick retries are not what is tested. */
  tirkeu_portal_client_set_max_attempts (desk->client, 1);
  g_signal_connect (outbox, "sent", G_CALLBACK (flag_cb), &sent);

  /* The portal goes away before the submission. */
  uri = g_uri_parse (tirkeu_sandbox_get_url (desk->sandbox), G_URI_FLAGS_NONE, NULL);
  listen = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uri));
  tirkeu_sandbox_stop (desk->sandbox);
  g_clear_object (&desk->sandbox);

  tirkeu_outbox_send_async (outbox, request, NULL, NULL, store_result_cb, &result);
  confirmed = tirkeu_outbox_send_finish (outbox, wait_for_result (&result), &error);
  g_assert_null (confirmed);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_cmpuint (tirkeu_outbox_get_n_pending (outbox), ==, 1);
  g_assert_nonnull (tirkeu_outbox_get_last_error (outbox));
  first_at = tirkeu_outbox_get_next_attempt_at (outbox);
  g_assert_cmpint (first_at, >, g_get_real_time ());
  g_assert_cmpint (first_at, <=, g_get_real_time () + (gint64) retry_ms * 1000);
  /* The journal has seen the first failed try. */
  while (journal_attempts (desk, key) != 1)
    g_main_context_iteration (NULL, FALSE);

  /* Retry: tried at once, failed, and the schedule is as it was. */
  tirkeu_outbox_retry_now (outbox);
  g_assert_true (tirkeu_outbox_get_retrying (outbox));
  while (tirkeu_outbox_get_retrying (outbox))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (sent);
  g_assert_cmpuint (tirkeu_outbox_get_n_pending (outbox), ==, 1);
  g_assert_cmpint (tirkeu_outbox_get_next_attempt_at (outbox), ==, first_at);
  g_assert_cmpuint (journal_attempts (desk, key), ==, 1);

  /* The automatic try at first_at fails too; the one after waits the second step. */
  g_signal_connect (outbox, "notify::next-attempt-at", G_CALLBACK (notify_flag_cb),
                    &rescheduled);
  while (tirkeu_outbox_get_next_attempt_at (outbox) == first_at
         || tirkeu_outbox_get_next_attempt_at (outbox) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (rescheduled);
  g_assert_cmpint (g_get_real_time (), >=, first_at);
  second_at = tirkeu_outbox_get_next_attempt_at (outbox);
  g_assert_cmpint (second_at - first_at, >=, 2 * (gint64) retry_ms * 1000);
  /* Had the manual try counted, this wait would be 4 × retry_ms. */
  g_assert_cmpint (second_at - first_at, <, 4 * (gint64) retry_ms * 1000);

  /* The portal is back: Retry sends it now, long before second_at. */
  restart_sandbox (desk, listen);
  tirkeu_outbox_retry_now (outbox);
  while (!sent)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (g_get_real_time (), <, second_at);
  g_assert_cmpuint (tirkeu_outbox_get_n_pending (outbox), ==, 0);
  g_assert_cmpint (tirkeu_outbox_get_next_attempt_at (outbox), ==, 0);
  g_assert_null (tirkeu_outbox_get_last_error (outbox));
  while (tirkeu_outbox_get_retrying (outbox))
    g_main_context_iteration (NULL, TRUE);

  desk_free (desk);
}

static void
count_cb (guint *n)
{
  (*n)++;
}

/* The same signed request handed to the outbox twice at once (the sign-in's flush and the
 * CLI's own pass over the outbox, say): the second call waits for the first submission
 * instead of making another. Two made the portal answer both, and the one that lost
 * recorded a failure for a request the journal had already taken out of the outbox (a
 * warning, fatal in tests). */
static void
test_outbox_same_request_twice (void)
{
  /* Each answer takes 300 ms: both calls are made while the first is on its way. */
  Desk *desk = desk_new_full (1800, 300);
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(TirkeuRequest) first_confirmed = NULL;
  g_autoptr(TirkeuRequest) second_confirmed = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuOutbox *outbox;
  guint sent = 0;
  guint attempts;

  sign_in (desk);
  request = make_signed_request (desk);
  outbox = tirkeu_session_get_outbox (desk->session);
  g_signal_connect_swapped (outbox, "sent", G_CALLBACK (count_cb), &sent);
  attempts = _tirkeu_portal_client_get_n_attempts (desk->client);

  tirkeu_outbox_send_async (outbox, request, NULL, NULL, store_result_cb, &first);
  tirkeu_outbox_send_async (outbox, request, NULL, NULL, store_result_cb, &second);
  first_confirmed = tirkeu_outbox_send_finish (outbox, wait_for_result (&first), &error);
  g_assert_no_error (error);
  second_confirmed = tirkeu_outbox_send_finish (outbox, wait_for_result (&second), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_request_get_portal_id (first_confirmed), ==,
                   tirkeu_request_get_portal_id (request));
  g_assert_cmpstr (tirkeu_request_get_portal_id (second_confirmed), ==,
                   tirkeu_request_get_portal_id (request));
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (desk->client) - attempts, ==, 1);
  g_assert_cmpuint (sent, ==, 1);
  g_assert_cmpuint (tirkeu_outbox_get_n_pending (outbox), ==, 0);

  desk_free (desk);
}

/* --- a shared sign-in ------------------------------------------------------------------- */

/* Two callers wait for the same sign-in (the sign-in page and another page, say); the first
 * leaves. It alone gets "cancelled"; the other still signs in, with one login of the token. */
static void
test_shared_sign_in (void)
{
  Desk *desk = desk_new (1800);
  g_autoptr(TirkeuCertificate) certificate = auth_certificate (desk);
  g_autoptr(GCancellable) leaving = g_cancellable_new ();
  g_autoptr(GCancellable) staying = g_cancellable_new ();
  g_autoptr(GAsyncResult) left = NULL;
  g_autoptr(GAsyncResult) stayed = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_session_sign_in_async (desk->session, certificate, token->pin, leaving,
                                store_result_cb, &left);
  tirkeu_session_sign_in_async (desk->session, certificate, token->pin, staying,
                                store_result_cb, &stayed);
  g_cancellable_cancel (leaving);

  g_assert_false (tirkeu_session_sign_in_finish (desk->session, wait_for_result (&left),
                                                 &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_assert_true (tirkeu_session_sign_in_finish (desk->session, wait_for_result (&stayed),
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_session_get_state (desk->session), ==,
                   TIRKEU_SESSION_STATE_SIGNED_IN);
  g_assert_cmpuint (count_logins (NULL), ==, 1);

  g_clear_object (&left);
  g_clear_object (&stayed);
  desk_free (desk);
}

/* Every caller leaves: the sign-in stops, and the session is back where it was. */
static void
test_sign_in_all_leave (void)
{
  Desk *desk = desk_new (1800);
  g_autoptr(TirkeuCertificate) certificate = auth_certificate (desk);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_session_sign_in_async (desk->session, certificate, token->pin, cancellable,
                                store_result_cb, &result);
  g_cancellable_cancel (cancellable);
  g_assert_false (tirkeu_session_sign_in_finish (desk->session, wait_for_result (&result),
                                                 &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  while (tirkeu_session_get_state (desk->session) == TIRKEU_SESSION_STATE_SIGNING_IN)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (tirkeu_session_get_state (desk->session), ==,
                   TIRKEU_SESSION_STATE_TOKEN_PRESENT);
  g_assert_false (tirkeu_portal_client_get_signed_in (desk->client));

  g_clear_object (&result);
  desk_free (desk);
}

/* --- an NCA key file instead of a token ------------------------------------------------- */

/* The app's --key-file: a manager of key files alone finds no token; the session asks for the
 * key file's password before it can list anything; a wrong one is refused with its own error
 * and lists nothing; the right one lists the GOST 2015 certificate, which serves sign-in and
 * signing alike. */
static void
test_key_file (void)
{
  g_autoptr(GostIdentity) ca = gost_identity_new (NULL, "/C=KZ/CN=GOST DESK TEST CA", NULL, -10, 3650);
  g_autoptr(GostIdentity) seller = gost_identity_new (ca, "/CN=ИВАНОВ ИВАН/SN=ИВАНОВ"
                                                          "/serialNumber=IIN850304300128/C=KZ"
                                                          "/O=ТОО ТИРКЕУ АВТО ТЕСТ/OU=BIN940140000385",
                                                      "emailProtection,1.2.398.3.3.4.1.2,"
                                                      "1.2.398.3.3.4.1.2.1",
                                                      -1, 365);
  g_autoptr(GBytes) p12 = gost_identity_key_file (seller, "Qwerty12");
  g_autofree char *dir = g_dir_make_tmp ("tirkeu-key-file-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "GOST512_TEST.p12", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalClient) client = NULL;
  g_autoptr(TirkeuTokenManager) tokens = tirkeu_token_manager_new_for_key_files ();
  g_autoptr(TirkeuSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) auth = NULL;
  g_autoptr(GPtrArray) sign = NULL;
  guint changed = 0;

  g_assert_nonnull (dir);
  g_file_set_contents (path, g_bytes_get_data (p12, NULL), g_bytes_get_size (p12), &error);
  g_assert_no_error (error);
  client = tirkeu_portal_client_new ("https://127.0.0.1:9", NULL, &error);
  g_assert_no_error (error);
  tirkeu_token_manager_set_poll_interval (tokens, 0);
  session = tirkeu_session_new (tokens, client);
  tirkeu_session_set_key_file (session, file);
  g_signal_connect_swapped (session, "certificates-changed", G_CALLBACK (count_cb), &changed);
  g_assert_false (tirkeu_session_needs_key_file_password (session));
  tirkeu_session_start (session);
  while (tirkeu_session_get_state (session) == TIRKEU_SESSION_STATE_LOADING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (tirkeu_session_get_state (session), ==, TIRKEU_SESSION_STATE_NO_TOKEN);
  g_assert_true (tirkeu_session_needs_key_file_password (session));

  tirkeu_session_open_key_file_async (session, "wrong", NULL, store_result_cb, &result);
  g_assert_false (tirkeu_session_open_key_file_finish (session, wait_for_result (&result), &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_null (tirkeu_session_get_token (session));
  g_assert_true (tirkeu_session_needs_key_file_password (session));

  tirkeu_session_open_key_file_async (session, "Qwerty12", NULL, store_result_cb, &result);
  g_assert_true (tirkeu_session_open_key_file_finish (session, wait_for_result (&result), &error));
  g_assert_no_error (error);
  while (changed == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (tirkeu_session_needs_key_file_password (session));
  g_assert_cmpint (tirkeu_session_get_state (session), ==, TIRKEU_SESSION_STATE_TOKEN_PRESENT);
  g_assert_cmpint (tirkeu_token_info_get_kind (tirkeu_session_get_token (session)), ==,
                   TIRKEU_TOKEN_KIND_KEY_FILE);
  auth = tirkeu_session_dup_certificates (session, TIRKEU_CERTIFICATE_KIND_AUTH);
  sign = tirkeu_session_dup_certificates (session, TIRKEU_CERTIFICATE_KIND_SIGN);
  g_assert_cmpuint (auth->len, ==, 1);
  g_assert_cmpuint (sign->len, ==, 1);
  g_assert_true (g_ptr_array_index (auth, 0) == g_ptr_array_index (sign, 0));
  g_assert_cmpstr (tirkeu_certificate_get_iin (g_ptr_array_index (auth, 0)), ==, "850304300128");

  g_clear_object (&session);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Before any thread: the environment is read by SoftHSM and the shim. */
  token = token_fixture_new ();
  shim_path = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "tests",
                                "tirkeu-test-pkcs11-shim.so", NULL);
  shim_logins = g_build_filename (token->dir, "shim-logins", NULL);
  g_setenv ("TIRKEU_SHIM_LOGINS", shim_logins, TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/desk/session-cache", test_session_cache);
  g_test_add_func ("/desk/certificate-choice", test_certificate_choice);
  g_test_add_func ("/desk/session/expired", test_expired_session);
  g_test_add_func ("/desk/session/shared-sign-in", test_shared_sign_in);
  g_test_add_func ("/desk/sync/forgotten-cursor", test_forgotten_cursor);
  g_test_add_func ("/desk/outbox/page-cancelled", test_outbox_page_cancelled);
  g_test_add_func ("/desk/outbox/retry-now", test_outbox_retry_now);
  g_test_add_func ("/desk/outbox/same-request-twice", test_outbox_same_request_twice);
  g_test_add_func ("/desk/sync/error-visible", test_sync_error_visible);
  g_test_add_func ("/desk/session/sign-in-all-leave", test_sign_in_all_leave);
  g_test_add_func ("/desk/session/key-file", test_key_file);

  status = g_test_run ();
  g_free (shim_path);
  g_free (shim_logins);
  token_fixture_free (token);
  return status;
}
