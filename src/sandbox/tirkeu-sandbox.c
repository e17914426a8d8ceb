/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <openssl/rand.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tirkeu-iin.h"
#include "tirkeu-portal-code.h"
#include "tirkeu-sandbox.h"
#include "tirkeu-sandbox-pki.h"
#include "tirkeu-sandbox-private.h"
#include "tirkeu-stage.h"

#define API_PREFIX          "/api/v1/"
#define API_VERSION         "1.1.0"
#define ENVIRONMENT_HEADER  "X-Tirkeu-Environment"
#define CHALLENGE_TTL_S     300
#define MAX_BODY            (64 * 1024)
#define SLOW_CHUNK          64
#define PAYLOAD_TYPE        "tirkeu.primary_registration.v1"
#define STATE_VERSION       1

struct _TirkeuSandbox
{
  GObject parent_instance;

  /* configuration */
  TirkeuSandboxOptions options;
  char *state_file;
  char *server_file;
  char *ca_file;
  char *url;

  /* owned references */
  SbData *data;
  X509_STORE *signer_trust;
  GTlsCertificate *tls_certificate;
  SoupServer *server;
  GRand *rand;

  /* state; requests and idempotency keys are persisted, challenges are not */
  GHashTable *requests;       /* id -> JsonObject, with private "_" members */
  GHashTable *idempotency;    /* "BIN\nkey" -> JsonObject {request_id, vin, buyer_iin, ...} */
  GHashTable *sessions;       /* SHA-256 of the token -> JsonObject {bin, expires_at} */
  GHashTable *challenges;     /* id -> JsonObject {challenge, expires_at} */
  GHashTable *rate;           /* client address -> RateWindow */
  GHashTable *calls;          /* SoupServerMessage -> Call, while paused or dribbling */
  gint64 revision;

  guint tick_id;
  guint started : 1;
};

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

typedef struct
{
  gint64 second;
  guint count;
} RateWindow;

/* One /api/v1 call whose answer is delayed (latency) or dribbled (slow body). */
typedef struct
{
  TirkeuSandbox *self;
  SoupServerMessage *msg;
  GBytes *body;
  gsize sent;
  guint source_id;
  guint paused : 1;
} Call;

/* What a handler answers: the status and the JSON body. Headers go on the message. */
typedef struct
{
  guint status;
  JsonNode *body;
} Reply;

static void call_free (Call *call);

/* ---- options -------------------------------------------------------------------------- */

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

/* ---- small helpers -------------------------------------------------------------------- */

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* A request number staff can read out to a buyer at the desk: "T" marks the training portal,
 * then the year and a serial. The contract keeps ids opaque, so a client must not parse it. */
static char *
new_request_id (TirkeuSandbox *self,
                gint64         unix_seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (unix_seconds);
  guint serial = g_hash_table_size (self->requests) + 1;

  for (;; serial++)
    {
      char *id = g_strdup_printf ("T-%04d-%06u", g_date_time_get_year (now), serial);

      if (!g_hash_table_contains (self->requests, id))
        return id;
      g_free (id);
    }
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static char *
random_token (TirkeuSandbox *self,
              gsize          n_bytes)
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);
  char *text;

  /* GRand is not a CSPRNG; session tokens and challenges come from OpenSSL's. */
  if (RAND_bytes (bytes, (int) n_bytes) != 1)
    g_error ("OpenSSL has no randomness");
  text = g_base64_encode (bytes, n_bytes);
  /* base64url, unpadded: safe in headers and paths */
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  g_strdelimit (text, "=", '\0');

  return text;
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static TirkeuStage
request_stage (JsonObject *request)
{
  TirkeuStage stage = TIRKEU_STAGE_DRAFT;

  tirkeu_stage_from_string (get_string (request, "stage"), &stage);

  return stage;
}

static JsonNode *
object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);

  return node;
}

/* The public form of a request: private "_" members dropped. */
static JsonNode *
render_request (JsonObject *request)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init (&iter, request);
  while (json_object_iter_next (&iter, &name, &member))
    if (name[0] != '_')
      json_object_set_member (copy, name, json_node_copy (member));

  return object_node (copy);
}

/* ---- errors --------------------------------------------------------------------------- */

static JsonNode *
error_body (TirkeuSandbox    *self,
            TirkeuPortalCode  code,
            JsonObject       *details)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "code", tirkeu_portal_code_to_string (code));
  json_object_set_member (object, "message",
                          _sb_data_text (self->data, "errors",
                                         tirkeu_portal_code_to_string (code)));
  json_object_set_object_member (object, "details",
                                 details != NULL ? details : json_object_new ());

  return object_node (object);
}

static void
reply_error (TirkeuSandbox    *self,
             Reply            *reply,
             guint             status,
             TirkeuPortalCode  code,
             const char       *field,
             const char       *reason)
{
  JsonObject *details = json_object_new ();

  if (field != NULL)
    json_object_set_string_member (details, "field", field);
  if (reason != NULL)
    json_object_set_string_member (details, "reason", reason);
  if (tirkeu_portal_code_get_step (code) != 0 && code != TIRKEU_PORTAL_CODE_SIGNATURE_INVALID
      && code != TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED)
    json_object_set_int_member (details, "step", tirkeu_portal_code_get_step (code));

  g_clear_pointer (&reply->body, json_node_unref);
  reply->status = status;
  reply->body = error_body (self, code, details);
}

static void
reply_ok (Reply    *reply,
          guint     status,
          JsonNode *body)
{
  g_clear_pointer (&reply->body, json_node_unref);
  reply->status = status;
  reply->body = body;
}

/* ---- persistence ---------------------------------------------------------------------- */

static JsonNode *
table_to_object (GHashTable *table)
{
  JsonObject *object = json_object_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    json_object_set_object_member (object, key, json_object_ref (value));

  return object_node (object);
}

static gboolean
save_state (TirkeuSandbox  *self,
            GError        **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer value;
  gsize length;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, STATE_VERSION);
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, self->revision);
  json_builder_set_member_name (builder, "requests");
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    json_builder_add_value (builder, object_node (json_object_ref (value)));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "idempotency");
  json_builder_add_value (builder, table_to_object (self->idempotency));
  json_builder_set_member_name (builder, "sessions");
  json_builder_add_value (builder, table_to_object (self->sessions));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);

  /* The state holds buyers' IINs and names: 0600, and atomic (write, fsync-free rename) so a
   * crash or SIGKILL leaves either the old or the new file, never half of one. Sessions are
   * kept by the SHA-256 of their token: the token itself never reaches the disk. */
  return g_file_set_contents_full (self->state_file, text, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static void
save_state_or_warn (TirkeuSandbox *self)
{
  g_autoptr(GError) error = NULL;

  if (!save_state (self, &error))
    g_warning ("Cannot save the sandbox state: %s", error->message);
}

static void
load_table (GHashTable *table,
            JsonObject *root,
            const char *member)
{
  JsonNode *node = json_object_get_member (root, member);
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &name, &value))
    if (JSON_NODE_HOLDS_OBJECT (value))
      g_hash_table_insert (table, g_strdup (name), json_object_ref (json_node_get_object (value)));
}

static gboolean
load_state (TirkeuSandbox  *self,
            GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonArray *requests;

  if (!g_file_test (self->state_file, G_FILE_TEST_EXISTS))
    return TRUE;

  if (!json_parser_load_from_file (parser, self->state_file, &local_error)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_STATE,
                   /* Translators: a file name, then the technical reason */
                   _("%s is not a sandbox state: %s"), self->state_file,
                   local_error != NULL ? local_error->message : "not an object");
      return FALSE;
    }

  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "version", 0) != STATE_VERSION)
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_STATE,
                   _("%s has an unknown version"), self->state_file);
      return FALSE;
    }

  self->revision = json_object_get_int_member_with_default (root, "revision", 0);
  requests = json_object_has_member (root, "requests")
             ? json_object_get_array_member (root, "requests") : NULL;
  for (guint i = 0; requests != NULL && i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *id = get_string (request, "id");

      if (id != NULL)
        g_hash_table_insert (self->requests, g_strdup (id), json_object_ref (request));
    }
  load_table (self->idempotency, root, "idempotency");
  load_table (self->sessions, root, "sessions");

  return TRUE;
}

/* ---- TLS ------------------------------------------------------------------------------ */

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

/* ---- requests and the buyer's steps --------------------------------------------------- */

