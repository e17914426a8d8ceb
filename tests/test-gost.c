/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GOST 2015-512 and Streebog-512 (tirkeu-gost.c) against a published test vector, round
 * trips, and the national CA's own test PKI (tests/fixtures/nca-test-pki): every check that
 * must pass is also made to fail with one byte of the signature changed and with the RFC 4491
 * byte order, so none passes by accident. */
#include "config.h"

#include <glib.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <string.h>

#include "tirkeu-gost.h"
#include "tirkeu-token-error.h"

typedef enum
{
  SIGNATURE_AS_IS,
  SIGNATURE_ONE_BYTE_CHANGED,
  SIGNATURE_RFC4491_ORDER,
} SignatureMutation;

static GBytes *
read_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "nca-test-pki",
                                                 name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* The signature is the last 128 bytes of a DER certificate or CRL (the BIT STRING's
 * content ends the SEQUENCE). */
static void
mutate_signature (guint8            *signature,
                  SignatureMutation  mutation)
{
  switch (mutation)
    {
    case SIGNATURE_AS_IS:
      break;
    case SIGNATURE_ONE_BYTE_CHANGED:
      signature[37] ^= 0x01;
      break;
    case SIGNATURE_RFC4491_ORDER:
      for (int i = 0; i < 64; i++)
        {
          guint8 byte = signature[i];
          signature[i] = signature[127 - i];
          signature[127 - i] = byte;
        }
      break;
    default:
      g_assert_not_reached ();
    }
}

static X509 *
x509_from_bytes (GBytes            *der,
                 SignatureMutation  mutation)
{
  gsize len;
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (der, &len), g_bytes_get_size (der));
  const unsigned char *p = copy;
  X509 *x509;

  g_assert_cmpuint (len, >, 128);
  mutate_signature (copy + len - 128, mutation);
  x509 = d2i_X509 (NULL, &p, (long) len);
  g_assert_nonnull (x509);
  return x509;
}

static X509 *
nca_ca (void)
{
  g_autoptr(GBytes) der = read_fixture ("nca-gost2022-test.cer");
  return x509_from_bytes (der, SIGNATURE_AS_IS);
}

static void
test_streebog_vector (void)
{
  /* GOST R 34.11-2012 example M1 (RFC 6986, 10.1), its digest as bytes in the order every
   * implementation prints them. */
  static const char m1[] = "012345678901234567890123456789012345678901234567890123456789012";
  static const char expected[] =
    "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
    "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48";
  guint8 digest[64];
  g_autoptr(GString) hex = g_string_new (NULL);

  tirkeu_gost_streebog512 (m1, strlen (m1), digest);
  for (int i = 0; i < 64; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  g_assert_cmpstr (hex->str, ==, expected);
}

static void
test_sign_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  guint8 private_key[64], public_key[128], digest[64], signature[128], other[128];

  g_assert_true (tirkeu_gost_generate_private_key (private_key, &error));
  g_assert_no_error (error);
  g_assert_true (tirkeu_gost_public_key_from_private (private_key, public_key, &error));
  g_assert_no_error (error);

  tirkeu_gost_streebog512 ("vehicle registration", 20, digest);
  g_assert_true (tirkeu_gost_sign_digest (private_key, digest, signature, &error));
  g_assert_no_error (error);
  g_assert_true (tirkeu_gost_verify_digest (public_key, digest, signature));

  /* A fresh nonce each time: the same digest gives another valid signature. */
  g_assert_true (tirkeu_gost_sign_digest (private_key, digest, other, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (signature, other, 128) != 0);
  g_assert_true (tirkeu_gost_verify_digest (public_key, digest, other));
}

static void
test_sign_round_trip_fails (void)
{
  g_autoptr(GError) error = NULL;
  guint8 private_key[64], public_key[128], digest[64], signature[128];

  g_assert_true (tirkeu_gost_generate_private_key (private_key, &error));
  g_assert_true (tirkeu_gost_public_key_from_private (private_key, public_key, &error));
  tirkeu_gost_streebog512 ("vehicle registration", 20, digest);
  g_assert_true (tirkeu_gost_sign_digest (private_key, digest, signature, &error));
  g_assert_no_error (error);

  /* another digest */
  digest[0] ^= 1;
  g_assert_false (tirkeu_gost_verify_digest (public_key, digest, signature));
  digest[0] ^= 1;
  /* one byte of the signature */
  signature[100] ^= 0x80;
  g_assert_false (tirkeu_gost_verify_digest (public_key, digest, signature));
  signature[100] ^= 0x80;
  g_assert_true (tirkeu_gost_verify_digest (public_key, digest, signature));
  /* the RFC 4491 byte order */
  mutate_signature (signature, SIGNATURE_RFC4491_ORDER);
  g_assert_false (tirkeu_gost_verify_digest (public_key, digest, signature));
  mutate_signature (signature, SIGNATURE_RFC4491_ORDER);
  /* a point off the curve */
  public_key[5] ^= 1;
  g_assert_false (tirkeu_gost_verify_digest (public_key, digest, signature));
}

static void
test_bad_private_key (void)
{
  guint8 zero[64] = { 0 }, all_ones[64], public_key[128], digest[64] = { 1 }, signature[128];
  g_autoptr(GError) error = NULL;

  /* 0 and 2^512-1 (above the group order) are not keys. */
  memset (all_ones, 0xff, sizeof all_ones);
  g_assert_false (tirkeu_gost_public_key_from_private (zero, public_key, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED);
  g_clear_error (&error);
  g_assert_false (tirkeu_gost_sign_digest (all_ones, digest, signature, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_SIGNING_FAILED);
}

static void
test_nids (void)
{
  int nid = tirkeu_gost_nid (TIRKEU_GOST_NID_2015_512_SIGNATURE);
  char text[64];

  g_assert_cmpint (nid, !=, NID_undef);
  g_assert_cmpint (tirkeu_gost_nid (TIRKEU_GOST_NID_2015_512_SIGNATURE), ==, nid);
  g_assert_cmpint (OBJ_obj2txt (text, sizeof text, OBJ_nid2obj (nid), 1), >, 0);
  g_assert_cmpstr (text, ==, TIRKEU_GOST_OID_2015_512_SIGNATURE);
  g_assert_cmpint (OBJ_txt2nid (TIRKEU_GOST_OID_STREEBOG512), ==,
                   tirkeu_gost_nid (TIRKEU_GOST_NID_STREEBOG512));
}

static void
test_ca_public_key (void)
{
  X509 *ca = nca_ca ();
  guint8 public_key[128];
  g_autoptr(GError) error = NULL;

  g_assert_true (tirkeu_gost_is_2015_512_certificate (ca));
  g_assert_true (tirkeu_gost_public_key_from_spki (X509_get_X509_PUBKEY (ca), public_key,
                                                   &error));
  g_assert_no_error (error);
  X509_free (ca);
}

static void
check_crl (gconstpointer data)
{
  SignatureMutation mutation = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) der = read_fixture ("nca-gost2022-test.crl");
  gsize len;
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (der, &len), g_bytes_get_size (der));
  const unsigned char *p = copy;
  X509 *ca = nca_ca ();
  X509_CRL *crl;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  mutate_signature (copy + len - 128, mutation);
  crl = d2i_X509_CRL (NULL, &p, (long) len);
  g_assert_nonnull (crl);

  ok = tirkeu_gost_verify_crl (crl, ca, &error);
  if (mutation == SIGNATURE_AS_IS)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_BAD_SIGNATURE);
    }

  X509_CRL_free (crl);
  X509_free (ca);
}

