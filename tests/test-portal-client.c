/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The portal client's transport against a small HTTPS SoupServer inside the test: TLS with a
 * CA and a server certificate made by `openssl req` here, answers scripted per test (error
 * model, retries, Retry-After, dropped and truncated connections, oversized, slow and
 * malformed answers, session renewal). The contract's operations against the real sandbox
 * are in test-portal-sandbox.c.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "tirkeu-portal-action.h"
#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"
#include "tirkeu-portal-private.h"
#include "tirkeu-test-time.h"

/* ------------------------------------------------------------------------------------------ */
/* Certificates, made once per run                                                            */

static char *pki_dir;
static char *ca_file;
static char *other_ca_file;
static GTlsCertificate *server_certificate;
static GTlsCertificate *wrong_name_certificate;   /* from the right CA, for another host */

static void
run_openssl (const char *args)
{
  g_autofree char *command = g_strdup_printf ("openssl %s", args);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (g_spawn_command_line_sync (command, NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("openssl %s failed: %s", args, err);
}

static void
make_pki (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ext = NULL;

  pki_dir = g_dir_make_tmp ("tirkeu-portal-test-XXXXXX", &error);
  g_assert_no_error (error);
  ext = g_build_filename (pki_dir, "server.ext", NULL);
  g_file_set_contents (ext,
                       "basicConstraints=CA:FALSE\n"
                       "keyUsage=digitalSignature\n"
                       "extendedKeyUsage=serverAuth\n"
                       "subjectAltName=IP:127.0.0.1,DNS:localhost\n", -1, &error);
  g_assert_no_error (error);

#define P(name) g_build_filename (pki_dir, name, NULL)
  {
    g_autofree char *ca_key = P ("ca.key");
    g_autofree char *other_key = P ("other.key");
    g_autofree char *server_key = P ("server.key");
    g_autofree char *server_csr = P ("server.csr");
    g_autofree char *server_pem = P ("server.pem");
    g_autofree char *wrong_pem = P ("wrong.pem");
    g_autofree char *wrong_ext = P ("wrong.ext");
    g_autofree char *cmd = NULL;

    ca_file = P ("ca.pem");
    other_ca_file = P ("other.pem");

    cmd = g_strdup_printf ("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                           "-keyout %s -out %s -days 2 -subj /CN=Tirkeu-Test-CA "
                           "-addext basicConstraints=critical,CA:TRUE "
                           "-addext keyUsage=critical,keyCertSign,cRLSign", ca_key, ca_file);
    run_openssl (cmd);
    g_free (cmd);
    cmd = g_strdup_printf ("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                           "-keyout %s -out %s -days 2 -subj /CN=Other-CA "
                           "-addext basicConstraints=critical,CA:TRUE "
                           "-addext keyUsage=critical,keyCertSign,cRLSign",
                           other_key, other_ca_file);
    run_openssl (cmd);
    g_free (cmd);
    cmd = g_strdup_printf ("req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                           "-keyout %s -out %s -subj /CN=127.0.0.1", server_key, server_csr);
    run_openssl (cmd);
    g_free (cmd);
    cmd = g_strdup_printf ("x509 -req -in %s -CA %s -CAkey %s -CAcreateserial -days 2 "
                           "-out %s -extfile %s", server_csr, ca_file, ca_key, server_pem, ext);
    run_openssl (cmd);

    server_certificate = g_tls_certificate_new_from_files (server_pem, server_key, &error);
    g_assert_no_error (error);

    g_file_set_contents (wrong_ext, "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                         "subjectAltName=DNS:portal.example.kz\n", -1, &error);
    g_assert_no_error (error);
    g_free (cmd);
    cmd = g_strdup_printf ("x509 -req -in %s -CA %s -CAkey %s -CAcreateserial -days 2 "
                           "-out %s -extfile %s", server_csr, ca_file, ca_key, wrong_pem,
                           wrong_ext);
    run_openssl (cmd);
    wrong_name_certificate = g_tls_certificate_new_from_files (wrong_pem, server_key, &error);
    g_assert_no_error (error);
  }
#undef P
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_remove (child);
    }
  g_rmdir (path);
}

/* ------------------------------------------------------------------------------------------ */
/* Every log message of the run, debug ones included, to check what never goes there        */

static GString *all_logs;

static GLogWriterOutput
collect_log_writer (GLogLevelFlags   log_level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "MESSAGE"))
        {
          if (fields[i].length < 0)
            g_string_append (all_logs, fields[i].value);
          else
            g_string_append_len (all_logs, fields[i].value, fields[i].length);
          g_string_append_c (all_logs, '\n');
        }
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* ------------------------------------------------------------------------------------------ */
/* The scripted server                                                                        */

typedef struct _Fixture Fixture;
typedef void (*Handler) (Fixture           *fixture,
                         SoupServerMessage *msg,
                         const char        *path);

struct _Fixture
{
  SoupServer *server;
  char *base_url;
  guint16 port;
  Handler handler;
  guint n_requests;           /* requests the handler saw */
  GHashTable *created;        /* Idempotency-Key -> request id, like the portal */
  guint n_created;
  guint n_signatures;         /* calls of the sign function */
  guint n_sessions;
  char *last_authorization;
  char *answer;               /* the scripted answer of hostile_handler */
  GList *slow_answers;        /* SlowAnswer */
  /* the async result */
  GMainLoop *loop;
  GAsyncResult *result;
};

static void slow_answer_stop (gpointer slow);

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *fixture = user_data;
  const char *authorization;

  fixture->n_requests++;
  authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "Authorization");
  g_free (fixture->last_authorization);
  fixture->last_authorization = g_strdup (authorization);
  fixture->handler (fixture, msg, path);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  fixture->server = soup_server_new ("tls-certificate",
                                     data != NULL ? wrong_name_certificate : server_certificate,
                                     NULL);
  soup_server_add_handler (fixture->server, NULL, server_cb, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_HTTPS |
                            SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->port = g_uri_get_port (uris->data);
  fixture->base_url = g_strdup_printf ("https://127.0.0.1:%u", fixture->port);
  fixture->created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fixture->loop = g_main_loop_new (NULL, FALSE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  for (GList *l = fixture->slow_answers; l != NULL; l = l->next)
    slow_answer_stop (l->data);
  g_list_free_full (fixture->slow_answers, g_free);
  soup_server_disconnect (fixture->server);
  g_assert_finalize_object (fixture->server);
  g_free (fixture->base_url);
  g_hash_table_unref (fixture->created);
  g_free (fixture->last_authorization);
  g_free (fixture->answer);
  g_clear_object (&fixture->result);
  g_main_loop_unref (fixture->loop);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->result = g_object_ref (result);
  g_main_loop_quit (fixture->loop);
}

/* Runs the loop until the operation started before it completes; returns the result. */
static GAsyncResult *
wait_result (Fixture *fixture)
{
  g_clear_object (&fixture->result);
  g_main_loop_run (fixture->loop);
  g_assert_nonnull (fixture->result);
  return fixture->result;
}

static TirkeuPortalClient *
new_client (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  TirkeuPortalClient *client = tirkeu_portal_client_new (fixture->base_url, ca_file, &error);

  g_assert_no_error (error);
  tirkeu_portal_client_set_retry_base_ms (client, 5);
  tirkeu_portal_client_set_timeout_ms (client, tirkeu_test_scale_ms (5000));
  return client;
}

/* The result holds the client (its source object): drop it, let pending idles run, then the
 * client must go away. */
static void
finalize_client (Fixture            *fixture,
                 TirkeuPortalClient *client)
{
  g_clear_object (&fixture->result);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (client);
}

static JsonNode *
call_sync (Fixture                *fixture,
           TirkeuPortalClient     *client,
           const char             *method,
           const char             *path,
           const char             *body,
           const char             *idempotency_key,
           TirkeuPortalCallFlags   flags,
           GCancellable           *cancellable,
           GError                **error)
{
  g_autoptr(GBytes) bytes = body != NULL ? g_bytes_new (body, strlen (body)) : NULL;

  _tirkeu_portal_client_call_async (client, method, path, bytes, idempotency_key, flags,
                                    cancellable, result_cb, fixture);
  return _tirkeu_portal_client_call_finish (client, wait_result (fixture), error);
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              const char        *json)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "X-Tirkeu-Environment", "sandbox");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                    json, strlen (json));
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *details)
{
  g_autofree char *json =
    g_strdup_printf ("{\"code\":\"%s\",\"message\":{\"kk\":\"қате %s\",\"ru\":\"ошибка %s\","
                     "\"en\":\"error %s\"},\"details\":%s}",
                     code, code, code, code, details != NULL ? details : "{}");

  respond_json (msg, status, json);
}

