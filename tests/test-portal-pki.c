/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The portal client's exchanges with the certification authority's services
 * (tirkeu-portal-pki.c) against a small HTTPS SoupServer in the test: the media types of
 * RFC 6960 and RFC 3161 both ways, the portal's /pki paths or a configured address, and the
 * failures mapped to portal errors: another media type, an HTTP error, a redirect not
 * followed, an answer too large, a deadline, an address that is no http(s) one.
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-sandbox-pki.h"

static char *pki_dir;
static char *ca_file;
static GTlsCertificate *server_certificate;

typedef struct
{
  SoupServer        *server;
  char              *base_url;
  char              *last_path;
  char              *last_type;
  char              *last_accept;
  GBytes            *last_body;
  guint              status;
  const char        *answer_type;
  gboolean           hang;
  SoupServerMessage *hung;
} Fixture;

static void
make_pki (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  EVP_PKEY *ca_key;
  EVP_PKEY *server_key;
  X509 *ca;
  X509 *server;

  pki_dir = g_dir_make_tmp ("tirkeu-portal-pki-XXXXXX", &error);
  g_assert_no_error (error);
  ca_key = tirkeu_sandbox_pki_new_key (0, &error);
  g_assert_no_error (error);
  server_key = tirkeu_sandbox_pki_new_key (0, &error);
  g_assert_no_error (error);
  ca = tirkeu_sandbox_pki_new_ca (ca_key, "Tirkeu test TLS CA", &error);
  g_assert_no_error (error);
  server = tirkeu_sandbox_pki_new_server_cert (server_key, ca, ca_key, &error);
  g_assert_no_error (error);
  ca_file = g_build_filename (pki_dir, "ca.pem", NULL);
  cert = g_build_filename (pki_dir, "server.pem", NULL);
  key = g_build_filename (pki_dir, "server-key.pem", NULL);
  g_assert_true (tirkeu_sandbox_pki_write_cert (ca_file, ca, &error));
  g_assert_true (tirkeu_sandbox_pki_write_cert (cert, server, &error));
  g_assert_true (tirkeu_sandbox_pki_write_key (key, server_key, &error));
  server_certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  X509_free (server);
  X509_free (ca);
  EVP_PKEY_free (server_key);
  EVP_PKEY_free (ca_key);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *fixture = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  g_free (fixture->last_path);
  fixture->last_path = g_strdup (path);
  g_free (fixture->last_type);
  fixture->last_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  g_free (fixture->last_accept);
  fixture->last_accept = g_strdup (soup_message_headers_get_one (headers, "Accept"));
  g_clear_pointer (&fixture->last_body, g_bytes_unref);
  fixture->last_body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (fixture->hang)
    {
      soup_server_message_pause (msg);
      fixture->hung = g_object_ref (msg);
      return;
    }
  if (fixture->status == SOUP_STATUS_FOUND)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location",
                                  "https://example.invalid/");
  soup_server_message_set_status (msg, fixture->status, NULL);
  soup_server_message_set_response (msg, fixture->answer_type, SOUP_MEMORY_COPY,
                                    "DER-BYTES", 9);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  fixture->server = soup_server_new ("tls-certificate", server_certificate, NULL);
  soup_server_add_handler (fixture->server, NULL, server_cb, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_HTTPS |
                            SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->base_url = g_strdup_printf ("https://127.0.0.1:%u", g_uri_get_port (uris->data));
  fixture->status = SOUP_STATUS_OK;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->hung != NULL)
    {
      soup_server_message_unpause (fixture->hung);
      g_clear_object (&fixture->hung);
    }
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_free (fixture->base_url);
  g_free (fixture->last_path);
  g_free (fixture->last_type);
  g_free (fixture->last_accept);
  g_clear_pointer (&fixture->last_body, g_bytes_unref);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GBytes *
