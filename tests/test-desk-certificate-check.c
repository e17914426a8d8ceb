/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The signer's certificate checked by OCSP before the password is asked, and the signature
 * timestamped after it, as the new-request controller does them, end to end: a key file
 * issued by `tirkeu-sandbox pki issue-key`, the in-process sandbox as the portal and its test
 * NCA (/pki/ocsp, /pki/tsa, /pki/ca.cer), `tirkeu-sandbox pki revoke` for a revoked key. A
 * small HTTPS responder in this test (the sandbox's TLS certificate, so the portal client
 * trusts it) plays a responder that is down or one that forges answers. */
#include "config.h"

#include <libsoup/soup.h>
#include <openssl/bn.h>
#include <string.h>

#include "test-pki-util.h"
#include "test-sandbox-util.h"
#include "tirkeu-certificate-check.h"
#include "tirkeu-cms.h"
#include "tirkeu-new-request.h"
#include "tirkeu-token-error.h"

#define PASSWORD "Sandbox2026"
#define HEAD_IIN "850304300128"

typedef enum
{
  OCSP_SANDBOX,    /* the portal's own /pki/ocsp */
  OCSP_DOWN,       /* 503 */
  OCSP_FORGED,     /* signed by a responder of another CA */
} OcspMode;

typedef struct
{
  SbFixture           fixture;
  char               *key_file;
  TirkeuPortalClient *client;
  TirkeuTokenManager *tokens;
  TirkeuSession      *session;
  TirkeuJournal      *journal;
  SoupServer         *responder;
  char               *responder_url;
  TestPki             pki;
  guint               n_ocsp;
  GSettings          *settings;
  TirkeuConfig       *config;
} Desk;

static TestPki other_pki;

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

static void
ocsp_cb (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Desk *desk = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) request = soup_message_body_flatten (body);
  g_autoptr(GBytes) answer = NULL;
  TestOcspAnswer how = {
    .status = V_OCSP_CERTSTATUS_GOOD,
    .signer = TEST_OCSP_SIGNER_RESPONDER,
    .next_update_offset = 3600,
    .response_status = OCSP_RESPONSE_STATUS_SUCCESSFUL,
  };

  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  g_assert_cmpstr (soup_server_message_get_method (message), ==, "POST");
  if (g_strcmp0 (type, "application/ocsp-request") == 0)
    desk->n_ocsp++;
  else
    g_assert_cmpstr (type, ==, "application/timestamp-query");
  if (g_str_equal (path, "/down"))
    {
      soup_server_message_set_status (message, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return;
    }
  /* "good", well formed, with our nonce and CertID, but from another CA's responder */
  answer = test_pki_ocsp_answer (&other_pki, request, &how);
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/ocsp-response", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
}

static void
responder_start (Desk *desk)
{
  g_autofree char *cert = g_build_filename (desk->fixture.state_dir, "server.pem", NULL);
  g_autofree char *key = g_build_filename (desk->fixture.state_dir, "server-key.pem", NULL);
  g_autoptr(GTlsCertificate) tls = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bound = NULL;
  GSList *listeners;

  tls = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  desk->responder = soup_server_new ("tls-certificate", tls, NULL);
  soup_server_add_handler (desk->responder, "/down", ocsp_cb, desk, NULL);
  soup_server_add_handler (desk->responder, "/forged", ocsp_cb, desk, NULL);
  address = g_inet_socket_address_new (loopback, 0);
  soup_server_listen (desk->responder, address, SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);
  /* The port from the listening socket itself: soup_server_get_uris() of libsoup 3.2 leaks
   * the local address it asks its listener for. */
  listeners = soup_server_get_listeners (desk->responder);
  bound = g_socket_get_local_address (listeners->data, &error);
  g_slist_free (listeners);
  g_assert_no_error (error);
  desk->responder_url = g_strdup_printf ("https://127.0.0.1:%u",
                                         g_inet_socket_address_get_port (
                                           G_INET_SOCKET_ADDRESS (bound)));
}

static char *
issue_key (Desk *desk)
{
  char *path = g_build_filename (desk->fixture.state_dir, "head.p12", NULL);
  const char *args[] = { "pki", "issue-key", "--state-dir", desk->fixture.state_dir,
                         "--bin", SELLER_BIN, "--iin", HEAD_IIN, "--name", "БЕКОВ АРМАН",
                         "--organisation", "ТОО «Тіркеу Авто Сауда»", "--role", "head",
                         "--password", PASSWORD, "-o", path, NULL };

  sb_run_program (args);
  return path;
}

/* The key file's one certificate: it signs in and signs. */
static TirkeuCertificate *
first_certificate (Desk *desk)
{
  return g_ptr_array_index (tirkeu_session_get_certificates (desk->session), 0);
}

