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
