/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tirkeu-certificate-check.h"
#include "tirkeu-cms.h"
#include "tirkeu-ocsp.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-timestamp.h"
#include "tirkeu-token-error.h"

/*
 * The signer's certificate before signing (OCSP) and the signature after it (a timestamp,
 * CAdES-T), for the desk, the sign-in page and tirkeu-cli alike.
 *
 * The check needs the certificate's issuer: to name the certificate in the OCSP question and
 * to know whose answer to trust. It is looked for in the ca-certificates file when one is
 * set, then downloaded (the portal's /pki/ca.cer, else the certificate's own caIssuers
 * address), and taken only if its key verifies the certificate: a download proves nothing
 * by itself, a signature does. The timestamp needs a CA its authority chains to: any of
 * those found.
 *
 * The crypto here (one or two signature checks) takes milliseconds and runs on the calling
 * thread; the network goes through the portal client, asynchronously.
 */

typedef enum
{
  JOB_CHECK,
  JOB_TIMESTAMP,
} JobKind;

typedef struct
{
  JobKind             kind;
  TirkeuPortalClient *client;
  char               *ocsp_url;
  char               *tsa_url;
  char               *ca_certificates;   /* a file, tried first */
  X509               *certificate;
  X509               *issuer;
  GPtrArray          *trusted;           /* X509: every CA certificate found */
  char               *ca_issuers_url;    /* from the certificate, tried second */
  TirkeuKeyAlgorithm  algorithm;
  GBytes             *cms;
  GBytes             *query;
  gboolean            tried_ca_issuers;
} Job;

typedef struct
{
  TirkeuCertificateCheckStatus  status;
  GDateTime                    *revoked_at;
} CheckResult;

static void
job_free (Job *job)
{
  g_clear_object (&job->client);
  g_free (job->ocsp_url);
  g_free (job->tsa_url);
  g_free (job->ca_certificates);
  X509_free (job->certificate);
  X509_free (job->issuer);
  g_clear_pointer (&job->trusted, g_ptr_array_unref);
  g_free (job->ca_issuers_url);
  g_clear_pointer (&job->cms, g_bytes_unref);
  g_clear_pointer (&job->query, g_bytes_unref);
  g_free (job);
}

static void
check_result_free (CheckResult *result)
{
  g_clear_pointer (&result->revoked_at, g_date_time_unref);
  g_free (result);
}

/* The configuration when the caller has none (tirkeu-cli, a controller made without one):
 * the application's settings when their schema is installed, so the desk and the CLI follow
 * one setting; built-in defaults otherwise. */
static TirkeuConfig *
default_config (void)
{
  static TirkeuConfig *config;
  static gsize initialised;

  if (g_once_init_enter (&initialised))
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, "io.github.tirkeu.Tirkeu", TRUE);
      if (schema != NULL)
        {
          g_autoptr(GSettings) settings = g_settings_new_full (schema, NULL, NULL);

          config = tirkeu_config_new (settings);
        }
      g_once_init_leave (&initialised, 1);
    }
  return config;
}

static X509 *
x509_from_certificate (TirkeuCertificate *certificate)
{
  GBytes *der = tirkeu_certificate_get_der (certificate);
  const unsigned char *p;
  gsize len;
  X509 *x509;

  if (der == NULL)
    return NULL;
  p = g_bytes_get_data (der, &len);
  x509 = len > 0 && len <= G_MAXLONG ? d2i_X509 (NULL, &p, (long) len) : NULL;
  ERR_clear_error ();
  return x509;
}

/* DER or PEM */
static X509 *
x509_from_bytes (GBytes *bytes)
{
  const unsigned char *p;
  gsize len;
  X509 *x509 = NULL;

  p = g_bytes_get_data (bytes, &len);
  if (len == 0 || len > 1024 * 1024)
    return NULL;
  x509 = d2i_X509 (NULL, &p, (long) len);
  if (x509 == NULL)
    {
      BIO *bio = BIO_new_mem_buf (g_bytes_get_data (bytes, NULL), (int) len);

      x509 = bio != NULL ? PEM_read_bio_X509 (bio, NULL, NULL, NULL) : NULL;
      BIO_free (bio);
    }
  ERR_clear_error ();
  return x509;
}

