/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tirkeu-cli tokens, sign: the EDS token, or with --key-file an NCA key file instead. Both
 * honour --pkcs11-module; sign reads the PIN (a key file's password) from --pin-fd or the
 * terminal (never from the command line). Exit status 4 for a token, key file, module or PIN
 * error, including the refusals to sign with a certificate. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tirkeu-cli.h"
#include "tirkeu-cli-error.h"
#include "tirkeu-error.h"
#include "tirkeu-format.h"
#include "tirkeu-iin.h"
#include "tirkeu-token-enums.h"
#include "tirkeu-token-manager.h"

/* The CLI is synchronous: it iterates the default main context, where the manager delivers
 * its results, until the one awaited arrives. */
static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static TirkeuTokenManager *
manager_new_loaded (const TirkeuCliOptions  *options,
                    GError                 **error)
{
  g_autoptr(TirkeuTokenManager) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  manager = tirkeu_token_manager_new (options->pkcs11_module);
  /* a one-shot command: no presence polling */
  tirkeu_token_manager_set_poll_interval (manager, 0);
  tirkeu_token_manager_load_async (manager, NULL, store_result_cb, &result);
  if (!tirkeu_token_manager_load_finish (manager, wait_for_result (&result), error))
    return NULL;

  return g_steal_pointer (&manager);
}

/* With --key-file: a manager that lists that key file alone (no module is loaded: a key
 * file needs none), opened with @password. */
static TirkeuTokenManager *
manager_new_for_key_file (const TirkeuCliOptions  *options,
                          const char              *password,
                          GError                 **error)
{
  g_autoptr(TirkeuTokenManager) manager = tirkeu_token_manager_new_for_key_files ();
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (options->key_file);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TirkeuTokenInfo) token = NULL;

  tirkeu_token_manager_set_poll_interval (manager, 0);
  tirkeu_token_manager_add_key_file_async (manager, file, password, NULL, store_result_cb,
                                           &result);
  token = tirkeu_token_manager_add_key_file_finish (manager, wait_for_result (&result), error);
  if (token == NULL)
    return NULL;

  return g_steal_pointer (&manager);
}

static TirkeuCliPin *
read_key_file_password (const TirkeuCliOptions  *options,
                        GError                 **error)
{
  g_autofree char *name = g_path_get_basename (options->key_file);
  /* Translators: the prompt for an NCA key file's password (ru «пароль», kk «құпиясөз»);
   * %s is the file's name */
  g_autofree char *prompt = g_strdup_printf (_("Password of the key file “%s”: "), name);

  return tirkeu_cli_read_pin (options, prompt, error);
}

static GPtrArray *
list_tokens (TirkeuTokenManager  *manager,
             GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_token_manager_list_tokens_async (manager, NULL, store_result_cb, &result);
  return tirkeu_token_manager_list_tokens_finish (manager, wait_for_result (&result), error);
}

static GPtrArray *
list_certificates (TirkeuTokenManager  *manager,
                   TirkeuTokenInfo     *token,
                   GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_token_manager_list_certificates_async (manager, tirkeu_token_info_get_serial (token),
                                                NULL, store_result_cb, &result);
  return tirkeu_token_manager_list_certificates_finish (manager, wait_for_result (&result),
                                                        error);
}

/* NULL when valid now, else the translated reason it is not. */
static const char *
validity_problem (TirkeuCertificate *certificate,
                  GDateTime         *now)
{
  if (g_date_time_compare (now, tirkeu_certificate_get_not_before (certificate)) < 0)
    return tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_NOT_YET_VALID);
  if (g_date_time_compare (now, tirkeu_certificate_get_not_after (certificate)) > 0)
    return tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_EXPIRED);
  return NULL;
}

static int
compare_certificates (gconstpointer a,
                      gconstpointer b)
{
  TirkeuCertificate *first = *(TirkeuCertificate **) a;
  TirkeuCertificate *second = *(TirkeuCertificate **) b;

  return g_strcmp0 (tirkeu_certificate_get_id (first), tirkeu_certificate_get_id (second));
}

