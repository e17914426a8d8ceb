/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "tirkeu-token-manager.h"
#include "test-token-fixture.h"

/* What the token manager logs, at every level, holds no personal data: a token's labels (a
 * certificate object's CKA_LABEL, the token's own label) are the owner's to choose, and
 * often hold the owner's name. Every message is captured by a log writer of this test, with
 * G_MESSAGES_DEBUG=all, from the SoftHSM fixture token (tests/fixtures/make-token.sh). */

#define CERTIFICATE_LABEL "ЖҰМАБЕКОВА АЙГЕРІМ"
#define CERTIFICATE_OWNER "ЖҰМАБЕКОВА"
#define TOKEN_LABEL "ТӨЛЕГЕНОВ НҰРЛАН"
#define TOKEN_OWNER "ТӨЛЕГЕНОВ"

static TokenFixture *fixture;

/* Written by the token thread as well as the main one. */
static GMutex log_lock;
static GString *log_text;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") || g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      {
        g_string_append_len (log_text, fields[i].value, fields[i].length);
        g_string_append_c (log_text, ' ');
      }
  g_string_append_c (log_text, '\n');
  g_mutex_unlock (&log_lock);

  /* warnings and worse still reach the test's output (and fail it) */
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (log_level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static char *
captured_log (void)
{
  char *text;

  g_mutex_lock (&log_lock);
  text = g_strdup (log_text->str);
  g_mutex_unlock (&log_lock);
  return text;
}

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
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static TirkeuTokenManager *
manager_new_loaded (void)
{
  TirkeuTokenManager *manager = tirkeu_token_manager_new (fixture->module);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_token_manager_load_async (manager, NULL, store_result_cb, &result);
  g_assert_true (tirkeu_token_manager_load_finish (manager, wait_for_result (&result), &error));
  g_assert_no_error (error);
  return manager;
}

/* A certificate libp11 reads but the manager skips: its notBefore is not a time (month 13,
 * day 99), written over a well-formed one after signing (DER decoding does not check it). */
static char *
write_unreadable_certificate (void)
{
  g_autofree char *path = g_build_filename (fixture->dir, "unreadable.der", NULL);
  g_autoptr(GError) error = NULL;
  EVP_PKEY *key = EVP_EC_gen ("P-256");
  X509 *x509 = X509_new ();
  X509_NAME *name = X509_get_subject_name (x509);
  ASN1_TIME *not_before = ASN1_GENERALIZEDTIME_new ();
  unsigned char *der = NULL;
  unsigned char *time_value;
  int len;

  g_assert_nonnull (key);
  g_assert_true (ASN1_GENERALIZEDTIME_set_string (not_before, "20250101000000Z"));
  g_assert_true (X509_set_version (x509, 2));
  g_assert_true (ASN1_INTEGER_set (X509_get_serialNumber (x509), 4242));
  g_assert_true (X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8,
                                             (const unsigned char *) CERTIFICATE_LABEL, -1, -1,
                                             0));
  g_assert_true (X509_set_issuer_name (x509, name));
  g_assert_true (X509_set1_notBefore (x509, not_before));
  g_assert_nonnull (X509_gmtime_adj (X509_getm_notAfter (x509), 30 * 24 * 3600));
  g_assert_true (X509_set_pubkey (x509, key));
  g_assert_cmpint (X509_sign (x509, key, EVP_sha256 ()), >, 0);
  len = i2d_X509 (x509, &der);
  g_assert_cmpint (len, >, 0);
  time_value = memmem (der, len, "20250101000000Z", 15);
  g_assert_nonnull (time_value);
  memcpy (time_value, "20251399000000Z", 15);

  g_file_set_contents (path, (const char *) der, len, &error);
  g_assert_no_error (error);
  OPENSSL_free (der);
  ASN1_TIME_free (not_before);
  X509_free (x509);
  EVP_PKEY_free (key);
  return g_steal_pointer (&path);
}

/* A certificate object labelled with its owner's name that the manager skips: the listing
 * says it skipped one (by its id), never whose it was. */
