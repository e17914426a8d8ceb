/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tirkeu-certificate.h"
#include "tirkeu-token-error.h"
#include "test-token-fixture.h"

/* The certificates of tests/fixtures/make-token.sh, parsed without a token: what the UI
 * shows and the refusals checked before a PIN is asked. */

static TokenFixture *fixture;

typedef struct
{
  const char            *name;
  TirkeuCertificateKind  kind;
  TirkeuCertificateRole  role;
  TirkeuKeyAlgorithm     algorithm;
  const char            *owner;
  const char            *iin;
  const char            *bin;
  const char            *organisation;
  /* the refusal for a request of the seller, 0 (none) or a TirkeuTokenError + 1 */
  int                    request_refusal;
  gboolean               warn;
} CertificateCase;

#define REFUSED(code) ((code) + 1)

static const CertificateCase certificate_cases[] = {
  { "auth-rsa", TIRKEU_CERTIFICATE_KIND_AUTH, TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD,
    TIRKEU_KEY_ALGORITHM_RSA, "ИВАНОВ ИВАН", "850304300128", "940140000385",
    "ТОО «ТИРКЕУ АВТО ТЕСТ»", REFUSED (TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND), FALSE },
  { "sign-rsa", TIRKEU_CERTIFICATE_KIND_SIGN, TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD,
    TIRKEU_KEY_ALGORITHM_RSA, "ИВАНОВ ИВАН", "850304300128", "940140000385",
    "ТОО «ТИРКЕУ АВТО ТЕСТ»", 0, FALSE },
  { "sign-ec", TIRKEU_CERTIFICATE_KIND_SIGN, TIRKEU_CERTIFICATE_ROLE_RIGHT_TO_SIGN,
    TIRKEU_KEY_ALGORITHM_EC, "ӘБІЛҚАСЫМОВА ГҮЛНАР", "900715400236", "940140000385",
    "ТОО «ТИРКЕУ АВТО ТЕСТ»", 0, FALSE },
  { "expired", TIRKEU_CERTIFICATE_KIND_SIGN, TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD,
    TIRKEU_KEY_ALGORITHM_EC, "ИВАНОВ ИВАН", "850304300128", "940140000385",
    "ТОО «ТИРКЕУ АВТО ТЕСТ»", REFUSED (TIRKEU_TOKEN_ERROR_EXPIRED), FALSE },
  { "employee", TIRKEU_CERTIFICATE_KIND_SIGN, TIRKEU_CERTIFICATE_ROLE_EMPLOYEE,
    TIRKEU_KEY_ALGORITHM_EC, "ПЕТРОВ ПЁТР", "781201300452", "940140000385",
    "ТОО «ТИРКЕУ АВТО ТЕСТ»", REFUSED (TIRKEU_TOKEN_ERROR_NO_RIGHT_TO_SIGN), FALSE },
  { "other-bin", TIRKEU_CERTIFICATE_KIND_SIGN, TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD,
    TIRKEU_KEY_ALGORITHM_EC, "СЕРІКОВ АЙДОС", "881122400679", "990140004654",
    "ТОО «ДРУГОЙ ДИЛЕР»", REFUSED (TIRKEU_TOKEN_ERROR_NOT_SELLER_BIN), FALSE },
  { "not-yet-valid", TIRKEU_CERTIFICATE_KIND_SIGN, TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD,
    TIRKEU_KEY_ALGORITHM_EC, "ИВАНОВ ИВАН", "850304300128", "940140000385",
    "ТОО «ТИРКЕУ АВТО ТЕСТ»", REFUSED (TIRKEU_TOKEN_ERROR_NOT_YET_VALID), FALSE },
  { "expiring", TIRKEU_CERTIFICATE_KIND_SIGN, TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD,
    TIRKEU_KEY_ALGORITHM_EC, "ИВАНОВ ИВАН", "850304300128", "940140000385",
    "ТОО «ТИРКЕУ АВТО ТЕСТ»", 0, TRUE },
};