static void
request_move (TirkeuSandbox *self,
              JsonObject    *request,
              TirkeuStage    to,
              JsonNode      *message)
{
  TirkeuStage from = request_stage (request);
  JsonObject *entry = json_object_new ();
  g_autofree char *at = format_time (now_s ());

  /* Every transition the sandbox makes is one the core's table allows: a client that checks
   * histories against it must never see the sandbox break the law. */
  if (!tirkeu_stage_can_transition (from, to))
    {
      g_critical ("Sandbox bug: %s -> %s is not a transition",
                  tirkeu_stage_to_string (from), tirkeu_stage_to_string (to));
      json_object_unref (entry);
      g_clear_pointer (&message, json_node_unref);
      return;
    }

  json_object_set_string_member (entry, "stage", tirkeu_stage_to_string (to));
  json_object_set_string_member (entry, "at", at);
  json_object_set_member (entry, "message",
                          message != NULL ? message
                                          : _sb_data_text (self->data, "stages",
                                                           tirkeu_stage_to_string (to)));
  json_array_add_object_element (json_object_get_array_member (request, "history"), entry);

  json_object_set_string_member (request, "stage", tirkeu_stage_to_string (to));
  json_object_set_string_member (request, "updated_at", at);
  json_object_set_int_member (request, "revision", ++self->revision);
  json_object_set_int_member (request, "_ticks", 0);

  g_signal_emit (self, signals[REQUEST_CHANGED], 0, get_string (request, "id"),
                 tirkeu_stage_to_string (to));
}

static void
request_refuse (TirkeuSandbox *self,
                JsonObject    *request,
                const char    *code,
                JsonNode      *reason)
{
  TirkeuStage at = request_stage (request);
  JsonObject *defaults = _sb_data_default_refusal (self->data, at);
  JsonObject *refusal = json_object_new ();
  JsonNode *text;

  if (code == NULL)
    code = get_string (defaults, "code");
  if (code == NULL)
    code = "INTERNAL";
  if (reason != NULL)
    text = json_node_copy (reason);
  else if (defaults != NULL && json_object_has_member (defaults, "reason"))
    text = json_node_copy (json_object_get_member (defaults, "reason"));
  else
    text = _sb_data_text (self->data, "errors", code);

  json_object_set_string_member (refusal, "code", code);
  json_object_set_int_member (refusal, "step", tirkeu_stage_get_step (at));
  json_object_set_member (refusal, "reason", json_node_copy (text));
  json_object_set_object_member (request, "refusal", refusal);

  /* The history says why, in the portal's words, not just "refused". */
  request_move (self, request, TIRKEU_STAGE_REFUSED, text);
}

static void
request_fines_unpaid (TirkeuSandbox *self,
                      JsonObject    *request)
{
  JsonObject *refusal = json_object_new ();

  json_object_set_string_member (refusal, "code", "FINES_UNPAID");
  json_object_set_int_member (refusal, "step", 14);
  json_object_set_member (refusal, "reason", _sb_data_text (self->data, "errors",
                                                            "FINES_UNPAID"));
  json_object_set_object_member (request, "refusal", refusal);
  request_move (self, request, TIRKEU_STAGE_FINES_UNPAID, NULL);
}

static void
request_choose_tson (TirkeuSandbox *self,
                     JsonObject    *request)
{
  JsonObject *scenario = json_object_has_member (request, "_scenario")
                         ? json_object_get_object_member (request, "_scenario") : NULL;
  JsonObject *tson = _sb_data_tson (self->data, get_string (scenario, "tson"));
  const char *plate_type = get_string (scenario, "plate_type");
  JsonObject *chosen = json_object_new ();

  json_object_set_string_member (chosen, "code", get_string (tson, "code"));
  json_object_set_member (chosen, "name", json_node_copy (json_object_get_member (tson, "name")));
  json_object_set_member (chosen, "address",
                          json_node_copy (json_object_get_member (tson, "address")));
  json_object_set_object_member (request, "tson", chosen);
  json_object_set_string_member (request, "plate_type",
                                 g_strcmp0 (plate_type, "selected") == 0 ? "selected"
                                                                         : "standard");
  request_move (self, request, TIRKEU_STAGE_TSON_CHOSEN, NULL);
}

/* The stage where the scenario's outcome happens, and that outcome's final stage. */
static gboolean
scenario_outcome (JsonObject  *scenario,
                  TirkeuStage *at,
                  TirkeuStage *outcome)
{
  const char *buyer = get_string (scenario, "buyer");
  const char *where = get_string (scenario, "at");

  if (buyer == NULL || g_str_equal (buyer, "approve"))
    return FALSE;

  if (g_str_equal (buyer, "decline"))
    *outcome = TIRKEU_STAGE_DECLINED;
  else if (g_str_equal (buyer, "expire"))
    *outcome = TIRKEU_STAGE_EXPIRED;
  else
    *outcome = TIRKEU_STAGE_REFUSED;

  *at = TIRKEU_STAGE_AWAITING_BUYER;
  if (where != NULL)
    tirkeu_stage_from_string (where, at);

  return TRUE;
}

/* One step of stages 10-19 for @request. Returns whether it changed. */
static gboolean
request_step (TirkeuSandbox *self,
              JsonObject    *request)
{
  TirkeuStage stage = request_stage (request);
  gboolean manual = self->options.buyer_mode == TIRKEU_SANDBOX_BUYER_MANUAL;
  JsonObject *scenario = json_object_has_member (request, "_scenario")
                         ? json_object_get_object_member (request, "_scenario") : NULL;
  TirkeuStage at, outcome;
  JsonObject *person;

  if (tirkeu_stage_is_final (stage) || stage < TIRKEU_STAGE_AWAITING_BUYER)
    return FALSE;

  /* Auto mode: the scenario's outcome when the request sits in its stage long enough. */
  if (!manual && scenario != NULL && scenario_outcome (scenario, &at, &outcome) && stage == at)
    {
      gint64 ticks = json_object_get_int_member_with_default (request, "_ticks", 0) + 1;
      gint64 after = json_object_get_int_member_with_default (scenario, "after_steps", 1);

      json_object_set_int_member (request, "_ticks", ticks);
      if (ticks < after)
        return FALSE;

      if (outcome == TIRKEU_STAGE_REFUSED)
        request_refuse (self, request, get_string (scenario, "code"),
                        json_object_get_member (scenario, "reason"));
      else
        request_move (self, request, outcome, NULL);
      return TRUE;
    }

  switch (stage)
    {
    case TIRKEU_STAGE_AWAITING_BUYER:
      if (manual)
        return FALSE;
      request_move (self, request, TIRKEU_STAGE_BUYER_APPROVED, NULL);
      return TRUE;

    case TIRKEU_STAGE_FINES_UNPAID:
      /* The buyer pays (tirkeu-sandbox buyer pay-fines) and resubmits; nothing else moves. */
      return FALSE;

    case TIRKEU_STAGE_FINES_CHECK:
      if (_sb_data_has_fines (self->data, get_string (request, "buyer_iin"))
          && !json_object_get_boolean_member_with_default (request, "_fines_paid", FALSE))
        request_fines_unpaid (self, request);
      else
        request_choose_tson (self, request);
      return TRUE;

    case TIRKEU_STAGE_TSON_CHOSEN:
      person = _sb_data_find (self->data, "persons", "iin", get_string (request, "buyer_iin"));
      request_move (self, request, TIRKEU_STAGE_PHONE_CONFIRMED,
                    json_object_get_boolean_member_with_default (person, "phone_registered",
                                                                 FALSE)
                    ? NULL
                    : _sb_data_text (self->data, "stages", "phone_confirmed_typed"));
      return TRUE;

    case TIRKEU_STAGE_BUYER_APPROVED:
    case TIRKEU_STAGE_BUYER_RECHECK:
    case TIRKEU_STAGE_EPASSPORT_RECHECK:
    case TIRKEU_STAGE_CONTRACT_RECHECK:
    case TIRKEU_STAGE_PHONE_CONFIRMED:
    case TIRKEU_STAGE_PAID:
    case TIRKEU_STAGE_BUYER_SIGNED:
    case TIRKEU_STAGE_PROCESSING:
      /* The next stage of the law's order (a re-check passes, the buyer goes on). */
      request_move (self, request,
                    stage == TIRKEU_STAGE_CONTRACT_RECHECK ? TIRKEU_STAGE_FINES_CHECK
                    : stage == TIRKEU_STAGE_PHONE_CONFIRMED ? TIRKEU_STAGE_PAID
                    : stage == TIRKEU_STAGE_PAID ? TIRKEU_STAGE_BUYER_SIGNED
                    : stage == TIRKEU_STAGE_BUYER_SIGNED ? TIRKEU_STAGE_PROCESSING
                    : stage == TIRKEU_STAGE_PROCESSING ? TIRKEU_STAGE_COMPLETED
                    : stage + 1, NULL);
      return TRUE;

    case TIRKEU_STAGE_DRAFT:
    case TIRKEU_STAGE_OKED_CHECKED:
    case TIRKEU_STAGE_EPASSPORT_CHECKED:
    case TIRKEU_STAGE_CUSTOMS_CHECKED:
    case TIRKEU_STAGE_UTILIZATION_CHECKED:
    case TIRKEU_STAGE_BUYER_CHECKED:
    case TIRKEU_STAGE_CONTRACT_FOUND:
    case TIRKEU_STAGE_SIGNED:
    case TIRKEU_STAGE_SUBMITTED:
    case TIRKEU_STAGE_COMPLETED:
    case TIRKEU_STAGE_REFUSED:
    case TIRKEU_STAGE_DECLINED:
    case TIRKEU_STAGE_EXPIRED:
    case TIRKEU_STAGE_WITHDRAWN:
    default:
      return FALSE;
    }
}