/* Closes the connection without an answer, as a portal that crashes mid-call would. */
static void
drop_connection (SoupServerMessage *msg,
                 const char        *partial_answer)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  if (partial_answer != NULL)
    g_output_stream_write_all (g_io_stream_get_output_stream (stream), partial_answer,
                               strlen (partial_answer), NULL, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
}

#define SELLER_JSON_FOR_REDIRECT "{\"redirected\":true}"
#define ABOUT_JSON "{\"environment\":\"sandbox\",\"api_version\":\"1.0.0\",\"future\":[1,2]," \
                   "\"portal_name\":{\"kk\":\"Оқу порталы\",\"ru\":\"Учебный портал\"," \
                   "\"en\":\"Training portal\"}}"

/* ------------------------------------------------------------------------------------------ */
/* Construction                                                                               */

static void
test_new_destroy (void)
{
  g_autoptr(GError) error = NULL;
  TirkeuPortalClient *client;

  client = tirkeu_portal_client_new ("https://127.0.0.1:8443/", ca_file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_portal_client_get_base_url (client), ==, "https://127.0.0.1:8443");
  g_assert_cmpstr (tirkeu_portal_client_get_ca_file (client), ==, ca_file);
  g_assert_false (tirkeu_portal_client_get_is_sandbox (client));
  g_assert_false (tirkeu_portal_client_get_signed_in (client));
  g_assert_finalize_object (client);
}

static void
test_new_refuses (void)
{
  const struct { const char *url; const char *ca; GQuark domain; int code; } cases[] = {
    { "http://127.0.0.1:8443", NULL, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT },
    { "https://127.0.0.1:8443/api/v1", NULL, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT },
    { "not a url", NULL, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT },
    { "https://127.0.0.1:8443", "/nonexistent/ca.pem", 0, TIRKEU_PORTAL_CODE_TLS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      TirkeuPortalClient *client = tirkeu_portal_client_new (cases[i].url, cases[i].ca, &error);

      g_assert_null (client);
      g_assert_error (error, (cases[i].domain ? cases[i].domain : TIRKEU_PORTAL_ERROR),
                      cases[i].code);
    }
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_properties_notify (void)
{
  g_autoptr(GError) error = NULL;
  TirkeuPortalClient *client = tirkeu_portal_client_new ("https://localhost", NULL, &error);
  guint n_notify = 0;

  g_assert_no_error (error);
  g_signal_connect (client, "notify::timeout-ms", G_CALLBACK (notify_cb), &n_notify);
  tirkeu_portal_client_set_timeout_ms (client, 1234);
  tirkeu_portal_client_set_timeout_ms (client, 1234);
  g_assert_cmpuint (n_notify, ==, 1);
  g_assert_cmpuint (tirkeu_portal_client_get_timeout_ms (client), ==, 1234);
  g_object_set (client, "max-attempts", 2, "retry-base-ms", 7, "max-answer-size",
                (guint64) 100, NULL);
  g_assert_cmpuint (tirkeu_portal_client_get_max_attempts (client), ==, 2);
  g_assert_cmpuint (tirkeu_portal_client_get_retry_base_ms (client), ==, 7);
  g_assert_cmpuint (tirkeu_portal_client_get_max_answer_size (client), ==, 100);
  g_assert_finalize_object (client);
}

/* ------------------------------------------------------------------------------------------ */
/* About, TLS                                                                                 */

static void
about_handler (Fixture           *fixture,
               SoupServerMessage *msg,
               const char        *path)
{
  g_assert_cmpstr (path, ==, "/api/v1/about");
  g_assert_cmpstr (soup_server_message_get_method (msg), ==, "GET");
  respond_json (msg, 200, ABOUT_JSON);
}

static void
test_about (Fixture       *fixture,
            gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(TirkeuPortalAbout) about = NULL;
  g_autoptr(GError) error = NULL;
  guint n_notify = 0;

  fixture->handler = about_handler;
  g_signal_connect (client, "notify::is-sandbox", G_CALLBACK (notify_cb), &n_notify);
  tirkeu_portal_client_get_about_async (client, NULL, result_cb, fixture);
  about = tirkeu_portal_client_get_about_finish (client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (about->environment, ==, "sandbox");
  g_assert_true (about->sandbox);
  g_assert_cmpstr (about->api_version, ==, "1.0.0");
  g_assert_cmpstr (tirkeu_portal_text_get (&about->portal_name, "ru"), ==, "Учебный портал");
  g_assert_cmpstr (tirkeu_portal_text_get (&about->portal_name, "de"), ==, "Training portal");
  g_assert_true (tirkeu_portal_client_get_is_sandbox (client));
  g_assert_cmpuint (n_notify, ==, 1);
  finalize_client (fixture, client);
}

static void
test_tls_untrusted (Fixture       *fixture,
                    gconstpointer  data)
{
  /* The system trust and a foreign CA must both refuse the test CA's server. */
  const char *cas[] = { NULL, other_ca_file };

  fixture->handler = about_handler;
  for (guint i = 0; i < G_N_ELEMENTS (cas); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TirkeuPortalAbout) about = NULL;
      TirkeuPortalClient *client = tirkeu_portal_client_new (fixture->base_url, cas[i], &error);

      g_assert_no_error (error);
      tirkeu_portal_client_get_about_async (client, NULL, result_cb, fixture);
      about = tirkeu_portal_client_get_about_finish (client, wait_result (fixture), &error);
      g_assert_null (about);
      g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TLS);
      /* not retried: a certificate does not get better by asking again */
      g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (client), ==, 1);
      finalize_client (fixture, client);
    }
  g_assert_cmpuint (fixture->n_requests, ==, 0);
}

static void
test_tls_wrong_host (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalAbout) about = NULL;
  TirkeuPortalClient *client = new_client (fixture);

  /* The certificate chains to the trusted CA but names another host: still refused. */
  fixture->handler = about_handler;
  tirkeu_portal_client_get_about_async (client, NULL, result_cb, fixture);
  about = tirkeu_portal_client_get_about_finish (client, wait_result (fixture), &error);
  g_assert_null (about);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TLS);
  g_assert_cmpuint (fixture->n_requests, ==, 0);
  finalize_client (fixture, client);
}

/* An OpenSSL server that speaks only @protocol ("-tls1_1", "-tls1_2"), answering any GET with
 * its HTML status page (-www); returns its port once it accepts. */
static GSubprocess *
start_openssl_server (const char *protocol,
                      guint16    *port)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *cert = g_build_filename (pki_dir, "server.pem", NULL);
  g_autofree char *key = g_build_filename (pki_dir, "server.key", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  GSubprocess *server;
  char *line;

  /* a free port: bound, read and released */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  accept = g_strdup_printf ("127.0.0.1:%u", *port);
  /* OpenSSL 3 allows TLS 1.0 and 1.1 only at security level 0 */
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE |
                             G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                             "openssl", "s_server", "-accept", accept, protocol,
                             "-cipher", "DEFAULT@SECLEVEL=0", "-cert", cert, "-key", key,
                             "-www", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  while ((line = g_data_input_stream_read_line (out, NULL, NULL, &error)) != NULL)
    {
      gboolean ready = g_str_has_prefix (line, "ACCEPT");

      g_free (line);
      if (ready)
        break;
    }
  g_assert_no_error (error);
  return server;
}

/* TLS below 1.2 is refused before anything is sent; TLS 1.2 is fine. */
static void
test_tls_old_protocol (Fixture       *fixture,
                       gconstpointer  data)
{
  const struct { const char *protocol; TirkeuPortalCode code; } cases[] = {
    { "-tls1_1", TIRKEU_PORTAL_CODE_TLS },
    { "-tls1", TIRKEU_PORTAL_CODE_TLS },
    /* the connection holds: the HTML status page is not the contract's JSON */
    { "-tls1_2", TIRKEU_PORTAL_CODE_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocess) server = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *url = NULL;
      TirkeuPortalClient *client;
      guint16 port;

      server = start_openssl_server (cases[i].protocol, &port);
      url = g_strdup_printf ("https://127.0.0.1:%u", port);
      client = tirkeu_portal_client_new (url, ca_file, &error);
      g_assert_no_error (error);
      root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                        TIRKEU_PORTAL_CALL_NONE, NULL, &error);
      g_test_message ("%s: %s", cases[i].protocol, error != NULL ? error->message : "ok");
      g_assert_null (root);
      g_assert_error (error, TIRKEU_PORTAL_ERROR, cases[i].code);
      if (cases[i].code == TIRKEU_PORTAL_CODE_TLS)
        g_assert_nonnull (strstr (error->message, "TLS 1.2"));
      g_subprocess_force_exit (server);
      g_subprocess_wait (server, NULL, NULL);
      finalize_client (fixture, client);
    }
}

