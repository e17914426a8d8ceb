/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tirkeu-token-manager.h"
#include "tirkeu-token-private.h"
#include "test-token-fixture.h"

/* TirkeuTokenManager against SoftHSM2 in a private configuration (tests/fixtures/
 * make-token.sh). Signatures are checked by `openssl cms -verify`, an implementation we did
 * not write. The PIN flags SoftHSM never sets (final try, locked) and a token pulled out in
 * the middle of a signature are injected below libp11 by the shim module built from
 * tests/pkcs11-shim.c: those tests say so in their names (/token/shim/...). */

static TokenFixture *fixture;
static char *shim_path;
static char *shim_control;

/* --- helpers ----------------------------------------------------------------------------- */

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
set_shim_control (const char *words)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (shim_control, words, -1, &error);
  g_assert_no_error (error);
}

static TirkeuTokenManager *
manager_new_loaded (const char *module)
{
  TirkeuTokenManager *manager = tirkeu_token_manager_new (module);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_token_manager_load_async (manager, NULL, store_result_cb, &result);
  g_assert_true (tirkeu_token_manager_load_finish (manager, wait_for_result (&result), &error));
  g_assert_no_error (error);

  return manager;
}

static GPtrArray *
list_tokens (TirkeuTokenManager *manager)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *tokens;

  tirkeu_token_manager_list_tokens_async (manager, NULL, store_result_cb, &result);
  tokens = tirkeu_token_manager_list_tokens_finish (manager, wait_for_result (&result), &error);
  g_assert_no_error (error);
  return tokens;
}

static TirkeuTokenInfo *
find_token (GPtrArray  *tokens,
            const char *label)
{
  for (guint i = 0; i < tokens->len; i++)
    if (g_str_equal (tirkeu_token_info_get_label (g_ptr_array_index (tokens, i)), label))
      return g_ptr_array_index (tokens, i);
  return NULL;
}

static char *
fixture_serial (TirkeuTokenManager *manager)
{
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  TirkeuTokenInfo *token = find_token (tokens, fixture->label);

  g_assert_nonnull (token);
  return g_strdup (tirkeu_token_info_get_serial (token));
}

static char *
certificate_id (const char *name)
{
  return g_key_file_get_string (fixture->ini, name, "id", NULL);
}

static GBytes *
sign (TirkeuTokenManager *manager,
      const char         *serial,
      const char         *name,
      TirkeuSignPurpose   purpose,
      const char         *pin,
      GBytes             *content,
      GCancellable       *cancellable,
      GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *id = certificate_id (name);

  tirkeu_token_manager_sign_async (manager, serial, id, purpose, fixture->seller_bin, pin,
                                   content, cancellable, store_result_cb, &result);
  return tirkeu_token_manager_sign_finish (manager, wait_for_result (&result), error);
}