static int
compare_revision (gconstpointer a,
                  gconstpointer b)
{
  gint64 ra = json_object_get_int_member (*(JsonObject **) a, "revision");
  gint64 rb = json_object_get_int_member (*(JsonObject **) b, "revision");

  return ra < rb ? -1 : ra > rb;
}

/* The requests, oldest change first (a stable order for ticks and for sync). */
static GPtrArray *
requests_by_revision (TirkeuSandbox *self)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_revision);

  return list;
}

static gboolean
tick_cb (gpointer user_data)
{
  TirkeuSandbox *self = user_data;
  g_autoptr(GPtrArray) list = requests_by_revision (self);
  gboolean changed = FALSE;

  for (guint i = 0; i < list->len; i++)
    changed |= request_step (self, g_ptr_array_index (list, i));

  if (changed)
    save_state_or_warn (self);

  return G_SOURCE_CONTINUE;
}

/**
 * tirkeu_sandbox_get_request:
 * @self: a #TirkeuSandbox
 * @id: a request id
 *
 * Returns: (transfer full) (nullable): the request as the API shows it
 */
JsonNode *
tirkeu_sandbox_get_request (TirkeuSandbox *self,
                            const char    *id)
{
  JsonObject *request;

  g_return_val_if_fail (TIRKEU_IS_SANDBOX (self), NULL);

  request = g_hash_table_lookup (self->requests, id);

  return request != NULL ? render_request (request) : NULL;
}

/**
 * tirkeu_sandbox_buyer_action:
 * @self: a #TirkeuSandbox
 * @id: a request id
 * @action: approve, decline, pay-fines, refuse or expire
 * @code: (nullable): for refuse, the refusal code (default: the stage's)
 * @reason: (nullable): for refuse, the reason {kk, ru, en}
 * @error: %TIRKEU_SANDBOX_ERROR_NOT_FOUND, _CONFLICT or _INVALID
 *
 * Plays the buyer (or the portal, for refuse and expire) on one request now, in either
 * mode. The stage must allow it by the core's transition table.
 *
 * Returns: (transfer full) (nullable): the request after the action
 */
JsonNode *
tirkeu_sandbox_buyer_action (TirkeuSandbox *self,
                             const char    *id,
                             const char    *action,
                             const char    *code,
                             JsonNode      *reason,
                             GError       **error)
{
  JsonObject *request;
  TirkeuStage stage, to;

  g_return_val_if_fail (TIRKEU_IS_SANDBOX (self), NULL);
  g_return_val_if_fail (action != NULL, NULL);

  request = id != NULL ? g_hash_table_lookup (self->requests, id) : NULL;
  if (request == NULL)
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_NOT_FOUND,
                   _("No request %s"), id);
      return NULL;
    }

  if (g_str_equal (action, "approve"))
    to = TIRKEU_STAGE_BUYER_APPROVED;
  else if (g_str_equal (action, "decline"))
    to = TIRKEU_STAGE_DECLINED;
  else if (g_str_equal (action, "pay-fines"))
    to = TIRKEU_STAGE_FINES_CHECK;
  else if (g_str_equal (action, "refuse"))
    to = TIRKEU_STAGE_REFUSED;
  else if (g_str_equal (action, "expire"))
    to = TIRKEU_STAGE_EXPIRED;
  else
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID,
                   _("Unknown action %s (approve, decline, pay-fines, refuse, expire)"), action);
      return NULL;
    }

  if (code != NULL && !tirkeu_portal_code_is_wire (tirkeu_portal_code_from_string (code)))
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID,
                   _("%s is not a portal error code"), code);
      return NULL;
    }
  if (reason != NULL)
    {
      JsonObject *text = JSON_NODE_HOLDS_OBJECT (reason) ? json_node_get_object (reason) : NULL;

      if (get_string (text, "kk") == NULL || get_string (text, "ru") == NULL
          || get_string (text, "en") == NULL)
        {
          g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID,
                       _("The reason needs kk, ru and en"));
          return NULL;
        }
    }

  stage = request_stage (request);
  /* pay-fines only where the fines stopped the request; the rest by the core's table. */
  if ((to == TIRKEU_STAGE_FINES_CHECK && stage != TIRKEU_STAGE_FINES_UNPAID)
      || !tirkeu_stage_can_transition (stage, to))
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_CONFLICT,
                   /* Translators: a stage's wire name (awaiting_buyer), then an action
                    * (approve, decline, pay-fines, refuse, expire); both stay as they are */
                   _("A request in stage %s cannot be given %s"),
                   tirkeu_stage_to_string (stage), action);
      return NULL;
    }

  if (to == TIRKEU_STAGE_REFUSED)
    request_refuse (self, request, code, reason);
  else if (to == TIRKEU_STAGE_FINES_CHECK)
    {
      json_object_set_boolean_member (request, "_fines_paid", TRUE);
      json_object_set_null_member (request, "refusal");
      request_move (self, request, to, _sb_data_text (self->data, "stages",
                                                      "fines_check_resubmitted"));
    }
  else
    request_move (self, request, to, NULL);

  save_state_or_warn (self);

  return render_request (request);
}

/* ---- the API: sign-in ----------------------------------------------------------------- */

static JsonNode *
seller_profile (TirkeuSandbox *self,
                JsonObject    *seller)
{
  JsonObject *profile = json_object_new ();
  JsonObject *check = json_object_new ();
  const char *matched = _sb_data_oked_match (self->data, seller);

  json_object_set_string_member (profile, "bin", get_string (seller, "bin"));
  json_object_set_string_member (profile, "name", get_string (seller, "name"));
  json_object_set_member (profile, "oked",
                          json_node_copy (json_object_get_member (seller, "oked")));
  json_object_set_boolean_member (check, "qualifies", matched != NULL);
  if (matched != NULL)
    json_object_set_string_member (check, "matched_code", matched);
  else
    json_object_set_null_member (check, "matched_code");
  json_object_set_object_member (profile, "oked_check", check);

  return object_node (profile);
}

static JsonObject *
parse_body (TirkeuSandbox     *self,
            SoupServerMessage *msg,
            Reply             *reply)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (length > MAX_BODY)
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "body",
                   "the body is too large");
      return NULL;
    }
  if (length == 0)
    return json_object_new ();
  if (!g_utf8_validate (data, length, NULL)
      || !json_parser_load_from_data (parser, data, length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "body",
                   "the body must be a JSON object in UTF-8");
      return NULL;
    }

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
api_challenge (TirkeuSandbox *self,
               Reply         *reply)
{
  g_autofree char *id = random_token (self, 16);
  g_autofree char *nonce = random_token (self, 32);
  gint64 expires = now_s () + CHALLENGE_TTL_S;
  g_autofree char *expires_at = format_time (expires);
  g_autofree char *text = g_strdup_printf ("tirkeu-sandbox sign-in\nchallenge_id: %s\n"
                                           "nonce: %s\nexpires_at: %s\n",
                                           id, nonce, expires_at);
  g_autofree char *encoded = g_base64_encode ((const guchar *) text, strlen (text));
  JsonObject *stored = json_object_new ();
  JsonObject *answer = json_object_new ();
  GHashTableIter iter;
  gpointer value;

  /* Challenges nobody answered would pile up over a long demo: drop the expired ones. */
  g_hash_table_iter_init (&iter, self->challenges);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (json_object_get_int_member (value, "expires_at") < now_s ())
      g_hash_table_iter_remove (&iter);

  json_object_set_string_member (stored, "challenge", encoded);
  json_object_set_int_member (stored, "expires_at", expires);
  g_hash_table_insert (self->challenges, g_strdup (id), stored);

  json_object_set_string_member (answer, "challenge_id", id);
  json_object_set_string_member (answer, "challenge", encoded);
  json_object_set_string_member (answer, "expires_at", expires_at);
  reply_ok (reply, 201, object_node (answer));
}

/* Decodes standard base64 strictly: g_base64_decode() skips what it does not know. */
static GBytes *
decode_base64 (const char *text)
{
  gsize length, decoded_length;
  guchar *decoded;

  if (text == NULL)
    return NULL;
  length = strlen (text);
  if (length == 0 || length % 4 != 0)
    return NULL;
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (!(g_ascii_isalnum (c) || c == '+' || c == '/' || (c == '=' && i >= length - 2)))
        return NULL;
      if (c != '=' && i > 0 && text[i - 1] == '=')
        return NULL;
    }

  decoded = g_base64_decode (text, &decoded_length);

  return g_bytes_new_take (decoded, decoded_length);
}

