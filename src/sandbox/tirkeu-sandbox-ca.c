/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/ts.h>
#include <string.h>

#include "tirkeu-gost.h"
#include "tirkeu-sandbox-ca.h"
#include "tirkeu-sandbox-error.h"

/**
 * TirkeuSandboxCa:
 *
 * The sandbox's test national CA: a GOST 2015-512 root of its own (TirkeuGostIssuer), its
 * time-stamping authority (a delegate with EKU timeStamping), and the list of what it
 * revoked. All three live in the state directory's pki/ folder and are made on first use:
 * ca.cer and ca-key.p8 (the key readable by its owner only), tsa.cer and tsa-key.p8, and
 * revoked.json. `tirkeu-sandbox pki` and the running sandbox open the same folder.
 */
struct _TirkeuSandboxCa
{
  GObject parent_instance;

  char *revoked_file;
  TirkeuGostIssuer *issuer;
  TirkeuGostIssuer *tsa;
  GBytes *certificate_der;
  GArray *revocations;          /* TirkeuGostRevocation, serial_hex owned */
};

G_DEFINE_FINAL_TYPE (TirkeuSandboxCa, tirkeu_sandbox_ca, G_TYPE_OBJECT)

#define CA_NAME   "TIRKEU SANDBOX GOST CA"
#define TSA_NAME  "TIRKEU SANDBOX TSA"
#define CA_YEARS  10
#define TSA_YEARS 5

static void
revocation_clear (gpointer data)
{
  TirkeuGostRevocation *revocation = data;

  g_free ((char *) revocation->serial_hex);
}

static void
tirkeu_sandbox_ca_dispose (GObject *object)
{
  TirkeuSandboxCa *self = TIRKEU_SANDBOX_CA (object);

  g_clear_object (&self->issuer);
  g_clear_object (&self->tsa);

  G_OBJECT_CLASS (tirkeu_sandbox_ca_parent_class)->dispose (object);
}

static void
tirkeu_sandbox_ca_finalize (GObject *object)
{
  TirkeuSandboxCa *self = TIRKEU_SANDBOX_CA (object);

  g_clear_pointer (&self->revoked_file, g_free);
  g_clear_pointer (&self->certificate_der, g_bytes_unref);
  g_clear_pointer (&self->revocations, g_array_unref);

  G_OBJECT_CLASS (tirkeu_sandbox_ca_parent_class)->finalize (object);
}

static void
tirkeu_sandbox_ca_class_init (TirkeuSandboxCaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tirkeu_sandbox_ca_dispose;
  object_class->finalize = tirkeu_sandbox_ca_finalize;
}

static void
tirkeu_sandbox_ca_init (TirkeuSandboxCa *self)
{
  self->revocations = g_array_new (FALSE, TRUE, sizeof (TirkeuGostRevocation));
  g_array_set_clear_func (self->revocations, revocation_clear);
}

/**
 * tirkeu_sandbox_ca_normalize_serial:
 * @text: a serial number in hexadecimal, as `openssl x509 -serial` prints it
 *   ("serial=1A2B…"), with or without the "serial=" or "0x" prefix, colons or lower case
 *
 * Returns: (transfer full) (nullable): the serial in upper-case hexadecimal without leading
 *   zeros, or %NULL when @text is not one
 */
char *
tirkeu_sandbox_ca_normalize_serial (const char *text)
{
  g_autoptr(GString) digits = NULL;
  const char *p;

  if (text == NULL)
    return NULL;
  if (g_ascii_strncasecmp (text, "serial=", 7) == 0)
    text += 7;
  if (g_ascii_strncasecmp (text, "0x", 2) == 0)
    text += 2;

  digits = g_string_new (NULL);
  for (p = text; *p != '\0'; p++)
    {
      if (*p == ':')
        continue;
      if (!g_ascii_isxdigit (*p) || digits->len >= 64)
        return NULL;
      if (digits->len == 0 && *p == '0')
        continue;
      g_string_append_c (digits, g_ascii_toupper (*p));
    }
  if (p == text)
    return NULL;
  if (digits->len == 0)
    g_string_append_c (digits, '0');
  return g_string_free (g_steal_pointer (&digits), FALSE);
}