/* Runs `openssl cms -verify` on @signature over @content; TRUE if it verifies. */
static gboolean
openssl_verifies (GBytes   *signature,
                  GBytes   *content,
                  gboolean  any_purpose)
{
  g_autofree char *signature_path = g_build_filename (fixture->dir, "signature.der", NULL);
  g_autofree char *content_path = g_build_filename (fixture->dir, "content.bin", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_file_set_contents (signature_path, g_bytes_get_data (signature, NULL),
                       g_bytes_get_size (signature), &error);
  g_assert_no_error (error);
  g_file_set_contents (content_path, g_bytes_get_data (content, NULL),
                       g_bytes_get_size (content), &error);
  g_assert_no_error (error);

  for (const char * const *arg = (const char *[]) { "openssl", "cms", "-verify", "-binary",
                                                     "-inform", "DER", "-in", signature_path,
                                                     "-content", content_path,
                                                     "-CAfile", fixture->ca_file,
                                                     "-out", "/dev/null", NULL };
       *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  /* The AUTH certificate's only EKU is clientAuth, and `openssl cms -verify` checks the
   * S/MIME signing purpose by default, which wants emailProtection: for the sign-in
   * challenge the purpose is not S/MIME, so it is lifted; the signature is still checked. */
  if (any_purpose)
    {
      g_ptr_array_add (argv, (gpointer) "-purpose");
      g_ptr_array_add (argv, (gpointer) "any");
    }
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  return g_subprocess_get_successful (process);
}

/* What openssl prints of the CMS structure, to check its attributes. */
static char *
openssl_cms_print (GBytes *signature)
{
  g_autofree char *signature_path = g_build_filename (fixture->dir, "print.der", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_file_set_contents (signature_path, g_bytes_get_data (signature, NULL),
                       g_bytes_get_size (signature), &error);
  g_assert_no_error (error);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "openssl", "cms",
                              "-cmsout", "-print", "-inform", "DER", "-in", signature_path,
                              NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  return out;
}

/* --- tests ------------------------------------------------------------------------------- */

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *notified)
{
  (*notified)++;
}

static void
test_manager_new_destroy (void)
{
  TirkeuTokenManager *manager = tirkeu_token_manager_new (NULL);
  guint notified = 0;

  g_assert_cmpstr (tirkeu_token_manager_get_module_path (manager), ==,
                   TIRKEU_TOKEN_DEFAULT_MODULE);
  g_assert_cmpuint (tirkeu_token_manager_get_poll_interval (manager), ==, 1000);
  g_signal_connect (manager, "notify", G_CALLBACK (count_notify_cb), &notified);
  tirkeu_token_manager_set_poll_interval (manager, 500);
  tirkeu_token_manager_set_poll_interval (manager, 500);
  tirkeu_token_manager_set_reload_on_poll (manager, TRUE);
  tirkeu_token_manager_set_reload_on_poll (manager, TRUE);
  /* notified on change only */
  g_assert_cmpuint (notified, ==, 2);
  g_signal_handlers_disconnect_by_data (manager, &notified);
  g_assert_finalize_object (manager);
}

static void
test_manager_bad_module (void)
{
  TirkeuTokenManager *manager = tirkeu_token_manager_new ("/nonexistent/pkcs11.so");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_token_manager_load_async (manager, NULL, store_result_cb, &result);
  g_assert_false (tirkeu_token_manager_load_finish (manager, wait_for_result (&result),
                                                    &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_MODULE);
  g_clear_object (&result);
  g_assert_finalize_object (manager);
}

static void
test_manager_list (void)
{
  TirkeuTokenManager *manager = manager_new_loaded (fixture->module);
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuTokenInfo *token;
  g_auto(GStrv) groups = g_key_file_get_groups (fixture->ini, NULL);
  guint n_expected = 0;

  /* SoftHSM's spare uninitialised slot is not a token */
  g_assert_cmpuint (tokens->len, ==, 1);
  token = find_token (tokens, fixture->label);
  g_assert_nonnull (token);
  g_assert_cmpstr (tirkeu_token_info_get_manufacturer (token), ==, "SoftHSM project");
  g_assert_cmpstr (tirkeu_token_info_get_model (token), ==, "SoftHSM v2");
  g_assert_cmpuint (strlen (tirkeu_token_info_get_serial (token)), >, 0);
  g_assert_cmpint (tirkeu_token_info_get_pin_flags (token), ==, TIRKEU_PIN_FLAGS_NONE);
  g_assert_null (tirkeu_token_info_get_pin_warning (token));

  tirkeu_token_manager_list_certificates_async (manager, tirkeu_token_info_get_serial (token),
                                                NULL, store_result_cb, &result);
  certificates = tirkeu_token_manager_list_certificates_finish (manager,
                                                                wait_for_result (&result),
                                                                &error);
  g_assert_no_error (error);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *id = NULL;
      gboolean found = FALSE;

      if (g_str_equal (groups[i], "token"))
        continue;
      n_expected++;
      id = certificate_id (groups[i]);
      for (guint j = 0; j < certificates->len; j++)
        {
          TirkeuCertificate *certificate = g_ptr_array_index (certificates, j);

          if (g_strcmp0 (tirkeu_certificate_get_id (certificate), id) != 0)
            continue;
          found = TRUE;
          g_assert_cmpstr (tirkeu_certificate_get_label (certificate), ==, groups[i]);
          g_assert_cmpstr (tirkeu_certificate_get_token_serial (certificate), ==,
                           tirkeu_token_info_get_serial (token));
          /* the private key hides behind the PIN; its public half shows the pair */
          g_assert_true (tirkeu_certificate_has_private_key (certificate));
        }
      g_assert_true (found);
    }
  g_assert_cmpuint (certificates->len, ==, n_expected);

  /* Parsed once: an unchanged token gives the very same (immutable) objects again. */
  g_clear_object (&result);
  tirkeu_token_manager_list_certificates_async (manager, tirkeu_token_info_get_serial (token),
                                                NULL, store_result_cb, &result);
  again = tirkeu_token_manager_list_certificates_finish (manager, wait_for_result (&result),
                                                         &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, certificates->len);
  for (guint i = 0; i < again->len; i++)
    g_assert_true (g_ptr_array_find (certificates, g_ptr_array_index (again, i), NULL));

  g_clear_object (&result);
  tirkeu_token_manager_list_certificates_async (manager, "no-such-serial", NULL,
                                                store_result_cb, &result);
  g_assert_null (tirkeu_token_manager_list_certificates_finish (manager,
                                                                wait_for_result (&result),
                                                                &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_TOKEN);
  g_clear_object (&result);

  g_assert_finalize_object (manager);
}

typedef struct
{
  const char        *name;
  TirkeuSignPurpose  purpose;
  gboolean           any_purpose;
} SignCase;

static const SignCase sign_cases[] = {
  { "sign-rsa", TIRKEU_SIGN_PURPOSE_REQUEST, FALSE },
  { "sign-ec", TIRKEU_SIGN_PURPOSE_REQUEST, FALSE },
  { "expiring", TIRKEU_SIGN_PURPOSE_REQUEST, FALSE },
  { "auth-rsa", TIRKEU_SIGN_PURPOSE_SIGN_IN, TRUE },
};

static void
test_manager_sign (gconstpointer data)
{
  const SignCase *c = data;
  TirkeuTokenManager *manager = manager_new_loaded (fixture->module);
  g_autofree char *serial = fixture_serial (manager);
  static const char request[] = "{\"vin\":\"XTA210990Y2766389\",\"buyer\":\"Сатып алушы\"}\n";
  g_autoptr(GBytes) content = g_bytes_new_static (request, sizeof request - 1);
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = NULL;
  char *copy;

  signature = sign (manager, serial, c->name, c->purpose, fixture->pin, content, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (signature);

  g_assert_true (openssl_verifies (signature, content, c->any_purpose));

  /* one byte changed: the signature no longer holds */
  copy = g_memdup2 (request, sizeof request - 1);
  copy[5] ^= 0x01;
  tampered = g_bytes_new_take (copy, sizeof request - 1);
  g_assert_false (openssl_verifies (signature, tampered, c->any_purpose));

  /* detached (no eContent), SHA-256, signing time, the signer's certificate */
  printed = openssl_cms_print (signature);
  g_assert_nonnull (strstr (printed, "eContent: <ABSENT>"));
  g_assert_nonnull (strstr (printed, "algorithm: sha256"));
  g_assert_nonnull (strstr (printed, "signingTime"));
  g_assert_nonnull (strstr (printed, "certificates:"));

  g_assert_finalize_object (manager);
}

typedef struct
{
  const char        *name;
  TirkeuSignPurpose  purpose;
  TirkeuTokenError   code;
} RefusalCase;

static const RefusalCase refusal_cases[] = {
  { "other-bin", TIRKEU_SIGN_PURPOSE_REQUEST, TIRKEU_TOKEN_ERROR_NOT_SELLER_BIN },
  { "expired", TIRKEU_SIGN_PURPOSE_REQUEST, TIRKEU_TOKEN_ERROR_EXPIRED },
  { "not-yet-valid", TIRKEU_SIGN_PURPOSE_REQUEST, TIRKEU_TOKEN_ERROR_NOT_YET_VALID },
  { "auth-rsa", TIRKEU_SIGN_PURPOSE_REQUEST, TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND },
  { "employee", TIRKEU_SIGN_PURPOSE_REQUEST, TIRKEU_TOKEN_ERROR_NO_RIGHT_TO_SIGN },
  { "sign-rsa", TIRKEU_SIGN_PURPOSE_SIGN_IN, TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND },
};

/* Each refusal has its own code, and comes before the PIN: a wrong PIN is given on purpose
 * and is never tried. */
static void
test_manager_refusal (gconstpointer data)
{
  const RefusalCase *c = data;
  TirkeuTokenManager *manager = manager_new_loaded (fixture->module);
  g_autofree char *serial = fixture_serial (manager);
  g_autoptr(GBytes) content = g_bytes_new_static ("request", 7);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tokens = NULL;

  signature = sign (manager, serial, c->name, c->purpose, "00000000", content, NULL, &error);
  g_assert_null (signature);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, (int) c->code);

  /* no PIN try was spent: the token reports nothing */
  tokens = list_tokens (manager);
  g_assert_cmpint (tirkeu_token_info_get_pin_flags (find_token (tokens, fixture->label)), ==,
                   TIRKEU_PIN_FLAGS_NONE);

  g_assert_finalize_object (manager);
}

static void
test_manager_wrong_pin (void)
{
  TirkeuTokenManager *manager = manager_new_loaded (fixture->module);
  g_autofree char *serial = fixture_serial (manager);
  g_autoptr(GBytes) content = g_bytes_new_static ("request", 7);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  TirkeuPinFlags flags;

  signature = sign (manager, serial, "sign-rsa", TIRKEU_SIGN_PURPOSE_REQUEST, "11111111",
                    content, NULL, &error);
  g_assert_null (signature);
  /* SoftHSM raises "count low" after a wrong PIN: the error follows the flags it reads
   * after the failed login */
  tokens = list_tokens (manager);
  flags = tirkeu_token_info_get_pin_flags (find_token (tokens, fixture->label));
  if (flags & TIRKEU_PIN_FLAGS_COUNT_LOW)
    g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_COUNT_LOW);
  else
    g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_INCORRECT);
  g_test_message ("SoftHSM after a wrong PIN: flags 0x%x, error: %s", flags, error->message);
  g_clear_error (&error);

  /* the right PIN still works, and clears the flag */
  signature = sign (manager, serial, "sign-rsa", TIRKEU_SIGN_PURPOSE_REQUEST, fixture->pin,
                    content, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (signature);
  g_clear_pointer (&tokens, g_ptr_array_unref);
  tokens = list_tokens (manager);
  g_assert_cmpint (tirkeu_token_info_get_pin_flags (find_token (tokens, fixture->label)), ==,
                   TIRKEU_PIN_FLAGS_NONE);

  g_assert_finalize_object (manager);
}

static void
test_manager_cancelled (void)
{
  TirkeuTokenManager *manager = manager_new_loaded (fixture->module);
  g_autofree char *serial = fixture_serial (manager);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) content = g_bytes_new_static ("request", 7);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  signature = sign (manager, serial, "sign-ec", TIRKEU_SIGN_PURPOSE_REQUEST, fixture->pin,
                    content, cancellable, &error);
  g_assert_null (signature);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_finalize_object (manager);
}

static TirkeuDocumentDigest *
digest_stream (TirkeuTokenManager  *manager,
               const char          *serial,
               const char          *id,
               GInputStream        *stream,
               GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_token_manager_digest_stream_async (manager, serial, id, TIRKEU_SIGN_PURPOSE_REQUEST,
                                            fixture->seller_bin, stream, NULL, store_result_cb,
                                            &result);
  return tirkeu_token_manager_digest_stream_finish (manager, wait_for_result (&result), error);
}

static GBytes *
sign_digest (TirkeuTokenManager    *manager,
             TirkeuDocumentDigest  *digest,
             const char            *pin,
             GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_token_manager_sign_digest_async (manager, digest, pin, NULL, store_result_cb, &result);
  return tirkeu_token_manager_sign_finish (manager, wait_for_result (&result), error);
}

/* A document signed in two jobs: its digest first, with no PIN (the stream is read to its
 * end), then the signature of that digest with the PIN given only then; a wrong PIN costs
 * the digest nothing, it signs again with the right one. A refused certificate is refused
 * before a byte of the document is read. */
static void
test_manager_sign_digest (void)
{
  TirkeuTokenManager *manager = manager_new_loaded (fixture->module);
  g_autofree char *serial = fixture_serial (manager);
  static const char request[] = "{\"vin\":\"XTA210990Y2766389\",\"buyer\":\"Сатып алушы\"}\n";
  g_autoptr(GBytes) content = g_bytes_new_static (request, sizeof request - 1);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(GInputStream) refused_stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(TirkeuDocumentDigest) digest = NULL;
  g_autoptr(TirkeuDocumentDigest) refused = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sign_id = certificate_id ("sign-ec");
  g_autofree char *expired_id = certificate_id ("expired");
  char byte;

  digest = digest_stream (manager, serial, sign_id, stream, &error);
  g_assert_no_error (error);
  g_assert_nonnull (digest);
  /* read to its end */
  g_assert_cmpint (g_input_stream_read (stream, &byte, 1, NULL, &error), ==, 0);
  g_assert_no_error (error);

  signature = sign_digest (manager, digest, "11111111", &error);
  g_assert_null (signature);
  g_assert_true (g_error_matches (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_INCORRECT)
                 || g_error_matches (error, TIRKEU_TOKEN_ERROR,
                                     TIRKEU_TOKEN_ERROR_PIN_COUNT_LOW));
  g_clear_error (&error);

  signature = sign_digest (manager, digest, fixture->pin, &error);
  g_assert_no_error (error);
  g_assert_nonnull (signature);
  g_assert_true (openssl_verifies (signature, content, FALSE));

  refused = digest_stream (manager, serial, expired_id, refused_stream, &error);
  g_assert_null (refused);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_EXPIRED);
  g_assert_cmpint (g_input_stream_read (refused_stream, &byte, 1, NULL, NULL), ==, 1);

  g_assert_finalize_object (manager);
}

