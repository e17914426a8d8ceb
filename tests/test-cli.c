/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

/* Runs the built tirkeu-cli as a user would, and asserts its output and exit status. */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static char *
cli_path (void)
{
  const char *build_root = g_getenv ("TIRKEU_BUILD_ROOT");

  g_assert_nonnull (build_root);
  return g_build_filename (build_root, "src", "cli", "tirkeu-cli", NULL);
}

static void
run_cli (Run *run,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, cli_path ());
  va_start (ap, run);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_newv ((const char * const *) args->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static void
test_help_lists_commands (void)
{
  g_auto(Run) run = { 0 };

  run_cli (&run, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  for (const char *const *name = (const char *const[]) { "check-iin", "check-bin", "check-vin",
                                                          "help", "--json", "--language",
                                                          "--portal-url", "--ca-file",
                                                          "--pkcs11-module", "--pin-fd",
                                                          NULL };
       *name != NULL; name++)
    g_assert_nonnull (strstr (run.out, *name));
}

static void
test_help_command (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) own = { 0 };

  run_cli (&run, "help", "check-vin", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "check-vin VIN"));

  run_cli (&own, "check-iin", "--help", NULL);
  g_assert_cmpint (own.status, ==, 0);
  g_assert_nonnull (strstr (own.out, "check-iin IIN"));
}

static void
test_usage_errors (void)
{
  const struct { const char *args[4]; const char *message; } cases[] = {
    { { NULL }, "No command given" },
    { { "frobnicate", NULL }, "Unknown command “frobnicate”" },
    { { "--bogus", "check-iin", "940140000385", NULL }, "Unknown option --bogus" },
    { { "check-iin", "--bogus", "940140000385", NULL }, "Unknown option --bogus" },
    { { "check-iin", NULL }, "Usage: tirkeu-cli check-iin IIN" },
    { { "check-bin", "1", "2", NULL }, "Usage: tirkeu-cli check-bin BIN" },
    { { "check-vin", NULL }, "Usage: tirkeu-cli check-vin VIN" },
    { { "--pin-fd", "-5", "help", NULL }, "--pin-fd" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_cli (&run, cases[i].args[0], cases[i].args[1], cases[i].args[2], cases[i].args[3],
               NULL);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, cases[i].message));
      g_assert_cmpstr (run.out, ==, "");
    }
}

static void
test_check_iin_text (void)
{
  g_auto(Run) valid = { 0 };
  g_auto(Run) hinted = { 0 };
  g_auto(Run) invalid = { 0 };
  g_auto(Run) letter = { 0 };

  run_cli (&valid, "check-iin", "9401 4000 0385", NULL);
  g_assert_cmpint (valid.status, ==, 0);
  g_assert_nonnull (strstr (valid.out, "Valid IIN: 940140000385"));

  /* 900101 3 0001 + check digit 7: born 1990-01-01, 20th century, male; dates as written
   * in Kazakhstan, the century in Roman numerals */
  run_cli (&hinted, "check-iin", "900101300017", NULL);
  g_assert_cmpint (hinted.status, ==, 0);
  g_assert_nonnull (strstr (hinted.out, "01.01.1990"));
  g_assert_null (strstr (hinted.out, "1990-01-01"));
  g_assert_nonnull (strstr (hinted.out, "Born in the XX century"));
  g_assert_nonnull (strstr (hinted.out, "male"));

  run_cli (&invalid, "check-iin", "123456789021", NULL);
  g_assert_cmpint (invalid.status, ==, 1);
  g_assert_nonnull (strstr (invalid.out, "Invalid IIN"));
  g_assert_nonnull (strstr (invalid.out, "check digit"));

  run_cli (&letter, "check-iin", "94014000O385", NULL);
  g_assert_cmpint (letter.status, ==, 1);
  g_assert_nonnull (strstr (letter.out, "Character 9"));
}

