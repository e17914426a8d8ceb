/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tirkeu-sandbox-private.h"

/* The sandbox object: options, life cycle, its TLS certificate, and the routes. */

G_DEFINE_FINAL_TYPE (TirkeuSandbox, tirkeu_sandbox, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URL,
  PROP_CA_FILE,
  PROP_STATE_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  REQUEST_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The buyer's steps and the API's effects announce each new stage from their own files. */
void
_sb_emit_request_changed (TirkeuSandbox *self,
                          const char    *id,
                          const char    *stage)
{
  g_signal_emit (self, signals[REQUEST_CHANGED], 0, id, stage);
}

/**
 * tirkeu_sandbox_options_init:
 * @options: (out caller-allocates): options to fill with the defaults
 */
void
tirkeu_sandbox_options_init (TirkeuSandboxOptions *options)
{
  memset (options, 0, sizeof *options);
  options->listen = g_strdup ("127.0.0.1:0");
  options->buyer_mode = TIRKEU_SANDBOX_BUYER_AUTO;
  options->buyer_step_ms = 3000;
  /* The law sets the buyer no time (the pilot algorithm's step 10 has none, nor do the
   * registration rules of order No. 862): a week is the portal's, long enough to hold five
   * working days whatever the day the seller signs, so a buyer who reaches the eGov account
   * only after a weekend still can act. */
  options->buyer_days = TIRKEU_SANDBOX_DEFAULT_BUYER_DAYS;
  options->session_ttl_s = 1800;
}

/**
 * tirkeu_sandbox_options_clear:
 * @options: options filled by tirkeu_sandbox_options_init()
 */
void
tirkeu_sandbox_options_clear (TirkeuSandboxOptions *options)
{
  g_clear_pointer (&options->listen, g_free);
  g_clear_pointer (&options->state_dir, g_free);
  g_clear_pointer (&options->fixtures_file, g_free);
  g_clear_pointer (&options->messages_file, g_free);
  g_clear_pointer (&options->signer_ca_file, g_free);
  g_clear_pointer (&options->tls_cert_file, g_free);
  g_clear_pointer (&options->tls_key_file, g_free);
}

static void
options_copy (TirkeuSandboxOptions       *to,
              const TirkeuSandboxOptions *from)
{
  *to = *from;
  to->listen = g_strdup (from->listen != NULL ? from->listen : "127.0.0.1:0");
  to->state_dir = g_strdup (from->state_dir);
  to->fixtures_file = g_strdup (from->fixtures_file);
  to->messages_file = g_strdup (from->messages_file);
  to->signer_ca_file = g_strdup (from->signer_ca_file);
  to->tls_cert_file = g_strdup (from->tls_cert_file);
  to->tls_key_file = g_strdup (from->tls_key_file);
}

/**
 * tirkeu_sandbox_get_default_data_file:
 * @basename: "fixtures.json" or "messages.json"
 *
 * The source tree's data/sandbox/ when the running program is in the build tree (tests,
 * `meson devenv`), else the installed $datadir/tirkeu/sandbox/. TIRKEU_SANDBOX_DATADIR
 * overrides both.
 *
 * Returns: (transfer full): the path
 */
char *
tirkeu_sandbox_get_default_data_file (const char *basename)
{
  const char *override = g_getenv ("TIRKEU_SANDBOX_DATADIR");
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (override != NULL && *override != '\0')
    return g_build_filename (override, basename, NULL);
  if (exe != NULL && g_str_has_prefix (exe, TIRKEU_SANDBOX_BUILD_ROOT "/"))
    return g_build_filename (TIRKEU_SANDBOX_SOURCE_DATADIR, basename, NULL);

  return g_build_filename (PKGDATADIR, "sandbox", basename, NULL);
}

static gboolean
certificate_still_valid (const char *path)
{
  g_autoptr(X509) cert = tirkeu_sandbox_pki_read_cert (path, NULL);

  /* Renewed a day before it expires, so that a long demo never hits the end. */
  return cert != NULL && X509_cmp_time (X509_get0_notAfter (cert),
                                        &(time_t) { time (NULL) + 24 * 3600 }) > 0;
}

static gboolean
prepare_tls (TirkeuSandbox  *self,
             GError        **error)
{
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;

  if (self->options.tls_cert_file != NULL || self->options.tls_key_file != NULL)
    {
      if (self->options.tls_cert_file == NULL || self->options.tls_key_file == NULL)
        {
          g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID,
                       _("--tls-cert and --tls-key go together"));
          return FALSE;
        }
      cert_file = g_strdup (self->options.tls_cert_file);
      key_file = g_strdup (self->options.tls_key_file);
      /* A given certificate is its own trust anchor for clients: self-signed, or a file
       * that carries its chain up to the root. */
      self->ca_file = g_canonicalize_filename (cert_file, NULL);
    }
  else
    {
      cert_file = g_build_filename (self->options.state_dir, "server.pem", NULL);
      key_file = g_build_filename (self->options.state_dir, "server-key.pem", NULL);
      self->ca_file = g_build_filename (self->options.state_dir, "ca.pem", NULL);

      if (!g_file_test (self->ca_file, G_FILE_TEST_EXISTS)
          || !g_file_test (key_file, G_FILE_TEST_EXISTS)
          || !certificate_still_valid (cert_file))
        {
          g_autoptr(EVP_PKEY) ca_key = tirkeu_sandbox_pki_new_key (0, error);
          g_autoptr(EVP_PKEY) server_key = NULL;
          g_autoptr(X509) ca = NULL;
          g_autoptr(X509) server = NULL;

          if (ca_key == NULL)
            return FALSE;
          server_key = tirkeu_sandbox_pki_new_key (0, error);
          if (server_key == NULL)
            return FALSE;
          ca = tirkeu_sandbox_pki_new_ca (ca_key, "Tirkeu sandbox TLS CA", error);
          if (ca == NULL)
            return FALSE;
          server = tirkeu_sandbox_pki_new_server_cert (server_key, ca, ca_key, error);
          /* The CA's key is not kept: nothing else is ever issued under it, and a new pair
           * is made whenever the server certificate needs renewing. */
          if (server == NULL
              || !tirkeu_sandbox_pki_write_key (key_file, server_key, error)
              || !tirkeu_sandbox_pki_write_cert (cert_file, server, error)
              || !tirkeu_sandbox_pki_write_cert (self->ca_file, ca, error))
            return FALSE;
        }
    }

  self->tls_certificate = g_tls_certificate_new_from_files (cert_file, key_file, error);
  if (self->tls_certificate == NULL)
    {
      g_prefix_error (error, _("TLS certificate %s: "), cert_file);
      return FALSE;
    }

  return TRUE;
}