/* A digest is signed only by the certificate it was made for: a token that holds another
 * certificate (and key) under the same id by the time of the signature signs nothing. */
static void
test_manager_sign_digest_replaced (void)
{
  TirkeuTokenManager *manager;
  g_autofree char *serial = NULL;
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data ("request", 7, NULL);
  g_autoptr(TirkeuDocumentDigest) digest = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  token_fixture_add_always_authenticate_key (fixture);
  manager = manager_new_loaded (fixture->module);
  serial = fixture_serial (manager);
  digest = digest_stream (manager, serial, "0a", stream, &error);
  g_assert_no_error (error);
  g_assert_nonnull (digest);

  /* a new key and certificate, id 0a again */
  token_fixture_delete_always_authenticate_key (fixture);
  token_fixture_add_always_authenticate_key (fixture);
  signature = sign_digest (manager, digest, fixture->pin, &error);
  g_assert_null (signature);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE);

  g_assert_finalize_object (manager);
  token_fixture_delete_always_authenticate_key (fixture);
}

/* The VmFlags of the mapping that holds @address, from /proc/self/smaps. */
static char *
mapping_flags (gconstpointer address)
{
  g_autofree char *smaps = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean inside = FALSE;

  g_file_get_contents ("/proc/self/smaps", &smaps, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end;

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x ", &start,
                  &end) == 2 && strchr (lines[i], ' ') > strchr (lines[i], '-'))
        inside = (guintptr) address >= start && (guintptr) address < end;
      else if (inside && g_str_has_prefix (lines[i], "VmFlags:"))
        return g_strconcat (lines[i] + strlen ("VmFlags:"), " ", NULL);
    }
  return NULL;
}

