/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The SoftHSM token of tests/fixtures/make-token.sh, made in a temporary directory for one
 * test program. SOFTHSM2_CONF is set before any thread starts (main() calls
 * token_fixture_new() first), so every module loaded later sees the private token only. */

#include <gio/gio.h>

typedef struct
{
  char     *dir;
  char     *label;
  char     *pin;
  char     *seller_bin;
  char     *ca_file;
  char     *module;
  GKeyFile *ini;
} TokenFixture;

static inline void
token_fixture_run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

static inline TokenFixture *
token_fixture_new (void)
{
  TokenFixture *fixture = g_new0 (TokenFixture, 1);
  g_autofree char *script = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *conf = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("tirkeu-token-XXXXXX", &error);
  g_assert_no_error (error);
  script = g_build_filename (g_getenv ("TIRKEU_SOURCE_ROOT"), "tests", "fixtures",
                             "make-token.sh", NULL);
  token_fixture_run ((const char *[]) { script, "-l", "tirkeu-test", "-p", "12345678",
                                        fixture->dir, NULL });

  conf = g_build_filename (fixture->dir, "softhsm2.conf", NULL);
  g_setenv ("SOFTHSM2_CONF", conf, TRUE);

  ini = g_build_filename (fixture->dir, "token.ini", NULL);
  fixture->ini = g_key_file_new ();
  g_key_file_load_from_file (fixture->ini, ini, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  fixture->label = g_key_file_get_string (fixture->ini, "token", "label", NULL);
  fixture->pin = g_key_file_get_string (fixture->ini, "token", "pin", NULL);
  fixture->seller_bin = g_key_file_get_string (fixture->ini, "token", "seller-bin", NULL);
  fixture->ca_file = g_key_file_get_string (fixture->ini, "token", "ca", NULL);
  fixture->module = g_key_file_get_string (fixture->ini, "token", "module", NULL);

  return fixture;
}

static inline GBytes *
token_fixture_certificate_der (TokenFixture *fixture,
                               const char   *name)
{
  g_autofree char *path = g_strdup_printf ("%s/certs/%s.pem", fixture->dir, name);
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  gsize len;
  guchar *der;

  /* One certificate per file: the base64 between the PEM armour lines is the DER. */
  g_file_get_contents (path, &pem, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (pem, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (!g_str_has_prefix (lines[i], "-----"))
      g_string_append (body, lines[i]);
  der = g_base64_decode (body->str, &len);

  return g_bytes_new_take (der, len);
}

/* Writes an RSA SIGN key marked CKA_ALWAYS_AUTHENTICATE (pkcs11-tool --always-auth), id 0a,
 * to the token, under a self-signed certificate of its own (FIXTURE_DIR/always.pem): a key
 * that needs a context-specific login before each signature, as PIV's signature key does.
 * Tests that add it remove it again, so that the token stays as make-token.sh made it. */
static inline void
token_fixture_add_always_authenticate_key (TokenFixture *fixture)
{
  g_autofree char *key = g_build_filename (fixture->dir, "always.key", NULL);
  g_autofree char *key_der = g_build_filename (fixture->dir, "always.key.der", NULL);
  g_autofree char *public_der = g_build_filename (fixture->dir, "always.pub.der", NULL);
  g_autofree char *cert_der = g_build_filename (fixture->dir, "always.der", NULL);
  g_autofree char *cert_pem = g_build_filename (fixture->dir, "always.pem", NULL);
  g_autofree char *subject = g_strdup_printf ("/CN=ИВАНОВ ИВАН/SN=ИВАНОВ/serialNumber=IIN850304300128"
                                              "/C=KZ/O=ТОО ТЕСТ/OU=BIN%s", fixture->seller_bin);
  const char *write[] = { "pkcs11-tool", "--module", fixture->module, "--token-label",
                          fixture->label, "--login", "--pin", fixture->pin, "--id", "0a",
                          "--label", "always-auth", "--write-object", NULL, "--type", NULL,
                          NULL, NULL };

  token_fixture_run ((const char *[]) { "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                                        "rsa_keygen_bits:2048", "-out", key, NULL });
  token_fixture_run ((const char *[]) { "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", key,
                                        "-outform", "DER", "-out", key_der, NULL });
  token_fixture_run ((const char *[]) { "openssl", "pkey", "-in", key, "-pubout", "-outform",
                                        "DER", "-out", public_der, NULL });
  token_fixture_run ((const char *[]) { "openssl", "req", "-x509", "-new", "-utf8", "-key", key,
                                        "-days", "30", "-subj", subject,
                                        "-addext", "keyUsage=critical,digitalSignature,nonRepudiation",
                                        "-addext", "extendedKeyUsage=emailProtection,"
                                                   "1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1",
                                        "-out", cert_pem, NULL });
  token_fixture_run ((const char *[]) { "openssl", "x509", "-in", cert_pem, "-outform", "DER",
                                        "-out", cert_der, NULL });

  write[13] = key_der;
  write[15] = "privkey";
  write[16] = "--always-auth";
  token_fixture_run (write);
  write[13] = public_der;
  write[15] = "pubkey";
  write[16] = NULL;
  token_fixture_run (write);
  write[13] = cert_der;
  write[15] = "cert";
  token_fixture_run (write);
}

static inline void
token_fixture_delete_always_authenticate_key (TokenFixture *fixture)
{
  const char *types[] = { "privkey", "pubkey", "cert" };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    token_fixture_run ((const char *[]) { "pkcs11-tool", "--module", fixture->module,
                                          "--token-label", fixture->label, "--login", "--pin",
                                          fixture->pin, "--delete-object", "--type", types[i],
                                          "--id", "0a", NULL });
}

static inline void
token_fixture_free (TokenFixture *fixture)
{
  token_fixture_run ((const char *[]) { "rm", "-rf", fixture->dir, NULL });
  g_key_file_unref (fixture->ini);
  g_free (fixture->dir);
  g_free (fixture->label);
  g_free (fixture->pin);
  g_free (fixture->seller_bin);
  g_free (fixture->ca_file);
  g_free (fixture->module);
  g_free (fixture);
}