static void
test_connection_refused (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  TirkeuPortalClient *client;

  soup_server_disconnect (fixture->server);
  client = new_client (fixture);
  tirkeu_portal_client_set_max_attempts (client, 2);
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
  g_assert_null (root);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK);
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (client), ==, 2);
  finalize_client (fixture, client);
}

static void
test_unknown_host (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalAbout) about = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Fixture fixture = { .loop = loop };
  TirkeuPortalClient *client;

  /* RFC 6761: .invalid never resolves. */
  client = tirkeu_portal_client_new ("https://tirkeu-portal.invalid", ca_file, &error);
  g_assert_no_error (error);
  tirkeu_portal_client_set_max_attempts (client, 1);
  tirkeu_portal_client_set_timeout_ms (client, tirkeu_test_scale_ms (5000));
  tirkeu_portal_client_get_about_async (client, NULL, result_cb, &fixture);
  g_main_loop_run (loop);
  about = tirkeu_portal_client_get_about_finish (client, fixture.result, &error);
  g_assert_null (about);
  if (g_error_matches (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT))
    g_test_skip ("the resolver of this machine does not answer");
  else
    g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK);
  g_clear_object (&fixture.result);
  g_assert_finalize_object (client);
}

/* ------------------------------------------------------------------------------------------ */
/* Error model, retries                                                                       */

static void
error_model_handler (Fixture           *fixture,
                     SoupServerMessage *msg,
                     const char        *path)
{
  respond_error (msg, 422, "CUSTOMS_UNPAID", "{\"step\":4,\"reason\":\"no payment\",\"x\":[]}");
}

static void
test_error_model (Fixture       *fixture,
                  gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonNode *details;

  fixture->handler = error_model_handler;
  root = call_sync (fixture, client, "GET", "/api/v1/vehicles/X", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
  g_assert_null (root);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID);
  g_assert_cmpstr (tirkeu_portal_error_get_message (error, "kk"), ==, "қате CUSTOMS_UNPAID");
  g_assert_cmpstr (tirkeu_portal_error_get_message (error, "ru"), ==, "ошибка CUSTOMS_UNPAID");
  g_assert_cmpstr (tirkeu_portal_error_get_message (error, "en"), ==, "error CUSTOMS_UNPAID");
  g_assert_cmpuint (tirkeu_portal_error_get_http_status (error), ==, 422);
  details = tirkeu_portal_error_get_details (error);
  g_assert_nonnull (details);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (details), "step"), ==, 4);
  /* a refusal is final: not retried */
  g_assert_cmpuint (fixture->n_requests, ==, 1);

  {
    /* the private data survives a copy */
    g_autoptr(GError) copy = g_error_copy (error);

    g_assert_cmpstr (tirkeu_portal_error_get_message (copy, "kk"), ==, "қате CUSTOMS_UNPAID");
    g_assert_nonnull (tirkeu_portal_error_get_details (copy));
  }
  finalize_client (fixture, client);
}

typedef struct
{
  guint status;
  const char *body;        /* NULL: the error model for the status */
  const char *code;
  TirkeuPortalCode expected;
} StatusCase;

static const StatusCase status_cases[] = {
  { 403, NULL, "OKED_MISMATCH", TIRKEU_PORTAL_CODE_OKED_MISMATCH },
  { 422, NULL, "EPASSPORT_NOT_FOUND", TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND },
  { 422, NULL, "CUSTOMS_UNPAID", TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID },
  { 422, NULL, "UTILIZATION_UNPAID", TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID },
  { 404, NULL, "PERSON_NOT_FOUND", TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND },
  { 422, NULL, "CONTRACT_NOT_FOUND", TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND },
  { 422, NULL, "SIGNATURE_INVALID", TIRKEU_PORTAL_CODE_SIGNATURE_INVALID },
  { 403, NULL, "SIGNER_NOT_AUTHORIZED", TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED },
  { 401, NULL, "UNAUTHORIZED", TIRKEU_PORTAL_CODE_UNAUTHORIZED },
  { 401, NULL, "SESSION_EXPIRED", TIRKEU_PORTAL_CODE_SESSION_EXPIRED },
  { 429, NULL, "RATE_LIMITED", TIRKEU_PORTAL_CODE_RATE_LIMITED },
  { 400, NULL, "VALIDATION_FAILED", TIRKEU_PORTAL_CODE_VALIDATION_FAILED },
  { 404, NULL, "NOT_FOUND", TIRKEU_PORTAL_CODE_NOT_FOUND },
  { 409, NULL, "CONFLICT", TIRKEU_PORTAL_CODE_CONFLICT },
  { 500, NULL, "INTERNAL", TIRKEU_PORTAL_CODE_INTERNAL },
  { 503, NULL, "UNAVAILABLE", TIRKEU_PORTAL_CODE_UNAVAILABLE },
  { 418, NULL, "FROM_THE_FUTURE", TIRKEU_PORTAL_CODE_UNKNOWN },
  /* a client-side code from the wire is not believed */
  { 400, NULL, "TLS", TIRKEU_PORTAL_CODE_UNKNOWN },
  /* not the error model: judged by the status */
  { 502, "<html>Bad gateway</html>", NULL, TIRKEU_PORTAL_CODE_UNAVAILABLE },
  { 404, "", NULL, TIRKEU_PORTAL_CODE_NOT_FOUND },
  { 409, "{\"code\":42}", NULL, TIRKEU_PORTAL_CODE_CONFLICT },
};

static const StatusCase *current_status_case;

static void
status_handler (Fixture           *fixture,
                SoupServerMessage *msg,
                const char        *path)
{
  if (current_status_case->body != NULL)
    respond_json (msg, current_status_case->status, current_status_case->body);
  else
    respond_error (msg, current_status_case->status, current_status_case->code, NULL);
}

static void
test_status_codes (Fixture       *fixture,
                   gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_cases); i++)
    {
      TirkeuPortalClient *client = new_client (fixture);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = NULL;

      /* no retries: each case is one answer */
      tirkeu_portal_client_set_max_attempts (client, 1);
      current_status_case = &status_cases[i];
      fixture->handler = status_handler;
      root = call_sync (fixture, client, "GET", "/api/v1/seller", NULL, NULL,
                        TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
      g_assert_null (root);
      g_assert_error (error, TIRKEU_PORTAL_ERROR, (int) status_cases[i].expected);
      g_assert_cmpuint (tirkeu_portal_error_get_http_status (error), ==, status_cases[i].status);
      if (status_cases[i].body == NULL)
        g_assert_nonnull (tirkeu_portal_error_get_message (error, "kk"));
      else
        g_assert_null (tirkeu_portal_error_get_message (error, "kk"));
      finalize_client (fixture, client);
    }
}

static void
flaky_handler (Fixture           *fixture,
               SoupServerMessage *msg,
               const char        *path)
{
  /* 503 with Retry-After: 0, then 500, then the answer. */
  if (fixture->n_requests == 1)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "0");
      respond_error (msg, 503, "UNAVAILABLE", NULL);
    }
  else if (fixture->n_requests == 2)
    respond_error (msg, 500, "INTERNAL", NULL);
  else
    respond_json (msg, 200, ABOUT_JSON);
}

static void
redirect_handler (Fixture           *fixture,
                  SoupServerMessage *msg,
                  const char        *path)
{
  g_autofree char *elsewhere = g_strdup_printf ("%s/elsewhere", fixture->base_url);

  if (g_str_equal (path, "/elsewhere"))
    {
      respond_json (msg, 200, SELLER_JSON_FOR_REDIRECT);
      return;
    }
  soup_server_message_set_redirect (msg, 302, elsewhere);
}

static void
test_no_redirect (Fixture       *fixture,
                  gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  /* Not followed: the Authorization header would go wherever the redirect points. */
  fixture->handler = redirect_handler;
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
  g_assert_null (root);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNKNOWN);
  g_assert_cmpuint (tirkeu_portal_error_get_http_status (error), ==, 302);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  finalize_client (fixture, client);
}

static void
test_retry_get (Fixture       *fixture,
                gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  fixture->handler = flaky_handler;
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  g_assert_cmpuint (fixture->n_requests, ==, 3);
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (client), ==, 3);
  finalize_client (fixture, client);
}

static void
test_retry_bounded (Fixture       *fixture,
                    gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  StatusCase always_500 = { 500, NULL, "INTERNAL", TIRKEU_PORTAL_CODE_INTERNAL };

  current_status_case = &always_500;
  fixture->handler = status_handler;
  tirkeu_portal_client_set_max_attempts (client, 3);
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_INTERNAL);
  g_assert_cmpuint (fixture->n_requests, ==, 3);
  finalize_client (fixture, client);
}