/* A job's copy of a PIN or password has pages of its own, which a core dump leaves out
 * (VmFlags "dd"), as the CLI's buffer. */
static void
test_secret_copy (void)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  gsize size = 0;
  char *copy = _tirkeu_token_secret_copy ("12345678", &size);
  g_autofree char *flags = mapping_flags (copy);

  g_assert_cmpstr (copy, ==, "12345678");
  g_assert_cmpuint ((guintptr) copy % page, ==, 0);
  g_assert_cmpuint (size, >=, page);
  g_assert_cmpuint (size % page, ==, 0);
  g_assert_nonnull (flags);
  g_test_message ("VmFlags of the copy:%s", flags);
  g_assert_nonnull (strstr (flags, " dd "));
  _tirkeu_token_secret_free (copy, size);
}

typedef struct
{
  const char *label;
  gboolean    added;
  gboolean    removed;
} PresenceWatch;

static void
token_added_cb (TirkeuTokenManager *manager,
                TirkeuTokenInfo    *token,
                PresenceWatch      *watch)
{
  if (g_str_equal (tirkeu_token_info_get_label (token), watch->label))
    watch->added = TRUE;
}

static void
token_removed_cb (TirkeuTokenManager *manager,
                  TirkeuTokenInfo    *token,
                  PresenceWatch      *watch)
{
  if (g_str_equal (tirkeu_token_info_get_label (token), watch->label))
    watch->removed = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @flag is set; FALSE after @seconds. */
static gboolean
wait_for_flag (gboolean *flag,
               guint     seconds,
               double   *elapsed)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (seconds, timeout_cb, &timed_out);
  gint64 start = g_get_monotonic_time ();

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  *elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  return *flag;
}