static Desk *
desk_new (OcspMode    mode,
          const char *ocsp_unreachable,
          gboolean    require_timestamp)
{
  Desk *desk = g_new0 (Desk, 1);
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(TirkeuTokenInfo) info = NULL;
  g_autoptr(TirkeuCertificate) certificate = NULL;
  g_autofree char *path = NULL;

  sb_options_for_test (&options, NULL);
  options.require_timestamp = require_timestamp;
  sb_fixture_start (&desk->fixture, &options);
  responder_start (desk);
  desk->key_file = issue_key (desk);

  /* The settings as a dealer sets them; memory backend. Empty addresses: the portal's. */
  desk->settings = g_settings_new ("io.github.tirkeu.Tirkeu");
  if (mode != OCSP_SANDBOX)
    {
      g_autofree char *ocsp_url = g_strconcat (desk->responder_url,
                                               mode == OCSP_DOWN ? "/down" : "/forged", NULL);

      g_settings_set_string (desk->settings, "ocsp-url", ocsp_url);
    }
  g_settings_set_string (desk->settings, "ocsp-unreachable", ocsp_unreachable);
  desk->config = tirkeu_config_new (desk->settings);

  desk->client = tirkeu_portal_client_new (desk->fixture.url,
                                           tirkeu_sandbox_get_ca_file (desk->fixture.sandbox),
                                           &error);
  g_assert_no_error (error);
  desk->tokens = tirkeu_token_manager_new_for_key_files ();
  tirkeu_token_manager_set_poll_interval (desk->tokens, 0);
  file = g_file_new_for_path (desk->key_file);
  tirkeu_token_manager_add_key_file_async (desk->tokens, file, PASSWORD, NULL, store_result_cb,
                                           &result);
  info = tirkeu_token_manager_add_key_file_finish (desk->tokens, wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  desk->session = tirkeu_session_new (desk->tokens, desk->client);
  path = g_build_filename (desk->fixture.state_dir, "journal.sqlite", NULL);
  desk->journal = tirkeu_journal_new_sync (path, NULL, &error);
  g_assert_no_error (error);
  tirkeu_session_set_journal (desk->session, desk->journal);
  tirkeu_session_start (desk->session);
  while (tirkeu_session_get_state (desk->session) < TIRKEU_SESSION_STATE_TOKEN_PRESENT)
    g_main_context_iteration (NULL, TRUE);

  /* one key signs in and signs */
  certificate = g_object_ref (first_certificate (desk));
  tirkeu_session_sign_in_async (desk->session, certificate, PASSWORD, NULL, store_result_cb,
                                &result);
  g_assert_true (tirkeu_session_sign_in_finish (desk->session, wait_for_result (&result), &error));
  g_assert_no_error (error);
  return desk;
}

static void
desk_free (Desk *desk)
{
  g_assert_finalize_object (desk->session);
  g_clear_object (&desk->tokens);
  g_clear_object (&desk->client);
  g_clear_object (&desk->journal);
  g_clear_object (&desk->config);
  g_settings_reset (desk->settings, "ocsp-url");
  g_settings_reset (desk->settings, "ocsp-unreachable");
  g_clear_object (&desk->settings);
  soup_server_disconnect (desk->responder);
  g_clear_object (&desk->responder);
  g_free (desk->responder_url);
  g_free (desk->key_file);
  sb_fixture_stop (&desk->fixture);
  g_free (desk);
}

static char *
serial_hex (TirkeuCertificate *certificate)
{
  GBytes *der = tirkeu_certificate_get_der (certificate);
  const unsigned char *p = g_bytes_get_data (der, NULL);
  X509 *x509 = d2i_X509 (NULL, &p, g_bytes_get_size (der));
  BIGNUM *number = ASN1_INTEGER_to_BN (X509_get0_serialNumber (x509), NULL);
  char *hex = BN_bn2hex (number);
  char *result = g_strdup (hex);

  OPENSSL_free (hex);
  BN_free (number);
  X509_free (x509);
  return result;
}

static void
revoke_key (Desk *desk)
{
  g_autofree char *serial = serial_hex (first_certificate (desk));
  const char *args[] = { "pki", "revoke", serial, "--state-dir", desk->fixture.state_dir,
                         "--reason", "keyCompromise", NULL };

  sb_run_program (args);
}

typedef struct
{
  guint  passwords_asked;
  guint  notices;
  char  *last_notice;
} Seen;

static void
pin_needed_cb (TirkeuNewRequest  *request,
               TirkeuCertificate *certificate,
               const char        *message,
               Seen              *seen)
{
  seen->passwords_asked++;
  tirkeu_new_request_give_pin (request, PASSWORD);
}

static void
notice_cb (TirkeuNewRequest *request,
           const char       *notice,
           Seen             *seen)
{
  seen->notices++;
  g_free (seen->last_notice);
  seen->last_notice = g_strdup (notice);
}

static gboolean
send (Desk              *desk,
      TirkeuNewRequest **out_request,
      Seen              *seen,
      GError           **error)
{
  TirkeuCertificate *certificate = first_certificate (desk);
  g_autoptr(GAsyncResult) result = NULL;
  TirkeuNewRequest *request = tirkeu_new_request_new (desk->session, NULL);

  tirkeu_new_request_set_config (request, desk->config);
  tirkeu_new_request_set_vin (request, VIN_OK);
  tirkeu_new_request_set_buyer_iin (request, BUYER_IIN);
  tirkeu_new_request_set_contract_number (request, CONTRACT_OK);
  while (tirkeu_new_request_get_checking (request))
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (request, "pin-needed", G_CALLBACK (pin_needed_cb), seen);
  g_signal_connect (request, "notice", G_CALLBACK (notice_cb), seen);
  tirkeu_new_request_send_async (request, certificate, NULL, store_result_cb, &result);
  *out_request = request;
  return tirkeu_new_request_send_finish (request, wait_for_result (&result), error);
}

static void
finish (TirkeuNewRequest *request,
        Seen             *seen)
{
  g_signal_handlers_disconnect_by_data (request, seen);
  while (tirkeu_new_request_get_checking (request))
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (request);
  g_free (seen->last_notice);
}

/* What the sandbox verified of the submitted signature (its admin view). */
static JsonObject *
admin_signature (Desk       *desk,
                 const char *id)
{
  g_autoptr(SbAnswer) answer = sb_call (desk->fixture.session, desk->fixture.url, "GET",
                                        "/admin/requests", NULL, NULL, NULL);
  JsonArray *requests = json_object_get_array_member (sb_answer_ok (answer, 200), "requests");

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_equal (json_object_get_string_member (request, "id"), id))
        return json_object_ref (json_object_get_object_member (request, "signature"));
    }
  g_assert_not_reached ();
}