static void
test_no_retry_unsafe_post (Fixture       *fixture,
                           gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  /* A POST without an Idempotency-Key (like /auth/session) is sent once, whatever happens. */
  fixture->handler = flaky_handler;
  root = call_sync (fixture, client, "POST", "/api/v1/auth/session", "{}", NULL,
                    TIRKEU_PORTAL_CALL_NONE, NULL, &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAVAILABLE);
  g_assert_cmpuint (tirkeu_portal_error_get_retry_after (error), ==, 0);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  finalize_client (fixture, client);
}

static void
rate_limited_handler (Fixture           *fixture,
                      SoupServerMessage *msg,
                      const char        *path)
{
  if (fixture->n_requests == 1)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "1");
      respond_error (msg, 429, "RATE_LIMITED", "{\"retry_after_s\":1}");
    }
  else
    respond_json (msg, 200, ABOUT_JSON);
}

static void
test_retry_after (Fixture       *fixture,
                  gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 start = g_get_monotonic_time ();

  fixture->handler = rate_limited_handler;
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_requests, ==, 2);
  /* the portal's wait was honoured, not the 5 ms backoff */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1 * G_TIME_SPAN_SECOND);
  finalize_client (fixture, client);
}

static void
long_wait_handler (Fixture           *fixture,
                   SoupServerMessage *msg,
                   const char        *path)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", "3600");
  respond_error (msg, 503, "UNAVAILABLE", NULL);
}

static void
test_retry_after_too_long (Fixture       *fixture,
                           gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  /* An hour is not waited for: the caller hears it at once, with the wait. */
  fixture->handler = long_wait_handler;
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAVAILABLE);
  g_assert_cmpuint (tirkeu_portal_error_get_retry_after (error), ==, 3600);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  finalize_client (fixture, client);
}

/* ------------------------------------------------------------------------------------------ */
/* Broken answers                                                                             */

static void
malformed_handler (Fixture           *fixture,
                   SoupServerMessage *msg,
                   const char        *path)
{
  respond_json (msg, 200, "{\"environment\": \"sandbox\", \"api_version\": ");
}

static void
wrong_type_handler (Fixture           *fixture,
                    SoupServerMessage *msg,
                    const char        *path)
{
  respond_json (msg, 200, "{\"environment\":\"sandbox\",\"api_version\":100}");
}

static void
bad_utf8_handler (Fixture           *fixture,
                  SoupServerMessage *msg,
                  const char        *path)
{
  respond_json (msg, 200, "{\"environment\":\"sandbox\",\"api_version\":\"\xff\xfe\"}");
}

static void
test_malformed (Fixture       *fixture,
                gconstpointer  data)
{
  const struct { Handler handler; const char *field; } cases[] = {
    { malformed_handler, NULL },
    { bad_utf8_handler, NULL },
    { wrong_type_handler, "api_version" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TirkeuPortalClient *client = new_client (fixture);
      g_autoptr(GError) error = NULL;
      g_autoptr(TirkeuPortalAbout) about = NULL;

      fixture->n_requests = 0;
      fixture->handler = cases[i].handler;
      tirkeu_portal_client_get_about_async (client, NULL, result_cb, fixture);
      about = tirkeu_portal_client_get_about_finish (client, wait_result (fixture), &error);
      g_assert_null (about);
      g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED);
      g_assert_cmpuint (fixture->n_requests, ==, 1);
      if (cases[i].field != NULL)
        {
          JsonNode *details = tirkeu_portal_error_get_details (error);

          g_assert_nonnull (strstr (error->message, cases[i].field));
          g_assert_cmpstr (json_object_get_string_member (json_node_get_object (details), "field"),
                           ==, cases[i].field);
        }
      finalize_client (fixture, client);
    }
}

static void
truncated_handler (Fixture           *fixture,
                   SoupServerMessage *msg,
                   const char        *path)
{
  /* The headers promise 400 bytes, 30 arrive, then the connection closes. */
  drop_connection (msg, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        "Content-Length: 400\r\n\r\n{\"environment\":\"sandbox\",\"ap");
}

static void
test_truncated (Fixture       *fixture,
                gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  fixture->handler = truncated_handler;
  tirkeu_portal_client_set_max_attempts (client, 2);
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
  g_assert_null (root);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK);
  /* a GET is retried after a cut answer, up to the bound */
  g_assert_cmpuint (fixture->n_requests, ==, 2);
  finalize_client (fixture, client);
}

static void
oversized_handler (Fixture           *fixture,
                   SoupServerMessage *msg,
                   const char        *path)
{
  GString *big = g_string_new ("{\"environment\":\"sandbox\",\"api_version\":\"1.0.0\",\"pad\":\"");

  for (guint i = 0; i < 5000; i++)
    g_string_append (big, "0123456789");
  g_string_append (big, "\"}");

  if (g_str_equal (path, "/chunked"))
    {
      /* No Content-Length: only the bounded read can notice. */
      soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                         SOUP_ENCODING_CHUNKED);
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_COPY,
                                big->str, big->len);
      soup_message_body_complete (soup_server_message_get_response_body (msg));
    }
  else
    respond_json (msg, 200, big->str);

  g_string_free (big, TRUE);
}

static void
test_oversized (Fixture       *fixture,
                gconstpointer  data)
{
  const char *paths[] = { "/declared", "/chunked" };

  fixture->handler = oversized_handler;
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      TirkeuPortalClient *client = new_client (fixture);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = NULL;

      fixture->n_requests = 0;
      tirkeu_portal_client_set_max_answer_size (client, 16 * 1024);
      root = call_sync (fixture, client, "GET", paths[i], NULL, NULL,
                        TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
      g_assert_null (root);
      g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TOO_LARGE);
      g_assert_cmpuint (fixture->n_requests, ==, 1);

      /* the same answer under the default limit is fine */
      g_clear_error (&error);
      tirkeu_portal_client_set_max_answer_size (client, 1024 * 1024);
      root = call_sync (fixture, client, "GET", paths[i], NULL, NULL,
                        TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
      g_assert_no_error (error);
      finalize_client (fixture, client);
    }
}

/* One slow answer in flight: each attempt of the client gets its own. */
typedef struct
{
  Fixture *fixture;
  SoupServerMessage *msg;
  GSource *source;
  guint chunks;
} SlowAnswer;

static void
slow_answer_stop (gpointer data)
{
  SlowAnswer *slow = data;

  if (slow->source != NULL)
    {
      g_source_destroy (slow->source);
      g_clear_pointer (&slow->source, g_source_unref);
    }
  if (slow->msg != NULL)
    {
      g_signal_handlers_disconnect_by_data (slow->msg, slow);
      g_clear_object (&slow->msg);
    }
}

static void
slow_finished_cb (SoupServerMessage *msg,
                  gpointer           user_data)
{
  slow_answer_stop (user_data);
}

static gboolean
slow_chunk_cb (gpointer user_data)
{
  SlowAnswer *slow = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (slow->msg);

  soup_message_body_append (body, SOUP_MEMORY_STATIC, "          ", 10);
  if (++slow->chunks == 100)
    {
      soup_message_body_append (body, SOUP_MEMORY_STATIC, "{}", 2);
      soup_message_body_complete (body);
      g_clear_pointer (&slow->source, g_source_unref);
      soup_server_message_unpause (slow->msg);
      return G_SOURCE_REMOVE;
    }
  soup_server_message_unpause (slow->msg);
  return G_SOURCE_CONTINUE;
}

static void
slow_handler (Fixture           *fixture,
              SoupServerMessage *msg,
              const char        *path)
{
  SlowAnswer *slow = g_new0 (SlowAnswer, 1);

  /* Headers at once, then 10 bytes every 50 ms: the body would take 5 s. */
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                     SOUP_ENCODING_CHUNKED);
  soup_server_message_set_status (msg, 200, NULL);
  slow->fixture = fixture;
  slow->msg = g_object_ref (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (slow_finished_cb), slow);
  g_signal_connect (msg, "disconnected", G_CALLBACK (slow_finished_cb), slow);
  slow->source = g_timeout_source_new (50);
  g_source_set_callback (slow->source, slow_chunk_cb, slow, NULL);
  g_source_attach (slow->source, NULL);
  fixture->slow_answers = g_list_prepend (fixture->slow_answers, slow);
  soup_server_message_pause (msg);
}