/* A token made and deleted by another process while the manager runs. SoftHSM sees it only
 * after a reload of the module, which the manager does on each poll for SoftHSM. */
static void
test_manager_presence (void)
{
  TirkeuTokenManager *manager = tirkeu_token_manager_new (fixture->module);
  PresenceWatch first = { .label = fixture->label };
  PresenceWatch second = { .label = "second" };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  double elapsed;

  g_signal_connect (manager, "token-added", G_CALLBACK (token_added_cb), &first);
  g_signal_connect (manager, "token-added", G_CALLBACK (token_added_cb), &second);
  g_signal_connect (manager, "token-removed", G_CALLBACK (token_removed_cb), &second);
  tirkeu_token_manager_load_async (manager, NULL, store_result_cb, &result);
  g_assert_true (tirkeu_token_manager_load_finish (manager, wait_for_result (&result), &error));
  g_assert_no_error (error);

  g_clear_object (&result);
  /* present at load: announced */
  g_assert_true (wait_for_flag (&first.added, 2, &elapsed));

  token_fixture_run ((const char *[]) { "softhsm2-util", "--init-token", "--free",
                                        "--label", "second", "--pin", "1234",
                                        "--so-pin", "5678", NULL });
  g_assert_true (wait_for_flag (&second.added, 4, &elapsed));
  g_test_message ("token inserted: noticed after %.2f s", elapsed);
  g_assert_cmpfloat (elapsed, <, 2.5);

  token_fixture_run ((const char *[]) { "softhsm2-util", "--delete-token", "--token", "second",
                                        NULL });
  g_assert_true (wait_for_flag (&second.removed, 4, &elapsed));
  g_test_message ("token removed: noticed after %.2f s", elapsed);
  g_assert_cmpfloat (elapsed, <, 2.5);
  g_assert_false (first.removed);

  g_signal_handlers_disconnect_by_data (manager, &first);
  g_signal_handlers_disconnect_by_data (manager, &second);
  g_assert_finalize_object (manager);
}

