/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Helpers of the sandbox tests: test certificates (a trusted and an untrusted test CA issuing
 * NCA-like AUTH and SIGN certificates), a sandbox started in-process on 127.0.0.1:0 with
 * real TLS, and an HTTPS client that trusts only that sandbox's CA.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "tirkeu-sandbox-pki.h"
#include "tirkeu-stage.h"
#include "test-sandbox-util.h"

typedef struct
{
  X509 *cert;
  EVP_PKEY *key;
} Identity;

static GPtrArray *tmp_dirs;
static char *pki_dir;
static char *signer_ca_file;
static X509 *trusted_ca, *untrusted_ca;
static EVP_PKEY *trusted_key, *untrusted_key;
static GHashTable *identities;

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_clear_pointer (&dir, g_dir_close);
  g_rmdir (path);
}

static void
remove_tmp_dirs (void)
{
  for (guint i = 0; tmp_dirs != NULL && i < tmp_dirs->len; i++)
    remove_tree (g_ptr_array_index (tmp_dirs, i));
  g_clear_pointer (&tmp_dirs, g_ptr_array_unref);
}

/**
 * sb_make_tmp_dir:
 * @template_name: as for g_dir_make_tmp()
 *
 * A temporary directory removed, with all it holds, when the test program exits normally
 * (a failed test leaves its files for a look).
 *
 * Returns: (transfer full): the path
 */
char *
sb_make_tmp_dir (const char  *template_name,
                 GError     **error)
{
  char *path = g_dir_make_tmp (template_name, error);

  if (path == NULL)
    return NULL;
  if (tmp_dirs == NULL)
    {
      tmp_dirs = g_ptr_array_new_with_free_func (g_free);
      atexit (remove_tmp_dirs);
    }
  g_ptr_array_add (tmp_dirs, g_strdup (path));

  return path;
}

static void
make_cas (void)
{
  g_autoptr(GError) error = NULL;

  if (pki_dir != NULL)
    return;

  pki_dir = sb_make_tmp_dir ("tirkeu-sandbox-pki-XXXXXX", &error);
  g_assert_no_error (error);

  trusted_key = tirkeu_sandbox_pki_new_key (0, &error);
  g_assert_no_error (error);
  trusted_ca = tirkeu_sandbox_pki_new_ca (trusted_key, "Test NCA RK", &error);
  g_assert_no_error (error);
  untrusted_key = tirkeu_sandbox_pki_new_key (0, &error);
  g_assert_no_error (error);
  untrusted_ca = tirkeu_sandbox_pki_new_ca (untrusted_key, "Test NCA RK", &error);
  g_assert_no_error (error);

  signer_ca_file = g_build_filename (pki_dir, "signer-ca.pem", NULL);
  g_assert_true (tirkeu_sandbox_pki_write_cert (signer_ca_file, trusted_ca, &error));
  g_assert_no_error (error);

  identities = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * sb_signer_ca_file:
 *
 * Returns: the PEM of the test CA that sandboxes started by sb_options_for_test() trust
 */
const char *
sb_signer_ca_file (void)
{
  make_cas ();

  return signer_ca_file;
}

static Identity *
get_identity (const char *name)
{
  static const char * const signing_roles[] = {
    TIRKEU_OID_LEGAL_ENTITY, TIRKEU_OID_RIGHT_TO_SIGN, NULL,
  };
  static const char * const employee_roles[] = {
    TIRKEU_OID_LEGAL_ENTITY, TIRKEU_OID_EMPLOYEE, NULL,
  };
  static const struct {
    const char *name;
    TirkeuSandboxKeyKind kind;
    const char *bin;
    gboolean untrusted;
    const char * const *roles;
    guint rsa_bits;
  } table[] = {
    { "auth", TIRKEU_SANDBOX_KEY_AUTH, SELLER_BIN, FALSE, employee_roles, 0 },
    { "sign", TIRKEU_SANDBOX_KEY_SIGN, SELLER_BIN, FALSE, signing_roles, 2048 },
    { "sign-employee", TIRKEU_SANDBOX_KEY_SIGN, SELLER_BIN, FALSE, employee_roles, 0 },
    { "sign-other-bin", TIRKEU_SANDBOX_KEY_SIGN, SELLER_MOTO_BIN, FALSE, signing_roles, 0 },
    { "auth-untrusted", TIRKEU_SANDBOX_KEY_AUTH, SELLER_BIN, TRUE, employee_roles, 0 },
    { "sign-untrusted", TIRKEU_SANDBOX_KEY_SIGN, SELLER_BIN, TRUE, signing_roles, 0 },
    { "auth-no-oked", TIRKEU_SANDBOX_KEY_AUTH, SELLER_NO_OKED_BIN, FALSE, employee_roles, 0 },
    { "auth-moto", TIRKEU_SANDBOX_KEY_AUTH, SELLER_MOTO_BIN, FALSE, employee_roles, 0 },
    { "auth-unknown", TIRKEU_SANDBOX_KEY_AUTH, UNKNOWN_BIN, FALSE, employee_roles, 0 },
  };
  Identity *identity;

  make_cas ();
  identity = g_hash_table_lookup (identities, name);
  if (identity != NULL)
    return identity;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GError) error = NULL;
      TirkeuSandboxPerson person = {
        .iin = "781120300787",
        .bin = table[i].bin,
        .surname = "ИВАНОВ",
        .given_name = "СЕРГЕЙ",
        .patronymic = "ПЕТРОВИЧ",
        .organization = "ТОО «Тест»",
        .role_oids = table[i].roles,
      };

      if (!g_str_equal (table[i].name, name))
        continue;

      identity = g_new0 (Identity, 1);
      identity->key = tirkeu_sandbox_pki_new_key (table[i].rsa_bits, &error);
      g_assert_no_error (error);
      identity->cert = tirkeu_sandbox_pki_new_person_cert (identity->key,
                                                           table[i].untrusted ? untrusted_ca
                                                                              : trusted_ca,
                                                           table[i].untrusted ? untrusted_key
                                                                              : trusted_key,
                                                           table[i].kind, &person, &error);
      g_assert_no_error (error);
      g_hash_table_insert (identities, (gpointer) table[i].name, identity);
      return identity;
    }

  g_error ("No test identity %s", name);
}