static void
test_slow (Fixture       *fixture,
           gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 start = g_get_monotonic_time ();

  guint said_ms;
  gint64 waited_ms;
  const char *number;

  fixture->handler = slow_handler;
  tirkeu_portal_client_set_timeout_ms (client, 1000);
  tirkeu_portal_client_set_max_attempts (client, 4);
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
  waited_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_null (root);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT);
  /* One deadline for the call, its retries included: a trickling answer held the user for
   * every attempt's full timeout in turn (4 x 30 s in the CLI) while the message named one. */
  g_assert_cmpint (waited_ms, <, 1800);
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (client), ==, 1);
  /* the message says the time really waited */
  number = strpbrk (error->message, "0123456789");
  g_assert_nonnull (number);
  said_ms = (guint) g_ascii_strtoull (number, NULL, 10);
  g_test_message ("waited %" G_GINT64_FORMAT " ms, said: %s", waited_ms, error->message);
  g_assert_cmpuint (said_ms, >=, 1000);
  g_assert_cmpuint (said_ms, <=, waited_ms);
  finalize_client (fixture, client);
}

static void
unavailable_handler (Fixture           *fixture,
                     SoupServerMessage *msg,
                     const char        *path)
{
  respond_error (msg, 503, "UNAVAILABLE", NULL);
}

/* Failures that come fast are retried, but never past the call's deadline. */
static void
test_retry_within_deadline (Fixture       *fixture,
                            gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 start = g_get_monotonic_time ();

  fixture->handler = unavailable_handler;
  tirkeu_portal_client_set_timeout_ms (client, tirkeu_test_scale_ms (400));
  tirkeu_portal_client_set_max_attempts (client, 10);
  tirkeu_portal_client_set_retry_base_ms (client, tirkeu_test_scale_ms (150));
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
  g_assert_null (root);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAVAILABLE);
  g_assert_cmpint (g_get_monotonic_time () - start, <, tirkeu_test_scale_ms (400) * 1000);
  g_assert_cmpuint (fixture->n_requests, >=, 2);
  g_assert_cmpuint (fixture->n_requests, <, 10);
  finalize_client (fixture, client);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  fixture->handler = slow_handler;
  g_timeout_add_once (100, (GSourceOnceFunc) cancel_cb, cancellable);
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, cancellable, &error);
  g_assert_null (root);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (client), ==, 1);

  /* already cancelled: nothing is sent */
  g_clear_error (&error);
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (client), ==, 1);
  finalize_client (fixture, client);
}

/* ------------------------------------------------------------------------------------------ */
/* One deadline per user action                                                               */

static void    sign_func        (TirkeuPortalClient  *client,
                                 GBytes              *challenge,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             callback_data,
                                 gpointer             user_data);
static GBytes *sign_finish_func (TirkeuPortalClient  *client,
                                 GAsyncResult        *result,
                                 GError             **error,
                                 gpointer             user_data);

/* The number in a timeout's message: the time it says was waited. */
static guint
said_ms (const GError *error)
{
  const char *number = strpbrk (error->message, "0123456789");

  g_assert_nonnull (number);
  return (guint) g_ascii_strtoull (number, NULL, 10);
}

/* A user action of three calls against a portal that trickles every answer (each would take
 * 5 s): each call has its own 2 s bound, but the action as a whole has 2.5 s. Before, each
 * call took its own 2 s in turn (6 s for the action) while each message named 2 s. */
static void
test_action_one_deadline (Fixture       *fixture,
                          gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(TirkeuPortalAction) action = tirkeu_portal_action_new (2500);
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed_ms, third_start;

  fixture->handler = slow_handler;
  tirkeu_portal_client_set_timeout_ms (client, 2000);
  tirkeu_portal_client_set_max_attempts (client, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = NULL;

      third_start = g_get_monotonic_time ();
      root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                        TIRKEU_PORTAL_CALL_RETRY_SAFE, G_CANCELLABLE (action), &error);
      elapsed_ms = (g_get_monotonic_time () - start) / 1000;
      g_test_message ("call %u: %" G_GINT64_FORMAT " ms into the action: %s", i, elapsed_ms,
                      error != NULL ? error->message : "answered");
      g_assert_null (root);
      /* a timeout, not a cancellation: the user did not cancel */
      g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT);
      g_assert_cmpuint (said_ms (error), <=, elapsed_ms);
      if (i == 0)
        g_assert_cmpuint (said_ms (error), >=, 2000);
      else
        /* the message says what the action really waited, not one call's bound */
        g_assert_cmpuint (said_ms (error), >=, 2500);
    }
  /* the last call, made once the action's time was up, did not even start */
  g_assert_cmpint ((g_get_monotonic_time () - third_start) / 1000, <, 1000);
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (client), ==, 2);
  g_assert_true (tirkeu_portal_action_get_timed_out (action));
  g_assert_cmpint (elapsed_ms, <, 4500);
  finalize_client (fixture, client);
}

/* A sign-in that a call waits for is part of the action: with the challenge trickling, the
 * call ends at the action's deadline, said as a timeout, though each call has 5 s. */
static void
test_action_sign_in (Fixture       *fixture,
                     gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(TirkeuPortalAction) action = tirkeu_portal_action_new (1500);
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed_ms;

  fixture->handler = slow_handler;
  tirkeu_portal_client_set_sign_func (client, sign_func, sign_finish_func,
                                      fixture, NULL);
  tirkeu_portal_client_get_seller_async (client, G_CANCELLABLE (action), result_cb, fixture);
  seller = tirkeu_portal_client_get_seller_finish (client, wait_result (fixture), &error);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("%" G_GINT64_FORMAT " ms: %s", elapsed_ms, error->message);
  g_assert_null (seller);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT);
  g_assert_cmpuint (said_ms (error), >=, 1500);
  g_assert_cmpuint (said_ms (error), <=, elapsed_ms);
  g_assert_cmpint (elapsed_ms, <, 4000);
  /* the challenge never came: nothing was signed */
  g_assert_cmpuint (fixture->n_signatures, ==, 0);
  finalize_client (fixture, client);
}

/* The desk's Cancel on an action is a cancellation, not a timeout. */
static void
test_action_cancel (Fixture       *fixture,
                    gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(TirkeuPortalAction) action = tirkeu_portal_action_new (60000);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  fixture->handler = slow_handler;
  g_timeout_add_once (100, (GSourceOnceFunc) cancel_cb, action);
  root = call_sync (fixture, client, "GET", "/api/v1/about", NULL, NULL,
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, G_CANCELLABLE (action), &error);
  g_assert_null (root);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (tirkeu_portal_action_get_timed_out (action));
  finalize_client (fixture, client);
}

/* Time spent waiting for the person (a PIN prompt) is not the portal's. */
static void
test_action_pause (void)
{
  g_autoptr(TirkeuPortalAction) action = tirkeu_portal_action_new (300);
  g_autoptr(GError) error = NULL;
  gint64 deadline = tirkeu_portal_action_get_deadline (action);

  tirkeu_portal_action_pause (action);
  g_assert_cmpint (tirkeu_portal_action_get_deadline (action), ==, G_MAXINT64);
  g_usleep (400 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (g_cancellable_is_cancelled (G_CANCELLABLE (action)));
  tirkeu_portal_action_unpause (action);
  g_assert_cmpint (tirkeu_portal_action_get_deadline (action), >=, deadline + 400 * 1000);
  g_assert_cmpuint (tirkeu_portal_action_get_waited_ms (action), <, 300);
  while (!g_cancellable_is_cancelled (G_CANCELLABLE (action)))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (tirkeu_portal_action_get_timed_out (action));
  /* the waited time leaves out the pause */
  g_assert_cmpuint (tirkeu_portal_action_get_waited_ms (action), >=, 300);
  g_assert_cmpuint (tirkeu_portal_action_get_waited_ms (action), <, 400 + 300);

  /* a layer that knows nothing of actions said "cancelled": that is the timeout */
  g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  g_assert_true (tirkeu_portal_action_explain (G_CANCELLABLE (action), &error));
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT);
}

/* ------------------------------------------------------------------------------------------ */
/* Idempotent POST after a dropped connection                                                 */

#define REQUEST_FMT "{\"id\":\"%s\"}"

static void
create_handler (Fixture           *fixture,
                SoupServerMessage *msg,
                const char        *path)
{
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "Idempotency-Key");
  const char *id;
  g_autofree char *json = NULL;

  g_assert_cmpstr (soup_server_message_get_method (msg), ==, "POST");
  g_assert_nonnull (key);

  /* Like the portal: the key is remembered, the same key returns the first request. */
  id = g_hash_table_lookup (fixture->created, key);
  if (id == NULL)
    {
      id = g_strdup_printf ("req-%u", ++fixture->n_created);
      g_hash_table_insert (fixture->created, g_strdup (key), (char *) id);
      /* The operation took effect, then the connection drops before the answer. */
      drop_connection (msg, NULL);
      return;
    }

  json = g_strdup_printf (REQUEST_FMT, id);
  respond_json (msg, 200, json);
}