/* The certificate's caIssuers address (RFC 5280 4.2.2.1), http(s) only. */
static char *
ca_issuers_url (X509 *certificate)
{
  AUTHORITY_INFO_ACCESS *access = X509_get_ext_d2i (certificate, NID_info_access, NULL, NULL);
  char *url = NULL;

  for (int i = 0; access != NULL && url == NULL && i < sk_ACCESS_DESCRIPTION_num (access); i++)
    {
      ACCESS_DESCRIPTION *description = sk_ACCESS_DESCRIPTION_value (access, i);

      if (OBJ_obj2nid (description->method) == NID_ad_ca_issuers
          && description->location->type == GEN_URI)
        {
          const ASN1_IA5STRING *uri = description->location->d.uniformResourceIdentifier;
          g_autofree char *text = g_strndup ((const char *) ASN1_STRING_get0_data (uri),
                                             ASN1_STRING_length (uri));

          if (g_str_has_prefix (text, "http://") || g_str_has_prefix (text, "https://"))
            url = g_steal_pointer (&text);
        }
    }
  AUTHORITY_INFO_ACCESS_free (access);
  ERR_clear_error ();
  return url;
}

static GTask *
job_new (JobKind              kind,
         TirkeuConfig        *config,
         TirkeuPortalClient  *client,
         TirkeuCertificate   *certificate,
         gpointer             source_tag,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  if (config == NULL)
    config = default_config ();

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  job->kind = kind;
  job->trusted = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
  job->client = g_object_ref (client);
  job->ocsp_url = config != NULL ? g_strdup (tirkeu_config_get_ocsp_url (config)) : NULL;
  job->tsa_url = config != NULL ? g_strdup (tirkeu_config_get_tsa_url (config)) : NULL;
  job->ca_certificates = config != NULL
                         ? g_strdup (tirkeu_config_get_ca_certificates (config)) : NULL;
  job->algorithm = tirkeu_certificate_get_key_algorithm (certificate);
  job->certificate = x509_from_certificate (certificate);
  if (job->certificate != NULL)
    job->ca_issuers_url = ca_issuers_url (job->certificate);
  return task;
}

static void return_failure (GTask  *task,
                            GError *error);
static void issuer_found (GTask *task);

/* Keeps @candidate among the trusted CA certificates; it is the issuer if it signed the
 * certificate. Takes @candidate. */
static void
consider (Job  *job,
          X509 *candidate)
{
  if (job->issuer == NULL && tirkeu_certificate_is_issued_by (job->certificate, candidate))
    {
      X509_up_ref (candidate);
      job->issuer = candidate;
    }
  g_ptr_array_add (job->trusted, candidate);
}

/* A timestamp needs no issuer, only a CA its authority chains to: NCA's TSA chains to its
 * GOST root whatever the signer's key (an older RSA key, a token). */
static gboolean
enough_found (Job *job)
{
  return job->issuer != NULL || (job->kind == JOB_TIMESTAMP && job->trusted->len > 0);
}

static void
ca_certificate_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  g_autoptr(GBytes) der = NULL;
  GError *error = NULL;
  X509 *candidate;

  der = tirkeu_portal_client_get_ca_certificate_finish (TIRKEU_PORTAL_CLIENT (object), result,
                                                        &error);
  if (der == NULL && (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                      || job->tried_ca_issuers || job->ca_issuers_url == NULL))
    {
      return_failure (g_steal_pointer (&task), error);
      return;
    }
  g_clear_error (&error);

  candidate = der != NULL ? x509_from_bytes (der) : NULL;
  if (candidate != NULL)
    consider (job, candidate);
  if (enough_found (job))
    {
      issuer_found (g_steal_pointer (&task));
      return;
    }

  if (!job->tried_ca_issuers && job->ca_issuers_url != NULL)
    {
      job->tried_ca_issuers = TRUE;
      tirkeu_portal_client_get_ca_certificate_async (job->client, job->ca_issuers_url,
                                                     g_task_get_cancellable (task),
                                                     ca_certificate_cb, g_steal_pointer (&task));
      return;
    }
  return_failure (g_steal_pointer (&task),
                  g_error_new_literal (TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_ISSUER_UNKNOWN,
                                       tirkeu_token_error_to_message (
                                         TIRKEU_TOKEN_ERROR_ISSUER_UNKNOWN)));
}

/* The issuer among the certificates of the ca-certificates file (PEM, one or more, or
 * DER), else the portal's. A file that cannot be read is no error: the next source is. */