/**
 * sb_sign:
 * @identity: a test identity (see the header)
 * @content: the bytes to sign
 *
 * Returns: (transfer full): a detached DER CMS over @content, as a token-backed client makes
 */
GBytes *
sb_sign (const char *identity,
         GBytes     *content)
{
  Identity *id = get_identity (identity);
  g_autoptr(GError) error = NULL;
  GBytes *der = tirkeu_sandbox_pki_cms_sign (id->cert, id->key, content, &error);

  g_assert_no_error (error);

  return der;
}

/**
 * sb_sign_base64:
 * @identity: a test identity
 * @content_base64: the base64 the portal issued (a challenge or a signing_payload)
 *
 * Returns: (transfer full): the base64 of the CMS over the decoded bytes
 */
char *
sb_sign_base64 (const char *identity,
                const char *content_base64)
{
  gsize length;
  g_autofree guchar *decoded = g_base64_decode (content_base64, &length);
  g_autoptr(GBytes) content = g_bytes_new (decoded, length);
  g_autoptr(GBytes) der = sb_sign (identity, content);

  return g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
}

/**
 * sb_write_identity:
 * @identity: a test identity
 * @dir: where to write
 * @cert_file: (out): its certificate, PEM
 * @key_file: (out): its private key, PEM
 */
void
sb_write_identity (const char  *identity,
                   const char  *dir,
                   char       **cert_file,
                   char       **key_file)
{
  Identity *id = get_identity (identity);
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_name = g_strconcat (identity, ".pem", NULL);
  g_autofree char *key_name = g_strconcat (identity, "-key.pem", NULL);

  *cert_file = g_build_filename (dir, cert_name, NULL);
  *key_file = g_build_filename (dir, key_name, NULL);
  g_assert_true (tirkeu_sandbox_pki_write_cert (*cert_file, id->cert, &error));
  g_assert_no_error (error);
  g_assert_true (tirkeu_sandbox_pki_write_key (*key_file, id->key, &error));
  g_assert_no_error (error);
}

/**
 * sb_options_for_test:
 *
 * Defaults for an in-process sandbox: loopback port 0, the test signer CA, manual mode with
 * a step long enough that nothing moves unless a test says so.
 */
void
sb_options_for_test (TirkeuSandboxOptions *options,
                     const char           *state_dir)
{
  tirkeu_sandbox_options_init (options);
  options->state_dir = g_strdup (state_dir);
  options->signer_ca_file = g_strdup (sb_signer_ca_file ());
  options->buyer_mode = TIRKEU_SANDBOX_BUYER_MANUAL;
  options->buyer_step_ms = 600000;
  options->seed = 4242;
}