static void
test_post_idempotent_after_drop (Fixture       *fixture,
                                 gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  fixture->handler = create_handler;
  root = call_sync (fixture, client, "POST", "/api/v1/requests", "{\"vin\":\"X\"}", "key-1",
                    TIRKEU_PORTAL_CALL_RETRY_SAFE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "id"), ==, "req-1");
  g_assert_cmpuint (fixture->n_requests, ==, 2);
  g_assert_cmpuint (fixture->n_created, ==, 1);
  finalize_client (fixture, client);
}

/* ------------------------------------------------------------------------------------------ */
/* Sign-in and session renewal                                                                */

#define CHALLENGE_BYTES "challenge-bytes-0001"

static void
sign_func (TirkeuPortalClient  *client,
           GBytes              *challenge,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             callback_data,
           gpointer             user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, callback_data);
  g_autoptr(GByteArray) signature = g_byte_array_new ();

  fixture->n_signatures++;
  /* a stand-in for the CMS: the test server checks it covers the challenge */
  g_byte_array_append (signature, (const guint8 *) "SIG:", 4);
  g_byte_array_append (signature, g_bytes_get_data (challenge, NULL),
                       g_bytes_get_size (challenge));
  g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&signature)),
                         (GDestroyNotify) g_bytes_unref);
}

static GBytes *
sign_finish_func (TirkeuPortalClient  *client,
                  GAsyncResult        *result,
                  GError             **error,
                  gpointer             user_data)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

#define SELLER_JSON "{\"bin\":\"940140000385\",\"name\":\"AVTO LLP\",\"oked\":[\"45.11\",\"47.30\"]," \
                    "\"oked_check\":{\"qualifies\":true,\"matched_code\":\"45.11\"}}"

static void
session_handler (Fixture           *fixture,
                 SoupServerMessage *msg,
                 const char        *path)
{
  if (g_str_equal (path, "/api/v1/auth/challenge"))
    {
      g_autofree char *b64 = g_base64_encode ((const guchar *) CHALLENGE_BYTES,
                                              strlen (CHALLENGE_BYTES));
      g_autofree char *json = g_strdup_printf ("{\"challenge_id\":\"c%u\",\"challenge\":\"%s\","
                                               "\"expires_at\":\"2030-01-01T00:00:00Z\"}",
                                               fixture->n_requests, b64);
      respond_json (msg, 201, json);
    }
  else if (g_str_equal (path, "/api/v1/auth/session"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) flat = soup_message_body_flatten (body);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *expected_sig = NULL;
      g_autofree char *json = NULL;
      JsonObject *object;

      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (flat, NULL),
                                                 g_bytes_get_size (flat), NULL));
      object = json_node_get_object (json_parser_get_root (parser));
      expected_sig = g_base64_encode ((const guchar *) "SIG:" CHALLENGE_BYTES,
                                      strlen ("SIG:" CHALLENGE_BYTES));
      g_assert_cmpstr (json_object_get_string_member (object, "signature"), ==, expected_sig);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "challenge_id"),
                                       "c"));
      fixture->n_sessions++;
      json = g_strdup_printf ("{\"token\":\"tok-%u\",\"expires_at\":\"2030-01-01T00:00:00Z\","
                              "\"seller\":" SELLER_JSON "}", fixture->n_sessions);
      respond_json (msg, 201, json);
    }
  else if (g_str_equal (path, "/api/v1/seller"))
    {
      g_autofree char *current = g_strdup_printf ("Bearer tok-%u", fixture->n_sessions);

      /* every token but the newest one has expired */
      if (g_strcmp0 (fixture->last_authorization, current) != 0 ||
          GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (fixture->server), "expire-all")))
        respond_error (msg, 401, "SESSION_EXPIRED", NULL);
      else
        respond_json (msg, 200, SELLER_JSON);
    }
  else
    respond_error (msg, 404, "NOT_FOUND", NULL);
}

