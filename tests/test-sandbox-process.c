/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The built tirkeu-sandbox as a program: it prints one line of JSON {url, ca_file}, answers
 * over HTTPS, `tirkeu-sandbox buyer ...` plays the buyer through it, and SIGTERM ends it with
 * exit status 0, its state saved.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "test-sandbox-util.h"

static char *
program_path (void)
{
  const char *build_root = g_getenv ("TIRKEU_BUILD_ROOT");

  g_assert_nonnull (build_root);

  return g_build_filename (build_root, "src", "sandbox", "tirkeu-sandbox", NULL);
}

typedef struct
{
  GPid pid;
  int status;
  gboolean exited;
} Child;

static void
child_exited_cb (GPid     pid,
                 int      status,
                 gpointer user_data)
{
  Child *child = user_data;

  child->status = status;
  child->exited = TRUE;
  g_spawn_close_pid (pid);
}

static int
run_buyer (const char  *program,
           const char  *action,
           const char  *id,
           const char  *state_dir,
           char       **out)
{
  const char *argv[] = { program, "buyer", action, id, "--state-dir", state_dir, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  /* Synchronous spawn while the sandbox runs in another process: nothing here must answer. */
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));

  return WEXITSTATUS (status);
}

static void
test_process (void)
{
  g_autofree char *program = program_path ();
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = sb_make_tmp_dir ("tirkeu-sandbox-process-XXXXXX", &error);
  g_autofree char *server_file = g_build_filename (state_dir, "server.json", NULL);
  const char *argv[] = {
    program, "--listen", "127.0.0.1:0", "--state-dir", state_dir, "--signer-ca",
    sb_signer_ca_file (), "--buyer", "manual", "--buyer-step-ms", "100000", NULL,
  };
  int out_fd;
  Child child = { 0 };
  GIOChannel *channel;
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *announced;
  SbFixture sb = { 0 };
  g_autoptr(SbAnswer) about = NULL;
  g_autofree char *token = NULL;
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) signed_request = NULL;
  g_autofree char *approved = NULL;
  g_autofree char *refused = NULL;
  g_autoptr(JsonParser) approved_parser = json_parser_new ();
  gint64 deadline;

  g_assert_no_error (error);
  g_assert_true (g_file_test (program, G_FILE_TEST_IS_EXECUTABLE));
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &child.pid,
                                           NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);
  g_child_watch_add (child.pid, child_exited_cb, &child);

  /* The first line of stdout, and only JSON on it. */
  channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  g_assert_cmpint (g_io_channel_read_line (channel, &line, NULL, NULL, &error), ==,
                   G_IO_STATUS_NORMAL);
  g_assert_no_error (error);
  g_io_channel_unref (channel);
  g_assert_nonnull (line);
  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  g_assert_no_error (error);
  announced = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (announced, "url"),
                                   "https://127.0.0.1:"));
  g_assert_true (g_file_test (json_object_get_string_member (announced, "ca_file"),
                              G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (server_file, G_FILE_TEST_IS_REGULAR));

  /* One HTTPS answer, through the announced CA only. */
  sb.url = json_object_get_string_member (announced, "url");
  sb.session = sb_session_new (json_object_get_string_member (announced, "ca_file"));
  about = sb_call (sb.session, sb.url, "GET", "/api/v1/about", NULL, NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (about, 200), "environment"), ==,
                   "sandbox");

  /* A request signed by the seller, then the buyer's approval from the command line. */
  token = sb_sign_in (&sb, "auth");
  id = sb_create_request (&sb, token, VIN_OK, BUYER_IIN, CONTRACT_OK, "process-1");
  signed_request = sb_submit_signature (&sb, token, id);
  g_assert_cmpint (run_buyer (program, "approve", id, state_dir, &approved), ==, 0);
  g_assert_true (json_parser_load_from_data (approved_parser, approved, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (
                     json_parser_get_root (approved_parser)), "stage"), ==, "buyer_approved");
  /* Declining an approved request is refused (exit 1), and so is an unknown id. */
  g_assert_cmpint (run_buyer (program, "decline", id, state_dir, NULL), ==, 1);
  g_assert_cmpint (run_buyer (program, "approve", "no-such-id", state_dir, &refused), ==, 1);
  g_assert_cmpint (run_buyer (program, "dance", id, state_dir, NULL), ==, 2);

  g_clear_object (&sb.session);
  kill (child.pid, SIGTERM);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!child.exited && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (child.exited);
  g_assert_true (g_spawn_check_wait_status (child.status, &error));
  g_assert_no_error (error);

  /* It said goodbye: server.json gone, the state kept. */
  g_assert_false (g_file_test (server_file, G_FILE_TEST_EXISTS));
  {
    g_autofree char *state_file = g_build_filename (state_dir, "state.json", NULL);
    g_autofree char *state = NULL;

    g_assert_true (g_file_get_contents (state_file, &state, NULL, NULL));
    g_assert_nonnull (strstr (state, id));
    g_assert_nonnull (strstr (state, "buyer_approved"));
  }

  /* Without a running sandbox, the buyer command says so (exit 3). */
  g_assert_cmpint (run_buyer (program, "approve", id, state_dir, NULL), ==, 3);
}

static void
test_bad_options (void)
{
  g_autofree char *program = program_path ();
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = sb_make_tmp_dir ("tirkeu-sandbox-options-XXXXXX", &error);
  const char *argv[] = { program, "--listen", "not-an-address", "--state-dir", state_dir, NULL };
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL
                               | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                               &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);

  {
    const char *missing[] = { argv[0], "--fixtures", "/nonexistent/fixtures.json",
                              "--state-dir", state_dir, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) missing, NULL, G_SPAWN_STDOUT_TO_DEV_NULL
                                 | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                                 &error));
    g_assert_no_error (error);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sandbox/process/serve-and-terminate", test_process);
  g_test_add_func ("/sandbox/process/bad-options", test_bad_options);

  return g_test_run ();
}
