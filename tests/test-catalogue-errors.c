/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-error.h"
#include "tirkeu-i18n.h"

/* Every error of the libraries under the app gets the catalogue's sentence by domain and code,
 * never by its (English) message. Domains above core are named by their quark strings, as
 * GLib, libsoup and json-glib register them (a rename there would silently fall back to the
 * general sentence: this table would then fail). */

typedef struct
{
  const char *domain;     /* quark string */
  int         code;
  const char *title;      /* expected, English; NULL: the caller words it */
  gboolean    has_action;
} ErrorCase;

static const ErrorCase cases[] = {
  { "g-io-error-quark", G_IO_ERROR_CONNECTION_REFUSED, "No connection", TRUE },
  { "g-io-error-quark", G_IO_ERROR_NETWORK_UNREACHABLE, "No connection", TRUE },
  { "g-io-error-quark", G_IO_ERROR_BROKEN_PIPE, "No connection", TRUE },
  { "g-io-error-quark", G_IO_ERROR_PROXY_FAILED, "No connection", TRUE },
  { "g-io-error-quark", G_IO_ERROR_TIMED_OUT, "No answer in time", TRUE },
  { "g-io-error-quark", G_IO_ERROR_HOST_NOT_FOUND, "Address not found", TRUE },
  { "g-io-error-quark", G_IO_ERROR_CANCELLED, "Cancelled", FALSE },
  { "g-io-error-quark", G_IO_ERROR_NOT_FOUND, "File not found", TRUE },
  { "g-io-error-quark", G_IO_ERROR_PERMISSION_DENIED, "No access to the file", TRUE },
  { "g-io-error-quark", G_IO_ERROR_NO_SPACE, "The disk is full", TRUE },
  { "g-io-error-quark", G_IO_ERROR_IS_DIRECTORY, "The file could not be used", TRUE },
  { "g-io-error-quark", G_IO_ERROR_INVALID_DATA, "Unreadable answer", TRUE },
  { "g-io-error-quark", G_IO_ERROR_FAILED, "Something went wrong", TRUE },
  { "g-resolver-error-quark", G_RESOLVER_ERROR_NOT_FOUND, "Address not found", TRUE },
  { "g-resolver-error-quark", G_RESOLVER_ERROR_TEMPORARY_FAILURE, "Address not found", TRUE },
  /* GnuTLS through GIO */
  { "g-tls-error-quark", G_TLS_ERROR_BAD_CERTIFICATE, "Connection not secure", TRUE },
  { "g-tls-error-quark", G_TLS_ERROR_HANDSHAKE, "Connection not secure", TRUE },
  { "g-tls-error-quark", G_TLS_ERROR_NOT_TLS, "Connection not secure", TRUE },
  { "g-tls-error-quark", G_TLS_ERROR_EOF, "No connection", TRUE },
  /* libsoup's SOUP_SESSION_ERROR_PARSING, json-glib's JSON_PARSER_ERROR_INVALID_BAREWORD */
  { "soup-session-error-quark", 0, "Unreadable answer", TRUE },
  { "json-parser-error-quark", 3, "Unreadable answer", TRUE },
  { "json-reader-error-quark", 0, "Unreadable answer", TRUE },
  { "g-file-error-quark", G_FILE_ERROR_NOENT, "File not found", TRUE },
  { "g-file-error-quark", G_FILE_ERROR_ACCES, "No access to the file", TRUE },
  { "g-file-error-quark", G_FILE_ERROR_NOSPC, "The disk is full", TRUE },
  { "g-file-error-quark", G_FILE_ERROR_ISDIR, "The file could not be used", TRUE },
  { "g-key-file-error-quark", G_KEY_FILE_ERROR_NOT_FOUND, "File not found", TRUE },
  { "g-key-file-error-quark", G_KEY_FILE_ERROR_PARSE, "The file could not be used", TRUE },
  /* the journal: TirkeuStoreError by value */
  { "tirkeu-store-error-quark", 0, "The local journal could not be opened", TRUE },
  { "tirkeu-store-error-quark", 1, "The local journal is damaged", TRUE },
  { "tirkeu-store-error-quark", 2, "The local journal is from a newer Tirkeu", TRUE },
  { "tirkeu-store-error-quark", 3, "The local journal could not be written", TRUE },
  { "tirkeu-store-error-quark", 4, "Not in the local journal", TRUE },
  { "tirkeu-store-error-quark", 5, "The local journal already has it", TRUE },
  { "tirkeu-store-error-quark", 6, "Something went wrong", TRUE },
  { "tirkeu-store-error-quark", 99, "Something went wrong", TRUE },
  /* the portal's own codes */
  { "tirkeu-portal-error-quark", TIRKEU_PORTAL_CODE_OKED_MISMATCH, "OKED does not match", TRUE },
  { "tirkeu-portal-error-quark", TIRKEU_PORTAL_CODE_TLS, "Connection not secure", TRUE },
  /* a domain nobody foresaw: the general sentence, never its message */
  { "p11-kit-error-quark", 7, "Something went wrong", TRUE },
  /* already the app's translated sentence, or the token's (src/token words those) */
  { "tirkeu-input-error-quark", TIRKEU_INPUT_ERROR_CHECK_DIGIT, NULL, FALSE },
  { "tirkeu-cli-error-quark", 0, NULL, FALSE },
  { "tirkeu-token-error-quark", 3, NULL, FALSE },
  { "g-option-context-error-quark", G_OPTION_ERROR_BAD_VALUE, NULL, FALSE },
};