static TirkeuCertificate *
load_certificate (const char *name)
{
  g_autoptr(GBytes) der = token_fixture_certificate_der (fixture, name);
  g_autoptr(GError) error = NULL;
  TirkeuCertificate *certificate = tirkeu_certificate_new_from_der (der, &error);

  g_assert_no_error (error);
  g_assert_nonnull (certificate);
  return certificate;
}

static GDateTime *
ini_time (const char *group,
          const char *key)
{
  g_autofree char *text = g_key_file_get_string (fixture->ini, group, key, NULL);
  char iso[32];

  /* YYYYMMDDHHMMSSZ → ISO 8601 */
  g_assert_cmpuint (strlen (text), ==, 15);
  g_snprintf (iso, sizeof iso, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ",
              text, text + 4, text + 6, text + 8, text + 10, text + 12);
  return g_date_time_new_from_iso8601 (iso, NULL);
}

static void
test_certificate_parse (gconstpointer data)
{
  const CertificateCase *c = data;
  g_autoptr(TirkeuCertificate) certificate = load_certificate (c->name);
  g_autoptr(GDateTime) not_before = ini_time (c->name, "not-before");
  g_autoptr(GDateTime) not_after = ini_time (c->name, "not-after");
  g_autofree char *masked = tirkeu_certificate_dup_masked_iin (certificate);

  g_assert_cmpint (tirkeu_certificate_get_kind (certificate), ==, c->kind);
  g_assert_cmpint (tirkeu_certificate_get_role (certificate), ==, c->role);
  g_assert_cmpint (tirkeu_certificate_get_key_algorithm (certificate), ==, c->algorithm);
  g_assert_cmpstr (tirkeu_certificate_get_owner_name (certificate), ==, c->owner);
  g_assert_cmpstr (tirkeu_certificate_get_iin (certificate), ==, c->iin);
  g_assert_cmpstr (tirkeu_certificate_get_bin (certificate), ==, c->bin);
  g_assert_cmpstr (tirkeu_certificate_get_organisation (certificate), ==, c->organisation);
  g_assert_cmpstr (tirkeu_certificate_get_issuer (certificate), ==,
                   "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (TEST)");
  g_assert_true (g_date_time_equal (tirkeu_certificate_get_not_before (certificate),
                                    not_before));
  g_assert_true (g_date_time_equal (tirkeu_certificate_get_not_after (certificate),
                                    not_after));
  g_assert_cmpuint (strlen (masked), ==, 12);
  g_assert_true (strncmp (masked, c->iin, 6) == 0);
  g_assert_cmpstr (masked + 6, ==, "******");
  /* nothing from a token yet */
  g_assert_null (tirkeu_certificate_get_id (certificate));
  g_assert_finalize_object (g_steal_pointer (&certificate));
}

static void
test_certificate_request_rules (gconstpointer data)
{
  const CertificateCase *c = data;
  g_autoptr(TirkeuCertificate) certificate = load_certificate (c->name);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autofree char *warning = tirkeu_certificate_dup_warning (certificate, now);
  gboolean ok;

  ok = tirkeu_certificate_check_purpose (certificate, TIRKEU_SIGN_PURPOSE_REQUEST,
                                         fixture->seller_bin, now, &error);
  if (c->request_refusal == 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_error (error, TIRKEU_TOKEN_ERROR, c->request_refusal - 1);
      g_assert_false (ok);
      /* a message a user can read, not a code */
      g_assert_cmpuint (strlen (error->message), >, 10);
    }

  g_assert_cmpint (tirkeu_certificate_expires_soon (certificate, now), ==, c->warn);
  if (c->warn)
    g_assert_nonnull (strstr (warning, "The certificate expires in "));
  else
    g_assert_null (warning);
}

