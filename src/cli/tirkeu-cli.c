/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tirkeu-cli.h"
#include "tirkeu-cli-error.h"
#include "tirkeu-error.h"
#include "tirkeu-portal-action.h"
#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-secret.h"
#include "tirkeu-signing-payload.h"
#include "tirkeu-token-error.h"

#define PROGRAM_NAME "tirkeu-cli"

/* Marks "not given on this command line": a real fd is never negative. */
#define PIN_FD_UNSET G_MININT

/* Longest PIN accepted. Tokens allow far fewer characters; the bound keeps the buffer fixed,
 * so that the PIN is never copied by a reallocation and the wipe covers every byte. */
#define PIN_MAX 256
/* A command's whole wait for the portal, its sign-in and retries included: long enough for a
 * slow link, short enough that a person still watches. */
#define DEFAULT_TIMEOUT_S 60
#define MAX_TIMEOUT_S     3600

static const TirkeuCliCommand commands[] = {
#define TIRKEU_CLI_COMMAND(name, run, synopsis, summary) { name, synopsis, summary, run },
#include "tirkeu-cli-commands.h"
#undef TIRKEU_CLI_COMMAND
};

/**
 * tirkeu_cli_get_commands:
 * @n_commands: (out): the number of commands
 *
 * Returns: (transfer none) (array length=n_commands): the command table in --help order
 */
const TirkeuCliCommand *
tirkeu_cli_get_commands (guint *n_commands)
{
  *n_commands = G_N_ELEMENTS (commands);
  return commands;
}

/**
 * tirkeu_cli_find_command:
 * @name: a command name as typed
 *
 * Returns: (transfer none) (nullable): the command, or %NULL if there is none of that name
 */
const TirkeuCliCommand *
tirkeu_cli_find_command (const char *name)
{
  if (name == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];

  return NULL;
}

/**
 * tirkeu_cli_options_init:
 * @options: options to set to their defaults
 */
void
tirkeu_cli_options_init (TirkeuCliOptions *options)
{
  memset (options, 0, sizeof *options);
  options->pin_fd = -1;
}

/**
 * tirkeu_cli_options_clear:
 * @options: options whose strings to free
 */
void
tirkeu_cli_options_clear (TirkeuCliOptions *options)
{
  g_clear_pointer (&options->language, g_free);
  g_clear_pointer (&options->portal_url, g_free);
  g_clear_pointer (&options->ca_file, g_free);
  g_clear_pointer (&options->pkcs11_module, g_free);
  g_clear_pointer (&options->key_file, g_free);
  options->pin_fd = -1;
  options->json = FALSE;
  options->timeout_s = 0;
}

/**
 * tirkeu_cli_scan_language:
 * @argc: the length of @argv
 * @argv: the program's arguments
 *
 * Finds `--language X` or `--language=X` anywhere before `--`, without parsing anything
 * else: gettext must be set up before the option parser builds its (translated) help.
 *
 * Returns: (transfer none) (nullable): the last language given, or %NULL
 */
const char *
tirkeu_cli_scan_language (int    argc,
                          char **argv)
{
  const char *language = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], "--language") && i + 1 < argc)
        language = argv[++i];
      else if (g_str_has_prefix (argv[i], "--language="))
        language = argv[i] + strlen ("--language=");
    }

  return language;
}

/* Global options parse into a fresh struct and are merged afterwards: GOption does not free
 * a string already at an option's location, and a value given before the command must survive
 * a second parse after it. */