static void
test_describe (gconstpointer data)
{
  const ErrorCase *c = data;
  g_autoptr(GError) error = g_error_new_literal (g_quark_from_string (c->domain), c->code,
                                                 "Some English text from a library");
  const char *title = "unset";
  const char *action = "unset";
  gboolean described = tirkeu_catalogue_describe_error (error, &title, &action);

  if (c->title == NULL)
    {
      g_assert_false (described);
      g_assert_cmpstr (title, ==, "unset");
      return;
    }

  g_assert_true (described);
  g_assert_cmpstr (title, ==, c->title);
  if (c->has_action)
    {
      g_assert_nonnull (action);
      g_assert_true (g_str_has_suffix (action, "."));
    }
  else
    g_assert_null (action);
  /* the library's text is for "Details", never the sentence */
  g_assert_null (strstr (title, "English"));
  g_assert_true (action == NULL || strstr (action, "English") == NULL);
}

static void
test_code_label (void)
{
  g_autofree char *label = tirkeu_catalogue_error_code_label ("OKED_MISMATCH");

  g_assert_cmpstr (label, ==, "Error code: OKED_MISMATCH");
}

/* What a message adds to its title, for Details: never the same sentence twice */
static void
test_details (void)
{
  static const struct { const char *title, *message, *details; } vectors[] = {
    { "Module not loaded", "Module not loaded", NULL },
    { "Module not loaded", "Module not loaded (/usr/lib/x.so)", "(/usr/lib/x.so)" },
    { "Module not loaded", "Module not loaded: dlopen failed", "dlopen failed" },
    { "Module not loaded", "Module not loaded. ", NULL },
    { "No connection", "Could not connect: Connection refused", "Could not connect: Connection refused" },
    { "No connection", NULL, NULL },
    { "No connection", "", NULL },
    { NULL, "raw", "raw" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    g_assert_cmpstr (tirkeu_catalogue_error_details (vectors[i].title, vectors[i].message), ==,
                     vectors[i].details);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tirkeu_i18n_init ("en");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/catalogue-errors/%s/%d", cases[i].domain,
                                               cases[i].code);

      g_test_add_data_func (path, &cases[i], test_describe);
    }
  g_test_add_func ("/catalogue-errors/code-label", test_code_label);
  g_test_add_func ("/catalogue-errors/details", test_details);

  return g_test_run ();
}
