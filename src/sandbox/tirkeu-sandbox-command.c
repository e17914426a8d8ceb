/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/bn.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "tirkeu-iin.h"
#include "tirkeu-sandbox-ca.h"
#include "tirkeu-sandbox-command.h"
#include "tirkeu-secret.h"

/* The subcommands that are not the server: `pki …`, and the call to a running sandbox's
 * /admin that `buyer` and `pki revoke` share. */

int
_sb_usage_error (GOptionContext *context,
                 const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr ("%s\n\n%s", message, help);

  return EXIT_USAGE;
}

/**
 * _sb_admin_post:
 * @state_dir: the state directory of a running sandbox
 * @path: an /admin path, e.g. "/admin/pki/revocations"
 * @body_text: the JSON body
 * @status: (out): the HTTP status
 * @answer: (out): the body of the answer
 * @error: %G_IO_ERROR_NOT_FOUND when no sandbox runs on @state_dir (no server.json), or
 *   why it cannot be reached
 *
 * Posts to the sandbox that serves @state_dir (its server.json), trusting its own TLS CA
 * and nothing else.
 *
 * Returns: %TRUE when the sandbox answered
 */
gboolean
_sb_admin_post (const char  *state_dir,
                const char  *path,
                const char  *body_text,
                guint       *status,
                GBytes     **answer,
                GError     **error)
{
  g_autofree char *server_file = g_build_filename (state_dir, "server.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *target = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) request_body = NULL;
  JsonObject *server;
  const char *url, *ca_file;

  if (!json_parser_load_from_file (parser, server_file, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto not_running;
  server = json_node_get_object (json_parser_get_root (parser));
  url = json_object_get_string_member_with_default (server, "url", NULL);
  ca_file = json_object_get_string_member_with_default (server, "ca_file", NULL);
  if (url == NULL || ca_file == NULL)
    goto not_running;

  target = g_strconcat (url, path, NULL);
  msg = soup_message_new ("POST", target);
  if (msg == NULL)
    goto not_running;
  request_body = g_bytes_new (body_text, strlen (body_text));
  soup_message_set_request_body_from_bytes (msg, "application/json", request_body);

  /* The sandbox's own CA, and nothing else: TLS is verified, never switched off. */
  database = g_tls_file_database_new (ca_file, error);
  if (database == NULL)
    return FALSE;
  session = soup_session_new_with_options ("tls-database", database, "timeout", 30, NULL);
  *answer = soup_session_send_and_read (session, msg, NULL, error);
  if (*answer == NULL)
    return FALSE;
  *status = soup_message_get_status (msg);
  return TRUE;

not_running:
  /* Translators: %s is a file name */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("No sandbox is running on this state directory (%s)."), server_file);
  return FALSE;
}

static gboolean
write_file (const char  *path,
            GBytes      *bytes,
            GError     **error)
{
  if (g_str_equal (path, "-"))
    {
      fwrite (g_bytes_get_data (bytes, NULL), 1, g_bytes_get_size (bytes), stdout);
      return fflush (stdout) == 0;
    }
  return g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static TirkeuSandboxCa *
open_ca (const char *state_dir)
{
  g_autoptr(GError) error = NULL;
  TirkeuSandboxCa *ca = tirkeu_sandbox_ca_open (state_dir, &error);

  if (ca == NULL)
    {
      /* Translators: %s is the technical reason */
      g_printerr (_("Cannot open the sandbox’s CA: %s"), error->message);
      g_printerr ("\n");
    }
  return ca;
}

static GOptionContext *
pki_context (const char         *parameter,
             const char         *summary,
             const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameter);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  return context;
}

/* pki ca --state-dir DIR -o FILE */
static int
pki_ca (int    argc,
        char **argv)
{
  g_autofree char *state_dir = NULL;
  g_autofree char *output = NULL;
  const GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      N_("The sandbox’s state directory, where its CA is kept"), N_("DIR") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Where to write the CA certificate (DER); - for standard output"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    pki_context (NULL, _("Write the certificate of the sandbox’s test CA (GOST 2015-512)."),
                 entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuSandboxCa) ca = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _sb_usage_error (context, error->message);
  if (argc != 1 || state_dir == NULL || output == NULL)
    return _sb_usage_error (context, _("--state-dir and -o are needed."));

  ca = open_ca (state_dir);
  if (ca == NULL)
    return EXIT_INTERNAL;
  if (!write_file (output, tirkeu_sandbox_ca_get_certificate_der (ca), &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_INTERNAL;
    }
  return EXIT_DONE;
}

/* NCA's password rule (DOMAIN.md): 6-32 characters with an upper-case letter, a lower-case
 * letter and a digit. The app and NCA's agent expect it of every key file. */
static gboolean
password_follows_rule (const char *password)
{
  gboolean upper = FALSE, lower = FALSE, digit = FALSE;
  glong length;

  if (!g_utf8_validate (password, -1, NULL))
    return FALSE;
  length = g_utf8_strlen (password, -1);
  for (const char *p = password; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      upper |= g_unichar_isupper (c);
      lower |= g_unichar_islower (c);
      digit |= g_unichar_isdigit (c);
    }
  return length >= 6 && length <= 32 && upper && lower && digit;
}

/* pki issue-key --state-dir DIR --bin BIN --iin IIN --name "SURNAME NAME" … -o FILE.p12 */
static int
pki_issue_key (int    argc,
               char **argv)
{
  g_autofree char *state_dir = NULL;
  g_autofree char *output = NULL;
  g_autofree char *bin = NULL;
  g_autofree char *iin = NULL;
  g_autofree char *name = NULL;
  g_autofree char *patronymic = NULL;
  g_autofree char *organisation = NULL;
  g_autofree char *role_text = NULL;
  char *password = NULL;
  gint64 days = 365;
  const GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      N_("The sandbox’s state directory, where its CA is kept"), N_("DIR") },
    { "bin", 0, 0, G_OPTION_ARG_STRING, &bin,
      N_("The organisation’s BIN (not for an individual)"), N_("BIN") },
    { "iin", 0, 0, G_OPTION_ARG_STRING, &iin, N_("The holder’s IIN"), N_("IIN") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name,
      N_("The holder’s surname and name, as NCA writes them"), N_("“SURNAME NAME”") },
    { "patronymic", 0, 0, G_OPTION_ARG_STRING, &patronymic,
      N_("The holder’s patronymic"), N_("PATRONYMIC") },
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &organisation,
      N_("The organisation’s name"), N_("NAME") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_text,
      /* Translators: keep head, signer, employee and individual as they are */
      N_("head (first head), signer (right to sign), employee (may not sign for the "
         "organisation) or individual"), N_("ROLE") },
    { "days", 0, 0, G_OPTION_ARG_INT64, &days,
      N_("How long the certificate is valid; default 365"), N_("N") },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password,
      N_("The key file’s password (NCA’s rule: 6-32 characters with an upper-case letter, a "
         "lower-case letter and a digit)"), N_("PASSWORD") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Where to write the key file (PKCS#12)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    pki_context (NULL, _("Issue a GOST 2015-512 key and its certificate from the sandbox’s "
                         "test CA, written as an NCA key file."), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuSandboxCa) ca = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(GBytes) key_file = NULL;
  g_auto(GStrv) words = NULL;
  TirkeuGostSubject subject = { 0 };
  int status = EXIT_USAGE;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = _sb_usage_error (context, error->message);
      goto out;
    }
  if (argc != 1 || state_dir == NULL || output == NULL || iin == NULL || name == NULL
      || role_text == NULL || password == NULL)
    {
      status = _sb_usage_error (context, _("--state-dir, --iin, --name, --role, --password and "
                                           "-o are needed."));
      goto out;
    }
  if (!tirkeu_sandbox_ca_parse_role (role_text, &subject.role))
    {
      status = _sb_usage_error (context, _("--role is head, signer, employee or individual."));
      goto out;
    }
  if (subject.role == TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL && (bin != NULL || organisation != NULL))
    {
      status = _sb_usage_error (context, _("An individual’s certificate has no --bin or "
                                           "--organisation."));
      goto out;
    }
  if (subject.role != TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL
      && (bin == NULL || !tirkeu_bin_is_valid (bin) || strlen (bin) != 12))
    {
      status = _sb_usage_error (context, _("--bin must be a valid BIN of 12 digits."));
      goto out;
    }
  if (!tirkeu_iin_is_valid (iin) || strlen (iin) != 12)
    {
      status = _sb_usage_error (context, _("--iin must be a valid IIN of 12 digits."));
      goto out;
    }
  words = g_strsplit (g_strstrip (name), " ", 2);
  if (g_strv_length (words) != 2 || *words[0] == '\0' || *g_strstrip (words[1]) == '\0'
      || !g_utf8_validate (name, -1, NULL))
    {
      status = _sb_usage_error (context, _("--name is the surname and the name, e.g. "
                                           "“АХМЕТОВ АРМАН”."));
      goto out;
    }
  if (days < 1 || days > 3650)
    {
      status = _sb_usage_error (context, _("--days is from 1 to 3650."));
      goto out;
    }
  if (!password_follows_rule (password))
    {
      status = _sb_usage_error (context, _("The password must have 6 to 32 characters, with an "
                                           "upper-case letter, a lower-case letter and a "
                                           "digit."));
      goto out;
    }

  ca = open_ca (state_dir);
  if (ca == NULL)
    {
      status = EXIT_INTERNAL;
      goto out;
    }

  subject.surname = words[0];
  subject.given_name = words[1];
  subject.patronymic = patronymic;
  subject.iin = iin;
  subject.bin = bin;
  subject.organisation = organisation;
  now = g_date_time_new_now_utc ();
  /* A day in the past absorbs clock skew, as NCA's own certificates do. */
  start = g_date_time_add_days (now, -1);
  end = g_date_time_add_days (now, (int) days);
  key_file = tirkeu_gost_issuer_issue_key_file (tirkeu_sandbox_ca_get_issuer (ca), &subject,
                                                start, end, password, &error);
  if (key_file == NULL || !write_file (output, key_file, &error))
    {
      g_printerr ("%s\n", error->message);
      status = EXIT_INTERNAL;
      goto out;
    }
  status = EXIT_DONE;