/* --- PIN flags and removal injected below libp11 (tests/pkcs11-shim.c) ----------------- */

static void
test_shim_to_be_changed (void)
{
  TirkeuTokenManager *manager;
  g_autoptr(GPtrArray) tokens = NULL;
  TirkeuTokenInfo *token;

  set_shim_control ("to-be-changed");
  manager = manager_new_loaded (shim_path);
  tokens = list_tokens (manager);
  token = find_token (tokens, fixture->label);
  g_assert_cmpint (tirkeu_token_info_get_pin_flags (token), ==, TIRKEU_PIN_FLAGS_TO_BE_CHANGED);
  g_assert_nonnull (strstr (tirkeu_token_info_get_pin_warning (token), "factory password"));

  set_shim_control ("");
  g_assert_finalize_object (manager);
}

static void
test_shim_final_try (void)
{
  TirkeuTokenManager *manager;
  g_autofree char *serial = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("request", 7);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  set_shim_control ("final-try");
  manager = manager_new_loaded (shim_path);
  serial = fixture_serial (manager);
  signature = sign (manager, serial, "sign-ec", TIRKEU_SIGN_PURPOSE_REQUEST, "11111111",
                    content, NULL, &error);
  g_assert_null (signature);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY);
  g_assert_cmpstr (error->message, ==, "Incorrect password. Attempts left: 1");

  set_shim_control ("");
  g_clear_error (&error);
  /* the successful login resets SoftHSM's own "count low" for the next tests */
  signature = sign (manager, serial, "sign-ec", TIRKEU_SIGN_PURPOSE_REQUEST, fixture->pin,
                    content, NULL, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (manager);
}