static GOptionGroup *
global_option_group_new (TirkeuCliOptions *parsed)
{
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &parsed->json,
      N_("Print one JSON object instead of text"), NULL },
    { "language", 0, 0, G_OPTION_ARG_STRING, &parsed->language,
      N_("Language of the messages: kk, ru, en or system"), N_("LANG") },
    { "portal-url", 0, 0, G_OPTION_ARG_STRING, &parsed->portal_url,
      /* Translators: eGov portal: ЭҮП / ПЭП */
      N_("Base URL of the eGov portal API"), N_("URL") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &parsed->ca_file,
      N_("Trust only the CA certificates in this PEM file for the portal"), N_("FILE") },
    { "pkcs11-module", 0, 0, G_OPTION_ARG_FILENAME, &parsed->pkcs11_module,
      N_("PKCS#11 module of the EDS token"), N_("FILE") },
    { "key-file", 0, 0, G_OPTION_ARG_FILENAME, &parsed->key_file,
      /* Translators: NCA: the national certification authority (НУЦ / ҰКО); its key files
       * are named GOST512_….p12 */
      N_("Sign with this NCA key file (.p12) instead of a token; its password is read as the "
         "PIN is"), N_("FILE") },
    { "pin-fd", 0, 0, G_OPTION_ARG_INT, &parsed->pin_fd,
      N_("Read the PIN from this file descriptor instead of the terminal"), N_("FD") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &parsed->timeout_s,
      /* Translators: the default is a number of seconds */
      N_("Wait for the portal at most this long in all, sign-in and retries included "
         "(default: 60)"), N_("SECONDS") },
    G_OPTION_ENTRY_NULL
  };
  GOptionGroup *group;

  group = g_option_group_new ("global", _("Global options:"), _("Show the global options"),
                              NULL, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);

  return group;
}

static void
replace_string (char **option,
                char **parsed)
{
  if (*parsed == NULL)
    return;

  g_free (*option);
  *option = g_steal_pointer (parsed);
}

static void
merge_options (TirkeuCliOptions *options,
               TirkeuCliOptions *parsed)
{
  replace_string (&options->language, &parsed->language);
  replace_string (&options->portal_url, &parsed->portal_url);
  replace_string (&options->ca_file, &parsed->ca_file);
  replace_string (&options->pkcs11_module, &parsed->pkcs11_module);
  replace_string (&options->key_file, &parsed->key_file);
  if (parsed->pin_fd != PIN_FD_UNSET)
    options->pin_fd = parsed->pin_fd;
  if (parsed->json)
    options->json = TRUE;
  if (parsed->timeout_s != 0)
    options->timeout_s = parsed->timeout_s;
}

/* The descriptors open when the CLI started, before it opened any of its own: --pin-fd
 * must name one of them, or it would read from the CLI's own journal or socket. */
#define N_WATCHED_FDS 1024
static guint8 open_at_start[N_WATCHED_FDS / 8];
static gboolean open_at_start_known;

static void
record_open_fds (void)
{
  for (int fd = 0; fd < N_WATCHED_FDS; fd++)
    if (fcntl (fd, F_GETFD) != -1)
      open_at_start[fd / 8] |= (guint8) (1 << (fd % 8));
  open_at_start_known = TRUE;
}

static gboolean
fd_was_open_at_start (int fd)
{
  if (!open_at_start_known || fd >= N_WATCHED_FDS)
    return fcntl (fd, F_GETFD) != -1;

  return (open_at_start[fd / 8] & (1 << (fd % 8))) != 0;
}

/* With --ca-file, that file is all the CLI trusts, and all it loads: the portal client's
 * session would otherwise build GIO's default database, the whole system bundle, for each
 * new TLS connection before it is told to use the given one (half of a command's CPU).
 * Making the file the process's default database stops that; the client still uses the
 * file as its only trust. */
static void
trust_only_ca_file (const char *ca_file)
{
  static char *trusted;
  g_autoptr(GTlsDatabase) database = NULL;

  if (g_strcmp0 (trusted, ca_file) == 0)
    return;

  /* A file that cannot be loaded is reported by the client, with the portal's wording. */
  database = g_tls_file_database_new (ca_file, NULL);
  if (database == NULL)
    return;
  g_tls_backend_set_default_database (g_tls_backend_get_default (), database);
  g_free (trusted);
  trusted = g_strdup (ca_file);
}