static TirkeuSandboxSigner *
verify_signature (TirkeuSandbox        *self,
                  Reply                *reply,
                  const char           *signature,
                  const char           *content_b64,
                  TirkeuSandboxKeyKind  purpose)
{
  g_autoptr(GBytes) der = decode_base64 (signature);
  g_autoptr(GBytes) content = decode_base64 (content_b64);
  g_autofree char *reason = NULL;
  TirkeuPortalCode code = TIRKEU_PORTAL_CODE_SIGNATURE_INVALID;
  TirkeuSandboxSigner *signer = NULL;

  if (der == NULL)
    reason = g_strdup ("the signature is not standard base64");
  else
    signer = tirkeu_sandbox_pki_cms_verify (self->signer_trust, der, content, purpose,
                                            &code, &reason);

  if (signer == NULL)
    {
      g_debug ("Signature refused: %s", reason);
      reply_error (self, reply, code == TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED ? 403 : 422,
                   code, NULL, reason);
    }

  return signer;
}

static void
api_session (TirkeuSandbox     *self,
             SoupServerMessage *msg,
             Reply             *reply)
{
  g_autoptr(JsonObject) body = parse_body (self, msg, reply);
  g_autoptr(JsonObject) challenge = NULL;
  g_autoptr(TirkeuSandboxSigner) signer = NULL;
  const char *challenge_id;
  const char *signature;
  JsonObject *seller;
  JsonObject *session;
  JsonObject *answer;
  g_autofree char *token = NULL;
  g_autofree char *expires_at = NULL;
  gint64 expires;

  if (body == NULL)
    return;
  challenge_id = get_string (body, "challenge_id");
  signature = get_string (body, "signature");
  if (signature == NULL)
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "signature",
                   "signature is required");
      return;
    }

  /* Single use: taken out whatever the outcome, so that a signature cannot be replayed. */
  if (challenge_id != NULL)
    {
      gpointer stolen_key = NULL, stolen_value = NULL;

      if (g_hash_table_steal_extended (self->challenges, challenge_id, &stolen_key,
                                       &stolen_value))
        {
          g_free (stolen_key);
          challenge = stolen_value;
        }
    }
  if (challenge == NULL || json_object_get_int_member (challenge, "expires_at") < now_s ())
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "challenge_id",
                   "unknown, used or expired challenge: ask for a new one");
      return;
    }

  signer = verify_signature (self, reply, signature, get_string (challenge, "challenge"),
                             TIRKEU_SANDBOX_KEY_AUTH);
  if (signer == NULL)
    return;

  seller = _sb_data_find (self->data, "sellers", "bin", signer->bin);
  if (seller == NULL)
    {
      reply_error (self, reply, 403, TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED, NULL,
                   "the certificate's BIN is not a seller known to the portal");
      return;
    }

  token = random_token (self, 32);
  expires = now_s () + self->options.session_ttl_s;
  expires_at = format_time (expires);
  session = json_object_new ();
  json_object_set_string_member (session, "bin", signer->bin);
  json_object_set_int_member (session, "expires_at", expires);
  g_hash_table_insert (self->sessions, sha256_hex (token), session);
  save_state_or_warn (self);

  answer = json_object_new ();
  json_object_set_string_member (answer, "token", token);
  json_object_set_string_member (answer, "expires_at", expires_at);
  json_object_set_member (answer, "seller", seller_profile (self, seller));
  reply_ok (reply, 201, object_node (answer));
}

/* The seller of the call's session, or NULL with a 401 in @reply. */
static JsonObject *
authenticate (TirkeuSandbox     *self,
              SoupServerMessage *msg,
              Reply             *reply)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *digest = NULL;
  JsonObject *session;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer realm=\"tirkeu\"");

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0
      || authorization[7] == '\0')
    {
      reply_error (self, reply, 401, TIRKEU_PORTAL_CODE_UNAUTHORIZED, "Authorization",
                   "no bearer token");
      return NULL;
    }

  digest = sha256_hex (authorization + 7);
  session = g_hash_table_lookup (self->sessions, digest);
  if (session == NULL)
    {
      reply_error (self, reply, 401, TIRKEU_PORTAL_CODE_UNAUTHORIZED, "Authorization",
                   "unknown token");
      return NULL;
    }
  if (json_object_get_int_member (session, "expires_at") <= now_s ())
    {
      reply_error (self, reply, 401, TIRKEU_PORTAL_CODE_SESSION_EXPIRED, NULL,
                   "the session has expired");
      return NULL;
    }

  soup_message_headers_remove (soup_server_message_get_response_headers (msg),
                               "WWW-Authenticate");

  return _sb_data_find (self->data, "sellers", "bin", get_string (session, "bin"));
}

/* ---- the API: checks (steps 1-8) ------------------------------------------------------ */

static JsonObject *
vehicle_check (TirkeuSandbox *self,
               const char    *vin)
{
  JsonObject *vehicle = _sb_data_find (self->data, "vehicles", "vin", vin);
  JsonObject *answer = json_object_new ();
  const char *parts[] = { "epassport", "customs", "utilization" };
  const char *pass[] = { "found", "paid", "paid" };
  const char *codes[] = { "EPASSPORT_NOT_FOUND", "CUSTOMS_UNPAID", "UTILIZATION_UNPAID" };
  const char *unknown[] = { "not_found", "no_data", "no_data" };
  JsonObject *stopped = NULL;

  json_object_set_string_member (answer, "vin", vin);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      JsonNode *part = vehicle != NULL ? json_object_get_member (vehicle, parts[i]) : NULL;
      JsonObject *copy;

      if (part != NULL)
        json_object_set_member (answer, parts[i], json_node_copy (part));
      else
        {
          copy = json_object_new ();
          json_object_set_string_member (copy, "status", unknown[i]);
          json_object_set_object_member (answer, parts[i], copy);
        }

      if (stopped == NULL
          && !g_str_equal (get_string (json_object_get_object_member (answer, parts[i]),
                                       "status"), pass[i]))
        {
          stopped = json_object_new ();
          json_object_set_int_member (stopped, "step", 3 + i);
          json_object_set_string_member (stopped, "code", codes[i]);
          json_object_set_member (stopped, "message",
                                  _sb_data_text (self->data, "errors", codes[i]));
        }
    }
  if (stopped != NULL)
    json_object_set_object_member (answer, "stopped_at", stopped);
  else
    json_object_set_null_member (answer, "stopped_at");

  return answer;
}

static char *
normalize_vin (const char *vin)
{
  return _sb_vin_is_wellformed (vin) ? g_ascii_strup (vin, -1) : NULL;
}

static void
api_vehicle (TirkeuSandbox *self,
             const char    *raw_vin,
             Reply         *reply)
{
  g_autofree char *vin = normalize_vin (raw_vin);

  if (vin == NULL)
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "vin",
                   "17 characters of 0-9 and A-Z without I, O, Q");
      return;
    }

  reply_ok (reply, 200, object_node (vehicle_check (self, vin)));
}

static void
api_person (TirkeuSandbox *self,
            const char    *iin,
            Reply         *reply)
{
  JsonObject *person;
  JsonObject *answer;

  if (!_sb_id_is_valid (iin))
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "iin",
                   "12 digits with a valid check digit");
      return;
    }

  person = _sb_data_find (self->data, "persons", "iin", iin);
  if (person == NULL)
    {
      reply_error (self, reply, 404, TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND, NULL,
                   "no such person in GBD FL");
      return;
    }

  answer = json_object_new ();
  json_object_set_string_member (answer, "iin", iin);
  json_object_set_string_member (answer, "status", get_string (person, "status"));
  json_object_set_string_member (answer, "full_name", get_string (person, "full_name"));
  reply_ok (reply, 200, object_node (answer));
}

static JsonObject *
contract_view (TirkeuSandbox *self,
               JsonObject    *contract)
{
  JsonObject *view = json_object_new ();
  JsonObject *seller = json_object_new ();
  JsonObject *buyer = json_object_new ();
  JsonObject *seller_fixture = _sb_data_find (self->data, "sellers", "bin",
                                              get_string (contract, "seller_bin"));
  JsonObject *person = _sb_data_find (self->data, "persons", "iin",
                                      get_string (contract, "buyer_iin"));

  json_object_set_string_member (view, "number", get_string (contract, "number"));
  json_object_set_string_member (view, "date", get_string (contract, "date"));
  json_object_set_string_member (view, "price", get_string (contract, "price"));
  json_object_set_string_member (view, "currency", get_string (contract, "currency"));
  json_object_set_string_member (seller, "bin", get_string (contract, "seller_bin"));
  json_object_set_string_member (seller, "name", get_string (seller_fixture, "name"));
  json_object_set_object_member (view, "seller", seller);
  json_object_set_string_member (buyer, "iin", get_string (contract, "buyer_iin"));
  json_object_set_string_member (buyer, "full_name",
                                 person != NULL ? get_string (person, "full_name") : "");
  json_object_set_object_member (view, "buyer", buyer);

  return view;
}