static void
add_pin_flags (JsonBuilder    *builder,
               TirkeuPinFlags  flags)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (TIRKEU_TYPE_PIN_FLAGS);

  json_builder_set_member_name (builder, "pin_flags");
  json_builder_begin_array (builder);
  for (guint i = 0; i < klass->n_values; i++)
    if (klass->values[i].value != 0 && (flags & klass->values[i].value) != 0)
      json_builder_add_string_value (builder, klass->values[i].value_nick);
  json_builder_end_array (builder);
}

/* "auth+sign": one key that serves sign-in and signing (GOST 2015, tirkeu_certificate_is_one_key()) */
static const char *
kind_json_name (TirkeuCertificate *certificate)
{
  if (tirkeu_certificate_is_one_key (certificate))
    return "auth+sign";

  switch (tirkeu_certificate_get_kind (certificate))
    {
    case TIRKEU_CERTIFICATE_KIND_AUTH:
      return "auth";
    case TIRKEU_CERTIFICATE_KIND_SIGN:
      return "sign";
    case TIRKEU_CERTIFICATE_KIND_UNKNOWN:
    default:
      return "unknown";
    }
}

static const char *
kind_text (TirkeuCertificate *certificate)
{
  if (tirkeu_certificate_is_one_key (certificate))
    /* Translators: one GOST 2015 key that both signs in (AUTH) and signs documents (SIGN);
     * AUTH and SIGN are NCA's own names, usually kept as they are */
    return C_("certificate kind", "AUTH+SIGN");
  return tirkeu_certificate_kind_to_string (tirkeu_certificate_get_kind (certificate));
}

/* Names a script can rely on, in every language. */
static const char *
algorithm_json_name (TirkeuKeyAlgorithm algorithm)
{
  switch (algorithm)
    {
    case TIRKEU_KEY_ALGORITHM_RSA:
      return "RSA";
    case TIRKEU_KEY_ALGORITHM_EC:
      return "EC";
    case TIRKEU_KEY_ALGORITHM_GOST_2015_512:
      return "GOST 2015-512";
    case TIRKEU_KEY_ALGORITHM_GOST_2004:
      return "GOST 34.310-2004";
    case TIRKEU_KEY_ALGORITHM_GOST:
      return "GOST";
    case TIRKEU_KEY_ALGORITHM_UNKNOWN:
    default:
      return "unknown";
    }
}

static void
add_certificate_json (JsonBuilder       *builder,
                      TirkeuCertificate *certificate,
                      GDateTime         *now)
{
  g_autofree char *masked = tirkeu_certificate_dup_masked_iin (certificate);
  g_autofree char *not_before = g_date_time_format_iso8601 (
                                  tirkeu_certificate_get_not_before (certificate));
  g_autofree char *not_after = g_date_time_format_iso8601 (
                                 tirkeu_certificate_get_not_after (certificate));
  g_autofree char *warning = tirkeu_certificate_dup_warning (certificate, now);

  json_builder_begin_object (builder);
  tirkeu_cli_json_add_string (builder, "id", tirkeu_certificate_get_id (certificate));
  tirkeu_cli_json_add_string (builder, "label", tirkeu_certificate_get_label (certificate));
  tirkeu_cli_json_add_string (builder, "kind", kind_json_name (certificate));
  tirkeu_cli_json_add_string (builder, "role", tirkeu_certificate_role_to_string (
                                 tirkeu_certificate_get_role (certificate)));
  tirkeu_cli_json_add_string (builder, "algorithm", algorithm_json_name (
                                      tirkeu_certificate_get_key_algorithm (certificate)));
  tirkeu_cli_json_add_string (builder, "owner", tirkeu_certificate_get_owner_name (certificate));
  tirkeu_cli_json_add_string (builder, "iin_masked", masked);
  tirkeu_cli_json_add_string (builder, "bin", tirkeu_certificate_get_bin (certificate));
  tirkeu_cli_json_add_string (builder, "organisation", tirkeu_certificate_get_organisation (certificate));
  tirkeu_cli_json_add_string (builder, "issuer", tirkeu_certificate_get_issuer (certificate));
  tirkeu_cli_json_add_string (builder, "not_before", not_before);
  tirkeu_cli_json_add_string (builder, "not_after", not_after);
  json_builder_set_member_name (builder, "valid_now");
  json_builder_add_boolean_value (builder, validity_problem (certificate, now) == NULL);
  json_builder_set_member_name (builder, "has_key");
  json_builder_add_boolean_value (builder, tirkeu_certificate_has_private_key (certificate));
  tirkeu_cli_json_add_string (builder, "warning", warning);
  json_builder_end_object (builder);
}