static void
ca_file_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Job *job = g_task_get_task_data (task);
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  if (g_file_load_contents_finish (G_FILE (object), result, &contents, &len, NULL, &error)
      && len > 0 && len <= G_MAXINT)
    {
      BIO *bio = BIO_new_mem_buf (contents, (int) len);
      X509 *candidate;

      while (bio != NULL && job->trusted->len < 64
             && (candidate = PEM_read_bio_X509 (bio, NULL, NULL, NULL)) != NULL)
        consider (job, candidate);
      BIO_free (bio);
      if (job->trusted->len == 0)
        {
          const unsigned char *p = (const unsigned char *) contents;

          candidate = d2i_X509 (NULL, &p, (long) len);
          if (candidate != NULL)
            consider (job, candidate);
        }
      ERR_clear_error ();
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      return_failure (task, g_steal_pointer (&error));
      return;
    }
  else if (error != NULL)
    g_message ("The CA certificates file cannot be read: %s", error->message);

  if (enough_found (job))
    {
      issuer_found (task);
      return;
    }
  tirkeu_portal_client_get_ca_certificate_async (job->client, NULL, g_task_get_cancellable (task),
                                                 ca_certificate_cb, task);
}

static void
job_start (GTask *task)
{
  Job *job = g_task_get_task_data (task);

  if (job->certificate == NULL)
    {
      return_failure (task, g_error_new_literal (TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE,
                                                 tirkeu_token_error_to_message (
                                                   TIRKEU_TOKEN_ERROR_CERTIFICATE)));
      return;
    }
  if (job->ca_certificates != NULL && job->ca_certificates[0] != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (job->ca_certificates);

      g_file_load_contents_async (file, g_task_get_cancellable (task), ca_file_cb, task);
      return;
    }
  tirkeu_portal_client_get_ca_certificate_async (job->client, NULL, g_task_get_cancellable (task),
                                                 ca_certificate_cb, task);
}

/* --- OCSP ------------------------------------------------------------------------------ */

static void
return_failure (GTask  *task,
                GError *error)
{
  /* For a check, the error goes with UNREACHABLE: see tirkeu_certificate_check_finish(). */
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
ocsp_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(TirkeuOcspResult) ocsp = NULL;
  g_autoptr(GDateTime) now = NULL;
  GError *error = NULL;
  CheckResult *check;

  answer = tirkeu_portal_client_post_pki_finish (TIRKEU_PORTAL_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      return_failure (g_steal_pointer (&task), error);
      return;
    }
  now = g_date_time_new_now_utc ();
  ocsp = tirkeu_ocsp_response_check (job->query, answer, job->issuer, now, &error);
  if (ocsp == NULL)
    {
      g_message ("The OCSP answer was refused: %s", error->message);
      return_failure (g_steal_pointer (&task), error);
      return;
    }
  check = g_new0 (CheckResult, 1);
  switch (ocsp->status)
    {
    case TIRKEU_OCSP_STATUS_GOOD:
      check->status = TIRKEU_CERTIFICATE_CHECK_GOOD;
      break;
    case TIRKEU_OCSP_STATUS_REVOKED:
      check->status = TIRKEU_CERTIFICATE_CHECK_REVOKED;
      check->revoked_at = ocsp->revoked_at != NULL ? g_date_time_ref (ocsp->revoked_at) : NULL;
      break;
    case TIRKEU_OCSP_STATUS_UNKNOWN:
    default:
      check->status = TIRKEU_CERTIFICATE_CHECK_UNKNOWN;
      break;
    }
  g_debug ("OCSP: the certificate is %s", tirkeu_ocsp_status_to_string (ocsp->status));
  g_task_return_pointer (task, check, (GDestroyNotify) check_result_free);
}

static void
ask_ocsp (GTask *task)
{
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;

  job->query = tirkeu_ocsp_request_new (job->certificate, job->issuer, TIRKEU_OCSP_HASH_SHA1,
                                        &error);
  if (job->query == NULL)
    {
      return_failure (task, error);
      return;
    }
  tirkeu_portal_client_post_pki_async (job->client, TIRKEU_PORTAL_PKI_OCSP, job->ocsp_url,
                                       job->query, g_task_get_cancellable (task), ocsp_cb,
                                       task);
}

