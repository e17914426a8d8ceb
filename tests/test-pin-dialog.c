/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The PIN dialog with NCA's GOST 2015 one-key certificate: that key signs in to eGov and signs
 * requests, so the dialog must not call it a "signing key" at sign-in (its EKU makes the
 * certificate's kind SIGN). */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tirkeu-pin-dialog.h"
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

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  adw_init ();
  g_test_add_func ("/ui/pin-dialog/gost-one-key", test_pin_dialog_gost_one_key);
  g_test_add_func ("/ui/pin-dialog/key-file", test_pin_dialog_key_file);
  return g_test_run ();
}