/**
 * sb_session_new:
 * @ca_file: the only CA to trust
 *
 * Returns: (transfer full): a session that trusts @ca_file and nothing else (TOOLCHAIN.md)
 */
SoupSession *
sb_session_new (const char *ca_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_file, &error);

  g_assert_no_error (error);

  return soup_session_new_with_options ("tls-database", database, "timeout", 20, NULL);
}

static void
changed_cb (TirkeuSandbox *sandbox,
            const char    *id,
            const char    *stage,
            SbFixture     *fixture)
{
  fixture->n_changes++;
}

/**
 * sb_fixture_start:
 * @options: (inout): options (cleared here); state_dir NULL for a fresh one
 */
void
sb_fixture_start (SbFixture            *fixture,
                  TirkeuSandboxOptions *options)
{
  g_autoptr(GError) error = NULL;

  if (options->state_dir == NULL)
    {
      options->state_dir = sb_make_tmp_dir ("tirkeu-sandbox-state-XXXXXX", &error);
      g_assert_no_error (error);
    }
  fixture->state_dir = g_strdup (options->state_dir);
  fixture->sandbox = tirkeu_sandbox_new (options, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_options_clear (options);
  g_assert_true (tirkeu_sandbox_start (fixture->sandbox, &error));
  g_assert_no_error (error);
  fixture->url = tirkeu_sandbox_get_url (fixture->sandbox);
  fixture->buyer_step_ms = options->buyer_step_ms;
  g_assert_true (g_str_has_prefix (fixture->url, "https://127.0.0.1:"));
  fixture->session = sb_session_new (tirkeu_sandbox_get_ca_file (fixture->sandbox));
  g_signal_connect (fixture->sandbox, "request-changed", G_CALLBACK (changed_cb), fixture);
}

void
sb_fixture_stop (SbFixture *fixture)
{
  if (fixture->sandbox != NULL)
    {
      soup_session_abort (fixture->session);
      tirkeu_sandbox_stop (fixture->sandbox);
      /* Let libsoup finish with the closed connections before the checks of finalization. */
      sb_iterate (20);
      g_clear_object (&fixture->session);
      g_assert_finalize_object (g_steal_pointer (&fixture->sandbox));
    }
  g_clear_pointer (&fixture->state_dir, g_free);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

/**
 * sb_iterate:
 * @ms: how long to run the main context
 */
void
sb_iterate (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SbAnswer *answer = user_data;

  answer->raw = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                   &answer->error);
  if (answer->raw == NULL)
    answer->raw = g_bytes_new (NULL, 0);
}

/**
 * sb_call:
 *
 * One HTTPS call, asynchronous under the hood so that an in-process sandbox on the same
 * main context can answer it.
 *
 * Returns: (transfer full): the answer
 */
SbAnswer *
sb_call (SoupSession *session,
         const char  *url,
         const char  *method,
         const char  *path,
         const char  *token,
         const char  *idempotency_key,
         const char  *body)
{
  g_autofree char *target = g_strconcat (url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, target);
  SbAnswer *answer = g_new0 (SbAnswer, 1);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
    }
  if (idempotency_key != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Idempotency-Key",
                                  idempotency_key);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, answer);
  while (answer->raw == NULL)
    g_main_context_iteration (NULL, TRUE);

  answer->status = soup_message_get_status (msg);
  answer->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  if (answer->error == NULL && g_bytes_get_size (answer->raw) > 0
      && json_parser_load_from_data (parser, g_bytes_get_data (answer->raw, NULL),
                                     g_bytes_get_size (answer->raw), NULL))
    answer->body = json_node_ref (json_parser_get_root (parser));

  return answer;
}

void
sb_answer_free (SbAnswer *answer)
{
  g_clear_pointer (&answer->raw, g_bytes_unref);
  g_clear_pointer (&answer->body, json_node_unref);
  g_clear_pointer (&answer->headers, soup_message_headers_unref);
  g_clear_error (&answer->error);
  g_free (answer);
}

static void
assert_environment (SbAnswer *answer)
{
  g_assert_cmpstr (soup_message_headers_get_one (answer->headers, "X-Tirkeu-Environment"), ==,
                   "sandbox");
}

/**
 * sb_answer_ok:
 * @status: the expected HTTP status
 *
 * Returns: (transfer none): the JSON object of a successful answer
 */