static void
test_shim_locked (void)
{
  TirkeuTokenManager *manager;
  g_autofree char *serial = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("request", 7);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tokens = NULL;

  set_shim_control ("locked");
  manager = manager_new_loaded (shim_path);
  serial = fixture_serial (manager);
  tokens = list_tokens (manager);
  g_assert_true (tirkeu_token_info_get_pin_flags (find_token (tokens, fixture->label))
                 & TIRKEU_PIN_FLAGS_LOCKED);
  g_assert_nonnull (tirkeu_token_info_get_pin_warning (find_token (tokens, fixture->label)));

  /* even the right PIN: a locked token refuses it */
  signature = sign (manager, serial, "sign-ec", TIRKEU_SIGN_PURPOSE_REQUEST, fixture->pin,
                    content, NULL, &error);
  g_assert_null (signature);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_LOCKED);

  set_shim_control ("");
  g_assert_finalize_object (manager);
}

static void
test_shim_removed_while_signing (void)
{
  TirkeuTokenManager *manager;
  PresenceWatch watch = { .label = fixture->label };
  g_autofree char *serial = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("request", 7);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  double elapsed;

  set_shim_control ("remove-on-sign");
  manager = manager_new_loaded (shim_path);
  serial = fixture_serial (manager);
  g_signal_connect (manager, "token-removed", G_CALLBACK (token_removed_cb), &watch);
  g_signal_connect (manager, "token-added", G_CALLBACK (token_added_cb), &watch);

  signature = sign (manager, serial, "sign-rsa", TIRKEU_SIGN_PURPOSE_REQUEST, fixture->pin,
                    content, NULL, &error);
  g_assert_null (signature);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_TOKEN_REMOVED);
  g_assert_true (wait_for_flag (&watch.removed, 3, &elapsed));

  /* put back: noticed again */
  watch.added = FALSE;
  set_shim_control ("");
  g_assert_true (wait_for_flag (&watch.added, 4, &elapsed));

  g_signal_handlers_disconnect_by_data (manager, &watch);
  g_assert_finalize_object (manager);
}

/* A key marked CKA_ALWAYS_AUTHENTICATE (PIV's signature key through OpenSC is one): SoftHSM
 * then wants C_Login(CKU_CONTEXT_SPECIFIC) between C_SignInit and C_Sign, which libp11 asks
 * OpenSSL's UI for: the console by default. The PIN must come from the caller instead. */