static void
test_sign_in (Fixture       *fixture,
              gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  g_autoptr(GError) error = NULL;
  guint n_notify = 0;

  fixture->handler = session_handler;

  /* without a sign function */
  tirkeu_portal_client_sign_in_async (client, NULL, result_cb, fixture);
  seller = tirkeu_portal_client_sign_in_finish (client, wait_result (fixture), &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAUTHORIZED);
  g_clear_error (&error);

  tirkeu_portal_client_set_sign_func (client, sign_func, sign_finish_func, fixture, NULL);
  g_signal_connect (client, "notify::signed-in", G_CALLBACK (notify_cb), &n_notify);
  tirkeu_portal_client_sign_in_async (client, NULL, result_cb, fixture);
  seller = tirkeu_portal_client_sign_in_finish (client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (seller->bin, ==, "940140000385");
  g_assert_cmpstr (seller->name, ==, "AVTO LLP");
  g_assert_true (seller->oked_qualifies);
  g_assert_cmpstr (seller->oked_matched_code, ==, "45.11");
  g_assert_cmpuint (g_strv_length (seller->oked), ==, 2);
  g_assert_true (tirkeu_portal_client_get_signed_in (client));
  g_assert_nonnull (tirkeu_portal_client_get_session_expires_at (client));
  g_assert_cmpuint (n_notify, ==, 1);
  g_assert_cmpuint (fixture->n_signatures, ==, 1);

  tirkeu_portal_client_sign_out (client);
  g_assert_false (tirkeu_portal_client_get_signed_in (client));
  g_assert_cmpuint (n_notify, ==, 2);
  finalize_client (fixture, client);
}

static void
test_session_renewal (Fixture       *fixture,
                      gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  g_autoptr(GError) error = NULL;

  fixture->handler = session_handler;
  tirkeu_portal_client_set_sign_func (client, sign_func, sign_finish_func, fixture, NULL);

  /* not signed in: the call signs in first */
  tirkeu_portal_client_get_seller_async (client, NULL, result_cb, fixture);
  seller = tirkeu_portal_client_get_seller_finish (client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (seller->bin, ==, "940140000385");
  g_assert_cmpuint (fixture->n_signatures, ==, 1);
  g_assert_cmpstr (fixture->last_authorization, ==, "Bearer tok-1");
  g_clear_pointer (&seller, tirkeu_portal_seller_free);

  /* the portal forgets the session: renewed once, then the call goes through */
  fixture->n_sessions++;   /* tok-1 is now stale; the next session will be tok-3 */
  tirkeu_portal_client_get_seller_async (client, NULL, result_cb, fixture);
  seller = tirkeu_portal_client_get_seller_finish (client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_signatures, ==, 2);
  g_assert_cmpstr (fixture->last_authorization, ==, "Bearer tok-3");
  g_clear_pointer (&seller, tirkeu_portal_seller_free);

  /* a portal that keeps saying "expired" gets one renewal, not a loop */
  g_object_set_data (G_OBJECT (fixture->server), "expire-all", GUINT_TO_POINTER (1));
  tirkeu_portal_client_get_seller_async (client, NULL, result_cb, fixture);
  seller = tirkeu_portal_client_get_seller_finish (client, wait_result (fixture), &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_SESSION_EXPIRED);
  g_assert_cmpuint (fixture->n_signatures, ==, 3);
  finalize_client (fixture, client);
}

static void
test_token_not_logged (Fixture       *fixture,
                       gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  g_autoptr(GError) error = NULL;

  /* Sign in, renew once: plenty of debug messages, never the token or the header. */
  g_string_truncate (all_logs, 0);
  fixture->handler = session_handler;
  tirkeu_portal_client_set_sign_func (client, sign_func, sign_finish_func, fixture, NULL);
  tirkeu_portal_client_get_seller_async (client, NULL, result_cb, fixture);
  seller = tirkeu_portal_client_get_seller_finish (client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_clear_pointer (&seller, tirkeu_portal_seller_free);
  fixture->n_sessions++;
  tirkeu_portal_client_get_seller_async (client, NULL, result_cb, fixture);
  seller = tirkeu_portal_client_get_seller_finish (client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_signatures, ==, 2);

  g_assert_nonnull (strstr (all_logs->str, "/api/v1/seller"));
  g_assert_null (strstr (all_logs->str, "tok-"));
  g_assert_null (strstr (all_logs->str, "Bearer"));
  g_assert_null (strstr (all_logs->str, "SIG:"));
  finalize_client (fixture, client);
}

static void
test_session_expired_without_signer (Fixture       *fixture,
                                     gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  g_autoptr(GError) error = NULL;

  fixture->handler = session_handler;
  tirkeu_portal_client_get_seller_async (client, NULL, result_cb, fixture);
  seller = tirkeu_portal_client_get_seller_finish (client, wait_result (fixture), &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAUTHORIZED);
  /* nothing was sent without a token */
  g_assert_cmpuint (fixture->n_requests, ==, 0);
  finalize_client (fixture, client);
}

typedef struct
{
  Fixture *fixture;
  guint pending;
  guint succeeded;
} Parallel;

static void
parallel_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Parallel *parallel = user_data;
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  g_autoptr(GError) error = NULL;

  seller = tirkeu_portal_client_get_seller_finish (TIRKEU_PORTAL_CLIENT (object), result, &error);
  g_assert_no_error (error);
  parallel->succeeded++;
  if (--parallel->pending == 0)
    g_main_loop_quit (parallel->fixture->loop);
}

static void
test_sign_in_shared (Fixture       *fixture,
                     gconstpointer  data)
{
  TirkeuPortalClient *client = new_client (fixture);
  Parallel parallel = { fixture, 3, 0 };

  /* Three calls at once need one sign-in (one PIN prompt), not three. */
  fixture->handler = session_handler;
  tirkeu_portal_client_set_sign_func (client, sign_func, sign_finish_func, fixture, NULL);
  for (guint i = 0; i < 3; i++)
    tirkeu_portal_client_get_seller_async (client, NULL, parallel_cb, &parallel);
  g_main_loop_run (fixture->loop);
  g_assert_cmpuint (parallel.succeeded, ==, 3);
  g_assert_cmpuint (fixture->n_signatures, ==, 1);
  g_assert_cmpuint (fixture->n_sessions, ==, 1);
  finalize_client (fixture, client);
}

/* ------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------ */
/* Hostile answers: well formed JSON that is bad text, too deep, or answers another question  */

#define HOSTILE_VIN "XW8ZZZ61ZJG123456"
#define HOSTILE_IIN "900101300123"
#define HOSTILE_ID "T-2025-000001"
#define HOSTILE_TEXT(x) "{\"kk\":\"" x "\",\"ru\":\"" x "\",\"en\":\"" x "\"}"

/* A Request of the contract with @id, @vin, @iin, @number and @name put in. */
static char *
request_answer (const char *id,
                const char *vin,
                const char *iin,
                const char *number,
                const char *name)
{
  return g_strdup_printf (
    "{\"id\":\"%s\",\"stage\":\"contract_found\",\"revision\":1,\"vin\":\"%s\","
    "\"buyer_iin\":\"%s\",\"contract_number\":\"%s\",\"seller_bin\":\"940140000385\","
    "\"created_at\":\"2025-10-17T09:30:00Z\",\"updated_at\":\"2025-10-17T09:30:00Z\","
    "\"signing_payload\":\"eyJhIjoxfQ==\","
    "\"vehicle\":{\"make\":\"Toyota\",\"model\":\"Camry\",\"year\":2025},"
    "\"buyer\":{\"iin\":\"%s\",\"full_name\":\"%s\"},"
    "\"contract\":{\"number\":\"%s\",\"date\":\"2025-10-16\",\"price\":\"100.00\","
    "\"currency\":\"KZT\",\"seller\":{\"bin\":\"940140000385\",\"name\":\"AVTO LLP\"},"
    "\"buyer\":{\"iin\":\"%s\",\"full_name\":\"%s\"}},"
    "\"history\":[{\"stage\":\"draft\",\"at\":\"2025-10-17T09:30:00Z\",\"message\":"
    HOSTILE_TEXT ("d") "},{\"stage\":\"contract_found\",\"at\":\"2025-10-17T09:30:00Z\","
    "\"message\":" HOSTILE_TEXT ("c") "}],\"refusal\":null,\"tson\":null,\"plate_type\":null}",
    id, vin, iin, number, iin, name, number, iin, name);
}

static char *
vehicle_answer (const char *vin,
                const char *epassport_status,
                const char *stopped_at)
{
  return g_strdup_printf ("{\"vin\":\"%s\",\"epassport\":{\"status\":\"%s\"},"
                          "\"customs\":{\"status\":\"paid\"},"
                          "\"utilization\":{\"status\":\"paid\"},\"stopped_at\":%s}",
                          vin, epassport_status, stopped_at);
}

static void
hostile_handler (Fixture           *fixture,
                 SoupServerMessage *msg,
                 const char        *path)
{
  if (g_str_has_prefix (path, "/api/v1/auth/"))
    session_handler (fixture, msg, path);
  else
    respond_json (msg, 200, fixture->answer);
}

typedef enum { OP_ABOUT, OP_VEHICLE, OP_PERSON, OP_CONTRACTS, OP_CREATE, OP_SIGNATURE,
               OP_GET_REQUEST, OP_WITHDRAW, OP_CHANGES } Operation;

/* Runs @operation (asking about HOSTILE_VIN, HOSTILE_IIN, HOSTILE_ID) against the answer
 * scripted in @fixture; returns whether it succeeded. */
static gboolean
run_operation (Fixture             *fixture,
               TirkeuPortalClient  *client,
               Operation            operation,
               GError             **error)
{
  GAsyncResult *result;

  switch (operation)
    {
    case OP_ABOUT:
      {
        g_autoptr(TirkeuPortalAbout) about = NULL;

        tirkeu_portal_client_get_about_async (client, NULL, result_cb, fixture);
        about = tirkeu_portal_client_get_about_finish (client, wait_result (fixture), error);
        return about != NULL;
      }
    case OP_VEHICLE:
      {
        g_autoptr(TirkeuPortalVehicleCheck) check = NULL;

        tirkeu_portal_client_check_vehicle_async (client, HOSTILE_VIN, NULL, result_cb, fixture);
        check = tirkeu_portal_client_check_vehicle_finish (client, wait_result (fixture), error);
        return check != NULL;
      }
    case OP_PERSON:
      {
        g_autoptr(TirkeuPortalPerson) person = NULL;

        tirkeu_portal_client_check_person_async (client, HOSTILE_IIN, NULL, result_cb, fixture);
        person = tirkeu_portal_client_check_person_finish (client, wait_result (fixture), error);
        return person != NULL;
      }
    case OP_CONTRACTS:
      {
        g_autoptr(GPtrArray) contracts = NULL;

        tirkeu_portal_client_find_contracts_async (client, HOSTILE_VIN, HOSTILE_IIN, NULL,
                                                   result_cb, fixture);
        contracts = tirkeu_portal_client_find_contracts_finish (client, wait_result (fixture),
                                                                error);
        return contracts != NULL;
      }
    case OP_CHANGES:
      {
        g_autoptr(TirkeuPortalChanges) changes = NULL;

        tirkeu_portal_client_get_changes_async (client, NULL, NULL, result_cb, fixture);
        changes = tirkeu_portal_client_get_changes_finish (client, wait_result (fixture), error);
        return changes != NULL;
      }
    case OP_CREATE:
    case OP_SIGNATURE:
    case OP_GET_REQUEST:
    case OP_WITHDRAW:
    default:
      {
        g_autoptr(TirkeuRequest) request = NULL;
        g_autoptr(GBytes) signature = g_bytes_new_static ("sig", 3);

        if (operation == OP_CREATE)
          tirkeu_portal_client_create_request_async (client,
                                                     "9a3e5d2c-41b7-4f0e-8c6d-2b1a0f9e8d7c",
                                                     HOSTILE_VIN, HOSTILE_IIN, "DKP-77", NULL,
                                                     result_cb, fixture);
        else if (operation == OP_SIGNATURE)
          tirkeu_portal_client_submit_signature_async (client, HOSTILE_ID, signature, NULL,
                                                       result_cb, fixture);
        else if (operation == OP_GET_REQUEST)
          tirkeu_portal_client_get_request_async (client, HOSTILE_ID, NULL, result_cb, fixture);
        else
          tirkeu_portal_client_withdraw_async (client, HOSTILE_ID, NULL, result_cb, fixture);
        result = wait_result (fixture);
        if (operation == OP_CREATE)
          request = tirkeu_portal_client_create_request_finish (client, result, NULL, error);
        else if (operation == OP_SIGNATURE)
          request = tirkeu_portal_client_submit_signature_finish (client, result, NULL, error);
        else if (operation == OP_GET_REQUEST)
          request = tirkeu_portal_client_get_request_finish (client, result, NULL, error);
        else
          request = tirkeu_portal_client_withdraw_finish (client, result, NULL, error);
        return request != NULL;
      }
    }
}

typedef struct
{
  Operation operation;
  char *answer;
  const char *field;   /* the field details name, NULL for a parse failure */
} HostileCase;

static void
test_hostile_answers (Fixture       *fixture,
                      gconstpointer  data)
{
  GString *deep = g_string_new ("{\"environment\":");
  HostileCase cases[] = {
    /* sanity: the honest answers pass */
    { OP_VEHICLE, vehicle_answer (HOSTILE_VIN, "found", "null"), NULL },
    { OP_PERSON, g_strdup ("{\"iin\":\"" HOSTILE_IIN "\",\"status\":\"active\","
                           "\"full_name\":\"IVANOV IVAN\"}"), NULL },
    { OP_CREATE, request_answer (HOSTILE_ID, HOSTILE_VIN, HOSTILE_IIN, "DKP-77", "IVANOV"), NULL },
    { OP_SIGNATURE, request_answer (HOSTILE_ID, HOSTILE_VIN, HOSTILE_IIN, "DKP-77", "IVANOV"), NULL },
    /* bad text: json-glib decodes a lone surrogate into bytes that are not UTF-8; the
     * request's mapping asserted in g_variant_new_string() */
    { OP_GET_REQUEST, NULL, NULL },
    { OP_CHANGES, NULL, NULL },
    { OP_ABOUT, g_strdup ("{\"environment\":\"sandbox\",\"api_version\":\"1.0\\udc00.1\"}"), NULL },
    /* nested 100,000 deep: json-glib's recursion overflowed the stack */
    { OP_ABOUT, NULL, NULL },
    /* another question's answer */
    { OP_VEHICLE, vehicle_answer ("JTDBR32E720123456", "found", "null"), "vin" },
    { OP_VEHICLE, vehicle_answer (HOSTILE_VIN, "not_found", "null"), "stopped_at" },
    { OP_PERSON, g_strdup ("{\"iin\":\"870412300415\",\"status\":\"active\","
                           "\"full_name\":\"PETROV PETR\"}"), "iin" },
    { OP_CONTRACTS, g_strdup ("{\"contracts\":[{\"number\":\"DKP-1\",\"date\":\"2025-10-16\","
                              "\"price\":\"1.00\",\"currency\":\"KZT\",\"seller\":{\"bin\":"
                              "\"940140000385\",\"name\":\"A\"},\"buyer\":{\"iin\":"
                              "\"870412300415\",\"full_name\":\"P\"}}]}"),
      "contracts[0].buyer.iin" },
    { OP_GET_REQUEST, request_answer ("T-2025-000002", HOSTILE_VIN, HOSTILE_IIN, "DKP-77", "I"),
      "id" },
    { OP_WITHDRAW, request_answer ("T-2025-000002", HOSTILE_VIN, HOSTILE_IIN, "DKP-77", "I"),
      "id" },
    { OP_SIGNATURE, request_answer ("T-2025-000002", HOSTILE_VIN, HOSTILE_IIN, "DKP-77", "I"),
      "id" },
    { OP_CREATE, request_answer (HOSTILE_ID, "JTDBR32E720123456", HOSTILE_IIN, "DKP-77", "I"),
      "vin" },
    { OP_CREATE, request_answer (HOSTILE_ID, HOSTILE_VIN, "870412300415", "DKP-77", "I"),
      "buyer_iin" },
    { OP_CREATE, request_answer (HOSTILE_ID, HOSTILE_VIN, HOSTILE_IIN, "DKP-78", "I"),
      "contract_number" },
    { OP_CREATE, NULL, "idempotency_key" },
  };

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  cases[7].answer = g_string_free (deep, FALSE);
  {
    /* the answer to another create: another key */
    g_autofree char *request = request_answer (HOSTILE_ID, HOSTILE_VIN, HOSTILE_IIN, "DKP-77",
                                               "I");
    g_auto(GStrv) parts = g_strsplit (request, "\"revision\":1,", 2);

    cases[G_N_ELEMENTS (cases) - 1].answer =
      g_strjoinv ("\"revision\":1,\"idempotency_key\":\"0b0c9a55-5d8e-4b8f-9f51-d7a1e1f6c0aa\",",
                  parts);
  }
  {
    /* in a history message, which the request keeps in its serialized form */
    g_autofree char *request = request_answer (HOSTILE_ID, HOSTILE_VIN, HOSTILE_IIN, "DKP-77",
                                               "IVANOV");
    g_auto(GStrv) parts = g_strsplit (request, "\"en\":\"c\"", 2);

    cases[4].answer = g_strjoinv ("\"en\":\"c\\uD800c\"", parts);
  }
  {
    g_autofree char *request = request_answer (HOSTILE_ID, HOSTILE_VIN, HOSTILE_IIN, "DKP-77",
                                               "A\\uDC00B");

    cases[5].answer = g_strdup_printf ("{\"changes\":[%s],\"cursor\":\"c\",\"has_more\":false}",
                                       request);
  }

  fixture->handler = hostile_handler;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TirkeuPortalClient *client = new_client (fixture);
      g_autoptr(GError) error = NULL;
      gboolean ok;

      g_test_message ("case %u", i);
      tirkeu_portal_client_set_sign_func (client, sign_func, sign_finish_func, fixture, NULL);
      g_free (fixture->answer);
      fixture->answer = g_steal_pointer (&cases[i].answer);
      ok = run_operation (fixture, client, cases[i].operation, &error);
      if (i < 4)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_test_message ("refused: %s", error != NULL ? error->message : "(none)");
          g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED);
          if (cases[i].field != NULL)
            {
              JsonObject *details =
                json_node_get_object (tirkeu_portal_error_get_details (error));

              g_assert_cmpstr (json_object_get_string_member (details, "field"), ==,
                               cases[i].field);
              /* an IIN in the details is masked */
              g_assert_null (strstr (json_object_get_string_member_with_default (details,
                                                                                   "answered",
                                                                                   ""),
                                     "870412300415"));
            }
        }
      tirkeu_portal_client_set_sign_func (client, NULL, NULL, NULL, NULL);
      finalize_client (fixture, client);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  all_logs = g_string_new (NULL);
  g_log_set_writer_func (collect_log_writer, NULL, NULL);

  make_pki ();

  g_test_add_func ("/portal/client/new-destroy", test_new_destroy);
  g_test_add_func ("/portal/client/new-refuses", test_new_refuses);
  g_test_add_func ("/portal/client/properties-notify", test_properties_notify);
#define ADD(path, func) \
  g_test_add ("/portal/client/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("about", test_about);
  ADD ("tls-untrusted", test_tls_untrusted);
  g_test_add ("/portal/client/tls-wrong-host", Fixture, "wrong-name", fixture_set_up,
              test_tls_wrong_host, fixture_tear_down);
  ADD ("connection-refused", test_connection_refused);
  ADD ("tls-old-protocol", test_tls_old_protocol);
  g_test_add_func ("/portal/client/unknown-host", test_unknown_host);
  ADD ("error-model", test_error_model);
  ADD ("status-codes", test_status_codes);
  ADD ("no-redirect", test_no_redirect);
  ADD ("retry-get", test_retry_get);
  ADD ("retry-bounded", test_retry_bounded);
  ADD ("no-retry-unsafe-post", test_no_retry_unsafe_post);
  ADD ("retry-after", test_retry_after);
  ADD ("retry-after-too-long", test_retry_after_too_long);
  ADD ("malformed", test_malformed);
  ADD ("truncated", test_truncated);
  ADD ("oversized", test_oversized);
  ADD ("slow", test_slow);
  ADD ("retry-within-deadline", test_retry_within_deadline);
  ADD ("cancel", test_cancel);
  ADD ("action/one-deadline", test_action_one_deadline);
  ADD ("action/sign-in", test_action_sign_in);
  ADD ("action/cancel", test_action_cancel);
  g_test_add_func ("/portal/client/action/pause", test_action_pause);
  ADD ("post-idempotent-after-drop", test_post_idempotent_after_drop);
  ADD ("sign-in", test_sign_in);
  ADD ("session-renewal", test_session_renewal);
  ADD ("session-expired-without-signer", test_session_expired_without_signer);
  ADD ("sign-in-shared", test_sign_in_shared);
  ADD ("token-not-logged", test_token_not_logged);
  ADD ("hostile-answers", test_hostile_answers);
#undef ADD

  status = g_test_run ();

  g_clear_object (&server_certificate);
  g_clear_object (&wrong_name_certificate);
  g_string_free (all_logs, TRUE);
  remove_tree (pki_dir);
  g_free (pki_dir);
  g_free (ca_file);
  g_free (other_ca_file);

  return status;
}