static gboolean
check_options (TirkeuCliOptions  *options,
               GError           **error)
{
  if (options->pin_fd < -1)
    {
      g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                   _("--pin-fd needs a file descriptor number (0 or more)"));
      return FALSE;
    }
  if (options->pin_fd >= 0 && !fd_was_open_at_start (options->pin_fd))
    {
      g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                   _("--pin-fd %d is not an open file descriptor"), options->pin_fd);
      return FALSE;
    }

  if (options->timeout_s < 0 || options->timeout_s > MAX_TIMEOUT_S)
    {
      g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                   _("--timeout needs a number of seconds from 1 to %d"), MAX_TIMEOUT_S);
      return FALSE;
    }

  /* A bad address (plain http among them) is a usage error, exit 2, said before anything
   * else is tried. */
  if (options->portal_url != NULL)
    {
      g_autoptr(GError) url_error = NULL;

      if (!tirkeu_portal_client_check_url (options->portal_url, &url_error))
        {
          g_set_error_literal (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                               url_error->message);
          return FALSE;
        }
    }

  /* The file is opened later, from wherever the client is: a relative path is made absolute
   * now, against the directory the user typed it in. */
  if (options->ca_file != NULL)
    {
      if (!g_path_is_absolute (options->ca_file))
        {
          char *absolute = g_canonicalize_filename (options->ca_file, NULL);

          g_free (options->ca_file);
          options->ca_file = absolute;
        }
      trust_only_ca_file (options->ca_file);
    }

  return TRUE;
}

static char *
commands_description (void)
{
  GString *text = g_string_new (_("Commands:"));

  g_string_append_c (text, '\n');
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *usage = g_strdup_printf ("%s %s", commands[i].name,
                                                _(commands[i].synopsis));
      glong width = g_utf8_strlen (usage, -1);

      /* Pad by characters, not bytes ("%-32s" counts bytes: a Cyrillic synopsis would push
       * its summary out of the column); a synopsis too long for it gets its own line. */
      g_string_append_printf (text, "  %s", usage);
      if (width < 32)
        g_string_append_printf (text, "%*s", (int) (33 - width), "");
      else
        g_string_append (text, "\n                                   ");
      g_string_append_printf (text, "%s\n", _(commands[i].summary));
    }
  g_string_append_printf (text, "\n%s\n",
                          _("Run “tirkeu-cli COMMAND --help” for the options of a command."));
  g_string_append (text,
                   _("Exit status: 0 done or valid, 1 refused or invalid, 2 usage error, "
                     "3 network or TLS error, 4 token or PIN error, 5 internal error."));

  return g_string_free (text, FALSE);
}

static GOptionContext *
main_context_new (TirkeuCliOptions *parsed)
{
  GOptionContext *context;
  g_autofree char *description = commands_description ();

  /* Translators: the usage line of tirkeu-cli, after its name */
  context = g_option_context_new (_("COMMAND [ARGUMENT…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Seller's side of primary vehicle registration on the eGov "
                                  "portal, from the command line."));
  g_option_context_set_description (context, description);
  g_option_context_set_main_group (context, global_option_group_new (parsed));
  /* Stop at the command name: what follows belongs to the command. */
  g_option_context_set_strict_posix (context, TRUE);

  return context;
}

/**
 * tirkeu_cli_parse_global:
 * @options: where the global options go
 * @argc: (inout): the length of @argv
 * @argv: (inout): the program's arguments; the global options before the command are removed
 * @error: a #TIRKEU_CLI_ERROR_USAGE error for a bad option
 *
 * Parses the global options up to the command name. `--help` prints the commands and exits.
 */
gboolean
tirkeu_cli_parse_global (TirkeuCliOptions   *options,
                         int                *argc,
                         char             ***argv,
                         GError            **error)
{
  TirkeuCliOptions parsed = { .pin_fd = PIN_FD_UNSET };
  g_autoptr(GOptionContext) context = main_context_new (&parsed);
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  ok = g_option_context_parse (context, argc, argv, &local_error);
  merge_options (options, &parsed);
  tirkeu_cli_options_clear (&parsed);

  if (!ok)
    {
      g_set_error_literal (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                           local_error->message);
      return FALSE;
    }

  return check_options (options, error);
}

/**
 * tirkeu_cli_parse_command:
 * @options: the global options, updated with those written after the command name
 * @entries: (nullable): the command's own options
 * @argc: (inout): the length of @argv
 * @argv: (inout): the command's arguments, argv[0] being its name; options are removed
 * @error: a #TIRKEU_CLI_ERROR_USAGE error for a bad option
 *
 * The first call of every run function. `COMMAND --help` prints the command's options and
 * exits with status 0.
 */