static void
api_contracts (TirkeuSandbox     *self,
               SoupServerMessage *msg,
               JsonObject        *seller,
               Reply             *reply)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) form = query != NULL ? soup_form_decode (query) : NULL;
  g_autofree char *vin = normalize_vin (form != NULL ? g_hash_table_lookup (form, "vin") : NULL);
  const char *iin = form != NULL ? g_hash_table_lookup (form, "buyer_iin") : NULL;
  g_autoptr(GList) found = NULL;
  JsonArray *contracts = json_array_new ();
  JsonObject *answer = json_object_new ();

  if (vin == NULL)
    reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "vin",
                 "17 characters of 0-9 and A-Z without I, O, Q");
  else if (!_sb_id_is_valid (iin))
    reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "buyer_iin",
                 "12 digits with a valid check digit");
  if (reply->body != NULL)
    {
      json_array_unref (contracts);
      json_object_unref (answer);
      return;
    }

  found = _sb_data_contracts (self->data, get_string (seller, "bin"), vin, iin);
  for (GList *l = found; l != NULL; l = l->next)
    json_array_add_object_element (contracts, contract_view (self, l->data));
  json_object_set_array_member (answer, "contracts", contracts);
  reply_ok (reply, 200, object_node (answer));
}

/* ---- the API: requests ---------------------------------------------------------------- */

/* JSON string escaping for the canonical payload: only what JSON requires, so that the
 * bytes are the same whoever rebuilds them. */
static void
append_json_string (GString    *out,
                    const char *value)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static char *
signing_payload (JsonObject *request)
{
  /* Members sorted by name, no whitespace (data/portal-api.yaml, Request.signing_payload). */
  static const char * const members[] = {
    "buyer_iin", "contract_number", "created_at", "id", "seller_bin", "type", "vin",
  };
  GString *out = g_string_new ("{");

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_json_string (out, members[i]);
      g_string_append_c (out, ':');
      append_json_string (out, g_str_equal (members[i], "type")
                               ? PAYLOAD_TYPE : get_string (request, members[i]));
    }
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

static gboolean
idempotency_key_is_valid (const char *key)
{
  gsize length = key != NULL ? strlen (key) : 0;

  if (length == 0 || length > 128)
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._:-", *p) == NULL)
      return FALSE;

  return TRUE;
}

static JsonObject *
active_request_for_vin (TirkeuSandbox *self,
                        const char    *vin)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_str_equal (get_string (value, "vin"), vin)
        && !tirkeu_stage_is_final (request_stage (value)))
      return value;

  return NULL;
}

static void
api_create_request (TirkeuSandbox     *self,
                    SoupServerMessage *msg,
                    JsonObject        *seller,
                    Reply             *reply)
{
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "Idempotency-Key");
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *vin = NULL;
  g_autofree char *scope = NULL;
  g_autofree char *id = NULL;
  g_autofree char *created_at = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *payload_b64 = NULL;
  g_autofree char *location = NULL;
  const char *seller_bin = get_string (seller, "bin");
  const char *buyer_iin;
  const char *contract_number;
  JsonObject *remembered;
  JsonObject *vehicle, *epassport, *person, *other, *request, *summary, *buyer;
  JsonObject *contract = NULL;
  JsonObject *check;
  g_autoptr(GList) contracts = NULL;
  static const TirkeuStage checks[] = {
    TIRKEU_STAGE_OKED_CHECKED, TIRKEU_STAGE_EPASSPORT_CHECKED, TIRKEU_STAGE_CUSTOMS_CHECKED,
    TIRKEU_STAGE_UTILIZATION_CHECKED, TIRKEU_STAGE_BUYER_CHECKED, TIRKEU_STAGE_CONTRACT_FOUND,
  };

  if (!idempotency_key_is_valid (key))
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "Idempotency-Key",
                   "1-128 characters of [A-Za-z0-9._:-] are required");
      return;
    }

  body = parse_body (self, msg, reply);
  if (body == NULL)
    return;
  vin = normalize_vin (get_string (body, "vin"));
  buyer_iin = get_string (body, "buyer_iin");
  contract_number = get_string (body, "contract_number");
  if (vin == NULL)
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "vin",
                   "17 characters of 0-9 and A-Z without I, O, Q");
      return;
    }
  if (!_sb_id_is_valid (buyer_iin))
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "buyer_iin",
                   "12 digits with a valid check digit");
      return;
    }
  if (contract_number == NULL || *contract_number == '\0' || strlen (contract_number) > 64)
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "contract_number",
                   "1-64 characters");
      return;
    }

  /* Idempotency: the same key and body give the first answer again, another body is a
   * conflict. Only successful creations are remembered, so a refused one is re-evaluated. */
  scope = g_strdup_printf ("%s\n%s", seller_bin, key);
  remembered = g_hash_table_lookup (self->idempotency, scope);
  if (remembered != NULL)
    {
      JsonObject *first = g_hash_table_lookup (self->requests,
                                               get_string (remembered, "request_id"));

      if (g_str_equal (get_string (remembered, "vin"), vin)
          && g_str_equal (get_string (remembered, "buyer_iin"), buyer_iin)
          && g_str_equal (get_string (remembered, "contract_number"), contract_number)
          && first != NULL)
        reply_ok (reply, 200, render_request (first));
      else
        reply_error (self, reply, 409, TIRKEU_PORTAL_CODE_CONFLICT, "Idempotency-Key",
                     "the key was used with another body");
      return;
    }

  /* Steps 1-8 again, in the law's order; the first that fails is the answer. */
  if (_sb_data_oked_match (self->data, seller) == NULL)
    {
      reply_error (self, reply, 403, TIRKEU_PORTAL_CODE_OKED_MISMATCH, NULL,
                   "no vehicle trade OKED");
      return;
    }
  check = vehicle_check (self, vin);
  if (json_object_get_member (check, "stopped_at") != NULL
      && !JSON_NODE_HOLDS_NULL (json_object_get_member (check, "stopped_at")))
    {
      TirkeuPortalCode code = tirkeu_portal_code_from_string (
        get_string (json_object_get_object_member (check, "stopped_at"), "code"));

      json_object_unref (check);
      reply_error (self, reply, 422, code, NULL, NULL);
      return;
    }
  json_object_unref (check);

  person = _sb_data_find (self->data, "persons", "iin", buyer_iin);
  if (person == NULL || !g_str_equal (get_string (person, "status"), "active"))
    {
      reply_error (self, reply, 422, TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND, NULL,
                   person == NULL ? "no such person in GBD FL"
                                  : get_string (person, "status"));
      return;
    }

  contracts = _sb_data_contracts (self->data, seller_bin, vin, buyer_iin);
  for (GList *l = contracts; l != NULL && contract == NULL; l = l->next)
    if (g_str_equal (get_string (l->data, "number"), contract_number))
      contract = l->data;
  if (contract == NULL)
    {
      reply_error (self, reply, 422, TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND, NULL,
                   "no such contract for this seller, VIN and buyer");
      return;
    }

  other = active_request_for_vin (self, vin);
  if (other != NULL)
    {
      JsonObject *details = json_object_new ();

      json_object_set_string_member (details, "reason", "the VIN has an active request");
      if (g_str_equal (get_string (other, "seller_bin"), seller_bin))
        json_object_set_string_member (details, "request_id", get_string (other, "id"));
      reply_ok (reply, 409, error_body (self, TIRKEU_PORTAL_CODE_CONFLICT, details));
      return;
    }

  /* All passed: the request, with the history of steps 1-8. */
  created_at = format_time (now_s ());
  id = new_request_id (self, now_s ());
  vehicle = _sb_data_find (self->data, "vehicles", "vin", vin);
  epassport = json_object_get_object_member (vehicle, "epassport");

  request = json_object_new ();
  json_object_set_string_member (request, "id", id);
  /* Contract 1.1: every Request carries the key it was created with, so that a client that
   * syncs it can match it to its own submission. It is a public member, kept in the state
   * with the request; a request from a state written before 1.1 has none and its answers
   * leave the member out, as the contract allows. */
  json_object_set_string_member (request, "idempotency_key", key);
  json_object_set_string_member (request, "stage", tirkeu_stage_to_string (TIRKEU_STAGE_DRAFT));
  json_object_set_int_member (request, "revision", 0);
  json_object_set_string_member (request, "vin", vin);
  json_object_set_string_member (request, "buyer_iin", buyer_iin);
  json_object_set_string_member (request, "contract_number", contract_number);
  json_object_set_string_member (request, "seller_bin", seller_bin);
  json_object_set_string_member (request, "created_at", created_at);
  json_object_set_string_member (request, "updated_at", created_at);

  payload = signing_payload (request);
  payload_b64 = g_base64_encode ((const guchar *) payload, strlen (payload));
  json_object_set_string_member (request, "signing_payload", payload_b64);

  summary = json_object_new ();
  json_object_set_string_member (summary, "make", get_string (epassport, "make"));
  json_object_set_string_member (summary, "model", get_string (epassport, "model"));
  json_object_set_int_member (summary, "year", json_object_get_int_member (epassport, "year"));
  if (get_string (epassport, "colour") != NULL)
    json_object_set_string_member (summary, "colour", get_string (epassport, "colour"));
  if (get_string (epassport, "category") != NULL)
    json_object_set_string_member (summary, "category", get_string (epassport, "category"));
  json_object_set_object_member (request, "vehicle", summary);

  buyer = json_object_new ();
  json_object_set_string_member (buyer, "iin", buyer_iin);
  json_object_set_string_member (buyer, "full_name", get_string (person, "full_name"));
  json_object_set_object_member (request, "buyer", buyer);
  json_object_set_object_member (request, "contract", contract_view (self, contract));
  json_object_set_array_member (request, "history", json_array_new ());
  json_object_set_null_member (request, "refusal");
  json_object_set_null_member (request, "tson");
  json_object_set_null_member (request, "plate_type");
  if (_sb_data_scenario (self->data, vin, buyer_iin) != NULL)
    json_object_set_object_member (request, "_scenario",
                                   json_object_ref (_sb_data_scenario (self->data, vin,
                                                                       buyer_iin)));

  g_hash_table_insert (self->requests, g_strdup (id), request);
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    request_move (self, request, checks[i], NULL);

  remembered = json_object_new ();
  json_object_set_string_member (remembered, "request_id", id);
  json_object_set_string_member (remembered, "vin", vin);
  json_object_set_string_member (remembered, "buyer_iin", buyer_iin);
  json_object_set_string_member (remembered, "contract_number", contract_number);
  json_object_set_int_member (remembered, "created_at", now_s ());
  g_hash_table_insert (self->idempotency, g_steal_pointer (&scope), remembered);
  save_state_or_warn (self);

  location = g_strconcat (API_PREFIX, "requests/", id, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location",
                                location);
  reply_ok (reply, 201, render_request (request));
}