static void
tirkeu_sandbox_dispose (GObject *object)
{
  TirkeuSandbox *self = TIRKEU_SANDBOX (object);

  tirkeu_sandbox_stop (self);
  g_clear_object (&self->tls_certificate);
  g_clear_object (&self->ca);

  G_OBJECT_CLASS (tirkeu_sandbox_parent_class)->dispose (object);
}

static void
tirkeu_sandbox_finalize (GObject *object)
{
  TirkeuSandbox *self = TIRKEU_SANDBOX (object);

  tirkeu_sandbox_options_clear (&self->options);
  g_clear_pointer (&self->state_file, g_free);
  g_clear_pointer (&self->server_file, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->data, _sb_data_free);
  g_clear_pointer (&self->signer_trust, X509_STORE_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_pointer (&self->idempotency, g_hash_table_unref);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->challenges, g_hash_table_unref);
  g_clear_pointer (&self->rate, g_hash_table_unref);
  g_clear_pointer (&self->calls, g_hash_table_unref);

  G_OBJECT_CLASS (tirkeu_sandbox_parent_class)->finalize (object);
}

static void
tirkeu_sandbox_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TirkeuSandbox *self = TIRKEU_SANDBOX (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_STATE_DIR:
      g_value_set_string (value, self->options.state_dir);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_sandbox_class_init (TirkeuSandboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tirkeu_sandbox_dispose;
  object_class->finalize = tirkeu_sandbox_finalize;
  object_class->get_property = tirkeu_sandbox_get_property;

  /**
   * TirkeuSandbox:url:
   *
   * The origin it serves (`https://127.0.0.1:41234`), set by tirkeu_sandbox_start().
   */
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuSandbox:ca-file:
   *
   * The PEM file a client trusts to talk to this sandbox.
   */
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuSandbox:state-dir:
   *
   * Where the state and the TLS files are kept.
   */
  properties[PROP_STATE_DIR] =
    g_param_spec_string ("state-dir", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TirkeuSandbox::request-changed:
   * @self: the sandbox
   * @id: the request's id
   * @stage: its new stage's wire name
   *
   * A request entered a stage (created, signed, a buyer's or portal's step, withdrawn).
   */
  signals[REQUEST_CHANGED] =
    g_signal_new ("request-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
tirkeu_sandbox_init (TirkeuSandbox *self)
{
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) json_object_unref);
  self->idempotency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) json_object_unref);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) json_object_unref);
  self->challenges = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) json_object_unref);
  self->rate = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->calls = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       _sb_call_free);
}