gboolean
tirkeu_cli_parse_command (TirkeuCliOptions    *options,
                          const GOptionEntry  *entries,
                          int                 *argc,
                          char              ***argv,
                          GError             **error)
{
  TirkeuCliOptions parsed = { .pin_fd = PIN_FD_UNSET };
  const TirkeuCliCommand *command;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *parameters = NULL;
  gboolean ok;

  g_return_val_if_fail (*argc >= 1, FALSE);

  command = tirkeu_cli_find_command ((*argv)[0]);
  if (command != NULL)
    parameters = g_strdup_printf ("%s %s", command->name, _(command->synopsis));
  else
    parameters = g_strdup ((*argv)[0]);

  context = g_option_context_new (parameters);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (command != NULL)
    g_option_context_set_summary (context, _(command->summary));
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, global_option_group_new (&parsed));

  ok = g_option_context_parse (context, argc, argv, &local_error);
  merge_options (options, &parsed);
  tirkeu_cli_options_clear (&parsed);

  if (!ok)
    {
      g_set_error_literal (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                           local_error->message);
      return FALSE;
    }

  return check_options (options, error);
}

static TirkeuPortalAction *command_action;

/**
 * tirkeu_cli_get_action:
 * @options: the global options (`--timeout`)
 *
 * The command's one deadline for the portal, started at the first call: the whole time the
 * command may wait for the portal, every call, sign-in and retry included, so that a portal
 * that trickles its answers cannot hold the command for each call's timeout in turn. Give it
 * as the cancellable of every portal, session and token call. Reading a PIN stops its clock.
 *
 * Returns: (transfer none): the command's #TirkeuPortalAction
 */
GCancellable *
tirkeu_cli_get_action (const TirkeuCliOptions *options)
{
  if (command_action == NULL)
    command_action = tirkeu_portal_action_new ((guint) (options->timeout_s > 0
                                                        ? options->timeout_s
                                                        : DEFAULT_TIMEOUT_S) * 1000);
  return G_CANCELLABLE (command_action);
}

/**
 * tirkeu_cli_explain_error:
 * @error: (inout) (optional) (nullable): a command's error
 *
 * An operation that stopped because the command's time ran out ends with
 * %G_IO_ERROR_CANCELLED where it knows nothing of the portal (the token, the journal): that
 * is said as the portal's timeout, with the time the command really waited.
 *
 * Returns: %TRUE when @error was replaced
 */
gboolean
tirkeu_cli_explain_error (GError **error)
{
  return tirkeu_portal_action_explain (G_CANCELLABLE (command_action), error);
}

static void
print_usage_hint (const char *message)
{
  g_printerr ("%s: %s\n", PROGRAM_NAME, message);
  g_printerr (_("Run “tirkeu-cli --help” to see the commands and options."));
  g_printerr ("\n");
}

/**
 * tirkeu_cli_dispatch:
 * @options: initialised options (tirkeu_cli_options_init())
 * @argc: the length of @argv
 * @argv: the program's arguments, as main() got them
 *
 * Parses the global options, finds the command and runs it. gettext must already be set
 * up (tirkeu_i18n_init() with tirkeu_cli_scan_language()).
 *
 * Returns: the exit status, a #TirkeuCliExit
 */
int
tirkeu_cli_dispatch (TirkeuCliOptions  *options,
                     int                argc,
                     char             **argv)
{
  g_autoptr(GError) error = NULL;
  const TirkeuCliCommand *command;

  /* stdout carries the command's output (one JSON object with --json): log messages, debug
   * ones included (G_MESSAGES_DEBUG), go to stderr, never between the lines of a result. */
  g_log_writer_default_set_use_stderr (TRUE);
  record_open_fds ();

  if (!tirkeu_cli_parse_global (options, &argc, &argv, &error))
    {
      print_usage_hint (error->message);
      return TIRKEU_CLI_EXIT_USAGE;
    }

  if (argc < 2)
    {
      print_usage_hint (_("No command given."));
      return TIRKEU_CLI_EXIT_USAGE;
    }

  /* A stray "--" before the command name */
  if (g_str_equal (argv[1], "--"))
    {
      argv++;
      argc--;
      if (argc < 2)
        {
          print_usage_hint (_("No command given."));
          return TIRKEU_CLI_EXIT_USAGE;
        }
    }

  command = tirkeu_cli_find_command (argv[1]);
  if (command == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is what the user typed as a command name */
      message = g_strdup_printf (_("Unknown command “%s”."), argv[1]);
      print_usage_hint (message);
      return TIRKEU_CLI_EXIT_USAGE;
    }

  return command->run (options, argc - 1, argv + 1);
}

