/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tirkeu-cli verify: checks a CMS signature made by anyone (Tirkeu, NCA's agent, OpenSSL),
 * detached or attached. Exit status 0 when every signer's signature is valid and its
 * certificate trusted at the time asked, 1 otherwise, 2 for a usage error. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tirkeu-cli-error.h"
#include "tirkeu-cli.h"
#include "tirkeu-cms.h"
#include "tirkeu-format.h"
#include "tirkeu-token-enums.h"
#include "tirkeu-token-error.h"

static gboolean
usage_failure (GError     **error,
               const char  *message)
{
  g_set_error_literal (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE, message);
  return FALSE;
}

/* Every certificate in @path, PEM (one or more) or DER, appended to @trusted. */
static gboolean
load_trusted (const char  *path,
              GPtrArray   *trusted,
              GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  BIO *bio;
  X509 *x509;
  guint before = trusted->len;

  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;

  bio = BIO_new_mem_buf (contents, (int) MIN (len, G_MAXINT));
  while (bio != NULL && (x509 = PEM_read_bio_X509 (bio, NULL, NULL, NULL)) != NULL)
    g_ptr_array_add (trusted, x509);
  BIO_free (bio);

  if (trusted->len == before)
    {
      const unsigned char *p = (const unsigned char *) contents;

      x509 = d2i_X509 (NULL, &p, (long) MIN (len, G_MAXLONG));
      if (x509 != NULL)
        g_ptr_array_add (trusted, x509);
    }
  ERR_clear_error ();

  if (trusted->len == before)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is a file name given with --trust */
      message = g_strdup_printf (_("“%s” holds no certificate (DER or PEM)"), path);
      return usage_failure (error, message);
    }

  return TRUE;
}

/* --at: an ISO 8601 date and time; without a zone it is UTC; a date alone is its midnight. */
static GDateTime *
parse_time (const char  *text,
            GError     **error)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  GDateTime *time = g_date_time_new_from_iso8601 (text, utc);

  if (time == NULL)
    {
      g_autofree char *midnight = g_strconcat (text, "T00:00:00", NULL);

      time = g_date_time_new_from_iso8601 (midnight, utc);
    }
  if (time == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is what was given with --at; keep the example as is */
      message = g_strdup_printf (_("“%s” is not a time: write it as 2022-09-01 or "
                                   "2022-09-01T12:00:00Z"), text);
      usage_failure (error, message);
    }

  return time;
}

static const char *
algorithm_name (TirkeuKeyAlgorithm algorithm)
{
  /* Stable names for scripts, not translated. */
  switch (algorithm)
    {
    case TIRKEU_KEY_ALGORITHM_GOST_2015_512:
      return "GOST 2015-512";
    case TIRKEU_KEY_ALGORITHM_RSA:
      return "RSA";
    case TIRKEU_KEY_ALGORITHM_EC:
      return "EC";
    case TIRKEU_KEY_ALGORITHM_GOST_2004:
      return "GOST 34.310-2004";
    case TIRKEU_KEY_ALGORITHM_GOST:
    case TIRKEU_KEY_ALGORITHM_UNKNOWN:
    default:
      return "unknown";
    }
}

static const char *
role_nick (TirkeuCertificateRole role)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (TIRKEU_TYPE_CERTIFICATE_ROLE);
  GEnumValue *value = g_enum_get_value (klass, role);

  /* nicks are static strings of the registered type */
  return value != NULL ? value->value_nick : "unknown";
}

static char *
format_time (GDateTime *time)
{
  return time != NULL ? g_date_time_format_iso8601 (time) : NULL;
}

static void
print_json (GPtrArray *signers)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "signers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < signers->len; i++)
    {
      TirkeuCmsSigner *signer = g_ptr_array_index (signers, i);
      g_autofree char *signing_time = format_time (tirkeu_cms_signer_get_signing_time (signer));

      json_builder_begin_object (builder);
      tirkeu_cli_json_add_string (builder, "subject", tirkeu_cms_signer_get_subject (signer));
      tirkeu_cli_json_add_string (builder, "iin_masked",
                                  tirkeu_cms_signer_get_iin_masked (signer));
      tirkeu_cli_json_add_string (builder, "bin", tirkeu_cms_signer_get_bin (signer));
      tirkeu_cli_json_add_string (builder, "role",
                                  role_nick (tirkeu_cms_signer_get_role (signer)));
      tirkeu_cli_json_add_string (builder, "algorithm",
                                  algorithm_name (tirkeu_cms_signer_get_algorithm (signer)));
      tirkeu_cli_json_add_string (builder, "signing_time", signing_time);
      tirkeu_cli_json_add_string (builder, "signature",
                                  tirkeu_cms_signer_get_signature_valid (signer)
                                  ? "valid" : "invalid");
      tirkeu_cli_json_add_string (builder, "certificate",
                                  tirkeu_cms_certificate_status_to_string (
                                    tirkeu_cms_signer_get_certificate_status (signer)));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  tirkeu_cli_print_json_builder (builder);
}