static void
test_check_iin_json (void)
{
  g_auto(Run) valid = { 0 };
  g_auto(Run) invalid = { 0 };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonObject) error_object = NULL;
  JsonObject *hints;

  run_cli (&valid, "--json", "check-iin", "900101300017", NULL);
  g_assert_cmpint (valid.status, ==, 0);
  object = parse_object (valid.out);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "iin");
  g_assert_true (json_object_get_boolean_member (object, "valid"));
  g_assert_cmpstr (json_object_get_string_member (object, "iin"), ==, "900101300017");
  g_assert_cmpstr (json_object_get_string_member (object, "masked"), ==, "900101******");
  hints = json_object_get_object_member (object, "hints");
  g_assert_cmpstr (json_object_get_string_member (hints, "birth_date"), ==, "1990-01-01");
  g_assert_cmpint (json_object_get_int_member (hints, "century"), ==, 1900);
  g_assert_cmpstr (json_object_get_string_member (hints, "sex"), ==, "male");

  /* --json after the command name works too */
  run_cli (&invalid, "check-iin", "650926683190", "--json", NULL);
  g_assert_cmpint (invalid.status, ==, 1);
  error_object = parse_object (invalid.out);
  g_assert_false (json_object_get_boolean_member (error_object, "valid"));
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (error_object, "error"), "code"),
                   ==, "never-issued");
}

static void
test_check_bin (void)
{
  g_auto(Run) text = { 0 };
  g_auto(Run) json = { 0 };
  g_auto(Run) invalid = { 0 };
  g_autoptr(JsonObject) object = NULL;
  JsonObject *hints;

  run_cli (&text, "check-bin", "940140000385", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "Valid BIN: 940140000385"));
  g_assert_nonnull (strstr (text.out, "Registered (a hint): 01.1994"));
  g_assert_nonnull (strstr (text.out, "resident legal entity"));
  g_assert_nonnull (strstr (text.out, "head office"));

  run_cli (&json, "--json", "check-bin", "940140000385", NULL);
  g_assert_cmpint (json.status, ==, 0);
  object = parse_object (json.out);
  hints = json_object_get_object_member (object, "hints");
  g_assert_cmpstr (json_object_get_string_member (hints, "registered"), ==, "1994-01");
  g_assert_cmpstr (json_object_get_string_member (hints, "entity"), ==, "resident");
  g_assert_cmpstr (json_object_get_string_member (hints, "office"), ==, "head-office");

  run_cli (&invalid, "check-bin", "94014000038", NULL);
  g_assert_cmpint (invalid.status, ==, 1);
  g_assert_nonnull (strstr (invalid.out, "Invalid BIN"));
  g_assert_nonnull (strstr (invalid.out, "12 digits"));
}

static void
test_check_vin (void)
{
  g_auto(Run) scan = { 0 };
  g_auto(Run) europe = { 0 };
  g_auto(Run) america = { 0 };
  g_auto(Run) letter = { 0 };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonObject) warned = NULL;

  run_cli (&scan, "--json", "check-vin", "I1M8GDM9AXKP042788", NULL);
  g_assert_cmpint (scan.status, ==, 0);
  object = parse_object (scan.out);
  g_assert_cmpstr (json_object_get_string_member (object, "vin"), ==, "1M8GDM9AXKP042788");
  g_assert_cmpstr (json_object_get_string_member (object, "country_code"), ==, "US");
  g_assert_cmpstr (json_object_get_string_member (object, "region"), ==, "north-america");
  g_assert_cmpint (json_object_get_int_member (object, "model_year"), ==, 1989);
  g_assert_true (json_object_get_null_member (object, "warning"));

  run_cli (&europe, "--json", "check-vin", "wvwzzz1jzxw000001", NULL);
  g_assert_cmpint (europe.status, ==, 0);
  warned = parse_object (europe.out);
  g_assert_cmpstr (json_object_get_string_member (warned, "manufacturer"), ==, "Volkswagen");
  g_assert_nonnull (strstr (json_object_get_string_member (warned, "warning"), "advisory"));

  run_cli (&america, "check-vin", "1M8GDM9A1KP042788", NULL);
  g_assert_cmpint (america.status, ==, 1);
  g_assert_nonnull (strstr (america.out, "Invalid VIN"));
  g_assert_nonnull (strstr (america.out, "character 9"));

  run_cli (&letter, "check-vin", "WVWZZZ1JZXW00O001", NULL);
  g_assert_cmpint (letter.status, ==, 1);
  g_assert_nonnull (strstr (letter.out, "Character 14"));
  g_assert_nonnull (strstr (letter.out, "“O”"));
}

/* kk and ru catalogues arrive with the translation pass: until then the option must be
 * accepted, wherever it is written, and the command must still work. */