static void
print_certificate (TirkeuCertificate *certificate,
                   GDateTime         *now)
{
  g_autofree char *masked = tirkeu_certificate_dup_masked_iin (certificate);
  g_autofree char *not_before = tirkeu_format_date (tirkeu_certificate_get_not_before (certificate));
  g_autofree char *not_after = tirkeu_format_date (tirkeu_certificate_get_not_after (certificate));
  g_autofree char *warning = tirkeu_certificate_dup_warning (certificate, now);
  const char *bin = tirkeu_certificate_get_bin (certificate);

  g_print ("  %-4s %-4s %-5s %s\n",
           tirkeu_certificate_get_id (certificate),
           kind_text (certificate),
           tirkeu_key_algorithm_to_string (tirkeu_certificate_get_key_algorithm (certificate)),
           tirkeu_certificate_get_owner_name (certificate) != NULL
           ? tirkeu_certificate_get_owner_name (certificate) : "");
  /* Translators: a certificate's details: its role, then BIN (БСН / БИН) and IIN (ЖСН /
   * ИИН), then the dates it is valid from and to */
  g_print (_("       %s; BIN %s; IIN %s; valid %s to %s\n"),
           tirkeu_certificate_role_to_string (tirkeu_certificate_get_role (certificate)),
           bin != NULL ? bin : "—", masked != NULL ? masked : "—", not_before, not_after);
  if (tirkeu_certificate_get_organisation (certificate) != NULL)
    g_print ("       %s\n", tirkeu_certificate_get_organisation (certificate));
  if (validity_problem (certificate, now) != NULL)
    g_print ("       %s\n", validity_problem (certificate, now));
  if (!tirkeu_certificate_has_private_key (certificate))
    g_print ("       %s\n", _("No key on the token for this certificate"));
  if (tirkeu_certificate_get_key_algorithm (certificate) == TIRKEU_KEY_ALGORITHM_GOST_2004)
    g_print ("       %s\n", tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_KEY_FILE_OLD_GOST));
  if (warning != NULL)
    g_print ("       %s\n", warning);
}

/**
 * tirkeu_cli_run_tokens:
 *
 * `tirkeu-cli tokens`: the tokens present and their certificates.
 */