static JsonObject *
seller_request (TirkeuSandbox *self,
                JsonObject    *seller,
                const char    *id,
                Reply         *reply)
{
  JsonObject *request = g_hash_table_lookup (self->requests, id);

  /* Another seller's request does not exist for this one. */
  if (request == NULL || !g_str_equal (get_string (request, "seller_bin"),
                                       get_string (seller, "bin")))
    {
      reply_error (self, reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "id", "no such request");
      return NULL;
    }

  return request;
}

static void
api_sign_request (TirkeuSandbox     *self,
                  SoupServerMessage *msg,
                  JsonObject        *seller,
                  const char        *id,
                  Reply             *reply)
{
  JsonObject *request = seller_request (self, seller, id, reply);
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(TirkeuSandboxSigner) signer = NULL;
  g_autofree char *masked = NULL;
  const char *signature;

  if (request == NULL)
    return;
  body = parse_body (self, msg, reply);
  if (body == NULL)
    return;
  signature = get_string (body, "signature");
  if (signature == NULL || *signature == '\0')
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "signature",
                   "signature is required");
      return;
    }

  if (request_stage (request) != TIRKEU_STAGE_CONTRACT_FOUND)
    {
      /* A retry of the accepted signature is answered like the first time. */
      if (g_strcmp0 (get_string (request, "_signature"), signature) == 0)
        reply_ok (reply, 200, render_request (request));
      else
        reply_error (self, reply, 409, TIRKEU_PORTAL_CODE_CONFLICT, "stage",
                     "the request is no longer waiting for the seller's signature");
      return;
    }

  signer = verify_signature (self, reply, signature, get_string (request, "signing_payload"),
                             TIRKEU_SANDBOX_KEY_SIGN);
  if (signer == NULL)
    return;
  if (!g_str_equal (signer->bin, get_string (request, "seller_bin")))
    {
      reply_error (self, reply, 403, TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED, NULL,
                   "the certificate's BIN is not the seller's");
      return;
    }

  masked = tirkeu_iin_mask (signer->iin);
  json_object_set_string_member (request, "_signature", signature);
  json_object_set_string_member (request, "_signer", masked);
  request_move (self, request, TIRKEU_STAGE_SIGNED, NULL);
  request_move (self, request, TIRKEU_STAGE_SUBMITTED, NULL);
  request_move (self, request, TIRKEU_STAGE_AWAITING_BUYER, NULL);
  save_state_or_warn (self);

  reply_ok (reply, 200, render_request (request));
}

static void
api_withdraw (TirkeuSandbox *self,
              JsonObject    *seller,
              const char    *id,
              Reply         *reply)
{
  JsonObject *request = seller_request (self, seller, id, reply);
  TirkeuStage stage;

  if (request == NULL)
    return;

  stage = request_stage (request);
  if (stage == TIRKEU_STAGE_WITHDRAWN)
    {
      reply_ok (reply, 200, render_request (request));
      return;
    }
  if (!tirkeu_stage_seller_may_withdraw (stage))
    {
      reply_error (self, reply, 409, TIRKEU_PORTAL_CODE_CONFLICT, "stage",
                   "the buyer already approved, or the request is final");
      return;
    }

  request_move (self, request, TIRKEU_STAGE_WITHDRAWN, NULL);
  save_state_or_warn (self);
  reply_ok (reply, 200, render_request (request));
}

static gboolean
parse_uint (const char *text,
            guint64     max,
            guint64    *value)
{
  if (text == NULL || *text == '\0' || strlen (text) > 19)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  *value = g_ascii_strtoull (text, NULL, 10);

  return *value <= max;
}

static void
api_changes (TirkeuSandbox     *self,
             SoupServerMessage *msg,
             JsonObject        *seller,
             Reply             *reply)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) form = query != NULL ? soup_form_decode (query) : NULL;
  const char *cursor_text = form != NULL ? g_hash_table_lookup (form, "cursor") : NULL;
  const char *limit_text = form != NULL ? g_hash_table_lookup (form, "limit") : NULL;
  g_autoptr(GPtrArray) list = NULL;
  guint64 cursor = 0, limit = 50;
  JsonArray *changes;
  JsonObject *answer;
  g_autofree char *next = NULL;
  gint64 last = -1;
  gboolean has_more = FALSE;

  /* The cursor is the revision the client has seen, prefixed so that it stays opaque. */
  if (cursor_text != NULL && *cursor_text != '\0'
      && (!g_str_has_prefix (cursor_text, "r")
          || !parse_uint (cursor_text + 1, (guint64) self->revision, &cursor)))
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "cursor",
                   "unknown cursor: sync again without one");
      return;
    }
  if (limit_text != NULL && (!parse_uint (limit_text, 200, &limit) || limit == 0))
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "limit", "1-200");
      return;
    }

  list = requests_by_revision (self);
  changes = json_array_new ();
  for (guint i = 0; i < list->len; i++)
    {
      JsonObject *request = g_ptr_array_index (list, i);
      gint64 revision = json_object_get_int_member (request, "revision");

      if ((guint64) revision <= cursor
          || !g_str_equal (get_string (request, "seller_bin"), get_string (seller, "bin")))
        continue;
      if (json_array_get_length (changes) == limit)
        {
          has_more = TRUE;
          break;
        }
      json_array_add_element (changes, render_request (request));
      last = revision;
    }

  /* A full sync ends at the current revision: anything that changes later is above it. */
  next = g_strdup_printf ("r%" G_GINT64_FORMAT,
                          has_more ? last : MAX (self->revision, (gint64) cursor));
  answer = json_object_new ();
  json_object_set_array_member (answer, "changes", changes);
  json_object_set_string_member (answer, "cursor", next);
  json_object_set_boolean_member (answer, "has_more", has_more);
  reply_ok (reply, 200, object_node (answer));
}

static void
api_about (TirkeuSandbox *self,
           Reply         *reply)
{
  JsonObject *answer = json_object_new ();

  json_object_set_string_member (answer, "environment", "sandbox");
  json_object_set_string_member (answer, "api_version", API_VERSION);
  json_object_set_member (answer, "portal_name", _sb_data_portal_name (self->data));
  reply_ok (reply, 200, object_node (answer));
}