/**
 * tirkeu_certificate_check_async:
 * @config: (nullable): the configuration (#TirkeuConfig:ocsp-url); %NULL for the
 *   application's settings when installed, else the portal's responder
 * @client: the portal client: its /pki/ocsp and /pki/ca.cer, its TLS trust and deadline
 * @certificate: the certificate to check
 * @cancellable: (nullable): cancels the check
 * @callback: called when it is done
 * @user_data: for @callback
 *
 * Asks the certificate's status by OCSP. Needs no sign-in.
 */
void
tirkeu_certificate_check_async (TirkeuConfig        *config,
                                TirkeuPortalClient  *client,
                                TirkeuCertificate   *certificate,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (config == NULL || TIRKEU_IS_CONFIG (config));
  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (client));
  g_return_if_fail (TIRKEU_IS_CERTIFICATE (certificate));

  task = job_new (JOB_CHECK, config, client, certificate, tirkeu_certificate_check_async,
                  cancellable, callback, user_data);
  job_start (task);
}

/**
 * tirkeu_certificate_check_finish:
 * @result: the result given to the callback
 * @revoked_at: (out) (optional) (nullable) (transfer full): when the certificate was
 *   revoked (REVOKED only, when the answer says)
 * @error: set with UNREACHABLE only: why no answer could be trusted (a
 *   %TIRKEU_PORTAL_ERROR for the network, a %TIRKEU_TOKEN_ERROR for an answer refused or an
 *   issuer not found, %G_IO_ERROR_CANCELLED)
 *
 * Returns: the certificate's status
 */
TirkeuCertificateCheckStatus
tirkeu_certificate_check_finish (GAsyncResult  *result,
                                 GDateTime    **revoked_at,
                                 GError       **error)
{
  CheckResult *check;
  TirkeuCertificateCheckStatus status;

  g_return_val_if_fail (g_task_is_valid (result, NULL), TIRKEU_CERTIFICATE_CHECK_UNREACHABLE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tirkeu_certificate_check_async,
                        TIRKEU_CERTIFICATE_CHECK_UNREACHABLE);

  if (revoked_at != NULL)
    *revoked_at = NULL;
  check = g_task_propagate_pointer (G_TASK (result), error);
  if (check == NULL)
    return TIRKEU_CERTIFICATE_CHECK_UNREACHABLE;
  status = check->status;
  if (revoked_at != NULL && check->revoked_at != NULL)
    *revoked_at = g_date_time_ref (check->revoked_at);
  check_result_free (check);
  return status;
}

/**
 * tirkeu_certificate_check_status_to_string:
 * @status: a #TirkeuCertificateCheckStatus
 *
 * Returns: (transfer none): the status in words, translated, for the UI
 */
const char *
tirkeu_certificate_check_status_to_string (TirkeuCertificateCheckStatus status)
{
  switch (status)
    {
    case TIRKEU_CERTIFICATE_CHECK_GOOD:
      /* Translators: the certificate's status as the certification authority's OCSP
       * service gives it */
      return C_("certificate status", "Valid, not revoked");
    case TIRKEU_CERTIFICATE_CHECK_REVOKED:
      /* Translators: kk «қайтарып алынды» (revoked: NCA's service is «тіркеу куәлігін беру және қайтарып алу»), ru «отозван» */
      return C_("certificate status", "Revoked");
    case TIRKEU_CERTIFICATE_CHECK_UNKNOWN:
      return C_("certificate status", "Unknown to the certification authority");
    case TIRKEU_CERTIFICATE_CHECK_UNREACHABLE:
    default:
      return C_("certificate status", "Could not be checked");
    }
}

/**
 * tirkeu_certificate_check_status_to_id:
 * @status: a #TirkeuCertificateCheckStatus
 *
 * Returns: (transfer none): "good", "revoked", "unknown" or "unreachable", not translated:
 *   for `tirkeu-cli --json` and logs
 */
const char *
tirkeu_certificate_check_status_to_id (TirkeuCertificateCheckStatus status)
{
  switch (status)
    {
    case TIRKEU_CERTIFICATE_CHECK_GOOD:
      return "good";
    case TIRKEU_CERTIFICATE_CHECK_REVOKED:
      return "revoked";
    case TIRKEU_CERTIFICATE_CHECK_UNKNOWN:
      return "unknown";
    case TIRKEU_CERTIFICATE_CHECK_UNREACHABLE:
    default:
      return "unreachable";
    }
}