int
tirkeu_cli_run_tokens (TirkeuCliOptions  *options,
                       int                argc,
                       char             **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuTokenManager) manager = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(JsonBuilder) builder = NULL;

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 1)
    return tirkeu_cli_usage_error (options, argv[0]);

  if (options->key_file != NULL)
    {
      /* the key file's certificate is encrypted: its password is needed to list it */
      g_autoptr(TirkeuCliPin) password = read_key_file_password (options, &error);

      if (password == NULL)
        return tirkeu_cli_report_error (options, error);
      manager = manager_new_for_key_file (options, password, &error);
    }
  else
    {
      manager = manager_new_loaded (options, &error);
    }
  if (manager == NULL || (tokens = list_tokens (manager, &error)) == NULL)
    return tirkeu_cli_report_error (options, error);

  if (tokens->len == 0)
    {
      g_set_error_literal (&error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_TOKEN,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_NO_TOKEN));
      return tirkeu_cli_report_error (options, error);
    }

  if (options->json)
    {
      builder = json_builder_new ();
      json_builder_begin_object (builder);
      if (options->key_file == NULL)
        tirkeu_cli_json_add_string (builder, "module",
                                    tirkeu_token_manager_get_module_path (manager));
      else
        tirkeu_cli_json_add_string (builder, "key_file", options->key_file);
      json_builder_set_member_name (builder, "tokens");
      json_builder_begin_array (builder);
    }

  for (guint i = 0; i < tokens->len; i++)
    {
      TirkeuTokenInfo *token = g_ptr_array_index (tokens, i);
      g_autoptr(GPtrArray) certificates = list_certificates (manager, token, &error);

      if (certificates == NULL)
        return tirkeu_cli_report_error (options, error);
      g_ptr_array_sort (certificates, compare_certificates);

      if (options->json)
        {
          json_builder_begin_object (builder);
          tirkeu_cli_json_add_string (builder, "kind", tirkeu_token_info_get_kind (token)
                                      == TIRKEU_TOKEN_KIND_KEY_FILE ? "key-file" : "pkcs11");
          tirkeu_cli_json_add_string (builder, "label", tirkeu_token_info_get_label (token));
          tirkeu_cli_json_add_string (builder, "manufacturer", tirkeu_token_info_get_manufacturer (token));
          tirkeu_cli_json_add_string (builder, "model", tirkeu_token_info_get_model (token));
          tirkeu_cli_json_add_string (builder, "serial", tirkeu_token_info_get_serial (token));
          add_pin_flags (builder, tirkeu_token_info_get_pin_flags (token));
          tirkeu_cli_json_add_string (builder, "pin_warning", tirkeu_token_info_get_pin_warning (token));
          json_builder_set_member_name (builder, "certificates");
          json_builder_begin_array (builder);
          for (guint j = 0; j < certificates->len; j++)
            add_certificate_json (builder, g_ptr_array_index (certificates, j), now);
          json_builder_end_array (builder);
          json_builder_end_object (builder);
          continue;
        }

      if (tirkeu_token_info_get_kind (token) == TIRKEU_TOKEN_KIND_KEY_FILE)
        /* Translators: an NCA key file (ru «файл ключа», kk «кілт файлы»); %s is its name */
        g_print (_("Key file “%s”\n"), tirkeu_token_info_get_label (token));
      else
        /* Translators: a token: its label, manufacturer, model and serial number */
        g_print (_("Token “%s” (%s %s, serial %s)\n"),
                 tirkeu_token_info_get_label (token), tirkeu_token_info_get_manufacturer (token),
                 tirkeu_token_info_get_model (token), tirkeu_token_info_get_serial (token));
      if (tirkeu_token_info_get_pin_warning (token) != NULL)
        g_print ("  %s\n", tirkeu_token_info_get_pin_warning (token));
      if (certificates->len == 0)
        g_print ("  %s\n", _("No certificates"));
      for (guint j = 0; j < certificates->len; j++)
        print_certificate (g_ptr_array_index (certificates, j), now);
    }

  if (options->json)
    {
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      tirkeu_cli_print_json_builder (builder);
    }

  return TIRKEU_CLI_EXIT_DONE;
}

static TirkeuTokenInfo *
find_token (GPtrArray  *tokens,
            const char *label_or_serial)
{
  for (guint i = 0; i < tokens->len; i++)
    {
      TirkeuTokenInfo *token = g_ptr_array_index (tokens, i);

      if (g_str_equal (tirkeu_token_info_get_label (token), label_or_serial)
          || g_str_equal (tirkeu_token_info_get_serial (token), label_or_serial))
        return token;
    }

  return NULL;
}

static TirkeuCertificate *
find_certificate (GPtrArray  *certificates,
                  const char *id)
{
  for (guint i = 0; i < certificates->len; i++)
    {
      TirkeuCertificate *certificate = g_ptr_array_index (certificates, i);

      if (g_ascii_strcasecmp (tirkeu_certificate_get_id (certificate), id) == 0)
        return certificate;
    }

  return NULL;
}

/* `sign`'s document, read a block at a time on the token thread into its digest (a detached
 * signature needs nothing more of it): a document of any size, a pipe or a device takes
 * one block of memory. Its read errors name the document: they reach the CLI from the
 * token manager, among the token's own errors. No GFile: standard input ("-") is read
 * through the same descriptor code, and GIO's Unix streams would be one more library. */
#define TIRKEU_TYPE_CLI_DOCUMENT_STREAM (tirkeu_cli_document_stream_get_type ())
G_DECLARE_FINAL_TYPE (TirkeuCliDocumentStream, tirkeu_cli_document_stream, TIRKEU,
                      CLI_DOCUMENT_STREAM, GInputStream)

struct _TirkeuCliDocumentStream
{
  GInputStream  parent_instance;
  int           fd;
  gboolean      close_fd;     /* not standard input */
  char         *name;         /* as the user wrote it */
};