/* Routes /api/v1/...; @route is what follows the prefix. */
static void
dispatch_api (TirkeuSandbox     *self,
              SoupServerMessage *msg,
              Reply             *reply)
{
  const char *method = soup_server_message_get_method (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  const char *route = path + strlen (API_PREFIX);
  g_auto(GStrv) parts = g_strsplit (route, "/", -1);
  guint n = g_strv_length (parts);
  gboolean get = g_str_equal (method, "GET");
  gboolean post = g_str_equal (method, "POST");
  JsonObject *seller;

  if (n == 1 && get && g_str_equal (parts[0], "about"))
    {
      api_about (self, reply);
      return;
    }
  if (n == 2 && post && g_str_equal (parts[0], "auth") && g_str_equal (parts[1], "challenge"))
    {
      api_challenge (self, reply);
      return;
    }
  if (n == 2 && post && g_str_equal (parts[0], "auth") && g_str_equal (parts[1], "session"))
    {
      api_session (self, msg, reply);
      return;
    }

  /* Everything else is the seller's and needs a session, checked before the route so that a
   * client learns to sign in whatever it asked. */
  seller = authenticate (self, msg, reply);
  if (seller == NULL)
    return;

  if (n == 1 && get && g_str_equal (parts[0], "seller"))
    {
      reply_ok (reply, 200, seller_profile (self, seller));
      return;
    }
  if (n == 2 && get && g_str_equal (parts[0], "vehicles"))
    {
      api_vehicle (self, parts[1], reply);
      return;
    }
  if (n == 2 && get && g_str_equal (parts[0], "persons"))
    {
      api_person (self, parts[1], reply);
      return;
    }
  if (n == 1 && get && g_str_equal (parts[0], "contracts"))
    {
      api_contracts (self, msg, seller, reply);
      return;
    }
  if (n == 1 && post && g_str_equal (parts[0], "requests"))
    {
      api_create_request (self, msg, seller, reply);
      return;
    }
  if (n == 2 && get && g_str_equal (parts[0], "requests"))
    {
      JsonObject *request = seller_request (self, seller, parts[1], reply);

      if (request != NULL)
        reply_ok (reply, 200, render_request (request));
      return;
    }
  if (n == 3 && post && g_str_equal (parts[0], "requests") && g_str_equal (parts[2], "signature"))
    {
      api_sign_request (self, msg, seller, parts[1], reply);
      return;
    }
  if (n == 3 && post && g_str_equal (parts[0], "requests") && g_str_equal (parts[2], "withdraw"))
    {
      api_withdraw (self, seller, parts[1], reply);
      return;
    }
  if (n == 1 && get && g_str_equal (parts[0], "changes"))
    {
      api_changes (self, msg, seller, reply);
      return;
    }

  reply_error (self, reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "path", "no such operation");
}

/* ---- admin (sandbox only) ------------------------------------------------------------- */

static JsonNode *
faults_node (TirkeuSandbox *self)
{
  JsonObject *faults = json_object_new ();

  json_object_set_int_member (faults, "latency_ms", self->options.latency_ms);
  json_object_set_double_member (faults, "fail_rate", self->options.fail_rate);
  json_object_set_double_member (faults, "drop_rate", self->options.drop_rate);
  json_object_set_double_member (faults, "malformed_rate", self->options.malformed_rate);
  json_object_set_int_member (faults, "slow_body_ms", self->options.slow_body_ms);
  json_object_set_int_member (faults, "rate_limit", self->options.rate_limit);

  return object_node (faults);
}

static gboolean
read_number (JsonObject *object,
             const char *member,
             double      max,
             double     *value)
{
  JsonNode *node = json_object_get_member (object, member);
  GType type;

  if (node == NULL)
    return TRUE;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;
  *value = json_node_get_double (node);

  return *value >= 0 && *value <= max;
}

static void
admin_set_faults (TirkeuSandbox     *self,
                  SoupServerMessage *msg,
                  Reply             *reply)
{
  g_autoptr(JsonObject) body = parse_body (self, msg, reply);
  double latency = self->options.latency_ms, slow = self->options.slow_body_ms;
  double rate = self->options.rate_limit;
  double fail = self->options.fail_rate, drop = self->options.drop_rate;
  double malformed = self->options.malformed_rate;

  if (body == NULL)
    return;
  if (!read_number (body, "latency_ms", 600000, &latency)
      || !read_number (body, "slow_body_ms", 600000, &slow)
      || !read_number (body, "rate_limit", 1000000, &rate)
      || !read_number (body, "fail_rate", 1, &fail)
      || !read_number (body, "drop_rate", 1, &drop)
      || !read_number (body, "malformed_rate", 1, &malformed))
    {
      reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "body",
                   "rates are 0-1, times and limits are whole numbers from 0");
      return;
    }

  self->options.latency_ms = (guint) latency;
  self->options.slow_body_ms = (guint) slow;
  self->options.rate_limit = (guint) rate;
  self->options.fail_rate = fail;
  self->options.drop_rate = drop;
  self->options.malformed_rate = malformed;
  reply_ok (reply, 200, faults_node (self));
}

static void
admin_action (TirkeuSandbox     *self,
              SoupServerMessage *msg,
              const char        *id,
              const char        *action,
              Reply             *reply)
{
  g_autoptr(JsonObject) body = parse_body (self, msg, reply);
  g_autoptr(GError) error = NULL;
  JsonNode *request;

  if (body == NULL)
    return;

  request = tirkeu_sandbox_buyer_action (self, id, action, get_string (body, "code"),
                                         json_object_get_member (body, "reason"), &error);
  if (request != NULL)
    reply_ok (reply, 200, request);
  else if (g_error_matches (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_NOT_FOUND))
    reply_error (self, reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "id", error->message);
  else if (g_error_matches (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_CONFLICT))
    reply_error (self, reply, 409, TIRKEU_PORTAL_CODE_CONFLICT, "stage", error->message);
  else
    reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, NULL, error->message);
}

static void
dispatch_admin (TirkeuSandbox     *self,
                SoupServerMessage *msg,
                Reply             *reply)
{
  const char *method = soup_server_message_get_method (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  g_auto(GStrv) parts = g_strsplit (path + strlen ("/admin/"), "/", -1);
  guint n = g_strv_length (parts);
  gboolean get = g_str_equal (method, "GET");
  gboolean post = g_str_equal (method, "POST");

  if (n == 1 && get && g_str_equal (parts[0], "requests"))
    {
      g_autoptr(GPtrArray) list = requests_by_revision (self);
      JsonArray *requests = json_array_new ();
      JsonObject *answer = json_object_new ();

      for (guint i = 0; i < list->len; i++)
        json_array_add_element (requests, render_request (g_ptr_array_index (list, i)));
      json_object_set_array_member (answer, "requests", requests);
      {
        reply_ok (reply, 200, object_node (answer));
        return;
      }
    }
  if (n == 3 && post && g_str_equal (parts[0], "requests"))
    {
      admin_action (self, msg, parts[1], parts[2], reply);
      return;
    }
  if (n == 2 && post && g_str_equal (parts[0], "sessions") && g_str_equal (parts[1], "expire"))
    {
      GHashTableIter iter;
      gpointer value;
      guint expired = 0;
      JsonObject *answer = json_object_new ();

      g_hash_table_iter_init (&iter, self->sessions);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (json_object_get_int_member (value, "expires_at") > now_s () - 1)
          {
            json_object_set_int_member (value, "expires_at", now_s () - 1);
            expired++;
          }
      save_state_or_warn (self);
      json_object_set_int_member (answer, "expired", expired);
      {
        reply_ok (reply, 200, object_node (answer));
        return;
      }
    }
  if (n == 1 && get && g_str_equal (parts[0], "faults"))
    {
      reply_ok (reply, 200, faults_node (self));
      return;
    }
  if (n == 1 && post && g_str_equal (parts[0], "faults"))
    {
      admin_set_faults (self, msg, reply);
      return;
    }

  reply_error (self, reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "path", "no such operation");
}

/* ---- HTTP and fault injection ----------------------------------------------------------- */

static GBytes *
serialize (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length;
  char *text;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);

  return g_bytes_new_take (text, length);
}

static gboolean
roll (TirkeuSandbox *self,
      double         rate)
{
  return rate > 0 && g_rand_double (self->rand) < rate;
}

static void
set_body (SoupServerMessage *msg,
          GBytes            *body)
{
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                    data, length);
}

/* Closes the connection after part of the answer: the client sees a truncated response. */
static void
drop_connection (SoupServerMessage *msg,
                 GBytes            *body)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);
  gsize length;
  const char *data = g_bytes_get_data (body, &length);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                                           "Content-Type: application/json; charset=utf-8\r\n"
                                           "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                                           ENVIRONMENT_HEADER ": sandbox\r\n\r\n",
                                           soup_server_message_get_status (msg),
                                           soup_status_get_phrase (
                                             soup_server_message_get_status (msg)),
                                           length);
  GOutputStream *out;

  if (stream == NULL)
    return;
  out = g_io_stream_get_output_stream (stream);
  /* Small writes on a connection libsoup had open: they do not block for long. */
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, data, length / 2, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
}