static char *
serial_of (X509 *certificate)
{
  BIGNUM *number = ASN1_INTEGER_to_BN (X509_get0_serialNumber (certificate), NULL);
  char *hex = number != NULL ? BN_bn2hex (number) : NULL;
  char *result = tirkeu_sandbox_ca_normalize_serial (hex);

  OPENSSL_free (hex);
  BN_free (number);
  return result;
}

/* RFC 5280, 5.3.1, with the names `openssl ca -crl_reason` takes. */
static const char * const reason_names[] = {
  "unspecified", "keyCompromise", "CACompromise", "affiliationChanged", "superseded",
  "cessationOfOperation", "certificateHold", NULL, "removeFromCRL", "privilegeWithdrawn",
  "AACompromise",
};

/**
 * tirkeu_sandbox_ca_parse_reason:
 * @text: a CRLReason's name (e.g. "keyCompromise", any case) or its number
 * @reason: (out): the number
 *
 * Returns: %TRUE if @text is a reason of RFC 5280, 5.3.1 (7 is not)
 */
gboolean
tirkeu_sandbox_ca_parse_reason (const char *text,
                                int        *reason)
{
  guint64 number;

  for (guint i = 0; i < G_N_ELEMENTS (reason_names); i++)
    if (reason_names[i] != NULL && g_ascii_strcasecmp (text, reason_names[i]) == 0)
      {
        *reason = (int) i;
        return TRUE;
      }
  if (g_ascii_string_to_unsigned (text, 10, 0, G_N_ELEMENTS (reason_names) - 1, &number, NULL)
      && reason_names[number] != NULL)
    {
      *reason = (int) number;
      return TRUE;
    }
  return FALSE;
}

/**
 * tirkeu_sandbox_ca_parse_role:
 * @text: head, signer, employee or individual
 * @role: (out): the role NCA writes into the certificate for it
 *
 * head is the first head (1.2.398.3.3.4.1.2.1), signer a person with the right to sign
 * (….2.2), employee an employee (….2.5), who may not sign for the organisation, and
 * individual a private person (1.2.398.3.3.4.1.1).
 *
 * Returns: %TRUE if @text is one of them
 */
gboolean
tirkeu_sandbox_ca_parse_role (const char            *text,
                              TirkeuCertificateRole *role)
{
  static const struct { const char *name; TirkeuCertificateRole role; } roles[] = {
    { "head", TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD },
    { "signer", TIRKEU_CERTIFICATE_ROLE_RIGHT_TO_SIGN },
    { "employee", TIRKEU_CERTIFICATE_ROLE_EMPLOYEE },
    { "individual", TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL },
  };

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (text, roles[i].name))
      {
        *role = roles[i].role;
        return TRUE;
      }
  return FALSE;
}

static gboolean
load_revocations (TirkeuSandboxCa  *self,
                  GError          **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonArray *list;

  if (!json_parser_load_from_file (parser, self->revoked_file, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  root = json_parser_get_root (parser);
  list = JSON_NODE_HOLDS_OBJECT (root)
         ? json_object_get_array_member (json_node_get_object (root), "revoked") : NULL;
  if (list == NULL)
    goto invalid;

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *entry = json_array_get_object_element (list, i);
      TirkeuGostRevocation revocation = { NULL, 0, -1 };

      if (entry == NULL)
        goto invalid;
      revocation.serial_hex =
        tirkeu_sandbox_ca_normalize_serial (json_object_get_string_member_with_default (entry,
                                                                                        "serial",
                                                                                        NULL));
      if (revocation.serial_hex == NULL)
        goto invalid;
      revocation.revoked_at = json_object_get_int_member_with_default (entry, "revoked_at", 0);
      revocation.reason = (int) json_object_get_int_member_with_default (entry, "reason", -1);
      g_array_append_val (self->revocations, revocation);
    }
  return TRUE;

invalid:
  g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_STATE,
               /* Translators: %s is a file name */
               _("%s is damaged: delete it to forget every revocation"), self->revoked_file);
  return FALSE;
}