G_DEFINE_FINAL_TYPE (TirkeuCliDocumentStream, tirkeu_cli_document_stream, G_TYPE_INPUT_STREAM)

static void
cannot_read (GError     **error,
             const char  *name,
             int          errsv)
{
  /* Translators: %s is the document to sign, then the system's reason */
  g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE, _("Cannot read “%s”: %s"),
               name, g_strerror (errsv));
}

static gssize
document_stream_read (GInputStream  *stream,
                      void          *buffer,
                      gsize          count,
                      GCancellable  *cancellable,
                      GError       **error)
{
  TirkeuCliDocumentStream *self = TIRKEU_CLI_DOCUMENT_STREAM (stream);
  gssize n;

  do
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;
      n = read (self->fd, buffer, MIN (count, G_MAXSSIZE));
    }
  while (n < 0 && errno == EINTR);

  if (n < 0)
    cannot_read (error, self->name, errno);
  return n;
}

static gboolean
document_stream_close (GInputStream  *stream,
                       GCancellable  *cancellable,
                       GError       **error)
{
  TirkeuCliDocumentStream *self = TIRKEU_CLI_DOCUMENT_STREAM (stream);

  if (self->close_fd && self->fd >= 0)
    g_close (self->fd, NULL);
  self->fd = -1;
  return TRUE;
}

static void
tirkeu_cli_document_stream_finalize (GObject *object)
{
  TirkeuCliDocumentStream *self = TIRKEU_CLI_DOCUMENT_STREAM (object);

  if (self->close_fd && self->fd >= 0)
    g_close (self->fd, NULL);
  g_free (self->name);
  G_OBJECT_CLASS (tirkeu_cli_document_stream_parent_class)->finalize (object);
}

static void
tirkeu_cli_document_stream_class_init (TirkeuCliDocumentStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tirkeu_cli_document_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = document_stream_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = document_stream_close;
}

static void
tirkeu_cli_document_stream_init (TirkeuCliDocumentStream *self)
{
  self->fd = -1;
}

/* Opens the document to sign, @path or standard input for "-": a folder or a file that
 * cannot be opened is said now, before any PIN is asked. Nothing is read yet. */
static GInputStream *
open_document (const char  *path,
               GError     **error)
{
  g_autoptr(TirkeuCliDocumentStream) stream = NULL;
  GStatBuf info;

  stream = g_object_new (TIRKEU_TYPE_CLI_DOCUMENT_STREAM, NULL);
  stream->name = g_strdup (path);
  if (g_str_equal (path, "-"))
    {
      stream->fd = STDIN_FILENO;
    }
  else
    {
      stream->fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
      if (stream->fd < 0)
        {
          int errsv = errno;

          if (errsv == EISDIR)
            goto folder;
          cannot_read (error, path, errsv);
          return NULL;
        }
      stream->close_fd = TRUE;
    }

  if (fstat (stream->fd, &info) != 0)
    {
      cannot_read (error, path, errno);
      return NULL;
    }
  if (S_ISDIR (info.st_mode))
    goto folder;

  return G_INPUT_STREAM (g_steal_pointer (&stream));

folder:
  /* Translators: %s is the folder given as the document to sign */
  g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
               _("“%s” is a folder: give a file to sign."), path);
  return NULL;
}

/* The signature replaces its output file: a device node or a FIFO there would be replaced by
 * a plain file (or, written to, swallow the signature). Only a regular file, or none yet. */
static gboolean
check_output (const char  *output,
              GError     **error)
{
  GStatBuf info;

  if (g_stat (output, &info) != 0)
    return TRUE;    /* not there yet: created */
  if (S_ISREG (info.st_mode))
    return TRUE;
  if (S_ISDIR (info.st_mode))
    g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                 _("The signature cannot be written to “%s”: it is a folder."), output);
  else
    g_set_error (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                 /* Translators: a device node (/dev/null), a FIFO or a socket */
                 _("The signature cannot be written to “%s”: it is a device or a pipe, not a "
                   "file."), output);
  return FALSE;
}