static gboolean
dribble_cb (gpointer user_data)
{
  Call *call = user_data;
  SoupMessageBody *response = soup_server_message_get_response_body (call->msg);
  gsize length;
  const guint8 *data = g_bytes_get_data (call->body, &length);
  gsize chunk = MIN (SLOW_CHUNK, length - call->sent);

  soup_message_body_append (response, SOUP_MEMORY_COPY, data + call->sent, chunk);
  call->sent += chunk;
  if (call->sent >= length)
    soup_message_body_complete (response);
  soup_server_message_unpause (call->msg);

  if (call->sent < length)
    return G_SOURCE_CONTINUE;

  call->source_id = 0;
  g_hash_table_remove (call->self->calls, call->msg);
  return G_SOURCE_REMOVE;
}

/* Sends @reply for an /api/v1 call, through the faults that act after the effect. */
static void
deliver (Call  *call,
         Reply *reply)
{
  TirkeuSandbox *self = call->self;
  SoupServerMessage *msg = call->msg;
  g_autoptr(GBytes) body = serialize (reply->body);

  soup_server_message_set_status (msg, reply->status, NULL);

  if (roll (self, self->options.drop_rate))
    {
      drop_connection (msg, body);
      g_hash_table_remove (self->calls, msg);
      return;
    }
  if (roll (self, self->options.malformed_rate))
    {
      static const char broken[] = "{\"code\": \"INTERNAL\", \"message\": {\"kk\": \"";

      g_clear_pointer (&body, g_bytes_unref);
      body = g_bytes_new_static (broken, sizeof broken - 1);
      soup_server_message_set_status (msg, 200, NULL);
    }

  if (self->options.slow_body_ms > 0 && g_bytes_get_size (body) > 0)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      soup_message_headers_set_content_type (headers, "application/json; charset=utf-8", NULL);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      call->body = g_bytes_ref (body);
      if (!call->paused)
        {
          soup_server_message_pause (msg);
          call->paused = TRUE;
        }
      call->source_id = g_timeout_add (self->options.slow_body_ms, dribble_cb, call);
      return;
    }

  set_body (msg, body);
  if (call->paused)
    soup_server_message_unpause (msg);
  g_hash_table_remove (self->calls, msg);
}

static void
run_call (Call *call)
{
  TirkeuSandbox *self = call->self;
  Reply reply = { 0, NULL };

  /* --fail-rate: the portal fails before doing anything, so a retry is always safe. */
  if (roll (self, self->options.fail_rate))
    {
      gboolean unavailable = g_rand_boolean (self->rand);

      if (unavailable)
        soup_message_headers_replace (soup_server_message_get_response_headers (call->msg),
                                      "Retry-After", "1");
      reply_error (self, &reply, unavailable ? 503 : 500,
                   unavailable ? TIRKEU_PORTAL_CODE_UNAVAILABLE : TIRKEU_PORTAL_CODE_INTERNAL,
                   NULL, "injected fault (--fail-rate)");
      if (unavailable)
        json_object_set_int_member (json_object_get_object_member (
                                      json_node_get_object (reply.body), "details"),
                                    "retry_after_s", 1);
    }
  else
    dispatch_api (self, call->msg, &reply);

  g_debug ("%s %s -> %u", soup_server_message_get_method (call->msg),
           g_str_has_prefix (g_uri_get_path (soup_server_message_get_uri (call->msg)),
                             API_PREFIX "persons/")
           ? API_PREFIX "persons/{iin}"
           : g_uri_get_path (soup_server_message_get_uri (call->msg)),
           reply.status);

  deliver (call, &reply);
  g_clear_pointer (&reply.body, json_node_unref);
}

static gboolean
latency_cb (gpointer user_data)
{
  Call *call = user_data;

  call->source_id = 0;
  run_call (call);

  return G_SOURCE_REMOVE;
}

static void
call_free (Call *call)
{
  g_clear_handle_id (&call->source_id, g_source_remove);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_clear_object (&call->msg);
  g_free (call);
}

static gboolean
rate_limited (TirkeuSandbox     *self,
              SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);
  gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;
  RateWindow *window;

  if (self->options.rate_limit == 0 || host == NULL)
    return FALSE;

  window = g_hash_table_lookup (self->rate, host);
  if (window == NULL)
    {
      window = g_new0 (RateWindow, 1);
      g_hash_table_insert (self->rate, g_strdup (host), window);
    }
  if (window->second != second)
    {
      window->second = second;
      window->count = 0;
    }

  return ++window->count > self->options.rate_limit;
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  TirkeuSandbox *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Reply reply = { 0, NULL };
  Call *call;

  /* Every answer says it comes from a sandbox, so that the app shows "Training portal". */
  soup_message_headers_replace (headers, ENVIRONMENT_HEADER, "sandbox");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");

  if (g_str_has_prefix (path, "/admin/"))
    {
      g_autoptr(GBytes) body = NULL;

      dispatch_admin (self, msg, &reply);
      soup_server_message_set_status (msg, reply.status, NULL);
      body = serialize (reply.body);
      set_body (msg, body);
      g_clear_pointer (&reply.body, json_node_unref);
      return;
    }

  if (!g_str_has_prefix (path, API_PREFIX))
    {
      g_autoptr(GBytes) body = NULL;

      reply_error (self, &reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "path", "no such path");
      body = serialize (reply.body);
      soup_server_message_set_status (msg, reply.status, NULL);
      set_body (msg, body);
      g_clear_pointer (&reply.body, json_node_unref);
      return;
    }

  if (rate_limited (self, msg))
    {
      g_autoptr(GBytes) body = NULL;

      soup_message_headers_replace (headers, "Retry-After", "1");
      reply_error (self, &reply, 429, TIRKEU_PORTAL_CODE_RATE_LIMITED, NULL, NULL);
      json_object_set_int_member (json_object_get_object_member (
                                    json_node_get_object (reply.body), "details"),
                                  "retry_after_s", 1);
      body = serialize (reply.body);
      soup_server_message_set_status (msg, reply.status, NULL);
      set_body (msg, body);
      g_clear_pointer (&reply.body, json_node_unref);
      return;
    }

  call = g_new0 (Call, 1);
  call->self = self;
  call->msg = g_object_ref (msg);
  g_hash_table_insert (self->calls, msg, call);

  if (self->options.latency_ms > 0)
    {
      soup_server_message_pause (msg);
      call->paused = TRUE;
      call->source_id = g_timeout_add (self->options.latency_ms, latency_cb, call);
      return;
    }

  run_call (call);
}

static void
request_aborted_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  TirkeuSandbox *self = user_data;

  /* The client went away: stop its timers; the effect, if any, stays (as on a real portal). */
  g_hash_table_remove (self->calls, msg);
}

/* ---- life cycle ----------------------------------------------------------------------- */

static void
tirkeu_sandbox_dispose (GObject *object)
{
  TirkeuSandbox *self = TIRKEU_SANDBOX (object);

  tirkeu_sandbox_stop (self);
  g_clear_object (&self->tls_certificate);

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
                                       (GDestroyNotify) call_free);
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

  self->rand = self->options.seed != 0 ? g_rand_new_with_seed (self->options.seed)
                                       : g_rand_new ();
  self->state_file = g_build_filename (self->options.state_dir, "state.json", NULL);
  self->server_file = g_build_filename (self->options.state_dir, "server.json", NULL);

  if (!load_state (self, error) || !prepare_tls (self, error))
    return NULL;

  return g_steal_pointer (&self);
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

  if (!parse_uint (port_text, 65535, &port))
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
  GSList *uris;
  guint port;

  g_return_val_if_fail (TIRKEU_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  address = parse_listen (self->options.listen, &host, error);
  if (address == NULL)
    return FALSE;

  self->server = soup_server_new ("tls-certificate", self->tls_certificate,
                                  "server-header", "tirkeu-sandbox/" PACKAGE_VERSION, NULL);
  soup_server_add_handler (self->server, NULL, server_cb, self, NULL);
  g_signal_connect_object (self->server, "request-aborted", G_CALLBACK (request_aborted_cb),
                           self, G_CONNECT_DEFAULT);
  if (!soup_server_listen (self->server, address, SOUP_SERVER_LISTEN_HTTPS, error))
    {
      g_clear_object (&self->server);
      g_prefix_error (error, _("Cannot listen on %s: "), self->options.listen);
      return FALSE;
    }

  uris = soup_server_get_uris (self->server);
  port = uris != NULL ? (guint) g_uri_get_port (uris->data) : 0;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_free (self->url);
  self->url = g_strdup_printf ("https://%s:%u", host, port);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);

  self->tick_id = g_timeout_add (self->options.buyer_step_ms, tick_cb, self);
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
  save_state_or_warn (self);
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
