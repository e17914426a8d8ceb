/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "tirkeu-cms.h"
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

/* --- the time-stamping authority (RFC 3161) --------------------------------------------- */

/* TimeStampResp (RFC 3161, 2.4.2) written with OpenSSL's ASN.1 templates: OpenSSL's TS_RESP
 * has no setter for a rejection's failInfo or text, and would re-encode the token it was
 * given; here the token goes out byte for byte as the TSA signed it. */
typedef struct
{
  ASN1_INTEGER *status;
  STACK_OF (ASN1_UTF8STRING) *text;
  ASN1_BIT_STRING *failure_info;
} SbPkiStatusInfo;

ASN1_SEQUENCE (SbPkiStatusInfo) = {
  ASN1_SIMPLE (SbPkiStatusInfo, status, ASN1_INTEGER),
  ASN1_SEQUENCE_OF_OPT (SbPkiStatusInfo, text, ASN1_UTF8STRING),
  ASN1_OPT (SbPkiStatusInfo, failure_info, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END (SbPkiStatusInfo)

typedef struct
{
  SbPkiStatusInfo *status;
  ASN1_TYPE *token;
} SbTimeStampResp;

ASN1_SEQUENCE (SbTimeStampResp) = {
  ASN1_SIMPLE (SbTimeStampResp, status, SbPkiStatusInfo),
  ASN1_OPT (SbTimeStampResp, token, ASN1_ANY),
} static_ASN1_SEQUENCE_END (SbTimeStampResp)

/* The Streebog-512 identifiers a client may name: NCA's and TC26's (RFC 7836). */
#define OID_STREEBOG512_TC26 "1.2.643.7.1.1.2.3"

static GBytes *
tsa_reply (int         status,
           int         failure,
           const char *text,
           GBytes     *token)
{
  SbTimeStampResp *reply = (SbTimeStampResp *) ASN1_item_new (ASN1_ITEM_rptr (SbTimeStampResp));
  ASN1_UTF8STRING *line = NULL;
  ASN1_STRING *sequence = NULL;
  unsigned char *der = NULL;
  int len = -1;
  GBytes *bytes = NULL;
  gboolean ok;

  ok = reply != NULL && ASN1_INTEGER_set (reply->status->status, status);
  if (ok && text != NULL)
    ok = (line = ASN1_UTF8STRING_new ()) != NULL
         && ASN1_STRING_set (line, text, -1)
         && (reply->status->text = sk_ASN1_UTF8STRING_new_null ()) != NULL
         && sk_ASN1_UTF8STRING_push (reply->status->text, line) > 0
         && (line = NULL, TRUE);
  if (ok && failure >= 0)
    ok = (reply->status->failure_info = ASN1_BIT_STRING_new ()) != NULL
         && ASN1_BIT_STRING_set_bit (reply->status->failure_info, failure, 1);
  if (ok && token != NULL)
    ok = (sequence = ASN1_STRING_type_new (V_ASN1_SEQUENCE)) != NULL
         && ASN1_STRING_set (sequence, g_bytes_get_data (token, NULL),
                             (int) g_bytes_get_size (token))
         && (reply->token = ASN1_TYPE_new ()) != NULL
         && (ASN1_TYPE_set (reply->token, V_ASN1_SEQUENCE, sequence), sequence = NULL, TRUE);
  if (ok)
    len = ASN1_item_i2d ((ASN1_VALUE *) reply, &der, ASN1_ITEM_rptr (SbTimeStampResp));
  if (len > 0)
    bytes = g_bytes_new (der, len);

  OPENSSL_free (der);
  ASN1_STRING_free (sequence);
  ASN1_UTF8STRING_free (line);
  ASN1_item_free ((ASN1_VALUE *) reply, ASN1_ITEM_rptr (SbTimeStampResp));
  return bytes;
}

static gboolean
object_is (const ASN1_OBJECT *object,
           const char        *oid)
{
  char text[128];

  return object != NULL && OBJ_obj2txt (text, sizeof text, object, 1) > 0
         && g_str_equal (text, oid);
}

/* The size of the hash @algorithm names, if the TSA stamps it: Streebog-512 (NCA's or
 * TC26's OID), SHA-256 or SHA-512; 0 for any other. */
static gsize
imprint_size (const X509_ALGOR *algorithm)
{
  const ASN1_OBJECT *oid = NULL;

  X509_ALGOR_get0 (&oid, NULL, NULL, algorithm);
  if (object_is (oid, TIRKEU_GOST_OID_STREEBOG512) || object_is (oid, OID_STREEBOG512_TC26))
    return 64;
  switch (OBJ_obj2nid (oid))
    {
    case NID_sha256:
      return 32;
    case NID_sha512:
      return 64;
    default:
      return 0;
    }
}

static gboolean
policy_accepted (const ASN1_OBJECT *policy)
{
  char text[128];

  return OBJ_obj2txt (text, sizeof text, policy, 1) > 0
         && (g_str_equal (text, TIRKEU_SANDBOX_TSA_POLICY_ARC)
             || g_str_has_prefix (text, TIRKEU_SANDBOX_TSA_POLICY_ARC "."));
}

/**
 * tirkeu_sandbox_ca_answer_tsa:
 * @self: a #TirkeuSandboxCa
 * @request_der: a TimeStampReq (RFC 3161, 2.4.1), DER
 * @now: the time to stamp
 * @error: return location for a #GError
 *
 * The TSA's TimeStampResp: granted, with a token (tirkeu_gost_issuer_sign_timestamp())
 * whose TSTInfo carries the imprint as asked, the request's nonce and policy (NCA's
 * 1.2.398.3.3.2.6.4 when none is asked), and the TSA's certificate if certReq; or rejection
 * with its failInfo: badDataFormat for what does not parse, badAlg for a hash other than
 * Streebog-512, SHA-256 and SHA-512 (or an imprint of the wrong size), unacceptedPolicy for
 * a policy outside NCA's TSA arc, unacceptedExtension for any extension.
 *
 * Returns: (transfer full) (nullable): the TimeStampResp, DER
 */
GBytes *
tirkeu_sandbox_ca_answer_tsa (TirkeuSandboxCa  *self,
                              GBytes           *request_der,
                              GDateTime        *now,
                              GError          **error)
{
  const unsigned char *p = NULL;
  gsize len = 0;
  TS_REQ *request = NULL;
  TS_MSG_IMPRINT *imprint;
  const ASN1_OBJECT *asked_policy;
  g_autofree char *policy = NULL;
  ASN1_OCTET_STRING *hashed;
  g_autoptr(GBytes) hashed_message = NULL;
  g_autoptr(GBytes) token = NULL;
  GBytes *reply = NULL;

  g_return_val_if_fail (TIRKEU_IS_SANDBOX_CA (self), NULL);

  if (request_der != NULL)
    p = g_bytes_get_data (request_der, &len);
  if (p != NULL && len > 0 && len <= G_MAXLONG)
    request = d2i_TS_REQ (NULL, &p, (long) len);
  if (request == NULL || p != (const unsigned char *) g_bytes_get_data (request_der, NULL) + len
      || TS_REQ_get_version (request) != 1)
    {
      reply = tsa_reply (TS_STATUS_REJECTION, TS_INFO_BAD_DATA_FORMAT,
                         "not a TimeStampReq of version 1", NULL);
      goto out;
    }

  imprint = TS_REQ_get_msg_imprint (request);
  hashed = TS_MSG_IMPRINT_get_msg (imprint);
  if (imprint_size (TS_MSG_IMPRINT_get_algo (imprint)) == 0
      || (gsize) ASN1_STRING_length (hashed) != imprint_size (TS_MSG_IMPRINT_get_algo (imprint)))
    {
      reply = tsa_reply (TS_STATUS_REJECTION, TS_INFO_BAD_ALG,
                         "the imprint is not Streebog-512, SHA-256 or SHA-512", NULL);
      goto out;
    }
  asked_policy = TS_REQ_get_policy_id (request);
  if (asked_policy != NULL && !policy_accepted (asked_policy))
    {
      reply = tsa_reply (TS_STATUS_REJECTION, TS_INFO_UNACCEPTED_POLICY,
                         "only NCA's TSA policies 1.2.398.3.3.2.6.*", NULL);
      goto out;
    }
  if (TS_REQ_get_ext_count (request) > 0)
    {
      reply = tsa_reply (TS_STATUS_REJECTION, TS_INFO_UNACCEPTED_EXTENSION,
                         "no extension is supported", NULL);
      goto out;
    }

  if (asked_policy != NULL)
    {
      char text[128];

      OBJ_obj2txt (text, sizeof text, asked_policy, 1);
      policy = g_strdup (text);
    }
  else
    {
      policy = g_strdup (TIRKEU_SANDBOX_TSA_POLICY);
    }
  hashed_message = g_bytes_new (ASN1_STRING_get0_data (hashed), ASN1_STRING_length (hashed));
  token = tirkeu_gost_issuer_sign_timestamp (self->tsa, policy, TS_MSG_IMPRINT_get_algo (imprint),
                                             hashed_message, TS_REQ_get_nonce (request), now,
                                             TS_REQ_get_cert_req (request), error);
  if (token == NULL)
    goto out;
  reply = tsa_reply (TS_STATUS_GRANTED, -1, NULL, token);

out:
  TS_REQ_free (request);
  ERR_clear_error ();
  if (reply == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_CERTIFICATE,
                         "cannot encode the time-stamp reply");
  return reply;
}

/**
 * tirkeu_sandbox_ca_check_timestamp:
 * @self: a #TirkeuSandboxCa
 * @cms_der: a signature (CMS SignedData, DER) already verified
 * @signer: its signer's certificate
 * @now: the time at which the TSA's certificate must be valid
 * @present: (out): whether the signer carries a time-stamp token
 * @reason: (out) (optional): why a token is refused, technical English
 *
 * The CAdES-T check of the first SignerInfo (ETSI EN 319 122-1, 5.3): its unsigned
 * attribute id-aa-timeStampToken (1.2.840.113549.1.9.16.2.14), when present, is one
 * token, a SignedData of id-ct-TSTInfo whose signature verifies, by a certificate with EKU
 * timeStamping that chains to this CA, and whose imprint is the hash of that SignerInfo's
 * signature value: Streebog-512 for a GOST signer, SHA-256 for RSA or EC.
 *
 * Returns: %TRUE if there is no token or it holds, %FALSE with @reason if it does not
 */
gboolean
tirkeu_sandbox_ca_check_timestamp (TirkeuSandboxCa  *self,
                                   GBytes           *cms_der,
                                   X509             *signer,
                                   GDateTime        *now,
                                   gboolean         *present,
                                   char            **reason)
{
  const unsigned char *p;
  gsize len;
  CMS_ContentInfo *cms = NULL;
  CMS_ContentInfo *token_cms = NULL;
  CMS_SignerInfo *info;
  X509_ATTRIBUTE *attribute;
  const ASN1_TYPE *value;
  const ASN1_OCTET_STRING *signature;
  ASN1_OCTET_STRING **content;
  TS_TST_INFO *tst_info = NULL;
  TS_MSG_IMPRINT *imprint;
  const ASN1_OBJECT *oid = NULL;
  g_autoptr(GBytes) token = NULL;
  g_autoptr(GPtrArray) trusted = g_ptr_array_new ();
  g_autoptr(GPtrArray) signers = NULL;
  g_autoptr(GError) error = NULL;
  const char *why = NULL;
  guint8 hash[64];
  gsize hash_len;
  int loc;
  gboolean gost;

  g_return_val_if_fail (TIRKEU_IS_SANDBOX_CA (self), FALSE);

  *present = FALSE;
  p = g_bytes_get_data (cms_der, &len);
  cms = d2i_CMS_ContentInfo (NULL, &p, (long) len);
  if (cms == NULL || sk_CMS_SignerInfo_num (CMS_get0_SignerInfos (cms)) < 1)
    {
      why = "the signature does not parse";
      goto out;
    }
  info = sk_CMS_SignerInfo_value (CMS_get0_SignerInfos (cms), 0);
  loc = CMS_unsigned_get_attr_by_NID (info, NID_id_smime_aa_timeStampToken, -1);
  if (loc < 0)
    goto out;
  *present = TRUE;

  attribute = CMS_unsigned_get_attr (info, loc);
  value = X509_ATTRIBUTE_count (attribute) == 1 ? X509_ATTRIBUTE_get0_type (attribute, 0) : NULL;
  if (CMS_unsigned_get_attr_by_NID (info, NID_id_smime_aa_timeStampToken, loc) >= 0
      || value == NULL || value->type != V_ASN1_SEQUENCE)
    {
      why = "the time-stamp attribute is not one token";
      goto out;
    }
  token = g_bytes_new (ASN1_STRING_get0_data (value->value.sequence),
                       ASN1_STRING_length (value->value.sequence));

  /* its signature, by Tirkeu's own verifier (GOST or RSA), chained to this CA; the TSA's
   * certificate (issued by it) stands in when the token was asked without certReq */
  g_ptr_array_add (trusted, tirkeu_sandbox_ca_get_certificate (self));
  g_ptr_array_add (trusted, tirkeu_gost_issuer_get_certificate (self->tsa));
  signers = tirkeu_cms_verify (token, NULL, trusted, now, &error);
  if (signers == NULL || signers->len != 1
      || !tirkeu_cms_signer_get_signature_valid (g_ptr_array_index (signers, 0))
      || tirkeu_cms_signer_get_certificate_status (g_ptr_array_index (signers, 0))
         != TIRKEU_CMS_CERTIFICATE_TRUSTED)
    {
      why = "the time-stamp token does not verify or chain to the sandbox's CA";
      goto out;
    }
  {
    TirkeuCertificate *tsa = tirkeu_cms_signer_get_certificate (g_ptr_array_index (signers, 0));
    const unsigned char *tsa_der = g_bytes_get_data (tirkeu_certificate_get_der (tsa), &len);
    X509 *tsa_certificate = d2i_X509 (NULL, &tsa_der, (long) len);
    gboolean stamps = tsa_certificate != NULL
                      && (X509_get_extension_flags (tsa_certificate) & EXFLAG_XKUSAGE) != 0
                      && (X509_get_extended_key_usage (tsa_certificate) & XKU_TIMESTAMP) != 0;

    X509_free (tsa_certificate);
    if (!stamps)
      {
        why = "the time-stamp token's signer is no TSA (EKU timeStamping)";
        goto out;
      }
  }

  /* its TSTInfo stamps this signature */
  p = g_bytes_get_data (token, &len);
  token_cms = d2i_CMS_ContentInfo (NULL, &p, (long) len);
  content = token_cms != NULL ? CMS_get0_content (token_cms) : NULL;
  if (content == NULL || *content == NULL
      || OBJ_obj2nid (CMS_get0_eContentType (token_cms)) != NID_id_smime_ct_TSTInfo)
    {
      why = "the token holds no TSTInfo";
      goto out;
    }
  p = ASN1_STRING_get0_data (*content);
  tst_info = d2i_TS_TST_INFO (NULL, &p, ASN1_STRING_length (*content));
  if (tst_info == NULL)
    {
      why = "the TSTInfo does not parse";
      goto out;
    }
  imprint = TS_TST_INFO_get_msg_imprint (tst_info);
  X509_ALGOR_get0 (&oid, NULL, NULL, TS_MSG_IMPRINT_get_algo (imprint));
  signature = CMS_SignerInfo_get0_signature (info);
  gost = tirkeu_gost_is_2015_512_certificate (signer);
  if (gost && (object_is (oid, TIRKEU_GOST_OID_STREEBOG512)
               || object_is (oid, OID_STREEBOG512_TC26)))
    {
      tirkeu_gost_streebog512 (ASN1_STRING_get0_data (signature), ASN1_STRING_length (signature),
                               hash);
      hash_len = 64;
    }
  else if (!gost && OBJ_obj2nid (oid) == NID_sha256)
    {
      unsigned int out_len = 0;

      EVP_Digest (ASN1_STRING_get0_data (signature), ASN1_STRING_length (signature), hash,
                  &out_len, EVP_sha256 (), NULL);
      hash_len = out_len;
    }
  else
    {
      why = "the imprint's hash is not Streebog-512 for GOST or SHA-256 for RSA";
      goto out;
    }
  if ((gsize) ASN1_STRING_length (TS_MSG_IMPRINT_get_msg (imprint)) != hash_len
      || memcmp (ASN1_STRING_get0_data (TS_MSG_IMPRINT_get_msg (imprint)), hash, hash_len) != 0)
    why = "the time stamp is not over this signature";

out:
  TS_TST_INFO_free (tst_info);
  CMS_ContentInfo_free (token_cms);
  CMS_ContentInfo_free (cms);
  ERR_clear_error ();
  if (why != NULL && reason != NULL)
    *reason = g_strdup (why);
  return why == NULL;
}