/**
 * tirkeu_cli_run_sign:
 *
 * `tirkeu-cli sign {--token LABEL --cert ID | --key-file KEY} [--seller-bin BIN] [--sign-in]
 * [-o OUT] FILE`: a detached DER CMS (CAdES-BES) signature of FILE, written to OUT (FILE.cms
 * by default, mode 0600: it carries the signer's certificate, personal data). FILE "-" is
 * standard input (then -o is needed). FILE is read a block at a time into its digest, so
 * its size is not bounded and its memory is one block: an endless input (/dev/zero) runs
 * until interrupted, as `sha256sum` does, and nothing is written then. A token's PIN is
 * read only once FILE has been read to its end (a key file's password comes first: its
 * certificate is encrypted).
 */
int
tirkeu_cli_run_sign (TirkeuCliOptions  *options,
                     int                argc,
                     char             **argv)
{
  g_autofree char *token_label = NULL;
  g_autofree char *certificate_id = NULL;
  g_autofree char *seller_bin = NULL;
  g_autofree char *output = NULL;
  gboolean sign_in = FALSE;
  const GOptionEntry entries[] = {
    { "token", 0, 0, G_OPTION_ARG_STRING, &token_label,
      N_("Label (or serial number) of the token"), N_("LABEL") },
    { "cert", 0, 0, G_OPTION_ARG_STRING, &certificate_id,
      N_("Id of the certificate, as “tirkeu-cli tokens” shows it"), N_("ID") },
    /* Translators: BIN: БСН / БИН */
    { "seller-bin", 0, 0, G_OPTION_ARG_STRING, &seller_bin,
      N_("Refuse a certificate of another BIN: sign a registration request of this seller"),
      N_("BIN") },
    { "sign-in", 0, 0, G_OPTION_ARG_NONE, &sign_in,
      N_("Sign a sign-in challenge with the AUTH key instead of a document"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Where to write the signature (default: FILE.cms)"), N_("OUT") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuTokenManager) manager = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GInputStream) content = NULL;
  g_autoptr(TirkeuDocumentDigest) digest = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *warning = NULL;
  g_autoptr(TirkeuCliPin) password = NULL;
  TirkeuSignPurpose purpose;
  TirkeuTokenInfo *token;
  TirkeuCertificate *certificate;

  if (!tirkeu_cli_parse_command (options, entries, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  /* a key file holds one certificate: it needs neither --token nor --cert */
  if (argc != 2 || (options->key_file == NULL && (token_label == NULL || certificate_id == NULL))
      || (options->key_file != NULL && token_label != NULL)
      || (sign_in && seller_bin != NULL))
    return tirkeu_cli_usage_error (options, argv[0]);

  if (seller_bin != NULL)
    {
      TirkeuBinInfo info;

      if (!tirkeu_bin_parse (seller_bin, 0, &info, &error))
        return tirkeu_cli_report_error (options, error);
      g_free (seller_bin);
      seller_bin = g_strdup (info.bin);
    }
  purpose = sign_in ? TIRKEU_SIGN_PURPOSE_SIGN_IN
            : seller_bin != NULL ? TIRKEU_SIGN_PURPOSE_REQUEST : TIRKEU_SIGN_PURPOSE_DOCUMENT;

  if (g_str_equal (argv[1], "-") && output == NULL)
    {
      g_set_error_literal (&error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                           _("A document read from standard input needs -o OUT for its "
                             "signature."));
      return tirkeu_cli_report_error (options, error);
    }
  /* the PIN is read up to its newline; the document would lose or gain bytes around it */
  if (g_str_equal (argv[1], "-") && options->pin_fd == STDIN_FILENO)
    {
      g_set_error_literal (&error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                           _("The PIN and the document cannot both be read from standard "
                             "input."));
      return tirkeu_cli_report_error (options, error);
    }
  if (output == NULL)
    output = g_strconcat (argv[1], ".cms", NULL);
  if (!check_output (output, &error) || (content = open_document (argv[1], &error)) == NULL)
    return tirkeu_cli_report_error (options, error);

  /* A key file's certificate is encrypted: its password is read first (the digest depends
   * on the certificate's key), and serves again for the signature; it stays in its locked
   * buffer, in no job, while the document is read. A token's PIN is asked only once the
   * certificate may sign and the document is read. */
  if (options->key_file != NULL
      && (password = read_key_file_password (options, &error)) == NULL)
    return tirkeu_cli_report_error (options, error);

  manager = options->key_file != NULL ? manager_new_for_key_file (options, password, &error)
                                      : manager_new_loaded (options, &error);
  if (manager == NULL || (tokens = list_tokens (manager, &error)) == NULL)
    return tirkeu_cli_report_error (options, error);

  token = options->key_file != NULL ? g_ptr_array_index (tokens, 0)
                                    : find_token (tokens, token_label);
  if (token == NULL)
    {
      g_set_error_literal (&error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_TOKEN,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_NO_TOKEN));
      return tirkeu_cli_report_error (options, error);
    }

  if ((certificates = list_certificates (manager, token, &error)) == NULL)
    return tirkeu_cli_report_error (options, error);
  certificate = certificate_id != NULL ? find_certificate (certificates, certificate_id)
                : certificates->len == 1 ? g_ptr_array_index (certificates, 0) : NULL;
  if (certificate == NULL)
    {
      g_set_error_literal (&error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_CERTIFICATE));
      return tirkeu_cli_report_error (options, error);
    }

  /* Refuse before asking for the PIN; the manager checks again on the token thread. */
  if (!tirkeu_certificate_check_purpose (certificate, purpose, seller_bin, now, &error))
    return tirkeu_cli_report_error (options, error);

  /* The document is read to its end into its digest first, on the token thread: a token's
   * PIN is not read yet, so however long the input takes (a pipe, a FIFO, a large file)
   * no PIN waits in memory meanwhile. */
  tirkeu_token_manager_digest_stream_async (manager, tirkeu_token_info_get_serial (token),
                                            tirkeu_certificate_get_id (certificate), purpose,
                                            seller_bin, content, NULL, store_result_cb,
                                            &result);
  digest = tirkeu_token_manager_digest_stream_finish (manager, wait_for_result (&result),
                                                      &error);
  g_clear_object (&result);
  g_clear_object (&content);
  if (digest == NULL)
    return tirkeu_cli_report_error (options, error);

  /* Said before the PIN prompt, for whoever types it. A PIN from --pin-fd is not typed
   * after reading this: a refusal then says the tries left itself, once. */
  if (tirkeu_token_info_get_pin_warning (token) != NULL && options->pin_fd < 0
      && password == NULL)
    g_printerr ("%s\n", tirkeu_token_info_get_pin_warning (token));
  if ((warning = tirkeu_certificate_dup_warning (certificate, now)) != NULL)
    g_printerr ("%s\n", warning);

  if (password == NULL)
    {
      /* Translators: the prompt for the token's PIN; %s is the token's label */
      prompt = g_strdup_printf (_("Password of the token “%s”: "),
                                tirkeu_token_info_get_label (token));
      if ((password = tirkeu_cli_read_pin (options, prompt, &error)) == NULL)
        return tirkeu_cli_report_error (options, error);
    }

  /* The manager copies the PIN into its job, and wipes that copy right after the login
   * and signature: ours is wiped now. */
  tirkeu_token_manager_sign_digest_async (manager, digest, password, NULL, store_result_cb,
                                          &result);
  g_clear_pointer (&password, tirkeu_cli_pin_free);

  signature = tirkeu_token_manager_sign_finish (manager, wait_for_result (&result), &error);
  if (signature == NULL)
    return tirkeu_cli_report_error (options, error);

  if (!g_file_set_contents_full (output, g_bytes_get_data (signature, NULL),
                                 g_bytes_get_size (signature),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    return tirkeu_cli_report_error (options, error);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      tirkeu_cli_json_add_string (builder, "signature", output);
      tirkeu_cli_json_add_string (builder, "token", tirkeu_token_info_get_label (token));
      tirkeu_cli_json_add_string (builder, "certificate", tirkeu_certificate_get_id (certificate));
      json_builder_set_member_name (builder, "bytes");
      json_builder_add_int_value (builder, (gint64) g_bytes_get_size (signature));
      json_builder_end_object (builder);
      tirkeu_cli_print_json_builder (builder);
    }
  else
    {
      /* Translators: %s is the file the detached CMS signature was written to */
      g_print (_("Signature written to %s\n"), output);
    }

  return TIRKEU_CLI_EXIT_DONE;
}
