/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <libsoup/soup.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "tirkeu-i18n.h"
#include "tirkeu-sandbox.h"
#include "tirkeu-sandbox-command.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_CONTINUE;
}

/* tirkeu-sandbox buyer ACTION ID --state-dir DIR: asks the sandbox that serves DIR (its
 * server.json) to play the buyer, through its admin endpoint. */
static int
buyer_main (int    argc,
            char **argv)
{
  g_autofree char *state_dir = NULL;
  g_autofree char *code = NULL;
  g_autofree char *reason_kk = NULL;
  g_autofree char *reason_ru = NULL;
  g_autofree char *reason_en = NULL;
  const GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      N_("The state directory of the running sandbox"), N_("DIR") },
    { "code", 0, 0, G_OPTION_ARG_STRING, &code,
      N_("For refuse: the refusal code, e.g. EPASSPORT_NOT_FOUND"), N_("CODE") },
    { "reason-kk", 0, 0, G_OPTION_ARG_STRING, &reason_kk,
      N_("For refuse: the reason in Kazakh"), N_("TEXT") },
    { "reason-ru", 0, 0, G_OPTION_ARG_STRING, &reason_ru,
      N_("For refuse: the reason in Russian"), N_("TEXT") },
    { "reason-en", 0, 0, G_OPTION_ARG_STRING, &reason_en,
      N_("For refuse: the reason in English"), N_("TEXT") },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("approve|decline|pay-fines|refuse|expire REQUEST-ID"));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *body_text = NULL;
  g_autofree char *escaped_id = NULL;
  g_autofree char *escaped_action = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) answer = NULL;
  guint status = 0;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Play the buyer (or the portal) on one request of "
                                           "a running sandbox."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _sb_usage_error (context, error->message);
  if (argc != 3 || state_dir == NULL)
    return _sb_usage_error (context, _("An action, a request ID and --state-dir are needed."));
  if ((reason_kk != NULL || reason_ru != NULL || reason_en != NULL)
      && (reason_kk == NULL || reason_ru == NULL || reason_en == NULL))
    return _sb_usage_error (context, _("A reason needs all three of --reason-kk, --reason-ru and "
                                   "--reason-en."));

  json_builder_begin_object (builder);
  if (code != NULL)
    {
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, code);
    }
  if (reason_kk != NULL)
    {
      json_builder_set_member_name (builder, "reason");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "kk");
      json_builder_add_string_value (builder, reason_kk);
      json_builder_set_member_name (builder, "ru");
      json_builder_add_string_value (builder, reason_ru);
      json_builder_set_member_name (builder, "en");
      json_builder_add_string_value (builder, reason_en);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  body_text = json_to_string (body, FALSE);

  escaped_id = g_uri_escape_string (argv[2], NULL, FALSE);
  escaped_action = g_uri_escape_string (argv[1], NULL, FALSE);
  path = g_strdup_printf ("/admin/requests/%s/%s", escaped_id, escaped_action);
  if (!_sb_admin_post (state_dir, path, body_text, &status, &answer, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_printerr ("%s\n", error->message);
      else
        {
          /* Translators: %s is the technical reason */
          g_printerr (_("Cannot reach the sandbox: %s"), error->message);
          g_printerr ("\n");
        }
      return EXIT_NETWORK;
    }

  fwrite (g_bytes_get_data (answer, NULL), 1, g_bytes_get_size (answer),
          status == 200 ? stdout : stderr);
  fputc ('\n', status == 200 ? stdout : stderr);

  return status == 200 ? EXIT_DONE : status == 400 ? EXIT_USAGE : EXIT_REFUSED;
}