/**
 * tirkeu_cli_run_help:
 *
 * `tirkeu-cli help [COMMAND]`: the command list, or one command's options.
 */
int
tirkeu_cli_run_help (TirkeuCliOptions  *options,
                     int                argc,
                     char             **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *help = NULL;
  TirkeuCliOptions parsed = { .pin_fd = PIN_FD_UNSET };

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);

  if (argc > 2)
    return tirkeu_cli_usage_error (options, argv[0]);

  if (argc == 2)
    {
      const TirkeuCliCommand *command = tirkeu_cli_find_command (argv[1]);
      char *command_argv[] = { argv[1], (char *) "--help", NULL };
      char **command_argvp = command_argv;
      int command_argc = 2;

      if (command == NULL)
        {
          g_autofree char *message = NULL;

          message = g_strdup_printf (_("Unknown command “%s”."), argv[1]);
          print_usage_hint (message);
          return TIRKEU_CLI_EXIT_USAGE;
        }

      /* The command's own parser prints its help and exits. */
      return command->run (options, command_argc, command_argvp);
    }

  context = main_context_new (&parsed);
  help = g_option_context_get_help (context, TRUE, NULL);
  g_print ("%s", help);
  tirkeu_cli_options_clear (&parsed);

  return TIRKEU_CLI_EXIT_DONE;
}

/**
 * tirkeu_cli_print_json:
 * @root: the JSON value to print on stdout, followed by a newline
 */
void
tirkeu_cli_print_json (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

/**
 * tirkeu_cli_json_add_string:
 * @builder: a #JsonBuilder inside an object
 * @member: the member's name
 * @value: (nullable): its value; %NULL is written as JSON null
 *
 * Adds a string member, null when there is no value, so that a script always finds the key.
 */
void
tirkeu_cli_json_add_string (JsonBuilder *builder,
                            const char  *member,
                            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/**
 * tirkeu_cli_print_json_builder:
 * @builder: a builder holding one complete value
 */
void
tirkeu_cli_print_json_builder (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  tirkeu_cli_print_json (root);
}

/**
 * tirkeu_cli_exit_for_error:
 * @error: an error from any layer
 *
 * The exit status for an error: input and portal refusals 1, usage 2, reaching the portal
 * (network, TLS, the portal failing) 3, token and PIN 4, anything else 5.
 *
 * Returns: a #TirkeuCliExit
 */
TirkeuCliExit
tirkeu_cli_exit_for_error (const GError *error)
{
  if (error == NULL)
    return TIRKEU_CLI_EXIT_DONE;

  /* a signing payload for another sale: refused, nothing signed */
  if (error->domain == TIRKEU_INPUT_ERROR || error->domain == TIRKEU_SIGNING_PAYLOAD_ERROR)
    return TIRKEU_CLI_EXIT_REFUSED;

  if (error->domain == TIRKEU_CLI_ERROR)
    return error->code == TIRKEU_CLI_ERROR_PIN ? TIRKEU_CLI_EXIT_TOKEN : TIRKEU_CLI_EXIT_USAGE;

  if (error->domain == TIRKEU_TOKEN_ERROR)
    return TIRKEU_CLI_EXIT_TOKEN;

  if (error->domain == G_TLS_ERROR || error->domain == G_RESOLVER_ERROR)
    return TIRKEU_CLI_EXIT_NETWORK;

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_TIMED_OUT:
        case G_IO_ERROR_HOST_NOT_FOUND:
        case G_IO_ERROR_HOST_UNREACHABLE:
        case G_IO_ERROR_NETWORK_UNREACHABLE:
        case G_IO_ERROR_CONNECTION_REFUSED:
        case G_IO_ERROR_CONNECTION_CLOSED:
        case G_IO_ERROR_PROXY_FAILED:
          return TIRKEU_CLI_EXIT_NETWORK;
        default:
          return TIRKEU_CLI_EXIT_INTERNAL;
        }
    }

  if (error->domain == TIRKEU_PORTAL_ERROR)
    {
      switch ((TirkeuPortalCode) error->code)
        {
        case TIRKEU_PORTAL_CODE_NETWORK:
        case TIRKEU_PORTAL_CODE_TLS:
        case TIRKEU_PORTAL_CODE_TIMEOUT:
        case TIRKEU_PORTAL_CODE_UNAVAILABLE:
        case TIRKEU_PORTAL_CODE_RATE_LIMITED:
        case TIRKEU_PORTAL_CODE_INTERNAL:
        case TIRKEU_PORTAL_CODE_MALFORMED:
        case TIRKEU_PORTAL_CODE_TOO_LARGE:
          return TIRKEU_CLI_EXIT_NETWORK;
        case TIRKEU_PORTAL_CODE_OKED_MISMATCH:
        case TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND:
        case TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID:
        case TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID:
        case TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND:
        case TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND:
        case TIRKEU_PORTAL_CODE_FINES_UNPAID:
        case TIRKEU_PORTAL_CODE_SIGNATURE_INVALID:
        case TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED:
        case TIRKEU_PORTAL_CODE_UNAUTHORIZED:
        case TIRKEU_PORTAL_CODE_SESSION_EXPIRED:
        case TIRKEU_PORTAL_CODE_VALIDATION_FAILED:
        case TIRKEU_PORTAL_CODE_NOT_FOUND:
        case TIRKEU_PORTAL_CODE_CONFLICT:
        case TIRKEU_PORTAL_CODE_UNKNOWN:
        default:
          return TIRKEU_CLI_EXIT_REFUSED;
        }
    }

  return TIRKEU_CLI_EXIT_INTERNAL;
}