/* A key file of the sandbox's NCA signs in and submits a CAdES-T request the sandbox takes
 * only with a verified timestamp (--require-timestamp). */
static void
test_good_cades_t (void)
{
  Desk *desk = desk_new (OCSP_SANDBOX, "stop", TRUE);
  TirkeuNewRequest *request = NULL;
  Seen seen = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) token_der = NULL;
  g_autoptr(JsonObject) verified = NULL;
  gboolean checked = FALSE;

  g_assert_true (send (desk, &request, &seen, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen.passwords_asked, ==, 1);
  g_assert_cmpuint (seen.notices, ==, 0);
  g_assert_cmpint (tirkeu_new_request_get_certificate_status (request, &checked), ==,
                   TIRKEU_CERTIFICATE_CHECK_GOOD);
  g_assert_true (checked);
  g_assert_true (tirkeu_new_request_get_timestamped (request));
  token_der = tirkeu_cms_dup_timestamp_token (
    tirkeu_request_get_seller_signature (tirkeu_new_request_get_request (request)));
  g_assert_nonnull (token_der);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_SENT);
  verified = admin_signature (desk,
                              tirkeu_request_get_portal_id (tirkeu_new_request_get_request (request)));
  g_assert_true (json_object_get_boolean_member (verified, "ess_cert_id_v2"));
  g_assert_cmpstr (json_object_get_string_member (verified, "timestamp"), ==, "verified");
  finish (request, &seen);
  desk_free (desk);
}

/* Revoked with `tirkeu-sandbox pki revoke` while the session stays signed in: refused before
 * the password is asked again; nothing is created. */
static void
test_revoked (void)
{
  Desk *desk = desk_new (OCSP_SANDBOX, "continue", FALSE);
  TirkeuNewRequest *request = NULL;
  Seen seen = { 0 };
  g_autoptr(GError) error = NULL;

  revoke_key (desk);
  g_assert_false (send (desk, &request, &seen, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE_REVOKED);
  g_assert_cmpuint (seen.passwords_asked, ==, 0);
  g_assert_null (tirkeu_new_request_get_request (request));
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_EDITING);
  g_assert_cmpint (tirkeu_new_request_get_certificate_status (request, NULL), ==,
                   TIRKEU_CERTIFICATE_CHECK_REVOKED);
  finish (request, &seen);
  desk_free (desk);
}

