/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-signing-payload.h"

/* The canonical payload of data/portal-api.yaml (Request.signing_payload), written out by
 * hand: the bytes a portal must send, not whatever this module happens to produce. */
#define VALID "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"ДКП-2026/17\"," \
              "\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-2026-000001\"," \
              "\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\"," \
              "\"vin\":\"XW8AN2NE3NH000123\"}"

static GBytes *
bytes_of (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
test_valid (void)
{
  g_autoptr(GBytes) bytes = bytes_of (VALID);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuSigningPayload) payload = tirkeu_signing_payload_decode (bytes, &error);
  g_autoptr(GBytes) again = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (payload);
  g_assert_cmpstr (payload->buyer_iin, ==, "870412300415");
  g_assert_cmpstr (payload->contract_number, ==, "ДКП-2026/17");
  g_assert_cmpstr (payload->created_at, ==, "2026-12-03T09:30:00Z");
  g_assert_cmpstr (payload->request_id, ==, "T-2026-000001");
  g_assert_cmpstr (payload->seller_bin, ==, "100140011059");
  g_assert_cmpstr (payload->vin, ==, "XW8AN2NE3NH000123");

  /* Canonical: encoding the members gives the same bytes back. */
  again = tirkeu_signing_payload_encode (payload);
  g_assert_true (g_bytes_equal (again, bytes));

  g_assert_true (tirkeu_signing_payload_check (bytes, "XW8AN2NE3NH000123", "870412300415",
                                               "ДКП-2026/17", "100140011059", &error));
  g_assert_no_error (error);
  /* The VIN the seller typed may be lower-case: VINs are compared upper-case. */
  g_assert_true (tirkeu_signing_payload_check (bytes, "xw8an2ne3nh000123", "870412300415",
                                               "ДКП-2026/17", "100140011059", &error));
  g_assert_no_error (error);
}

static void
test_escapes (void)
{
  TirkeuSigningPayload members = {
    .buyer_iin = (char *) "870412300415", .contract_number = (char *) "A\"1\\2",
    .created_at = (char *) "2026-12-03T09:30:00Z", .request_id = (char *) "T-1",
    .seller_bin = (char *) "100140011059", .vin = (char *) "XW8AN2NE3NH000123",
  };
  g_autoptr(GBytes) bytes = tirkeu_signing_payload_encode (&members);
  g_autoptr(TirkeuSigningPayload) back = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (strstr (g_bytes_get_data (bytes, NULL), "\"contract_number\":\"A\\\"1\\\\2\""));
  back = tirkeu_signing_payload_decode (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->contract_number, ==, "A\"1\\2");
}

static void
test_mismatch (void)
{
  const struct {
    const char *vin, *buyer_iin, *contract_number, *seller_bin;
    TirkeuSigningPayloadError code;
  } cases[] = {
    { "XW8AN2NE3NH000124", "870412300415", "ДКП-2026/17", "100140011059",
      TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_VIN },
    { "XW8AN2NE3NH000123", "870412300416", "ДКП-2026/17", "100140011059",
      TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_BUYER },
    { "XW8AN2NE3NH000123", "870412300415", "ДКП-2026/18", "100140011059",
      TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_CONTRACT },
    /* exact: no case folding or trimming of the contract number */
    { "XW8AN2NE3NH000123", "870412300415", "дкп-2026/17", "100140011059",
      TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_CONTRACT },
    { "XW8AN2NE3NH000123", "870412300415", "ДКП-2026/17 ", "100140011059",
      TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_CONTRACT },
    { "XW8AN2NE3NH000123", "870412300415", "ДКП-2026/17", "100140011060",
      TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_SELLER },
  };
  g_autoptr(GBytes) bytes = bytes_of (VALID);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (tirkeu_signing_payload_check (bytes, cases[i].vin, cases[i].buyer_iin,
                                                    cases[i].contract_number,
                                                    cases[i].seller_bin, &error));
      g_assert_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, cases[i].code);
      /* The buyer's IIN never reaches a message (messages reach logs). */
      g_assert_null (strstr (error->message, "87041230041"));
    }
}

static void
test_malformed (void)
{
  static const char * const cases[] = {
    "",
    " ",
    "{}",
    "null",
    VALID "\n",
    " " VALID,
    /* whitespace between tokens */
    "{\"buyer_iin\": \"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    /* members out of order */
    "{\"contract_number\":\"1\",\"buyer_iin\":\"870412300415\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    /* a member missing */
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"vin\":\"XW8AN2NE3NH000123\"}",
    /* a member too many */
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\",\"x\":\"1\"}",
    /* a member twice */
    "{\"buyer_iin\":\"870412300415\",\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    /* escapes JSON allows but the canonical form does not */
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\\/2\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"\\u0031\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"\\u003870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    /* a control character, escaped or raw */
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\\u0009\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\t\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    /* invalid UTF-8 */
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"\xc3\x28\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    /* another type */
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v2\",\"vin\":\"XW8AN2NE3NH000123\"}",
    /* members out of their formats */
    "{\"buyer_iin\":\"87041230041\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"12345678901234567890123456789012345678901234567890123456789012345\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03t09:30:00z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-13-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00+05:00\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T 1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"10014001105X\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"xw8an2ne3nh000123\"}",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH00O123\"}",
    /* cut short */
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\",\"created_at\":\"2026-12-03T09:30:00Z\",\"id\":\"T-1\",\"seller_bin\":\"100140011059\",\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"XW8AN2NE3NH000123\"",
    "{\"buyer_iin\":\"870412300415\",\"contract_number\":\"1\\",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = bytes_of (cases[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(TirkeuSigningPayload) payload = tirkeu_signing_payload_decode (bytes, &error);

      g_test_message ("malformed case %u", i);
      g_assert_null (payload);
      g_assert_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, TIRKEU_SIGNING_PAYLOAD_ERROR_MALFORMED);
      g_clear_error (&error);
      g_assert_false (tirkeu_signing_payload_check (bytes, "XW8AN2NE3NH000123", "870412300415",
                                                    "1", "100140011059", &error));
      g_assert_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, TIRKEU_SIGNING_PAYLOAD_ERROR_MALFORMED);
    }
}

static void
test_malformed_bytes (void)
{
  /* A NUL inside, and a payload over the size bound. */
  static const char with_nul[] = "{\"buyer_iin\":\"870412300415\0\"}";
  g_autoptr(GBytes) nul = g_bytes_new (with_nul, sizeof with_nul - 1);
  g_autofree char *padding = g_strnfill (TIRKEU_SIGNING_PAYLOAD_MAX_SIZE, 'A');
  g_autofree char *large_text = g_strdup_printf ("{\"buyer_iin\":\"%s\"}", padding);
  g_autoptr(GBytes) large = bytes_of (large_text);
  g_autoptr(GError) error = NULL;

  g_assert_null (tirkeu_signing_payload_decode (nul, &error));
  g_assert_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, TIRKEU_SIGNING_PAYLOAD_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (tirkeu_signing_payload_decode (large, &error));
  g_assert_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, TIRKEU_SIGNING_PAYLOAD_ERROR_MALFORMED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/signing-payload/valid", test_valid);
  g_test_add_func ("/signing-payload/escapes", test_escapes);
  g_test_add_func ("/signing-payload/mismatch", test_mismatch);
  g_test_add_func ("/signing-payload/malformed", test_malformed);
  g_test_add_func ("/signing-payload/malformed-bytes", test_malformed_bytes);

  return g_test_run ();
}