static void
test_manager_always_authenticate (void)
{
  TirkeuTokenManager *manager;
  g_autofree char *serial = NULL;
  g_autofree char *cert_pem = g_build_filename (fixture->dir, "always.pem", NULL);
  g_autofree char *signature_path = g_build_filename (fixture->dir, "always.cms", NULL);
  g_autofree char *content_path = g_build_filename (fixture->dir, "always.txt", NULL);
  g_autoptr(GBytes) content = g_bytes_new_static ("request", 7);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  token_fixture_add_always_authenticate_key (fixture);
  manager = manager_new_loaded (fixture->module);
  serial = fixture_serial (manager);

  tirkeu_token_manager_sign_async (manager, serial, "0a", TIRKEU_SIGN_PURPOSE_REQUEST,
                                   fixture->seller_bin, fixture->pin, content, NULL,
                                   store_result_cb, &result);
  signature = tirkeu_token_manager_sign_finish (manager, wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (signature);
  g_clear_object (&result);

  /* checked by openssl, against the self-signed certificate */
  g_file_set_contents (signature_path, g_bytes_get_data (signature, NULL),
                       g_bytes_get_size (signature), &error);
  g_assert_no_error (error);
  g_file_set_contents (content_path, "request", 7, &error);
  g_assert_no_error (error);
  token_fixture_run ((const char *[]) { "openssl", "cms", "-verify", "-binary", "-inform", "DER",
                                        "-in", signature_path, "-content", content_path,
                                        "-CAfile", cert_pem, "-out", "/dev/null", NULL });

  g_assert_finalize_object (manager);
  token_fixture_delete_always_authenticate_key (fixture);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* Before any thread: the environment is read by SoftHSM and the shim. */
  fixture = token_fixture_new ();
  shim_path = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "tests",
                                "tirkeu-test-pkcs11-shim.so", NULL);
  shim_control = g_build_filename (fixture->dir, "shim-control", NULL);
  g_setenv ("TIRKEU_SHIM_CONTROL", shim_control, TRUE);
  g_setenv ("TIRKEU_SHIM_TARGET", fixture->module, TRUE);
  set_shim_control ("");

  g_test_add_func ("/token/manager/new-destroy", test_manager_new_destroy);
  g_test_add_func ("/token/manager/bad-module", test_manager_bad_module);
  g_test_add_func ("/token/manager/list", test_manager_list);
  for (guint i = 0; i < G_N_ELEMENTS (sign_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/token/manager/sign/%s", sign_cases[i].name);
      g_test_add_data_func (path, &sign_cases[i], test_manager_sign);
    }
  for (guint i = 0; i < G_N_ELEMENTS (refusal_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/token/manager/refusal/%s-%s",
                                               refusal_cases[i].name,
                                               refusal_cases[i].purpose ==
                                               TIRKEU_SIGN_PURPOSE_SIGN_IN ? "sign-in"
                                                                           : "request");
      g_test_add_data_func (path, &refusal_cases[i], test_manager_refusal);
    }
  g_test_add_func ("/token/manager/wrong-pin", test_manager_wrong_pin);
  g_test_add_func ("/token/manager/cancelled", test_manager_cancelled);
  g_test_add_func ("/token/manager/presence", test_manager_presence);
  g_test_add_func ("/token/shim/pin-to-be-changed", test_shim_to_be_changed);
  g_test_add_func ("/token/shim/pin-final-try", test_shim_final_try);
  g_test_add_func ("/token/shim/pin-locked", test_shim_locked);
  g_test_add_func ("/token/shim/removed-while-signing", test_shim_removed_while_signing);
  g_test_add_func ("/token/manager/sign-digest", test_manager_sign_digest);
  g_test_add_func ("/token/manager/secret-copy", test_secret_copy);
  /* these add a key to the shared token for their own time only */
  g_test_add_func ("/token/manager/sign-digest-replaced", test_manager_sign_digest_replaced);
  g_test_add_func ("/token/manager/always-authenticate", test_manager_always_authenticate);

  status = g_test_run ();
  token_fixture_free (fixture);
  g_free (shim_path);
  g_free (shim_control);
  return status;
}