static void
assert_unchecked_stops (OcspMode mode)
{
  Desk *desk = desk_new (mode, "stop", FALSE);
  TirkeuNewRequest *request = NULL;
  Seen seen = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (send (desk, &request, &seen, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNCHECKED);
  g_assert_cmpuint (desk->n_ocsp, ==, 1);
  g_assert_cmpuint (seen.passwords_asked, ==, 0);
  g_assert_null (tirkeu_new_request_get_request (request));
  finish (request, &seen);
  desk_free (desk);
}

static void
test_unreachable_stop (void)
{
  assert_unchecked_stops (OCSP_DOWN);
}

/* A forged answer is worth no more than none. */
static void
test_forged_stop (void)
{
  assert_unchecked_stops (OCSP_FORGED);
}

static void
test_unreachable_continue (void)
{
  Desk *desk = desk_new (OCSP_DOWN, "continue", FALSE);
  TirkeuNewRequest *request = NULL;
  Seen seen = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (send (desk, &request, &seen, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (desk->n_ocsp, ==, 1);
  g_assert_cmpuint (seen.passwords_asked, ==, 1);
  g_assert_cmpuint (seen.notices, ==, 1);
  g_assert_nonnull (strstr (seen.last_notice, "could not be checked"));
  g_assert_cmpstr (tirkeu_new_request_get_notice (request), ==, seen.last_notice);
  g_assert_cmpint (tirkeu_new_request_get_certificate_status (request, NULL), ==,
                   TIRKEU_CERTIFICATE_CHECK_UNREACHABLE);
  g_assert_true (tirkeu_new_request_get_timestamped (request));
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_SENT);
  finish (request, &seen);
  desk_free (desk);
}

/* No timestamp: the CAdES-BES signature is sent all the same, and the person told. */
static void
test_tsa_down (void)
{
  Desk *desk = desk_new (OCSP_SANDBOX, "continue", FALSE);
  TirkeuNewRequest *request = NULL;
  Seen seen = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) token_der = NULL;
  g_autofree char *tsa_url = g_strconcat (desk->responder_url, "/down", NULL);

  g_settings_set_string (desk->settings, "tsa-url", tsa_url);
  g_assert_true (send (desk, &request, &seen, &error));
  g_settings_reset (desk->settings, "tsa-url");
  g_assert_no_error (error);
  g_assert_cmpuint (seen.passwords_asked, ==, 1);
  g_assert_cmpuint (seen.notices, ==, 1);
  g_assert_nonnull (strstr (seen.last_notice, "timestamped"));
  g_assert_false (tirkeu_new_request_get_timestamped (request));
  token_der = tirkeu_cms_dup_timestamp_token (
    tirkeu_request_get_seller_signature (tirkeu_new_request_get_request (request)));
  g_assert_null (token_der);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_SENT);
  finish (request, &seen);
  desk_free (desk);
}

/* The sign-in page's call: no sign-in needed, on a client of its own. */
static void
test_check_before_sign_in (void)
{
  Desk *desk = desk_new (OCSP_SANDBOX, "continue", FALSE);
  TirkeuCertificate *certificate = first_certificate (desk);
  g_autoptr(TirkeuPortalClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GDateTime) revoked_at = NULL;
  g_autoptr(GError) error = NULL;

  client = tirkeu_portal_client_new (desk->fixture.url,
                                     tirkeu_sandbox_get_ca_file (desk->fixture.sandbox), &error);
  g_assert_no_error (error);
  tirkeu_certificate_check_async (NULL, client, certificate, NULL, store_result_cb, &result);
  g_assert_cmpint (tirkeu_certificate_check_finish (wait_for_result (&result), &revoked_at,
                                                    &error), ==, TIRKEU_CERTIFICATE_CHECK_GOOD);
  g_assert_no_error (error);
  g_assert_null (revoked_at);
  g_clear_object (&result);

  revoke_key (desk);
  tirkeu_certificate_check_async (NULL, client, certificate, NULL, store_result_cb, &result);
  g_assert_cmpint (tirkeu_certificate_check_finish (wait_for_result (&result), &revoked_at,
                                                    &error), ==, TIRKEU_CERTIFICATE_CHECK_REVOKED);
  g_assert_no_error (error);
  g_assert_nonnull (revoked_at);
  g_assert_cmpstr (tirkeu_certificate_check_status_to_string (TIRKEU_CERTIFICATE_CHECK_REVOKED),
                   ==, "Revoked");
  desk_free (desk);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  test_pki_init (&other_pki);

  g_test_add_func ("/desk-check/good-cades-t", test_good_cades_t);
  g_test_add_func ("/desk-check/revoked", test_revoked);
  g_test_add_func ("/desk-check/unreachable-stop", test_unreachable_stop);
  g_test_add_func ("/desk-check/forged-stop", test_forged_stop);
  g_test_add_func ("/desk-check/unreachable-continue", test_unreachable_continue);
  g_test_add_func ("/desk-check/tsa-down", test_tsa_down);
  g_test_add_func ("/desk-check/before-sign-in", test_check_before_sign_in);

  status = g_test_run ();
  test_pki_clear (&other_pki);
  return status;
}