post (Fixture                *fixture,
      TirkeuPortalClient     *client,
      TirkeuPortalPkiService  service,
      const char             *url,
      GError                **error)
{
  g_autoptr(GBytes) query = g_bytes_new_static ("QUERY", 5);
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_portal_client_post_pki_async (client, service, url, query, NULL, store_result_cb,
                                       &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return tirkeu_portal_client_post_pki_finish (client, result, error);
}

static TirkeuPortalClient *
new_client (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  TirkeuPortalClient *client = tirkeu_portal_client_new (fixture->base_url, ca_file, &error);

  g_assert_no_error (error);
  return client;
}

static void
test_ocsp_and_tsa (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TirkeuPortalClient) client = new_client (fixture);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *configured = g_strconcat (fixture->base_url, "/nca/ocsp", NULL);

  fixture->answer_type = "application/ocsp-response";
  answer = post (fixture, client, TIRKEU_PORTAL_PKI_OCSP, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), "DER-BYTES", 9);
  g_assert_cmpstr (fixture->last_path, ==, "/pki/ocsp");
  g_assert_cmpstr (fixture->last_type, ==, "application/ocsp-request");
  g_assert_cmpstr (fixture->last_accept, ==, "application/ocsp-response");
  g_assert_cmpmem (g_bytes_get_data (fixture->last_body, NULL),
                   g_bytes_get_size (fixture->last_body), "QUERY", 5);
  g_clear_pointer (&answer, g_bytes_unref);

  answer = post (fixture, client, TIRKEU_PORTAL_PKI_OCSP, configured, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fixture->last_path, ==, "/nca/ocsp");
  g_clear_pointer (&answer, g_bytes_unref);

  fixture->answer_type = "application/timestamp-reply";
  answer = post (fixture, client, TIRKEU_PORTAL_PKI_TSA, "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fixture->last_path, ==, "/pki/tsa");
  g_assert_cmpstr (fixture->last_type, ==, "application/timestamp-query");
  g_assert_cmpstr (fixture->last_accept, ==, "application/timestamp-reply");
}

static void
test_ca_certificate (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(TirkeuPortalClient) client = new_client (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  fixture->answer_type = "application/pkix-cert";
  tirkeu_portal_client_get_ca_certificate_async (client, NULL, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  answer = tirkeu_portal_client_get_ca_certificate_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fixture->last_path, ==, "/pki/ca.cer");
  g_assert_cmpuint (g_bytes_get_size (answer), ==, 9);
}

static void
test_failures (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(TirkeuPortalClient) client = new_client (fixture);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  /* an HTML error page where an OCSP answer should be */
  fixture->answer_type = "text/html";
  answer = post (fixture, client, TIRKEU_PORTAL_PKI_OCSP, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED);
  g_clear_error (&error);

  fixture->answer_type = "application/ocsp-response";
  fixture->status = SOUP_STATUS_SERVICE_UNAVAILABLE;
  answer = post (fixture, client, TIRKEU_PORTAL_PKI_OCSP, NULL, &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAVAILABLE);
  g_assert_true (tirkeu_portal_error_is_transient (error));
  g_clear_error (&error);

  /* a redirect is an answer, not followed */
  fixture->status = SOUP_STATUS_FOUND;
  answer = post (fixture, client, TIRKEU_PORTAL_PKI_OCSP, NULL, &error);
  g_assert_null (answer);
  g_assert_nonnull (error);
  g_assert_true (error->domain == TIRKEU_PORTAL_ERROR);
  g_clear_error (&error);

  fixture->status = SOUP_STATUS_OK;
  tirkeu_portal_client_set_max_answer_size (client, 4);
  answer = post (fixture, client, TIRKEU_PORTAL_PKI_OCSP, NULL, &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TOO_LARGE);
  g_clear_error (&error);
  tirkeu_portal_client_set_max_answer_size (client, 65536);

  answer = post (fixture, client, TIRKEU_PORTAL_PKI_OCSP, "ftp://127.0.0.1/ocsp", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* the client's deadline holds */
  fixture->hang = TRUE;
  tirkeu_portal_client_set_timeout_ms (client, 300);
  answer = post (fixture, client, TIRKEU_PORTAL_PKI_OCSP, NULL, &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT);
}

/* A client that trusts another CA refuses the server: the same TLS trust as the portal's. */
static void
test_tls_untrusted (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalClient) client = tirkeu_portal_client_new (fixture->base_url,
                                                                   NULL, &error);
  g_autoptr(GBytes) answer = NULL;

  g_assert_no_error (error);
  fixture->answer_type = "application/ocsp-response";
  answer = post (fixture, client, TIRKEU_PORTAL_PKI_OCSP, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TLS);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  make_pki ();
#define ADD(path, func) \
  g_test_add ("/portal/pki/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("ocsp-and-tsa", test_ocsp_and_tsa);
  ADD ("ca-certificate", test_ca_certificate);
  ADD ("failures", test_failures);
  ADD ("tls-untrusted", test_tls_untrusted);
  status = g_test_run ();
  g_clear_object (&server_certificate);
  {
    g_autoptr(GSubprocess) rm = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "rm", "-rf",
                                                  pki_dir, NULL);
    if (rm != NULL)
      g_subprocess_wait (rm, NULL, NULL);
  }
  g_free (ca_file);
  g_free (pki_dir);
  return status;
}