/* The AUTH key is the one for the portal's sign-in challenge, and only it. */
static void
test_certificate_sign_in_rules (void)
{
  g_autoptr(TirkeuCertificate) auth = load_certificate ("auth-rsa");
  g_autoptr(TirkeuCertificate) sign = load_certificate ("sign-rsa");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;

  g_assert_true (tirkeu_certificate_check_purpose (auth, TIRKEU_SIGN_PURPOSE_SIGN_IN, NULL,
                                                   now, &error));
  g_assert_no_error (error);
  g_assert_false (tirkeu_certificate_check_purpose (sign, TIRKEU_SIGN_PURPOSE_SIGN_IN, NULL,
                                                    now, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND);
  g_clear_error (&error);

  /* a document without a seller BIN: the other rules still hold */
  g_assert_true (tirkeu_certificate_check_purpose (sign, TIRKEU_SIGN_PURPOSE_DOCUMENT, NULL,
                                                   now, &error));
  g_assert_no_error (error);
}

/* A certificate whose subject key is a Kazakh GOST key (algorithm OID under 1.2.398.3.10),
 * which stock OpenSSL cannot parse as a key: made here, signed by a throwaway CA key. */
static GBytes *
make_gost_certificate (void)
{
  EVP_PKEY *ca_key = EVP_EC_gen ("P-256");
  X509 *x509 = X509_new ();
  X509_NAME *name = X509_NAME_new ();
  X509_EXTENSION *extension;
  unsigned char *key_bits = OPENSSL_malloc (64);
  unsigned char *der = NULL;
  int der_len;
  GBytes *bytes;

  g_assert_nonnull (ca_key);
  X509_set_version (x509, X509_VERSION_3);
  ASN1_INTEGER_set (X509_get_serialNumber (x509), 42);
  X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8,
                              (const unsigned char *) "ГОСТОВ ГОСТ", -1, -1, 0);
  X509_NAME_add_entry_by_txt (name, "serialNumber", MBSTRING_UTF8,
                              (const unsigned char *) "IIN850304300128", -1, -1, 0);
  X509_NAME_add_entry_by_txt (name, "OU", MBSTRING_UTF8,
                              (const unsigned char *) "BIN940140000385", -1, -1, 0);
  X509_set_subject_name (x509, name);
  X509_set_issuer_name (x509, name);
  X509_gmtime_adj (X509_getm_notBefore (x509), -86400);
  X509_gmtime_adj (X509_getm_notAfter (x509), 86400L * 365);
  X509_set_pubkey (x509, ca_key);
  RAND_bytes (key_bits, 64);
  g_assert_cmpint (X509_PUBKEY_set0_param (X509_get_X509_PUBKEY (x509),
                                           OBJ_txt2obj ("1.2.398.3.10.1.1.1.1", 1),
                                           V_ASN1_UNDEF, NULL, key_bits, 64), ==, 1);
  extension = X509V3_EXT_conf_nid (NULL, NULL, NID_key_usage,
                                   "critical,digitalSignature,nonRepudiation");
  X509_add_ext (x509, extension, -1);
  X509_EXTENSION_free (extension);
  extension = X509V3_EXT_conf_nid (NULL, NULL, NID_ext_key_usage,
                                   "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1");
  X509_add_ext (x509, extension, -1);
  X509_EXTENSION_free (extension);
  g_assert_cmpint (X509_sign (x509, ca_key, EVP_sha256 ()), >, 0);

  der_len = i2d_X509 (x509, &der);
  g_assert_cmpint (der_len, >, 0);
  bytes = g_bytes_new (der, der_len);

  OPENSSL_free (der);
  X509_NAME_free (name);
  X509_free (x509);
  EVP_PKEY_free (ca_key);
  return bytes;
}

