/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * tirkeu-cli: the command framework.
 *
 * HOW TO ADD A COMMAND (token: tirkeu-cli-token.c, portal: tirkeu-cli-portal.c)
 *
 * 1. Add ONE line to src/cli/tirkeu-cli-commands.h, in the section of your area:
 *
 *      TIRKEU_CLI_COMMAND ("tokens", tirkeu_cli_run_tokens, N_("[--all]"),
 *                          N_("List the EDS tokens and their certificates"))
 *
 *    (name as typed, run function, argument synopsis shown by --help, one-line summary).
 *    The macro both declares the run function (so -Werror=missing-declarations is satisfied
 *    in your file, which includes "tirkeu-cli.h") and adds the row to the table that
 *    tirkeu-cli --help lists and main() dispatches on. Add the line only once your function
 *    compiles: the table is compiled into every build.
 *
 * 2. Write the run function:
 *
 *      int
 *      tirkeu_cli_run_tokens (TirkeuCliOptions *options, int argc, char **argv)
 *      {
 *        gboolean all = FALSE;
 *        const GOptionEntry entries[] = {
 *          { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Also list empty slots"), NULL },
 *          G_OPTION_ENTRY_NULL
 *        };
 *        g_autoptr(GError) error = NULL;
 *
 *        if (!tirkeu_cli_parse_command (options, entries, &argc, &argv, &error))
 *          return tirkeu_cli_report_error (options, error);     // exit 2, usage
 *        if (argc != 1)                                          // argv[0] is the command
 *          return tirkeu_cli_usage_error (options, argv[0]);
 *        ...
 *        return TIRKEU_CLI_EXIT_DONE;
 *      }
 *
 *    argv[0] is the command name, then its arguments. Global options written before the
 *    command are already in @options; tirkeu_cli_parse_command() handles `--help`, the
 *    command's own @entries (may be %NULL) and global options written after the command
 *    name. Return a #TirkeuCliExit. Print results on stdout: with options->json exactly one
 *    JSON object (tirkeu_cli_print_json()), else human text; errors and prompts on stderr.
 *
 * 3. Add your .c to cli_sources in src/cli/meson.build (one line) and to po/POTFILES.in.
 *
 * gettext is initialised (with --language) before any command runs; use _() in commands
 * and N_() in the table and option entries.
 */

#include <glib.h>
#include <json-glib/json-glib.h>

#include "tirkeu-journal.h"
#include "tirkeu-session.h"

G_BEGIN_DECLS

/**
 * TirkeuCliExit:
 * @TIRKEU_CLI_EXIT_DONE: done; for checks: the value is valid
 * @TIRKEU_CLI_EXIT_REFUSED: refused or invalid (the input, or the portal said no)
 * @TIRKEU_CLI_EXIT_USAGE: bad command line (unknown command or option, missing argument)
 * @TIRKEU_CLI_EXIT_NETWORK: the portal could not be reached, or TLS failed
 * @TIRKEU_CLI_EXIT_TOKEN: the token, its module or the PIN failed
 * @TIRKEU_CLI_EXIT_INTERNAL: a bug or an unexpected failure
 *
 * The exit status of tirkeu-cli: scripts rely on these numbers, never change them.
 */
typedef enum
{
  TIRKEU_CLI_EXIT_DONE = 0,
  TIRKEU_CLI_EXIT_REFUSED = 1,
  TIRKEU_CLI_EXIT_USAGE = 2,
  TIRKEU_CLI_EXIT_NETWORK = 3,
  TIRKEU_CLI_EXIT_TOKEN = 4,
  TIRKEU_CLI_EXIT_INTERNAL = 5,
} TirkeuCliExit;

/**
 * TirkeuCliOptions:
 * @language: `--language`: "kk", "ru", "en" or "system"; %NULL when not given
 * @portal_url: `--portal-url`: base URL of the portal API; %NULL when not given
 * @ca_file: `--ca-file`: PEM file of the only CA to trust for the portal; %NULL: system CAs
 * @pkcs11_module: `--pkcs11-module`: path of the PKCS#11 module; %NULL when not given
 * @key_file: `--key-file`: an NCA key file (PKCS#12) to sign with instead of a token; its
 *   password is read as the PIN is; %NULL when not given
 * @pin_fd: `--pin-fd`: file descriptor to read the PIN from; -1: ask on the terminal
 * @json: `--json`: print one JSON object on stdout instead of text
 * @timeout_s: `--timeout`: the longest the command waits for the portal in all, its sign-in
 *   and retries included, in seconds; 0: the default
 *
 * The global options, valid before or after the command name.
 */
typedef struct
{
  char     *language;
  char     *portal_url;
  char     *ca_file;
  char     *pkcs11_module;
  char     *key_file;
  int       pin_fd;
  gboolean  json;
  int       timeout_s;
} TirkeuCliOptions;

typedef int (*TirkeuCliRunFunc) (TirkeuCliOptions *options,
                                 int               argc,
                                 char            **argv);

/**
 * TirkeuCliCommand:
 * @name: the command as typed
 * @synopsis: the arguments, for --help (untranslated N_() string)
 * @summary: one line on what it does (untranslated N_() string)
 * @run: the function that runs it
 */
typedef struct
{
  const char       *name;
  const char       *synopsis;
  const char       *summary;
  TirkeuCliRunFunc  run;
} TirkeuCliCommand;

/* Declares every run function listed in the command table. */
#define TIRKEU_CLI_COMMAND(name, run, synopsis, summary) \
  int run (TirkeuCliOptions *options, int argc, char **argv);
#include "tirkeu-cli-commands.h"
#undef TIRKEU_CLI_COMMAND

/* The table, in --help order; @n_commands receives its length. */
const TirkeuCliCommand *tirkeu_cli_get_commands        (guint             *n_commands);
const TirkeuCliCommand *tirkeu_cli_find_command        (const char        *name);

/* Options */
void                    tirkeu_cli_options_init        (TirkeuCliOptions  *options);
void                    tirkeu_cli_options_clear       (TirkeuCliOptions  *options);
const char             *tirkeu_cli_scan_language       (int                argc,
                                                        char             **argv);
gboolean                tirkeu_cli_parse_global        (TirkeuCliOptions  *options,
                                                        int               *argc,
                                                        char            ***argv,
                                                        GError           **error);
gboolean                tirkeu_cli_parse_command       (TirkeuCliOptions  *options,
                                                        const GOptionEntry *entries,
                                                        int               *argc,
                                                        char            ***argv,
                                                        GError           **error);
int                     tirkeu_cli_dispatch            (TirkeuCliOptions  *options,
                                                        int                argc,
                                                        char             **argv);

/* Output and errors */
void                    tirkeu_cli_print_json          (JsonNode          *root);
void                    tirkeu_cli_print_json_builder  (JsonBuilder       *builder);
void                    tirkeu_cli_json_add_string     (JsonBuilder       *builder,
                                                        const char        *member,
                                                        const char        *value);
TirkeuCliExit           tirkeu_cli_exit_for_error      (const GError      *error);
int                     tirkeu_cli_report_error        (const TirkeuCliOptions *options,
                                                        const GError      *error);
int                     tirkeu_cli_usage_error         (const TirkeuCliOptions *options,
                                                        const char        *command);

/* PIN or password: a NUL-terminated string in a buffer of its own pages, excluded from core
 * dumps and wiped when freed. */
typedef char TirkeuCliPin;

TirkeuCliPin           *tirkeu_cli_read_secret         (int                fd,
                                                        const char        *prompt,
                                                        GError           **error);
TirkeuCliPin           *tirkeu_cli_read_pin            (const TirkeuCliOptions *options,
                                                        const char        *prompt,
                                                        GError           **error);
void                    tirkeu_cli_pin_free            (TirkeuCliPin      *pin);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuCliPin, tirkeu_cli_pin_free)

/* The command's one deadline for the portal: every portal, session and token call of the
 * command is given it as its cancellable. */
GCancellable           *tirkeu_cli_get_action          (const TirkeuCliOptions *options);
gboolean                tirkeu_cli_explain_error       (GError           **error);

/* The desk's session for a command that talks to the portal (tirkeu-cli-portal.c). */
TirkeuSession          *tirkeu_cli_session_open        (const TirkeuCliOptions *options,
                                                        TirkeuJournal     *journal,
                                                        gboolean           with_token,
                                                        TirkeuCliPin     **pin,
                                                        GError           **error);
gboolean                tirkeu_cli_session_sign_in     (const TirkeuCliOptions *options,
                                                        TirkeuSession     *session,
                                                        TirkeuCliPin     **pin,
                                                        GError           **error);

G_END_DECLS