/**
 * tirkeu_cli_report_error:
 * @options: the global options (for --json)
 * @error: the error to report
 *
 * Prints @error: usage errors as text on stderr; others with --json as one object
 * `{"error": {"domain", "code", "message"}}` on stdout, else as text on stderr.
 *
 * Returns: the exit status for @error (tirkeu_cli_exit_for_error())
 */
int
tirkeu_cli_report_error (const TirkeuCliOptions *options,
                         const GError           *error)
{
  g_autoptr(GError) explained = g_error_copy (error);
  TirkeuCliExit status;

  /* a layer below the portal stopped because the command's time ran out */
  if (tirkeu_cli_explain_error (&explained))
    error = explained;
  status = tirkeu_cli_exit_for_error (error);

  if (status == TIRKEU_CLI_EXIT_USAGE)
    {
      print_usage_hint (error->message);
      return status;
    }

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "domain");
      json_builder_add_string_value (builder, g_quark_to_string (error->domain));
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, error->code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, error->message);
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "exit_status");
      json_builder_add_int_value (builder, status);
      json_builder_end_object (builder);
      tirkeu_cli_print_json_builder (builder);
    }
  else
    {
      g_autofree char *text = tirkeu_cli_error_describe (error);

      g_printerr ("%s: %s\n", PROGRAM_NAME, text);
    }

  return status;
}

/**
 * tirkeu_cli_usage_error:
 * @options: the global options
 * @command: the command name
 *
 * Reports wrong arguments to @command with its synopsis.
 *
 * Returns: %TIRKEU_CLI_EXIT_USAGE
 */
int
tirkeu_cli_usage_error (const TirkeuCliOptions *options,
                        const char             *command)
{
  const TirkeuCliCommand *entry = tirkeu_cli_find_command (command);
  g_autofree char *message = NULL;

  if (entry != NULL)
    /* Translators: %s %s is the command and its arguments, e.g. "check-iin IIN" */
    message = g_strdup_printf (_("Wrong arguments. Usage: tirkeu-cli %s %s"),
                               entry->name, _(entry->synopsis));
  else
    message = g_strdup (_("Wrong arguments."));

  print_usage_hint (message);
  return TIRKEU_CLI_EXIT_USAGE;
}

/* Reads one line into @pin (PIN_MAX + 1 bytes) a byte at a time, so that nothing after the
 * newline is consumed from a shared fd. */
static gboolean
read_pin_line (int      fd,
               char    *pin,
               GError **error)
{
  gsize length = 0;

  for (;;)
    {
      char c;
      ssize_t n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_PIN,
                       _("Could not read the PIN: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        {
          if (length == 0)
            {
              g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_PIN,
                           _("No PIN was given."));
              return FALSE;
            }
          break;
        }
      if (c == '\n')
        break;
      if (c == '\r')
        continue;
      /* A NUL would end the PIN early: the token would get a shorter PIN, wrong, and spend
       * one of its tries on it. */
      if (c == '\0')
        {
          g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_PIN,
                       _("The PIN contains a NUL byte."));
          return FALSE;
        }
      if (length == PIN_MAX)
        {
          g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_PIN,
                       _("The PIN is too long."));
          return FALSE;
        }
      pin[length++] = c;
      c = 0;
    }

  pin[length] = '\0';
  return TRUE;
}