static OCSP_BASICRESP *
nca_ocsp (void)
{
  g_autoptr(GBytes) der = read_fixture ("ocsp-individual-gost2015.der");
  const unsigned char *p = g_bytes_get_data (der, NULL);
  OCSP_RESPONSE *response = d2i_OCSP_RESPONSE (NULL, &p, g_bytes_get_size (der));
  OCSP_BASICRESP *basic;

  g_assert_nonnull (response);
  g_assert_cmpint (OCSP_response_status (response), ==, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  basic = OCSP_response_get1_basic (response);
  g_assert_nonnull (basic);
  OCSP_RESPONSE_free (response);
  return basic;
}

static void
check_ocsp (gconstpointer data)
{
  SignatureMutation mutation = GPOINTER_TO_INT (data);
  OCSP_BASICRESP *basic = nca_ocsp ();
  ASN1_OCTET_STRING *signature = (ASN1_OCTET_STRING *) OCSP_resp_get0_signature (basic);
  const STACK_OF (X509) *certs = OCSP_resp_get0_certs (basic);
  X509 *responder;
  g_autoptr(GError) error = NULL;
  guint8 bytes[128];
  gboolean ok;

  g_assert_cmpint (sk_X509_num (certs), >=, 1);
  responder = sk_X509_value (certs, 0);

  g_assert_cmpint (ASN1_STRING_length (signature), ==, 128);
  memcpy (bytes, ASN1_STRING_get0_data (signature), 128);
  mutate_signature (bytes, mutation);
  g_assert_true (ASN1_STRING_set (signature, bytes, 128));

  ok = tirkeu_gost_verify_ocsp (basic, responder, &error);
  if (mutation == SIGNATURE_AS_IS)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_BAD_SIGNATURE);
    }

  OCSP_BASICRESP_free (basic);
}

static void
check_ocsp_responder (gconstpointer data)
{
  SignatureMutation mutation = GPOINTER_TO_INT (data);
  OCSP_BASICRESP *basic = nca_ocsp ();
  X509 *ca = nca_ca ();
  unsigned char *der = NULL;
  int der_len = i2d_X509 (sk_X509_value (OCSP_resp_get0_certs (basic), 0), &der);
  g_autoptr(GBytes) bytes = g_bytes_new (der, der_len);
  X509 *responder = x509_from_bytes (bytes, mutation);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = tirkeu_gost_verify_certificate (responder, ca, &error);
  if (mutation == SIGNATURE_AS_IS)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      /* and not by itself: the responder is not the CA */
      g_assert_false (tirkeu_gost_verify_certificate (responder, responder, NULL));
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_BAD_SIGNATURE);
    }

  OPENSSL_free (der);
  X509_free (responder);
  X509_free (ca);
  OCSP_BASICRESP_free (basic);
}

static void
add_mutations (const char      *path,
               GTestDataFunc    func)
{
  static const char *names[] = { "valid", "one-byte-changed", "rfc4491-order" };

  for (int m = SIGNATURE_AS_IS; m <= SIGNATURE_RFC4491_ORDER; m++)
    {
      g_autofree char *name = g_strdup_printf ("%s/%s", path, names[m]);
      g_test_add_data_func (name, GINT_TO_POINTER (m), func);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/gost/streebog512/vector", test_streebog_vector);
  g_test_add_func ("/gost/sign/round-trip", test_sign_round_trip);
  g_test_add_func ("/gost/sign/round-trip-fails", test_sign_round_trip_fails);
  g_test_add_func ("/gost/sign/bad-private-key", test_bad_private_key);
  g_test_add_func ("/gost/nids", test_nids);
  g_test_add_func ("/gost/nca/ca-public-key", test_ca_public_key);
  add_mutations ("/gost/nca/crl", check_crl);
  add_mutations ("/gost/nca/ocsp", check_ocsp);
  add_mutations ("/gost/nca/ocsp-responder", check_ocsp_responder);

  return g_test_run ();
}