static void
test_certificate_gost (void)
{
  g_autoptr(GBytes) der = make_gost_certificate ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuCertificate) certificate = tirkeu_certificate_new_from_der (der, &error);

  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_certificate_get_key_algorithm (certificate), ==,
                   TIRKEU_KEY_ALGORITHM_GOST_2004);
  g_assert_cmpstr (tirkeu_certificate_get_key_algorithm_oid (certificate), ==,
                   "1.2.398.3.10.1.1.1.1");
  g_assert_nonnull (strstr (tirkeu_key_algorithm_to_string (TIRKEU_KEY_ALGORITHM_GOST),
                            "not supported"));
  g_assert_cmpint (tirkeu_certificate_get_kind (certificate), ==, TIRKEU_CERTIFICATE_KIND_SIGN);
  g_assert_false (tirkeu_certificate_check_purpose (certificate, TIRKEU_SIGN_PURPOSE_REQUEST,
                                                    "940140000385", now, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM);
  g_assert_nonnull (strstr (error->message, "GOST"));
}

static void
test_certificate_garbage (void)
{
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\x30\x03\x02\x01\x01", 5);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuCertificate) certificate = tirkeu_certificate_new_from_der (garbage, &error);

  g_assert_null (certificate);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE);
}

static void
test_error_messages (void)
{
  /* Every code has its own message. */
  for (int i = TIRKEU_TOKEN_ERROR_MODULE; i <= TIRKEU_TOKEN_ERROR_SIGNING_FAILED; i++)
    for (int j = TIRKEU_TOKEN_ERROR_MODULE; j < i; j++)
      g_assert_cmpstr (tirkeu_token_error_to_message (i), !=, tirkeu_token_error_to_message (j));

  g_assert_cmpstr (tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY), ==,
                   "Incorrect password. Attempts left: 1");
}

/* Which token errors let the PIN dialog ask again: every wrong-PIN answer, whatever it says
 * of the tries left, but not a locked PIN (asking again cannot help) nor any other error. */
static void
test_error_is_wrong_pin (void)
{
  for (int code = TIRKEU_TOKEN_ERROR_MODULE; code <= TIRKEU_TOKEN_ERROR_SIGNING_FAILED; code++)
    {
      g_autoptr(GError) error = g_error_new_literal (TIRKEU_TOKEN_ERROR, code, "x");
      gboolean expected = code == TIRKEU_TOKEN_ERROR_PIN_INCORRECT
                          || code == TIRKEU_TOKEN_ERROR_PIN_COUNT_LOW
                          || code == TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY
                          || code == TIRKEU_TOKEN_ERROR_PIN_INVALID;

      g_assert_cmpint (tirkeu_token_error_is_wrong_pin (error), ==, expected);
    }

  {
    g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, TIRKEU_TOKEN_ERROR_PIN_INCORRECT,
                                                    "same code, another domain");

    g_assert_false (tirkeu_token_error_is_wrong_pin (other));
    g_assert_false (tirkeu_token_error_is_wrong_pin (NULL));
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  fixture = token_fixture_new ();

  for (guint i = 0; i < G_N_ELEMENTS (certificate_cases); i++)
    {
      g_autofree char *parse = g_strdup_printf ("/token/certificate/parse/%s",
                                                certificate_cases[i].name);
      g_autofree char *rules = g_strdup_printf ("/token/certificate/request-rules/%s",
                                                certificate_cases[i].name);

      g_test_add_data_func (parse, &certificate_cases[i], test_certificate_parse);
      g_test_add_data_func (rules, &certificate_cases[i], test_certificate_request_rules);
    }
  g_test_add_func ("/token/certificate/sign-in-rules", test_certificate_sign_in_rules);
  g_test_add_func ("/token/certificate/gost", test_certificate_gost);
  g_test_add_func ("/token/certificate/garbage", test_certificate_garbage);
  g_test_add_func ("/token/error/messages", test_error_messages);
  g_test_add_func ("/token/error/is-wrong-pin", test_error_is_wrong_pin);

  status = g_test_run ();
  token_fixture_free (fixture);
  return status;
}