/**
 * tirkeu_cli_read_secret:
 * @fd: the descriptor to read a line from, or -1 for the controlling terminal (echo off)
 * @prompt: (nullable): the prompt shown on the terminal (translated)
 * @error: a %TIRKEU_CLI_ERROR_PIN error
 *
 * Reads a secret (a token PIN, a key file's password): one line, at most 256 bytes, no NUL.
 * The buffer is excluded from core dumps, locked in memory when possible and wiped when
 * freed; free it as soon as the secret is used.
 *
 * Returns: (transfer full): the secret; free it with tirkeu_cli_pin_free() (g_autoptr works)
 */
static TirkeuCliPin *read_secret (int          fd,
                                  const char  *prompt,
                                  GError     **error);

TirkeuCliPin *
tirkeu_cli_read_secret (int          fd,
                        const char  *prompt,
                        GError     **error)
{
  TirkeuCliPin *secret;

  /* The time a person takes to type is not the portal's. */
  if (command_action != NULL)
    tirkeu_portal_action_pause (command_action);
  secret = read_secret (fd, prompt, error);
  if (command_action != NULL)
    tirkeu_portal_action_unpause (command_action);
  return secret;
}

static TirkeuCliPin *
read_secret (int          fd,
             const char  *prompt,
             GError     **error)
{
  /* Excluded from core dumps, locked in memory when possible (tirkeu_secret_pages_new()). */
  g_autoptr(TirkeuCliPin) pin = tirkeu_secret_pages_new (PIN_MAX + 1, NULL);
  struct termios saved, quiet;
  gboolean ok;
  int tty;

  if (fd >= 0)
    {
      if (!read_pin_line (fd, pin, error))
        return NULL;
      return g_steal_pointer (&pin);
    }

  tty = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (tty < 0)
    {
      g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_PIN,
                   _("No terminal to ask for the PIN: use --pin-fd."));
      return NULL;
    }

  if (tcgetattr (tty, &saved) != 0)
    {
      close (tty);
      g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_PIN,
                   _("No terminal to ask for the PIN: use --pin-fd."));
      return NULL;
    }

  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t) (ECHO | ECHOE | ECHOK);
  quiet.c_lflag |= ECHONL;
  tcsetattr (tty, TCSAFLUSH, &quiet);

  if (prompt != NULL)
    {
      ssize_t written G_GNUC_UNUSED = write (tty, prompt, strlen (prompt));
    }

  ok = read_pin_line (tty, pin, error);

  tcsetattr (tty, TCSAFLUSH, &saved);
  close (tty);

  if (!ok)
    return NULL;

  return g_steal_pointer (&pin);
}

/**
 * tirkeu_cli_read_pin:
 * @options: the global options: `--pin-fd` if given, else the controlling terminal
 * @prompt: the prompt shown on the terminal (translated)
 * @error: a %TIRKEU_CLI_ERROR_PIN error
 *
 * Reads the token's PIN with tirkeu_cli_read_secret().
 *
 * Returns: (transfer full): the PIN; free it with tirkeu_cli_pin_free() (g_autoptr works)
 */
TirkeuCliPin *
tirkeu_cli_read_pin (const TirkeuCliOptions  *options,
                     const char              *prompt,
                     GError                 **error)
{
  return tirkeu_cli_read_secret (options->pin_fd, prompt, error);
}

/**
 * tirkeu_cli_pin_free:
 * @pin: (nullable): a secret from tirkeu_cli_read_secret() or tirkeu_cli_read_pin()
 *
 * Wipes the whole buffer and gives its pages back.
 */
void
tirkeu_cli_pin_free (TirkeuCliPin *pin)
{
  if (pin == NULL)
    return;

  tirkeu_secret_pages_free (pin, PIN_MAX + 1);
  /* Tests follow a secret's life in the debug log: it must go right after its last use. */
  g_debug ("A secret (PIN or password) was wiped");
}