out:
  if (password != NULL)
    tirkeu_secret_wipe (password, strlen (password));
  g_free (password);
  return status;
}

/* pki revoke SERIAL --state-dir DIR [--reason R] */
static int
pki_revoke (int    argc,
            char **argv)
{
  g_autofree char *state_dir = NULL;
  g_autofree char *reason_text = NULL;
  const GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      N_("The sandbox’s state directory, where its CA is kept"), N_("DIR") },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason_text,
      /* Translators: keep the reason names as they are */
      N_("Why: unspecified, keyCompromise, affiliationChanged, superseded, "
         "cessationOfOperation, certificateHold, privilegeWithdrawn, … (RFC 5280)"),
      N_("REASON") },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    pki_context (_("SERIAL"), _("Revoke a certificate of the sandbox’s test CA; a running "
                                "sandbox answers for it at once (OCSP, CRL, signatures)."),
                 entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuSandboxCa) ca = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *body_text = NULL;
  g_autofree char *serial = NULL;
  g_autoptr(GBytes) answer = NULL;
  guint status = 0;
  int reason = -1;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _sb_usage_error (context, error->message);
  if (argc != 2 || state_dir == NULL)
    return _sb_usage_error (context, _("A serial number and --state-dir are needed."));
  serial = tirkeu_sandbox_ca_normalize_serial (argv[1]);
  if (serial == NULL)
    return _sb_usage_error (context, _("A serial number is hexadecimal, as “openssl x509 "
                                       "-serial” prints it."));
  if (reason_text != NULL && !tirkeu_sandbox_ca_parse_reason (reason_text, &reason))
    return _sb_usage_error (context, _("--reason is a CRL reason of RFC 5280, e.g. "
                                       "keyCompromise or superseded."));

  /* A running sandbox keeps the list: it revokes, saves and answers by it at once. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "serial");
  json_builder_add_string_value (builder, serial);
  if (reason >= 0)
    {
      json_builder_set_member_name (builder, "reason");
      json_builder_add_int_value (builder, reason);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  body_text = json_to_string (body, FALSE);
  if (_sb_admin_post (state_dir, "/admin/pki/revocations", body_text, &status, &answer, &error))
    {
      fwrite (g_bytes_get_data (answer, NULL), 1, g_bytes_get_size (answer),
              status == 200 ? stdout : stderr);
      fputc ('\n', status == 200 ? stdout : stderr);
      return status == 200 ? EXIT_DONE : status == 400 ? EXIT_USAGE : EXIT_REFUSED;
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    {
      /* Translators: %s is the technical reason */
      g_printerr (_("Cannot reach the sandbox: %s"), error->message);
      g_printerr ("\n");
      return EXIT_NETWORK;
    }

  /* No sandbox runs there: the list on disk is the one the next run reads. */
  g_clear_error (&error);
  ca = open_ca (state_dir);
  if (ca == NULL)
    return EXIT_INTERNAL;
  if (!tirkeu_sandbox_ca_revoke (ca, serial, reason, g_get_real_time () / G_USEC_PER_SEC,
                                 &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_INTERNAL;
    }
  printf ("{\"serial\":\"%s\",\"revoked\":true}\n", serial);
  return EXIT_DONE;
}

/**
 * _sb_pki_main:
 * @argc: the count of @argv
 * @argv: "pki", the subcommand and its options
 *
 * `tirkeu-sandbox pki ca|issue-key|revoke …`: the sandbox's test CA from the command line.
 *
 * Returns: the exit status
 */
int
_sb_pki_main (int    argc,
              char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "ca"))
    return pki_ca (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "issue-key"))
    return pki_issue_key (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "revoke"))
    return pki_revoke (argc - 1, argv + 1);

  g_printerr ("%s\n", _("Usage: tirkeu-sandbox pki ca|issue-key|revoke … (--help after each "
                        "for its options)"));
  return EXIT_USAGE;
}