static void
test_language_accepted (void)
{
  const char *forms[][3] = {
    { "--language", "kk", "check-iin" },
    { "--language", "ru", "check-iin" },
    { "--language=kk", "check-iin", NULL },
    { "--language", "en", "check-iin" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_auto(Run) run = { 0 };

      if (forms[i][2] != NULL)
        run_cli (&run, forms[i][0], forms[i][1], forms[i][2], "940140000385", NULL);
      else
        run_cli (&run, forms[i][0], forms[i][1], "940140000385", NULL);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_nonnull (strstr (run.out, "940140000385"));
    }

  {
    g_auto(Run) after = { 0 };

    run_cli (&after, "check-iin", "940140000385", "--language", "ru", NULL);
    g_assert_cmpint (after.status, ==, 0);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* sign: what it reads and where it writes                                                    */

/* `sign -o` replaces its output: a device node or a FIFO would have been replaced by a plain
 * file (as root, /dev/null itself). Refused before anything is read or asked, exit 2. */
static void
test_sign_output_not_a_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tirkeu-cli-sign-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "pipe", NULL);
  g_autofree char *document = g_build_filename (dir, "contract.txt", NULL);
  g_autofree char *key_file = g_build_filename (dir, "absent.p12", NULL);
  const char *outputs[] = { "/dev/null", fifo, dir };
  GStatBuf info;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_true (g_file_set_contents (document, "a sale-purchase contract", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_auto(Run) run = { 0 };

      run_cli (&run, "--key-file", key_file, "sign", "-o", outputs[i], document, NULL);
      g_test_message ("-o %s: exit %d: %s", outputs[i], run.status, run.err);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, "The signature cannot be written to"));
    }
  /* untouched */
  g_assert_cmpint (g_stat (fifo, &info), ==, 0);
  g_assert_true (S_ISFIFO (info.st_mode));
  g_assert_cmpint (g_stat ("/dev/null", &info), ==, 0);
  g_assert_true (S_ISCHR (info.st_mode));

  g_remove (fifo);
  g_remove (document);
  g_rmdir (dir);
}

/* What `sign` cannot read is said before anything is asked, exit 2: a folder, a file that
 * is not there, standard input ("-") with no -o for the signature, or standard input asked
 * for both the PIN and the document. (A missing file used to end as an internal error, exit
 * 5, in GIO's words; a document of any size is now read a block at a time, see
 * /token/cli/sign/stream-fifo in test-token-cli.) */
static void
test_sign_input_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tirkeu-cli-sign-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.pdf", NULL);
  g_autofree char *output = g_build_filename (dir, "out.cms", NULL);
  g_autofree char *key_file = g_build_filename (dir, "absent.p12", NULL);
  g_auto(Run) folder = { 0 };
  g_auto(Run) absent = { 0 };
  g_auto(Run) stdin_no_output = { 0 };
  g_auto(Run) stdin_pin = { 0 };

  run_cli (&folder, "--key-file", key_file, "sign", "-o", output, dir, NULL);
  g_test_message ("folder: exit %d: %s", folder.status, folder.err);
  g_assert_cmpint (folder.status, ==, 2);
  g_assert_nonnull (strstr (folder.err, "is a folder: give a file to sign"));

  run_cli (&absent, "--key-file", key_file, "sign", "-o", output, missing, NULL);
  g_test_message ("missing: exit %d: %s", absent.status, absent.err);
  g_assert_cmpint (absent.status, ==, 2);
  g_assert_nonnull (strstr (absent.err, "Cannot read"));
  g_assert_nonnull (strstr (absent.err, "No such file or directory"));

  run_cli (&stdin_no_output, "--key-file", key_file, "sign", "-", NULL);
  g_assert_cmpint (stdin_no_output.status, ==, 2);
  g_assert_nonnull (strstr (stdin_no_output.err, "needs -o OUT"));
  g_assert_false (g_file_test ("-.cms", G_FILE_TEST_EXISTS));

  run_cli (&stdin_pin, "--key-file", key_file, "--pin-fd", "0", "sign", "-o", output, "-",
           NULL);
  g_assert_cmpint (stdin_pin.status, ==, 2);
  g_assert_nonnull (strstr (stdin_pin.err, "cannot both be read from standard input"));

  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/help-lists-commands", test_help_lists_commands);
  g_test_add_func ("/cli/help-command", test_help_command);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/check-iin-text", test_check_iin_text);
  g_test_add_func ("/cli/check-iin-json", test_check_iin_json);
  g_test_add_func ("/cli/check-bin", test_check_bin);
  g_test_add_func ("/cli/check-vin", test_check_vin);
  g_test_add_func ("/cli/language-accepted", test_language_accepted);
  g_test_add_func ("/cli/sign/output-not-a-file", test_sign_output_not_a_file);
  g_test_add_func ("/cli/sign/input-refused", test_sign_input_refused);

  return g_test_run ();
}
