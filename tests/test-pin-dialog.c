/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The PIN dialog with NCA's GOST 2015 one-key certificate: that key signs in to eGov and signs
 * requests, so the dialog must not call it a "signing key" at sign-in (its EKU makes the
 * certificate's kind SIGN). */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tirkeu-pin-dialog.h"
#include "tirkeu-token-manager.h"
#include "tirkeu-token-private.h"
#include "test-token-gost.h"

static GBytes *
certificate_der (X509 *certificate)
{
  unsigned char *der = NULL;
  int len = i2d_X509 (certificate, &der);
  GBytes *bytes;

  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, len);
  OPENSSL_free (der);
  return bytes;
}

static void
test_pin_dialog_gost_one_key (void)
{
  g_autoptr(GostIdentity) ca = gost_identity_new (NULL, "/C=KZ/CN=GOST TEST CA", NULL, -10, 3650);
  g_autoptr(GostIdentity) seller = gost_identity_new (ca, "/CN=ИВАНОВ ИВАН/SN=ИВАНОВ"
                                                          "/serialNumber=IIN850304300128/C=KZ"
                                                          "/O=ТОО ТИРКЕУ АВТО ТЕСТ/OU=BIN940140000385",
                                                      "emailProtection,1.2.398.3.3.4.1.2,"
                                                      "1.2.398.3.3.4.1.2.1",
                                                      -1, 365);
  g_autoptr(GBytes) der = certificate_der (seller->certificate);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuCertificate) certificate = tirkeu_certificate_new_from_der (der, &error);
  TirkeuPinDialog *dialog;
  const char *text;

  g_assert_no_error (error);
  /* the premise: one key, which the kind alone would file under SIGN only */
  g_assert_true (tirkeu_certificate_is_one_key (certificate));
  g_assert_true (tirkeu_certificate_serves (certificate, TIRKEU_CERTIFICATE_KIND_AUTH));
  g_assert_cmpint (tirkeu_certificate_get_kind (certificate), ==, TIRKEU_CERTIFICATE_KIND_SIGN);

  dialog = tirkeu_pin_dialog_new (NULL, NULL, certificate, "—");
  g_object_ref_sink (dialog);
  text = tirkeu_pin_dialog_get_certificate_text (dialog);
  g_assert_nonnull (strstr (text, "ИВАНОВ ИВАН"));
  g_assert_nonnull (strstr (text, "Key for sign-in and signing (GOST 2015)"));
  g_assert_null (strstr (text, "Signing key (SIGN)"));
  g_assert_null (strstr (text, "Authentication key (AUTH)"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

/* An NCA key file has a password, not a PIN: the dialog asks for the key file's password and
 * names the file, not a token. */
static void
test_pin_dialog_key_file (void)
{
  g_autoptr(TirkeuTokenInfo) token = _tirkeu_token_info_new ("GOST512_TEST.p12", "NCA", "key file",
                                                             "keyfile-0001", TIRKEU_PIN_FLAGS_NONE);
  g_autoptr(TirkeuTokenInfo) kaztoken = _tirkeu_token_info_new ("Kaztoken", "NCA", "KT", "0001",
                                                                TIRKEU_PIN_FLAGS_NONE);
  TirkeuPinDialog *dialog;
  const char *text;

  _tirkeu_token_info_set_kind (token, TIRKEU_TOKEN_KIND_KEY_FILE);
  dialog = tirkeu_pin_dialog_new (NULL, token, NULL, "—");
  g_object_ref_sink (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Enter the Key File’s Password");
  text = tirkeu_pin_dialog_get_certificate_text (dialog);
  g_assert_nonnull (strstr (text, "Key file: GOST512_TEST.p12"));
  g_assert_null (strstr (text, "Token:"));
  g_assert_cmpstr (adw_message_dialog_get_response_label (ADW_MESSAGE_DIALOG (dialog), "sign"),
                   ==, "_Sign");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);

  /* a key file that is only being opened: its password opens it, nothing is signed */
  dialog = tirkeu_pin_dialog_new_for_key_file (NULL, "GOST512_TEST.p12", "—");
  g_object_ref_sink (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Enter the Key File’s Password");
  g_assert_cmpstr (adw_message_dialog_get_response_label (ADW_MESSAGE_DIALOG (dialog), "sign"),
                   ==, "_Open");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);

  /* a token keeps its PIN */
  dialog = tirkeu_pin_dialog_new (NULL, kaztoken, NULL, "—");
  g_object_ref_sink (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Enter the Token’s PIN");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

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

/* The token as listed now: its PIN flags are a snapshot. */
static TirkeuTokenInfo *
token_now (TirkeuTokenManager *manager)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_token_manager_list_tokens_async (manager, NULL, store_result_cb, &result);
  tokens = tirkeu_token_manager_list_tokens_finish (manager, wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tokens->len, ==, 1);
  return g_object_ref (g_ptr_array_index (tokens, 0));
}

/* Signs with @pin; returns the refusal. */
static GError *
sign_refused (TirkeuTokenManager *manager,
              TirkeuTokenInfo    *token,
              TirkeuCertificate  *certificate,
              const char         *pin)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("challenge", 9);
  g_autoptr(GBytes) signature = NULL;
  GError *error = NULL;

  tirkeu_token_manager_sign_async (manager, tirkeu_token_info_get_serial (token),
                                   tirkeu_certificate_get_id (certificate),
                                   TIRKEU_SIGN_PURPOSE_SIGN_IN, NULL, pin, content, NULL,
                                   store_result_cb, &result);
  signature = tirkeu_token_manager_sign_finish (manager, wait_for_result (&result), &error);
  g_assert_null (signature);
  g_assert_nonnull (error);
  return error;
}

/* The dialog asked again after @refusal, as the sign-in page and the new-request flow ask it:
 * the token listed again, the refusal set. Returns what it shows. */
static char *
asked_again (TirkeuTokenManager *manager,
             TirkeuCertificate  *certificate,
             const GError       *refusal)
{
  g_autoptr(TirkeuTokenInfo) token = token_now (manager);
  TirkeuPinDialog *dialog = tirkeu_pin_dialog_new (NULL, token, certificate, "—");
  char *shown;

  g_object_ref_sink (dialog);
  tirkeu_pin_dialog_set_error (dialog, refusal->message);
  /* one message: the refusal carries the tries left; no second line says them again */
  g_assert_cmpstr (tirkeu_pin_dialog_get_pin_state (dialog), ==, "");
  shown = g_strdup (tirkeu_pin_dialog_get_error (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  return shown;
}

/* A token that counts wrong PINs (tests/gost-pkcs11-module.c with pin-tries=3): each wrong PIN
 * is one message in the signing agent's words with what the token tells of the tries left
 * (few, then one), never that and the token's own warning stacked; at none the PIN is locked
 * and cannot be typed. */
static void
test_pin_dialog_tries_left (void)
{
  g_autoptr(GostIdentity) ca = gost_identity_new (NULL, "/C=KZ/CN=GOST TEST CA", NULL, -10, 3650);
  g_autoptr(GostIdentity) seller = gost_identity_new (ca, "/CN=ИВАНОВ ИВАН/SN=ИВАНОВ"
                                                          "/serialNumber=IIN850304300128/C=KZ"
                                                          "/O=ТОО ТИРКЕУ АВТО ТЕСТ/OU=BIN940140000385",
                                                      "emailProtection,1.2.398.3.3.4.1.2,"
                                                      "1.2.398.3.3.4.1.2.1",
                                                      -1, 365);
  g_autofree char *module = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "tests",
                                              "tirkeu-test-gost-pkcs11.so", NULL);
  g_autofree char *dir = NULL;
  g_autoptr(TirkeuTokenManager) manager = NULL;
  g_autoptr(TirkeuTokenInfo) token = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuCertificate *certificate;
  TirkeuPinDialog *dialog;

  dir = g_dir_make_tmp ("tirkeu-pin-dialog-XXXXXX", &error);
  g_assert_no_error (error);
  gost_write_token_config (seller, dir, "Qwerty12", "pin-tries=3\n");
  manager = tirkeu_token_manager_new (module);
  tirkeu_token_manager_set_poll_interval (manager, 0);
  tirkeu_token_manager_load_async (manager, NULL, store_result_cb, &result);
  g_assert_true (tirkeu_token_manager_load_finish (manager, wait_for_result (&result), &error));
  g_clear_object (&result);
  token = token_now (manager);
  g_assert_cmpint (tirkeu_token_info_get_pin_flags (token), ==, TIRKEU_PIN_FLAGS_NONE);
  tirkeu_token_manager_list_certificates_async (manager, tirkeu_token_info_get_serial (token),
                                                NULL, store_result_cb, &result);
  certificates = tirkeu_token_manager_list_certificates_finish (manager,
                                                                wait_for_result (&result),
                                                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (certificates->len, ==, 1);
  certificate = g_ptr_array_index (certificates, 0);

  {
    g_autoptr(GError) refusal = sign_refused (manager, token, certificate, "1111");
    g_autofree char *shown = NULL;

    g_assert_error (refusal, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_COUNT_LOW);
    shown = asked_again (manager, certificate, refusal);
    g_assert_cmpstr (shown, ==, "Incorrect password. Few attempts left");
  }
  {
    g_autoptr(GError) refusal = sign_refused (manager, token, certificate, "2222");
    g_autofree char *shown = NULL;

    g_assert_error (refusal, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY);
    shown = asked_again (manager, certificate, refusal);
    g_assert_cmpstr (shown, ==, "Incorrect password. Attempts left: 1");
  }
  {
    g_autoptr(GError) refusal = sign_refused (manager, token, certificate, "3333");
    g_autoptr(TirkeuTokenInfo) locked = NULL;

    g_assert_error (refusal, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_LOCKED);
    g_assert_false (tirkeu_token_error_is_wrong_pin (refusal));
    /* not asked again; a dialog opened on a locked token says so and takes no PIN */
    locked = token_now (manager);
    dialog = tirkeu_pin_dialog_new (NULL, locked, certificate, "—");
    g_object_ref_sink (dialog);
    g_assert_nonnull (strstr (tirkeu_pin_dialog_get_pin_state (dialog), "locked"));
    g_assert_false (gtk_widget_get_sensitive (tirkeu_pin_dialog_get_entry (dialog)));
    g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "sign"));
    gtk_window_destroy (GTK_WINDOW (dialog));
    g_object_unref (dialog);
  }

  g_clear_object (&manager);
  {
    g_autoptr(GSubprocess) rm = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "rm", "-rf",
                                                  dir, NULL);
    g_subprocess_wait (rm, NULL, NULL);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  adw_init ();
  g_test_add_func ("/ui/pin-dialog/gost-one-key", test_pin_dialog_gost_one_key);
  g_test_add_func ("/ui/pin-dialog/key-file", test_pin_dialog_key_file);
  g_test_add_func ("/ui/pin-dialog/tries-left", test_pin_dialog_tries_left);
  return g_test_run ();
}