JsonObject *
sb_answer_ok (SbAnswer *answer,
              guint     status)
{
  g_assert_no_error (answer->error);
  if (answer->status != status)
    g_error ("Expected %u, got %u: %.*s", status, answer->status,
             (int) g_bytes_get_size (answer->raw),
             (const char *) g_bytes_get_data (answer->raw, NULL));
  assert_environment (answer);
  g_assert_nonnull (answer->body);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (answer->body));

  return json_node_get_object (answer->body);
}

/**
 * sb_answer_error:
 * @status: the expected HTTP status
 * @code: the expected error code
 *
 * Checks the one error model: {code, message: {kk, ru, en}, details: {}}.
 *
 * Returns: (transfer none): the details object
 */
JsonObject *
sb_answer_error (SbAnswer   *answer,
                 guint       status,
                 const char *code)
{
  JsonObject *error = sb_answer_ok (answer, status);
  JsonObject *message = json_object_get_object_member (error, "message");

  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_nonnull (message);
  g_assert_cmpuint (strlen (json_object_get_string_member (message, "kk")), >, 0);
  g_assert_cmpuint (strlen (json_object_get_string_member (message, "ru")), >, 0);
  g_assert_cmpuint (strlen (json_object_get_string_member (message, "en")), >, 0);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (error, "details")));

  return json_object_get_object_member (error, "details");
}

/**
 * sb_sign_in:
 * @identity: an AUTH test identity
 *
 * Returns: (transfer full): the session token
 */
char *
sb_sign_in (SbFixture  *fixture,
            const char *identity)
{
  g_autoptr(SbAnswer) challenge = sb_call (fixture->session, fixture->url, "POST",
                                           "/api/v1/auth/challenge", NULL, NULL, NULL);
  JsonObject *object = sb_answer_ok (challenge, 201);
  g_autofree char *signature = sb_sign_base64 (identity,
                                               json_object_get_string_member (object,
                                                                              "challenge"));
  g_autofree char *body = g_strdup_printf ("{\"challenge_id\":\"%s\",\"signature\":\"%s\"}",
                                           json_object_get_string_member (object,
                                                                          "challenge_id"),
                                           signature);
  g_autoptr(SbAnswer) session = sb_call (fixture->session, fixture->url, "POST",
                                         "/api/v1/auth/session", NULL, NULL, body);

  return g_strdup (json_object_get_string_member (sb_answer_ok (session, 201), "token"));
}

/**
 * sb_create_request:
 *
 * Returns: (transfer full): the id of a new request (asserted 201)
 */
char *
sb_create_request (SbFixture  *fixture,
                   const char *token,
                   const char *vin,
                   const char *buyer_iin,
                   const char *contract,
                   const char *key)
{
  g_autofree char *body = g_strdup_printf ("{\"vin\":\"%s\",\"buyer_iin\":\"%s\","
                                           "\"contract_number\":\"%s\"}",
                                           vin, buyer_iin, contract);
  g_autoptr(SbAnswer) answer = sb_call (fixture->session, fixture->url, "POST",
                                        "/api/v1/requests", token, key, body);
  JsonObject *request = sb_answer_ok (answer, 201);

  g_assert_cmpstr (json_object_get_string_member (request, "stage"), ==, "contract_found");

  return g_strdup (json_object_get_string_member (request, "id"));
}

/**
 * sb_submit_signature:
 *
 * Signs the request's signing_payload with the "sign" identity (step 9).
 *
 * Returns: (transfer full): the request after the signature
 */
JsonObject *
sb_submit_signature (SbFixture  *fixture,
                     const char *token,
                     const char *id)
{
  g_autofree char *path = g_strconcat ("/api/v1/requests/", id, NULL);
  g_autofree char *sign_path = g_strconcat (path, "/signature", NULL);
  g_autoptr(SbAnswer) got = sb_call (fixture->session, fixture->url, "GET", path, token, NULL,
                                     NULL);
  g_autofree char *signature = sb_sign_base64 ("sign",
                                               json_object_get_string_member (
                                                 sb_answer_ok (got, 200), "signing_payload"));
  g_autofree char *body = g_strdup_printf ("{\"signature\":\"%s\"}", signature);
  g_autoptr(SbAnswer) signed_answer = sb_call (fixture->session, fixture->url, "POST",
                                               sign_path, token, NULL, body);

  return json_object_ref (sb_answer_ok (signed_answer, 200));
}

/**
 * sb_use_manual_clock:
 *
 * Puts the sandbox on a manual clock that starts at the current second (0 µs into it), so
 * that the test moves time itself: tirkeu_sandbox_advance_clock(), sb_step_until_stage().
 */