static void
test_skipped_certificate_label (void)
{
  g_autofree char *der = write_unreadable_certificate ();
  g_autoptr(TirkeuTokenManager) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *serial = NULL;

  token_fixture_run ((const char *[]) { "pkcs11-tool", "--module", fixture->module,
                                        "--token-label", fixture->label, "--login", "--pin",
                                        fixture->pin, "--write-object", der, "--type", "cert",
                                        "--id", "0c", "--label", CERTIFICATE_LABEL, NULL });

  manager = manager_new_loaded ();
  tirkeu_token_manager_list_tokens_async (manager, NULL, store_result_cb, &result);
  tokens = tirkeu_token_manager_list_tokens_finish (manager, wait_for_result (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < tokens->len; i++)
    if (g_str_equal (tirkeu_token_info_get_label (g_ptr_array_index (tokens, i)), fixture->label))
      serial = tirkeu_token_info_get_serial (g_ptr_array_index (tokens, i));
  g_assert_nonnull (serial);

  g_clear_object (&result);
  tirkeu_token_manager_list_certificates_async (manager, serial, NULL, store_result_cb, &result);
  certificates = tirkeu_token_manager_list_certificates_finish (manager, wait_for_result (&result),
                                                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (certificates->len, >, 0);
  for (guint i = 0; i < certificates->len; i++)
    g_assert_cmpstr (tirkeu_certificate_get_id (g_ptr_array_index (certificates, i)), !=, "0c");

  text = captured_log ();
  g_test_message ("log: %s", text);
  /* the skip was logged: the name below is not absent for want of a message */
  g_assert_nonnull (strstr (text, "skipping certificate"));
  g_assert_null (strstr (text, CERTIFICATE_OWNER));
  /* by its id instead */
  g_assert_nonnull (strstr (text, "skipping certificate 0c"));

  token_fixture_run ((const char *[]) { "pkcs11-tool", "--module", fixture->module,
                                        "--token-label", fixture->label, "--login", "--pin",
                                        fixture->pin, "--delete-object", "--type", "cert",
                                        "--id", "0c", NULL });
}

typedef struct
{
  gboolean added;
  gboolean removed;
} PresenceWatch;

static void
token_added_cb (TirkeuTokenManager *manager,
                TirkeuTokenInfo    *token,
                PresenceWatch      *watch)
{
  if (g_str_equal (tirkeu_token_info_get_label (token), TOKEN_LABEL))
    watch->added = TRUE;
}

static void
token_removed_cb (TirkeuTokenManager *manager,
                  TirkeuTokenInfo    *token,
                  PresenceWatch      *watch)
{
  if (g_str_equal (tirkeu_token_info_get_label (token), TOKEN_LABEL))
    watch->removed = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
wait_for_flag (gboolean *flag,
               guint     seconds)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (seconds, timeout_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  return *flag;
}

/* A token labelled with its owner's name, inserted and removed while the manager polls:
 * the log says a token came and went, not whose. */
static void
test_token_presence_label (void)
{
  g_autoptr(TirkeuTokenManager) manager = NULL;
  PresenceWatch watch = { 0 };
  g_autofree char *text = NULL;

  manager = manager_new_loaded ();
  g_signal_connect (manager, "token-added", G_CALLBACK (token_added_cb), &watch);
  g_signal_connect (manager, "token-removed", G_CALLBACK (token_removed_cb), &watch);

  token_fixture_run ((const char *[]) { "softhsm2-util", "--init-token", "--free",
                                        "--label", TOKEN_LABEL, "--pin", "1234",
                                        "--so-pin", "5678", NULL });
  g_assert_true (wait_for_flag (&watch.added, 20));
  token_fixture_run ((const char *[]) { "softhsm2-util", "--delete-token", "--token",
                                        TOKEN_LABEL, NULL });
  g_assert_true (wait_for_flag (&watch.removed, 20));

  text = captured_log ();
  g_test_message ("log: %s", text);
  g_assert_nonnull (strstr (text, " added"));
  g_assert_nonnull (strstr (text, " removed"));
  g_assert_null (strstr (text, TOKEN_OWNER));

  g_signal_handlers_disconnect_by_data (manager, &watch);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* every message is written, debug ones included */
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  log_text = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* Before any thread: the environment is read by SoftHSM. */
  fixture = token_fixture_new ();

  g_test_add_func ("/token/logs/skipped-certificate-label", test_skipped_certificate_label);
  g_test_add_func ("/token/logs/token-presence-label", test_token_presence_label);

  status = g_test_run ();
  token_fixture_free (fixture);
  g_string_free (log_text, TRUE);
  return status;
}