static gboolean
save_revocations (TirkeuSandboxCa  *self,
                  GError          **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "revoked");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->revocations->len; i++)
    {
      const TirkeuGostRevocation *revocation =
        &g_array_index (self->revocations, TirkeuGostRevocation, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "serial");
      json_builder_add_string_value (builder, revocation->serial_hex);
      json_builder_set_member_name (builder, "revoked_at");
      json_builder_add_int_value (builder, revocation->revoked_at);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_int_value (builder, revocation->reason);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  return g_file_set_contents_full (self->revoked_file, text, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static GBytes *
certificate_der (X509 *certificate)
{
  unsigned char *der = NULL;
  int len = i2d_X509 (certificate, &der);
  GBytes *bytes = len > 0 ? g_bytes_new (der, len) : NULL;

  OPENSSL_free (der);
  return bytes;
}

/**
 * tirkeu_sandbox_ca_open:
 * @state_dir: the sandbox's state directory
 * @error: return location for a #GError
 *
 * Opens the CA kept in @state_dir/pki, making it (a fresh GOST 2015-512 root valid ten
 * years, its TSA, an empty revocation list) the first time.
 *
 * Returns: (transfer full) (nullable): the CA
 */
TirkeuSandboxCa *
tirkeu_sandbox_ca_open (const char  *state_dir,
                        GError     **error)
{
  g_autoptr(TirkeuSandboxCa) self = g_object_new (TIRKEU_TYPE_SANDBOX_CA, NULL);
  g_autofree char *dir = g_build_filename (state_dir, "pki", NULL);
  g_autofree char *ca_file = g_build_filename (dir, "ca.cer", NULL);
  g_autofree char *ca_key = g_build_filename (dir, "ca-key.p8", NULL);
  g_autofree char *tsa_file = g_build_filename (dir, "tsa.cer", NULL);
  g_autofree char *tsa_key = g_build_filename (dir, "tsa-key.p8", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) start = g_date_time_add_days (now, -1);

  g_return_val_if_fail (state_dir != NULL, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_STATE,
                   _("Cannot create %s: %s"), dir, g_strerror (saved));
      return NULL;
    }

  if (g_file_test (ca_file, G_FILE_TEST_EXISTS))
    {
      self->issuer = tirkeu_gost_issuer_load (ca_file, ca_key, error);
    }
  else
    {
      g_autoptr(GDateTime) end = g_date_time_add_years (now, CA_YEARS);

      self->issuer = tirkeu_gost_issuer_new (CA_NAME, start, end, error);
      if (self->issuer != NULL && !tirkeu_gost_issuer_save (self->issuer, ca_file, ca_key, error))
        g_clear_object (&self->issuer);
    }
  if (self->issuer == NULL)
    return NULL;

  if (g_file_test (tsa_file, G_FILE_TEST_EXISTS))
    self->tsa = tirkeu_gost_issuer_load (tsa_file, tsa_key, error);
  if (self->tsa != NULL
      && !tirkeu_gost_verify_certificate (tirkeu_gost_issuer_get_certificate (self->tsa),
                                          tirkeu_gost_issuer_get_certificate (self->issuer),
                                          NULL))
    g_clear_object (&self->tsa);      /* of a CA made again since: made again too */
  if (self->tsa == NULL)
    {
      g_autoptr(GDateTime) end = g_date_time_add_years (now, TSA_YEARS);

      g_clear_error (error);
      self->tsa = tirkeu_gost_issuer_new_delegate (self->issuer, TSA_NAME, "timeStamping",
                                                   start, end, error);
      if (self->tsa == NULL || !tirkeu_gost_issuer_save (self->tsa, tsa_file, tsa_key, error))
        return NULL;
    }

  self->certificate_der = certificate_der (tirkeu_gost_issuer_get_certificate (self->issuer));
  self->revoked_file = g_build_filename (dir, "revoked.json", NULL);
  if (self->certificate_der == NULL || !load_revocations (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * tirkeu_sandbox_ca_get_issuer:
 * @self: a #TirkeuSandboxCa
 *
 * Returns: (transfer none): the CA itself, which issues the sellers' key files
 */
TirkeuGostIssuer *
tirkeu_sandbox_ca_get_issuer (TirkeuSandboxCa *self)
{
  g_return_val_if_fail (TIRKEU_IS_SANDBOX_CA (self), NULL);
  return self->issuer;
}

/**
 * tirkeu_sandbox_ca_get_tsa:
 * @self: a #TirkeuSandboxCa
 *
 * Returns: (transfer none): its time-stamping authority
 */
TirkeuGostIssuer *
tirkeu_sandbox_ca_get_tsa (TirkeuSandboxCa *self)
{
  g_return_val_if_fail (TIRKEU_IS_SANDBOX_CA (self), NULL);
  return self->tsa;
}

/**
 * tirkeu_sandbox_ca_get_certificate:
 * @self: a #TirkeuSandboxCa
 *
 * Returns: (transfer none): the CA's certificate
 */
X509 *
tirkeu_sandbox_ca_get_certificate (TirkeuSandboxCa *self)
{
  g_return_val_if_fail (TIRKEU_IS_SANDBOX_CA (self), NULL);
  return tirkeu_gost_issuer_get_certificate (self->issuer);
}

/**
 * tirkeu_sandbox_ca_get_certificate_der:
 * @self: a #TirkeuSandboxCa
 *
 * Returns: (transfer none): the CA's certificate, DER
 */
GBytes *
tirkeu_sandbox_ca_get_certificate_der (TirkeuSandboxCa *self)
{
  g_return_val_if_fail (TIRKEU_IS_SANDBOX_CA (self), NULL);
  return self->certificate_der;
}

/**
 * tirkeu_sandbox_ca_issued:
 * @self: a #TirkeuSandboxCa
 * @certificate: any certificate
 *
 * Returns: %TRUE if this CA's key signed @certificate under its name
 */
gboolean
tirkeu_sandbox_ca_issued (TirkeuSandboxCa *self,
                          X509            *certificate)
{
  X509 *ca = tirkeu_sandbox_ca_get_certificate (self);

  return X509_NAME_cmp (X509_get_issuer_name (certificate), X509_get_subject_name (ca)) == 0
         && tirkeu_gost_verify_certificate (certificate, ca, NULL);
}

static const TirkeuGostRevocation *
find (TirkeuSandboxCa *self,
      const char      *serial_hex)
{
  for (guint i = 0; serial_hex != NULL && i < self->revocations->len; i++)
    {
      const TirkeuGostRevocation *revocation =
        &g_array_index (self->revocations, TirkeuGostRevocation, i);

      if (g_str_equal (revocation->serial_hex, serial_hex))
        return revocation;
    }
  return NULL;
}

/**
 * tirkeu_sandbox_ca_revoke:
 * @self: a #TirkeuSandboxCa
 * @serial_hex: the certificate's serial (see tirkeu_sandbox_ca_normalize_serial())
 * @reason: its CRLReason, or -1 for none
 * @revoked_at: when, Unix seconds
 * @error: %TIRKEU_SANDBOX_ERROR_INVALID for a serial that is not hexadecimal, or the
 *   reason the list cannot be saved
 *
 * Adds the certificate to the list its CRL and OCSP answers give, and saves the list. A
 * certificate already revoked keeps its first revocation.
 *
 * Returns: %TRUE when saved
 */
gboolean
tirkeu_sandbox_ca_revoke (TirkeuSandboxCa  *self,
                          const char       *serial_hex,
                          int               reason,
                          gint64            revoked_at,
                          GError          **error)
{
  TirkeuGostRevocation revocation = { NULL, revoked_at, reason };

  g_return_val_if_fail (TIRKEU_IS_SANDBOX_CA (self), FALSE);

  revocation.serial_hex = tirkeu_sandbox_ca_normalize_serial (serial_hex);
  if (revocation.serial_hex == NULL)
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID,
                   /* Translators: keep “openssl x509 -serial” as it is */
                   _("A serial number is hexadecimal, as “openssl x509 -serial” prints it."));
      return FALSE;
    }
  if (find (self, revocation.serial_hex) != NULL)
    {
      g_free ((char *) revocation.serial_hex);
      return TRUE;
    }

  g_array_append_val (self->revocations, revocation);
  if (!save_revocations (self, error))
    {
      g_array_remove_index (self->revocations, self->revocations->len - 1);
      return FALSE;
    }
  return TRUE;
}

/**
 * tirkeu_sandbox_ca_is_revoked:
 * @self: a #TirkeuSandboxCa
 * @certificate: a certificate
 *
 * Returns: %TRUE if this CA issued @certificate and revoked it
 */
gboolean
tirkeu_sandbox_ca_is_revoked (TirkeuSandboxCa *self,
                              X509            *certificate)
{
  g_autofree char *serial = NULL;

  g_return_val_if_fail (TIRKEU_IS_SANDBOX_CA (self), FALSE);

  if (!tirkeu_sandbox_ca_issued (self, certificate))
    return FALSE;
  serial = serial_of (certificate);
  return find (self, serial) != NULL;
}

/**
 * tirkeu_sandbox_ca_crl:
 * @self: a #TirkeuSandboxCa
 * @now: thisUpdate
 * @error: return location for a #GError
 *
 * A fresh CRL (next update a day on), GOST-signed by the CA; its number is @now in Unix
 * seconds, so that each later list has a greater one.
 *
 * Returns: (transfer full) (nullable): the CRL, DER
 */
GBytes *
tirkeu_sandbox_ca_crl (TirkeuSandboxCa  *self,
                       GDateTime        *now,
                       GError          **error)
{
  g_autoptr(GDateTime) next = g_date_time_add_days (now, 1);

  g_return_val_if_fail (TIRKEU_IS_SANDBOX_CA (self), NULL);

  return tirkeu_gost_issuer_sign_crl (self->issuer,
                                      (const TirkeuGostRevocation *) self->revocations->data,
                                      self->revocations->len,
                                      (guint64) g_date_time_to_unix (now), now, next, error);
}

static GBytes *
ocsp_error (int status)
{
  OCSP_RESPONSE *response = OCSP_response_create (status, NULL);
  unsigned char *der = NULL;
  int len = response != NULL ? i2d_OCSP_RESPONSE (response, &der) : -1;
  GBytes *bytes = len > 0 ? g_bytes_new (der, len) : NULL;

  OPENSSL_free (der);
  OCSP_RESPONSE_free (response);
  return bytes;
}

/**
 * tirkeu_sandbox_ca_answer_ocsp:
 * @self: a #TirkeuSandboxCa
 * @request_der: an OCSPRequest (RFC 6960, 4.1), DER
 * @now: the time of the answer
 * @error: return location for a #GError
 *
 * The CA's own OCSP answer (tirkeu_gost_issuer_answer_ocsp()): good, revoked or unknown
 * for each certificate asked, GOST-signed by the CA, the nonce echoed. What does not parse
 * as a request gets malformedRequest, as RFC 6960, 2.3 has it.
 *
 * Returns: (transfer full) (nullable): the OCSPResponse, DER
 */
GBytes *
tirkeu_sandbox_ca_answer_ocsp (TirkeuSandboxCa  *self,
                               GBytes           *request_der,
                               GDateTime        *now,
                               GError          **error)
{
  const unsigned char *p;
  gsize len;
  OCSP_REQUEST *request;
  GBytes *answer;

  g_return_val_if_fail (TIRKEU_IS_SANDBOX_CA (self), NULL);

  p = request_der != NULL ? g_bytes_get_data (request_der, &len) : NULL;
  request = p != NULL && len > 0 && len <= G_MAXLONG ? d2i_OCSP_REQUEST (NULL, &p, (long) len)
                                                     : NULL;
  if (request == NULL || p != (const unsigned char *) g_bytes_get_data (request_der, NULL) + len)
    {
      OCSP_REQUEST_free (request);
      ERR_clear_error ();
      return ocsp_error (OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    }

  answer = tirkeu_gost_issuer_answer_ocsp (self->issuer, request,
                                           (const TirkeuGostRevocation *) self->revocations->data,
                                           self->revocations->len, now, error);
  OCSP_REQUEST_free (request);
  return answer;
}