void
sb_use_manual_clock (SbFixture *fixture)
{
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (g_get_real_time ()
                                                              / G_USEC_PER_SEC);

  tirkeu_sandbox_use_manual_clock (fixture->sandbox, start);
}

/**
 * sb_step_until_stage:
 *
 * On a manual clock: moves it one buyer step at a time until request @id is in @stage, and
 * fails if that takes more than @max_steps steps. No real time passes.
 *
 * Returns: (transfer full): the request
 */
JsonNode *
sb_step_until_stage (SbFixture  *fixture,
                     const char *id,
                     const char *stage,
                     guint       max_steps)
{
  for (guint steps = 0;; steps++)
    {
      JsonNode *request = tirkeu_sandbox_get_request (fixture->sandbox, id);
      const char *now;

      g_assert_nonnull (request);
      now = json_object_get_string_member (json_node_get_object (request), "stage");
      if (g_str_equal (now, stage))
        return request;
      if (steps == max_steps)
        g_error ("Request %s is in %s, not %s, after %u steps", id, now, stage, max_steps);
      json_node_unref (request);
      tirkeu_sandbox_advance_clock (fixture->sandbox,
                                    (GTimeSpan) fixture->buyer_step_ms * G_TIME_SPAN_MILLISECOND);
    }
}

/**
 * sb_wait_for_stage:
 *
 * Runs the main context until request @id is in @stage, or fails after @timeout_ms.
 *
 * Returns: (transfer full): the request
 */
JsonNode *
sb_wait_for_stage (SbFixture  *fixture,
                   const char *id,
                   const char *stage,
                   guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      JsonNode *request = tirkeu_sandbox_get_request (fixture->sandbox, id);
      const char *now;

      g_assert_nonnull (request);
      now = json_object_get_string_member (json_node_get_object (request), "stage");
      if (g_str_equal (now, stage))
        return request;
      if (g_get_monotonic_time () > deadline)
        g_error ("Request %s is in %s, not %s, after %u ms", id, now, stage, timeout_ms);
      json_node_unref (request);
      g_main_context_iteration (NULL, TRUE);
    }
}

/**
 * sb_assert_history_legal:
 * @request: a request as the API shows it
 *
 * Every step of its history is a transition of the core's table, and the last is its stage.
 */
void
sb_assert_history_legal (JsonObject *request)
{
  JsonArray *history = json_object_get_array_member (request, "history");
  TirkeuStage previous = TIRKEU_STAGE_DRAFT;
  guint length = json_array_get_length (history);

  g_assert_cmpuint (length, >, 0);
  for (guint i = 0; i < length; i++)
    {
      JsonObject *entry = json_array_get_object_element (history, i);
      JsonObject *message = json_object_get_object_member (entry, "message");
      TirkeuStage stage;

      g_assert_true (tirkeu_stage_from_string (json_object_get_string_member (entry, "stage"),
                                               &stage));
      if (!tirkeu_stage_can_transition (previous, stage))
        g_error ("History step %s -> %s is not a transition", tirkeu_stage_to_string (previous),
                 tirkeu_stage_to_string (stage));
      g_assert_true (g_str_has_suffix (json_object_get_string_member (entry, "at"), "Z"));
      g_assert_cmpuint (strlen (json_object_get_string_member (message, "kk")), >, 0);
      g_assert_cmpuint (strlen (json_object_get_string_member (message, "ru")), >, 0);
      g_assert_cmpuint (strlen (json_object_get_string_member (message, "en")), >, 0);
      previous = stage;
    }
  g_assert_cmpstr (tirkeu_stage_to_string (previous), ==,
                   json_object_get_string_member (request, "stage"));
}

typedef struct
{
  gboolean  done;
  int       status;
} Program;

static void
program_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Program *program = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, NULL, NULL, &error);
  g_assert_no_error (error);
  program->status = g_subprocess_get_exit_status (G_SUBPROCESS (object));
  program->done = TRUE;
}

/**
 * sb_run_program:
 * @args: the arguments after the program's name, %NULL-terminated
 *
 * Runs the built tirkeu-sandbox program (`pki issue-key`, `pki revoke`, …) to its end,
 * while this main context goes on (an in-process sandbox may be told of what it did), and
 * asserts it succeeded. Its output is read and dropped.
 */
void
sb_run_program (const char * const *args)
{
  g_autofree char *path = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "sandbox",
                                            "tirkeu-sandbox", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Program program = { 0 };

  g_ptr_array_add (argv, path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, program_done_cb, &program);
  while (!program.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (program.status, ==, 0);
}