/**
 * tirkeu_sandbox_new:
 * @options: the options (copied)
 * @error: return location for a #GError
 *
 * Loads the fixtures, the signer CA, the state of an earlier run and the TLS certificate
 * (made on first use); does not listen yet.
 *
 * Returns: (transfer full) (nullable): a new sandbox
 */
TirkeuSandbox *
tirkeu_sandbox_new (const TirkeuSandboxOptions *options,
                    GError                    **error)
{
  g_autoptr(TirkeuSandbox) self = g_object_new (TIRKEU_TYPE_SANDBOX, NULL);
  g_autofree char *fixtures = NULL;
  g_autofree char *messages = NULL;

  g_return_val_if_fail (options != NULL, NULL);

  options_copy (&self->options, options);
  if (self->options.state_dir == NULL)
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_STATE,
                   _("A state directory is needed (--state-dir)"));
      return NULL;
    }
  if (self->options.buyer_days == 0 || self->options.buyer_days > TIRKEU_SANDBOX_MAX_BUYER_DAYS)
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID,
                   /* Translators: %u is the largest number of days, 3650 */
                   _("The buyer's time is from 1 to %u days"), TIRKEU_SANDBOX_MAX_BUYER_DAYS);
      return NULL;
    }
  if (self->options.buyer_step_ms == 0 || self->options.session_ttl_s == 0
      || self->options.fail_rate < 0 || self->options.fail_rate > 1
      || self->options.drop_rate < 0 || self->options.drop_rate > 1
      || self->options.malformed_rate < 0 || self->options.malformed_rate > 1)
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID,
                   _("Rates are between 0 and 1; the buyer step and session life are above 0"));
      return NULL;
    }
  if (g_mkdir_with_parents (self->options.state_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_STATE,
                   /* Translators: a directory, then the system's reason */
                   _("Cannot create %s: %s"), self->options.state_dir, g_strerror (saved));
      return NULL;
    }

  fixtures = self->options.fixtures_file != NULL
             ? g_strdup (self->options.fixtures_file)
             : tirkeu_sandbox_get_default_data_file ("fixtures.json");
  messages = self->options.messages_file != NULL
             ? g_strdup (self->options.messages_file)
             : tirkeu_sandbox_get_default_data_file ("messages.json");
  self->data = _sb_data_load (fixtures, messages, error);
  if (self->data == NULL)
    return NULL;

  self->signer_trust = tirkeu_sandbox_pki_load_trust (self->options.signer_ca_file, error);
  if (self->signer_trust == NULL)
    return NULL;
  /* The sandbox is a test NCA too: the key files its CA issues (tirkeu-sandbox pki
   * issue-key) sign in and sign beside those of --signer-ca. */
  self->ca = tirkeu_sandbox_ca_open (self->options.state_dir, error);
  if (self->ca == NULL)
    return NULL;
  if (X509_STORE_add_cert (self->signer_trust, tirkeu_sandbox_ca_get_certificate (self->ca)) != 1)
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_CERTIFICATE,
                   _("Cannot trust the sandbox’s own CA"));
      return NULL;
    }

  self->rand = self->options.seed != 0 ? g_rand_new_with_seed (self->options.seed)
                                       : g_rand_new ();
  self->state_file = g_build_filename (self->options.state_dir, "state.json", NULL);
  self->server_file = g_build_filename (self->options.state_dir, "server.json", NULL);

  if (!_sb_state_load (self, error) || !prepare_tls (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
not_found_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  TirkeuSandbox *self = user_data;
  Reply reply = { 0, NULL };

  _sb_set_common_headers (msg);
  _sb_reply_error (self, &reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "path", "no such path");
  _sb_send (msg, &reply);
}

/* libsoup refuses a request line it cannot parse (an invalid percent-escape such as %zz, a
 * raw byte that is not ASCII in the query) before any handler runs, and then answers 400
 * with whatever the message holds and closes the connection. So every message starts out
 * holding the contract's 400 VALIDATION_FAILED; a handler that runs replaces it. */
static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  TirkeuSandbox *self = user_data;
  Reply reply = { 0, NULL };
  g_autoptr(GBytes) body = NULL;

  _sb_set_common_headers (msg);
  _sb_reply_error (self, &reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "path",
                   "the request line is not a valid HTTP request target");
  body = _sb_serialize (reply.body);
  _sb_set_body (msg, body);
  g_clear_pointer (&reply.body, json_node_unref);
}