/* --- the timestamp --------------------------------------------------------------------- */

static void
tsa_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GBytes) token = NULL;
  g_autoptr(GPtrArray) trusted = NULL;
  GBytes *stamped;
  GError *error = NULL;

  answer = tirkeu_portal_client_post_pki_finish (TIRKEU_PORTAL_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      return_failure (g_steal_pointer (&task), error);
      return;
    }
  trusted = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
  for (guint i = 0; i < job->trusted->len; i++)
    {
      X509_up_ref (g_ptr_array_index (job->trusted, i));
      g_ptr_array_add (trusted, g_ptr_array_index (job->trusted, i));
    }
  token = tirkeu_timestamp_reply_check (job->query, answer, trusted, NULL, &error);
  stamped = token != NULL ? tirkeu_cms_add_timestamp (job->cms, token, &error) : NULL;
  if (stamped == NULL)
    {
      g_message ("The timestamp was refused: %s", error->message);
      return_failure (g_steal_pointer (&task), error);
      return;
    }
  g_task_return_pointer (task, stamped, (GDestroyNotify) g_bytes_unref);
}

static void
ask_tsa (GTask *task)
{
  Job *job = g_task_get_task_data (task);
  g_autoptr(GBytes) value = NULL;
  GError *error = NULL;

  value = tirkeu_cms_dup_signature_value (job->cms, &error);
  if (value != NULL)
    job->query = tirkeu_timestamp_request_new (value, job->algorithm, NULL, &error);
  if (job->query == NULL)
    {
      return_failure (task, error);
      return;
    }
  tirkeu_portal_client_post_pki_async (job->client, TIRKEU_PORTAL_PKI_TSA, job->tsa_url,
                                       job->query, g_task_get_cancellable (task), tsa_cb, task);
}

static void
issuer_found (GTask *task)
{
  Job *job = g_task_get_task_data (task);

  if (job->kind == JOB_CHECK)
    ask_ocsp (task);
  else
    ask_tsa (task);
}

/**
 * tirkeu_signature_timestamp_async:
 * @config: (nullable): the configuration (#TirkeuConfig:tsa-url); %NULL as for
 *   tirkeu_certificate_check_async()
 * @client: the portal client: its /pki/tsa and /pki/ca.cer, its TLS trust and deadline
 * @certificate: the signer's certificate (its algorithm gives the imprint's hash)
 * @cms: the signer's CAdES-BES signature (one signer)
 * @cancellable: (nullable): cancels it
 * @callback: called when it is done
 * @user_data: for @callback
 *
 * Has the timestamp authority stamp the signature value and makes the signature CAdES-T.
 * The authority must chain to a CA certificate of the ca-certificates file or the portal's
 * /pki/ca.cer.
 */
void
tirkeu_signature_timestamp_async (TirkeuConfig        *config,
                                  TirkeuPortalClient  *client,
                                  TirkeuCertificate   *certificate,
                                  GBytes              *cms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (config == NULL || TIRKEU_IS_CONFIG (config));
  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (client));
  g_return_if_fail (TIRKEU_IS_CERTIFICATE (certificate));
  g_return_if_fail (cms != NULL);

  task = job_new (JOB_TIMESTAMP, config, client, certificate, tirkeu_signature_timestamp_async,
                  cancellable, callback, user_data);
  ((Job *) g_task_get_task_data (task))->cms = g_bytes_ref (cms);
  job_start (task);
}

/**
 * tirkeu_signature_timestamp_finish:
 * @result: the result given to the callback
 * @error: a %TIRKEU_PORTAL_ERROR (the TSA or the CA certificate could not be had), a
 *   %TIRKEU_TOKEN_ERROR (the answer was refused, the issuer not found), or
 *   %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full): the CAdES-T signature, or %NULL
 */
GBytes *
tirkeu_signature_timestamp_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tirkeu_signature_timestamp_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tirkeu_certificate_check_should_stop:
 * @config: (nullable): the configuration; %NULL as for tirkeu_certificate_check_async()
 *
 * Returns: %TRUE if signing stops when the status could not be checked
 *   (#TirkeuConfig:ocsp-unreachable is "stop")
 */
gboolean
tirkeu_certificate_check_should_stop (TirkeuConfig *config)
{
  if (config == NULL)
    config = default_config ();
  return config != NULL && tirkeu_config_get_ocsp_unreachable_stops (config);
}
