/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The CLI's shared option handling and secret reader, in-process: a secret's buffer is
 * excluded from core dumps and refuses a NUL byte; --ca-file is made absolute and becomes
 * all the process trusts (so that GIO never loads the system bundle); plain http is a usage
 * error.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tirkeu-cli.h"
#include "tirkeu-cli-error.h"

/* The VmFlags of the mapping that holds @address, from /proc/self/smaps. */
static char *
vm_flags_of (gconstpointer address)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean inside = FALSE;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end;
      char *dash;

      if (g_ascii_isxdigit (lines[i][0]) && (dash = strchr (lines[i], '-')) != NULL &&
          strchr (lines[i], ' ') > dash)
        {
          start = g_ascii_strtoull (lines[i], NULL, 16);
          end = g_ascii_strtoull (dash + 1, NULL, 16);
          inside = (guint64) (gsize) address >= start && (guint64) (gsize) address < end;
        }
      else if (inside && g_str_has_prefix (lines[i], "VmFlags:"))
        return g_strdup (lines[i] + strlen ("VmFlags:"));
    }

  return NULL;
}

static int
pipe_with (const char *bytes,
           gsize       len)
{
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (write (fds[1], bytes, len), ==, (gssize) len);
  close (fds[1]);
  return fds[0];
}

static void
test_secret_buffer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuCliPin) pin = NULL;
  g_autofree char *flags = NULL;
  int fd = pipe_with ("2468\nrest", 9);

  pin = tirkeu_cli_read_secret (fd, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pin, ==, "2468");
  /* nothing after the newline was read */
  {
    char rest[8] = { 0 };

    g_assert_cmpint (read (fd, rest, sizeof rest), ==, 4);
    g_assert_cmpstr (rest, ==, "rest");
  }
  close (fd);

  /* "dd": do not dump; the buffer starts a page of its own */
  flags = vm_flags_of (pin);
  g_test_message ("VmFlags:%s", flags);
  g_assert_nonnull (flags);
  g_assert_nonnull (strstr (flags, " dd"));
  g_assert_cmpuint ((gsize) pin % (gsize) sysconf (_SC_PAGESIZE), ==, 0);
}

static void
test_secret_nul (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuCliPin) pin = NULL;
  int fd = pipe_with ("12\00034\n", 6);

  pin = tirkeu_cli_read_secret (fd, NULL, &error);
  g_assert_null (pin);
  g_assert_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_PIN);
  close (fd);
}

static gboolean
parse (TirkeuCliOptions  *options,
       const char        *first,
       const char        *second,
       GError           **error)
{
  char *args[] = { (char *) "tirkeu-cli", (char *) first, (char *) second,
                   (char *) "check-vin", NULL };
  char **argv = args;
  int argc = 4;

  return tirkeu_cli_parse_global (options, &argc, &argv, error);
}

static void
test_ca_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tirkeu-cli-options-XXXXXX", &error);
  g_autofree char *previous = g_get_current_dir ();
  g_autofree char *pem = NULL;
  g_autofree char *command = NULL;
  g_autofree char *anchors = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  TirkeuCliOptions options;

  g_assert_no_error (error);
  pem = g_build_filename (dir, "portal-ca.pem", NULL);
  command = g_strdup_printf ("openssl req -x509 -newkey ec -pkeyopt "
                             "ec_paramgen_curve:prime256v1 -nodes -keyout /dev/null -out %s "
                             "-days 2 -subj /CN=Options-CA", pem);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_chdir (dir), ==, 0);
  tirkeu_cli_options_init (&options);
  g_assert_true (parse (&options, "--ca-file", "portal-ca.pem", &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chdir (previous), ==, 0);

  /* absolute, so that it still names the file wherever it is opened from */
  g_assert_cmpstr (options.ca_file, ==, pem);

  /* the default database is that file alone: GIO never builds the system one */
  database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  g_assert_true (G_IS_TLS_FILE_DATABASE (database));
  g_object_get (database, "anchors", &anchors, NULL);
  g_assert_cmpstr (anchors, ==, pem);

  tirkeu_cli_options_clear (&options);
  g_remove (pem);
  g_rmdir (dir);
}

static void
test_http_url (void)
{
  g_autoptr(GError) error = NULL;
  TirkeuCliOptions options;

  tirkeu_cli_options_init (&options);
  g_assert_false (parse (&options, "--portal-url", "http://127.0.0.1:8443", &error));
  g_assert_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE);
  g_assert_cmpint (tirkeu_cli_exit_for_error (error), ==, TIRKEU_CLI_EXIT_USAGE);
  tirkeu_cli_options_clear (&options);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/options/secret-buffer", test_secret_buffer);
  g_test_add_func ("/cli/options/secret-nul", test_secret_nul);
  g_test_add_func ("/cli/options/ca-file", test_ca_file);
  g_test_add_func ("/cli/options/http-url", test_http_url);

  return g_test_run ();
}