int
main (int    argc,
      char **argv)
{
  TirkeuSandboxOptions options;
  g_autofree char *buyer = NULL;
  g_autofree char *language = NULL;
  g_autofree char *wrong_payload = NULL;
  gint64 buyer_step_ms, latency_ms, slow_body_ms, session_ttl_s, rate_limit;
  gint64 buyer_days;
  double fail_rate = 0, drop_rate = 0, malformed_rate = 0;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuSandbox) sandbox = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) line = NULL;
  g_autofree char *text = NULL;
  guint term_id, int_id;
  int status = EXIT_DONE;

  /* TLS 1.2 and 1.3 only, as the portal: GIO has no API for protocol versions, and its
   * GnuTLS backend takes the priority string of every connection of the process from
   * G_TLS_GNUTLS_PRIORITY, read once when the first TLS connection is made. Set here, in
   * the only thread, before anything touches TLS. (The OpenSSL backend's minimum is the
   * system's, TLS 1.2 on Debian.) */
  g_setenv ("G_TLS_GNUTLS_PRIORITY", TIRKEU_SANDBOX_TLS_PRIORITY, TRUE);

  setlocale (LC_ALL, "");
  tirkeu_i18n_init (NULL);

  if (argc > 1 && g_str_equal (argv[1], "buyer"))
    return buyer_main (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "pki"))
    return _sb_pki_main (argc - 1, argv + 1);

  tirkeu_sandbox_options_init (&options);
  /* GOption stores --listen over the field without freeing what is there: the default is
   * given back by tirkeu_sandbox_new() for a NULL listen instead. */
  g_clear_pointer (&options.listen, g_free);
  buyer_step_ms = options.buyer_step_ms;
  buyer_days = options.buyer_days;
  session_ttl_s = options.session_ttl_s;
  latency_ms = slow_body_ms = rate_limit = 0;

  {
    const GOptionEntry entries[] = {
      { "listen", 0, 0, G_OPTION_ARG_STRING, &options.listen,
        N_("Address and port to listen on (port 0 picks a free one); default 127.0.0.1:0"),
        N_("ADDR:PORT") },
      { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &options.state_dir,
        N_("Where the state and TLS certificate are kept across restarts"), N_("DIR") },
      { "fixtures", 0, 0, G_OPTION_ARG_FILENAME, &options.fixtures_file,
        N_("The fixtures file (sellers, vehicles, persons, contracts, scenarios)"),
        N_("FILE") },
      { "messages", 0, 0, G_OPTION_ARG_FILENAME, &options.messages_file,
        N_("The portal's messages in Kazakh, Russian and English"), N_("FILE") },
      { "signer-ca", 0, 0, G_OPTION_ARG_FILENAME, &options.signer_ca_file,
        N_("CA certificates (PEM) whose sellers' certificates are accepted"), N_("FILE") },
      { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_cert_file,
        N_("Serve with this certificate (PEM) instead of a self-made one"), N_("FILE") },
      { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_key_file,
        N_("The key of --tls-cert (PEM)"), N_("FILE") },
      { "buyer", 0, 0, G_OPTION_ARG_STRING, &buyer,
        N_("Who plays the buyer: auto (the fixtures' scenarios) or manual"), N_("MODE") },
      { "buyer-step-ms", 0, 0, G_OPTION_ARG_INT64, &buyer_step_ms,
        N_("Time between two steps of the buyer and the portal; default 3000"), N_("MS") },
      { "buyer-days", 0, 0, G_OPTION_ARG_INT64, &buyer_days,
        /* Translators: keep "buyer_deadline" as it is, the name of the field */
        N_("Days the buyer has, from the seller's signature, before the request expires "
           "(its buyer_deadline); default 7"), N_("N") },
      { "latency-ms", 0, 0, G_OPTION_ARG_INT64, &latency_ms,
        N_("Delay before each answer"), N_("MS") },
      { "fail-rate", 0, 0, G_OPTION_ARG_DOUBLE, &fail_rate,
        N_("Share of calls answered with a server error (0-1)"), N_("F") },
      { "drop-rate", 0, 0, G_OPTION_ARG_DOUBLE, &drop_rate,
        N_("Share of connections closed in the middle of the answer (0-1)"), N_("F") },
      { "malformed-rate", 0, 0, G_OPTION_ARG_DOUBLE, &malformed_rate,
        N_("Share of answers that are not valid JSON (0-1)"), N_("F") },
      { "slow-body-ms", 0, 0, G_OPTION_ARG_INT64, &slow_body_ms,
        N_("Send each body in 64-byte chunks this far apart"), N_("MS") },
      { "session-ttl-s", 0, 0, G_OPTION_ARG_INT64, &session_ttl_s,
        N_("Life of a sign-in session; default 1800"), N_("S") },
      { "rate-limit", 0, 0, G_OPTION_ARG_INT64, &rate_limit,
        N_("Calls per second per client before “too many requests” (0: no limit)"),
        N_("N") },
      { "wrong-payload", 0, 0, G_OPTION_ARG_STRING, &wrong_payload,
        /* Translators: keep the member names (vin, buyer_iin, ...) as they are */
        N_("Give each new request a signing payload for another sale: vin, buyer_iin, "
           "contract_number or seller_bin (a hostile portal, for tests)"), N_("MEMBER") },
      { "require-timestamp", 0, 0, G_OPTION_ARG_NONE, &options.require_timestamp,
        N_("Refuse a request’s signature that carries no time stamp (CAdES-T)"), NULL },
      { "language", 0, 0, G_OPTION_ARG_STRING, &language,
        N_("Language of this program's own messages (kk, ru, en)"), N_("LANG") },
      { NULL }
    };

    context = g_option_context_new (NULL);
    g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    g_option_context_set_summary (context,
                                  _("A training and test portal that follows Tirkeu's portal "
                                    "API contract over HTTPS. On start it prints one line of "
                                    "JSON, {\"url\": ..., \"ca_file\": ...}, then serves until "
                                    "SIGTERM.\n\nAlso: tirkeu-sandbox buyer "
                                    "approve|decline|pay-fines|refuse|expire ID --state-dir DIR\n"
                                    "      tirkeu-sandbox pki ca|issue-key|revoke … "
                                    "--state-dir DIR"));
    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        status = _sb_usage_error (context, error->message);
        goto out;
      }
  }

  if (language != NULL)
    tirkeu_i18n_init (language);

  if (argc > 1)
    {
      status = _sb_usage_error (context, _("Unexpected arguments."));
      goto out;
    }
  if (buyer == NULL || g_str_equal (buyer, "auto"))
    options.buyer_mode = TIRKEU_SANDBOX_BUYER_AUTO;
  else if (g_str_equal (buyer, "manual"))
    options.buyer_mode = TIRKEU_SANDBOX_BUYER_MANUAL;
  else
    {
      status = _sb_usage_error (context, _("--buyer is auto or manual."));
      goto out;
    }
  if (wrong_payload != NULL
      && !tirkeu_sandbox_payload_fault_from_string (wrong_payload, &options.wrong_payload))
    {
      status = _sb_usage_error (context, _("--wrong-payload is none, vin, buyer_iin, "
                                       "contract_number or seller_bin."));
      goto out;
    }
  if (buyer_step_ms < 1 || buyer_step_ms > G_MAXUINT || latency_ms < 0
      || latency_ms > G_MAXUINT || slow_body_ms < 0 || slow_body_ms > G_MAXUINT
      || session_ttl_s < 1 || session_ttl_s > G_MAXUINT || rate_limit < 0
      || rate_limit > G_MAXUINT || fail_rate < 0 || fail_rate > 1 || drop_rate < 0
      || drop_rate > 1 || malformed_rate < 0 || malformed_rate > 1)
    {
      status = _sb_usage_error (context, _("A value is out of range: times are whole numbers "
                                       "(steps and session life above 0), rates are from 0 "
                                       "to 1."));
      goto out;
    }
  options.buyer_step_ms = (guint) buyer_step_ms;
  /* Checked by tirkeu_sandbox_new(), which says the bounds; only kept inside a guint here. */
  options.buyer_days = buyer_days < 0 || buyer_days > G_MAXUINT ? 0 : (guint) buyer_days;
  options.latency_ms = (guint) latency_ms;
  options.slow_body_ms = (guint) slow_body_ms;
  options.session_ttl_s = (guint) session_ttl_s;
  options.rate_limit = (guint) rate_limit;
  options.fail_rate = fail_rate;
  options.drop_rate = drop_rate;
  options.malformed_rate = malformed_rate;

  /* Without --state-dir the state lives in a fresh directory for this run only. */
  if (options.state_dir == NULL)
    {
      options.state_dir = g_dir_make_tmp ("tirkeu-sandbox-XXXXXX", &error);
      if (options.state_dir == NULL)
        {
          g_printerr ("%s\n", error->message);
          status = EXIT_INTERNAL;
          goto out;
        }
    }

  sandbox = tirkeu_sandbox_new (&options, &error);
  if (sandbox == NULL || !tirkeu_sandbox_start (sandbox, &error))
    {
      /* Translators: %s is the technical reason */
      g_printerr (_("Cannot start the sandbox: %s"), error->message);
      g_printerr ("\n");
      /* What the user gave (an address, a value, a fixtures or messages file) is a usage
       * error; a state directory or certificate that cannot be written is not. */
      status = g_error_matches (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_LISTEN)
               || g_error_matches (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID)
               || g_error_matches (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_FIXTURES)
               || error->domain == G_FILE_ERROR || error->domain == JSON_PARSER_ERROR
               ? EXIT_USAGE : EXIT_INTERNAL;
      goto out;
    }

  /* The one line a supervisor (a test, a script, the demo) reads to find the sandbox. */
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, tirkeu_sandbox_get_url (sandbox));
  json_builder_set_member_name (builder, "ca_file");
  json_builder_add_string_value (builder, tirkeu_sandbox_get_ca_file (sandbox));
  json_builder_end_object (builder);
  line = json_builder_get_root (builder);
  text = json_to_string (line, FALSE);
  printf ("%s\n", text);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  term_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  int_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (term_id);
  g_source_remove (int_id);

  tirkeu_sandbox_stop (sandbox);

out:
  tirkeu_sandbox_options_clear (&options);
  return status;
}