static const char *
status_text (TirkeuCmsCertificateStatus status)
{
  switch (status)
    {
    case TIRKEU_CMS_CERTIFICATE_TRUSTED:
      return C_("certificate status", "trusted");
    case TIRKEU_CMS_CERTIFICATE_EXPIRED:
      return C_("certificate status", "expired");
    case TIRKEU_CMS_CERTIFICATE_NOT_YET_VALID:
      return C_("certificate status", "not valid yet");
    case TIRKEU_CMS_CERTIFICATE_UNTRUSTED:
    default:
      /* Translators: no chain to a certificate given with --trust */
      return C_("certificate status", "not trusted");
    }
}

static void
print_text (GPtrArray *signers)
{
  for (guint i = 0; i < signers->len; i++)
    {
      TirkeuCmsSigner *signer = g_ptr_array_index (signers, i);
      GDateTime *time = tirkeu_cms_signer_get_signing_time (signer);
      /* As people here write it, in local time (--json keeps ISO 8601 for machines) */
      g_autofree char *when = tirkeu_format_date_time (time);
      const char *subject = tirkeu_cms_signer_get_subject (signer);
      const char *iin = tirkeu_cms_signer_get_iin_masked (signer);
      const char *bin = tirkeu_cms_signer_get_bin (signer);

      /* Translators: %u is the signer's number, %s the name in the certificate */
      g_print (_("Signer %u: %s"), i + 1, subject != NULL ? subject : _("unknown"));
      g_print ("\n");
      if (iin != NULL)
        {
          /* Translators: IIN: ЖСН / ИИН; the value is masked */
          g_print (_("  IIN: %s"), iin);
          g_print ("\n");
        }
      if (bin != NULL)
        {
          /* Translators: BIN: БСН / БИН */
          g_print (_("  BIN: %s"), bin);
          g_print ("\n");
        }
      g_print (_("  Role: %s"),
               tirkeu_certificate_role_to_string (tirkeu_cms_signer_get_role (signer)));
      g_print ("\n");
      g_print (_("  Algorithm: %s"),
               algorithm_name (tirkeu_cms_signer_get_algorithm (signer)));
      g_print ("\n");
      if (when != NULL)
        {
          g_print (_("  Signed at: %s"), when);
          g_print ("\n");
        }
      g_print (_("  Signature: %s"), tirkeu_cms_signer_get_signature_valid (signer)
                                     ? C_("signature", "valid") : C_("signature", "invalid"));
      g_print ("\n");
      g_print (_("  Certificate: %s"),
               status_text (tirkeu_cms_signer_get_certificate_status (signer)));
      g_print ("\n");
    }
}

/**
 * tirkeu_cli_run_verify:
 *
 * `tirkeu-cli verify [--trust CERT]… [--at TIME] SIGNATURE [DATA]`
 */
int
tirkeu_cli_run_verify (TirkeuCliOptions  *options,
                       int                argc,
                       char             **argv)
{
  g_auto(GStrv) trust_files = NULL;
  g_autofree char *at_text = NULL;
  const GOptionEntry entries[] = {
    { "trust", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &trust_files,
      N_("Trust this CA certificate (DER or PEM); repeat for more"), N_("CERT") },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at_text,
      N_("Check the certificates at this time (ISO 8601, UTC by default) instead of now"),
      N_("TIME") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) trusted = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
  g_autoptr(GDateTime) at = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GPtrArray) signers = NULL;
  char *data = NULL;
  gsize length = 0;
  gboolean all_good;

  if (!tirkeu_cli_parse_command (options, entries, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 2 && argc != 3)
    return tirkeu_cli_usage_error (options, argv[0]);

  for (guint i = 0; trust_files != NULL && trust_files[i] != NULL; i++)
    if (!load_trusted (trust_files[i], trusted, &error))
      return tirkeu_cli_report_error (options, error);

  at = at_text != NULL ? parse_time (at_text, &error) : g_date_time_new_now_utc ();
  if (at == NULL)
    return tirkeu_cli_report_error (options, error);

  if (!g_file_get_contents (argv[1], &data, &length, &error))
    return tirkeu_cli_report_error (options, error);
  signature = g_bytes_new_take (g_steal_pointer (&data), length);
  if (argc == 3)
    {
      if (!g_file_get_contents (argv[2], &data, &length, &error))
        return tirkeu_cli_report_error (options, error);
      content = g_bytes_new_take (g_steal_pointer (&data), length);
    }

  signers = tirkeu_cms_verify (signature, content, trusted, at, &error);
  if (signers == NULL)
    {
      /* Not a signature, or the data is missing: the signature is not valid here. */
      tirkeu_cli_report_error (options, error);
      return TIRKEU_CLI_EXIT_REFUSED;
    }

  if (options->json)
    print_json (signers);
  else
    print_text (signers);

  all_good = signers->len > 0;
  for (guint i = 0; i < signers->len; i++)
    {
      TirkeuCmsSigner *signer = g_ptr_array_index (signers, i);

      all_good = all_good && tirkeu_cms_signer_get_signature_valid (signer)
                 && tirkeu_cms_signer_get_certificate_status (signer)
                    == TIRKEU_CMS_CERTIFICATE_TRUSTED;
    }

  return all_good ? TIRKEU_CLI_EXIT_DONE : TIRKEU_CLI_EXIT_REFUSED;
}