/* A body over MAX_BODY is refused with 413 and not kept: libsoup goes on reading what the
 * client sends (so that the client, still writing, gets the answer) but stores none of it.
 * A 200 MB POST took 460 MB before. */
static void
refuse_body (TirkeuSandbox     *self,
             SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  Reply reply = { 0, NULL };

  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  _sb_set_common_headers (msg);
  _sb_reply_error (self, &reply, 413, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "body",
                   "the body is larger than 65536 bytes");
  _sb_send (msg, &reply);
}

/* Without a Content-Length (chunked), the body is counted as it arrives. */
static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  if (soup_server_message_get_status (msg) == 0
      && soup_server_message_get_request_body (msg)->length > MAX_BODY)
    refuse_body (user_data, msg);
}

static void
body_limit_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  TirkeuSandbox *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > MAX_BODY)
    refuse_body (self, msg);
  else
    g_signal_connect_object (msg, "got-chunk", G_CALLBACK (got_chunk_cb), self,
                             G_CONNECT_DEFAULT);
}

static GSocketAddress *
parse_listen (const char  *listen,
              char       **host_for_url,
              GError     **error)
{
  g_autofree char *host = NULL;
  const char *port_text;
  guint64 port;
  g_autoptr(GInetAddress) address = NULL;

  if (listen[0] == '[')
    {
      const char *end = strchr (listen, ']');

      if (end == NULL || end[1] != ':')
        goto invalid;
      host = g_strndup (listen + 1, end - listen - 1);
      port_text = end + 2;
    }
  else
    {
      const char *colon = strrchr (listen, ':');

      if (colon == NULL)
        goto invalid;
      host = g_strndup (listen, colon - listen);
      port_text = colon + 1;
    }

  if (!_sb_parse_uint (port_text, 65535, &port))
    goto invalid;
  if (g_str_equal (host, "localhost"))
    {
      g_free (host);
      host = g_strdup ("127.0.0.1");
    }
  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    goto invalid;

  *host_for_url = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6
                  ? g_strdup_printf ("[%s]", host) : g_strdup (host);
  /* /admin has no authentication, and the self-made certificate names only this computer:
   * both are meant for loopback. */
  if (!g_inet_address_get_is_loopback (address))
    g_warning ("tirkeu-sandbox listens on %s, beyond this computer: its /admin endpoints "
               "answer anyone who can reach it", listen);

  return g_inet_socket_address_new (address, (guint16) port);

invalid:
  g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_LISTEN,
               _("--listen wants ADDR:PORT with an IP address, e.g. 127.0.0.1:0 or [::1]:8443, "
                 "not “%s”"), listen);
  return NULL;
}

/**
 * tirkeu_sandbox_start:
 * @self: a #TirkeuSandbox
 * @error: return location for a #GError
 *
 * Listens over HTTPS, starts the buyer's schedule and writes state_dir/server.json
 * ({url, ca_file, pid}, which `tirkeu-sandbox buyer` reads).
 *
 * Returns: %TRUE when serving
 */
