/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the signing payload reader: no crash, no sanitizer report, and
 * invariants: what decodes is canonical (encoding it gives the input back byte for byte),
 * its members are in their formats, and the check agrees with the decoder (a payload checked
 * against its own members passes; one that does not decode never passes). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tirkeu-signing-payload.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define REQUIRE(x) do { if (!(x)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuSigningPayload) payload = tirkeu_signing_payload_decode (bytes, &error);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) check_error = NULL;

  if (payload == NULL)
    {
      REQUIRE (g_error_matches (error, TIRKEU_SIGNING_PAYLOAD_ERROR,
                                TIRKEU_SIGNING_PAYLOAD_ERROR_MALFORMED));
      REQUIRE (!tirkeu_signing_payload_check (bytes, "JTNB23HK2R3000101", "850312300121",
                                              "DKP-2025-000101", "230540004989",
                                              &check_error));
      REQUIRE (g_error_matches (check_error, TIRKEU_SIGNING_PAYLOAD_ERROR,
                                TIRKEU_SIGNING_PAYLOAD_ERROR_MALFORMED));
      return 0;
    }

  REQUIRE (error == NULL);
  REQUIRE (size <= TIRKEU_SIGNING_PAYLOAD_MAX_SIZE);
  REQUIRE (strlen (payload->vin) == 17 && strlen (payload->buyer_iin) == 12
           && strlen (payload->seller_bin) == 12 && strlen (payload->created_at) == 20);
  REQUIRE (g_utf8_validate (payload->contract_number, -1, NULL));

  again = tirkeu_signing_payload_encode (payload);
  REQUIRE (g_bytes_equal (again, bytes));

  REQUIRE (tirkeu_signing_payload_check (bytes, payload->vin, payload->buyer_iin,
                                         payload->contract_number, payload->seller_bin,
                                         &check_error));
  REQUIRE (check_error == NULL);

  return 0;
}