gboolean
tirkeu_sandbox_start (TirkeuSandbox  *self,
                      GError        **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *host = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  GSList *listeners;
  guint port = 0;

  g_return_val_if_fail (TIRKEU_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  address = parse_listen (self->options.listen, &host, error);
  if (address == NULL)
    return FALSE;

  self->server = soup_server_new ("tls-certificate", self->tls_certificate,
                                  "server-header", "tirkeu-sandbox/" PACKAGE_VERSION, NULL);
  /* One handler per prefix: the portal's API (through the faults), the sandbox's own
   * controls, its test NCA, and a 404 in the contract's error model for anything else. */
  soup_server_add_handler (self->server, "/api/v1", _sb_api_handler_cb, self, NULL);
  soup_server_add_handler (self->server, "/admin", _sb_admin_handler_cb, self, NULL);
  soup_server_add_handler (self->server, "/pki", _sb_pki_handler_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, not_found_cb, self, NULL);
  /* An early handler runs once the headers are in, before the body: one per prefix, since
   * libsoup looks for the early handler of the path's own prefix. */
  soup_server_add_early_handler (self->server, "/api/v1", body_limit_cb, self, NULL);
  soup_server_add_early_handler (self->server, "/admin", body_limit_cb, self, NULL);
  soup_server_add_early_handler (self->server, "/pki", body_limit_cb, self, NULL);
  soup_server_add_early_handler (self->server, NULL, body_limit_cb, self, NULL);
  g_signal_connect_object (self->server, "request-started", G_CALLBACK (request_started_cb),
                           self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->server, "request-aborted",
                           G_CALLBACK (_sb_request_aborted_cb), self, G_CONNECT_DEFAULT);
  if (!soup_server_listen (self->server, address, SOUP_SERVER_LISTEN_HTTPS, error))
    {
      g_clear_object (&self->server);
      g_prefix_error (error, _("Cannot listen on %s: "), self->options.listen);
      return FALSE;
    }

  /* The port from the listening socket itself: soup_server_get_uris() of libsoup 3.2 leaks
   * the GSocketAddress it builds each URI from (LeakSanitizer shows it). */
  listeners = soup_server_get_listeners (self->server);
  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) bound = g_socket_get_local_address (listeners->data, NULL);

      if (G_IS_INET_SOCKET_ADDRESS (bound))
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    }
  g_slist_free (listeners);
  g_free (self->url);
  self->url = g_strdup_printf ("https://%s:%u", host, port);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);

  if (!self->manual_clock)
    self->tick_id = g_timeout_add (self->options.buyer_step_ms, _sb_buyer_tick_cb, self);
  self->started = TRUE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, self->url);
  json_builder_set_member_name (builder, "ca_file");
  json_builder_add_string_value (builder, self->ca_file);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, getpid ());
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  return g_file_set_contents_full (self->server_file, text, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/**
 * tirkeu_sandbox_stop:
 * @self: a #TirkeuSandbox
 *
 * Stops listening and the schedule, saves the state and removes server.json. Safe to call
 * more than once.
 */
void
tirkeu_sandbox_stop (TirkeuSandbox *self)
{
  g_return_if_fail (TIRKEU_IS_SANDBOX (self));

  if (!self->started)
    return;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_hash_table_remove_all (self->calls);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  _sb_state_save_or_warn (self);
  g_unlink (self->server_file);
  self->started = FALSE;
}

/**
 * tirkeu_sandbox_get_url:
 * @self: a #TirkeuSandbox
 *
 * Returns: (nullable): the origin it serves, e.g. `https://127.0.0.1:41234`, once started
 */
const char *
tirkeu_sandbox_get_url (TirkeuSandbox *self)
{
  g_return_val_if_fail (TIRKEU_IS_SANDBOX (self), NULL);

  return self->url;
}

/**
 * tirkeu_sandbox_get_ca_file:
 * @self: a #TirkeuSandbox
 *
 * Returns: the PEM file a client trusts to talk to this sandbox (its TLS CA)
 */
const char *
tirkeu_sandbox_get_ca_file (TirkeuSandbox *self)
{
  g_return_val_if_fail (TIRKEU_IS_SANDBOX (self), NULL);

  return self->ca_file;
}

/**
 * tirkeu_sandbox_use_manual_clock:
 * @self: a #TirkeuSandbox
 * @start: the time the clock shows from now on
 *
 * Stops reading the system's clock: the sandbox's time (session and challenge expiry,
 * request times, the rate limit's one-second window) and the buyer's schedule (a step every
 * buyer_step_ms) follow tirkeu_sandbox_advance_clock() instead, so that a test moves through
 * minutes of the portal's life without waiting for them, and can say exactly when something
 * must not have happened yet. Call it before tirkeu_sandbox_start() or after.
 */
void
tirkeu_sandbox_use_manual_clock (TirkeuSandbox *self,
                                 GDateTime     *start)
{
  g_return_if_fail (TIRKEU_IS_SANDBOX (self));
  g_return_if_fail (start != NULL);

  self->manual_clock = TRUE;
  self->manual_now_us = g_date_time_to_unix (start) * G_USEC_PER_SEC
                        + g_date_time_get_microsecond (start);
  self->next_tick_us = self->manual_now_us + (gint64) self->options.buyer_step_ms * 1000;
  g_clear_handle_id (&self->tick_id, g_source_remove);
}

/**
 * tirkeu_sandbox_advance_clock:
 * @self: a #TirkeuSandbox on a manual clock
 * @span: how far to move it (0 or more)
 *
 * Moves the manual clock on by @span and runs every step of the buyer's schedule that falls
 * due meanwhile, in order, before returning.
 */
void
tirkeu_sandbox_advance_clock (TirkeuSandbox *self,
                              GTimeSpan      span)
{
  g_return_if_fail (TIRKEU_IS_SANDBOX (self));
  g_return_if_fail (self->manual_clock);
  g_return_if_fail (span >= 0);

  self->manual_now_us += span;
  while (self->next_tick_us <= self->manual_now_us)
    {
      self->next_tick_us += (gint64) self->options.buyer_step_ms * 1000;
      if (self->started)
        _sb_buyer_tick_cb (self);
    }
}
