/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * The TC26 vendor-defined PKCS#11 names for GOST R 34.10-2012 512-bit keys, as OpenSC's
 * src/pkcs11/pkcs11.h and Russian token vendors define them (TC26, "Guidelines: the PKCS#11
 * extensions for implementing the GOST R 34.10-2012 and GOST R 34.11-2012 Russian
 * standards"). p11-kit's <p11-kit/pkcs11.h> has only the standard GOST 2001 names
 * (CKK_GOSTR3410, CKA_GOSTR3410_PARAMS, CKA_GOSTR3411_PARAMS).
 *
 * A signature made with CKM_GOSTR3410_512 (over a digest the caller computed) or
 * CKM_GOSTR3410_WITH_GOSTR3411_12_512 (the token hashes) is 128 bytes, s then r, each
 * 64 bytes big-endian, as GOST R 34.10 writes the vector (r̄‖s̄) most significant bit first
 * and PKCS#11 v3 / TC26 take it over. NCA's layout (certificates, CMS) is r then s, each
 * little-endian: the same 128 bytes in reverse order. tirkeu_pkcs11_gost_signature_to_nca()
 * converts once, at the token boundary.
 */

#include <stddef.h>
#include <stdint.h>

#define TIRKEU_CK_VENDOR_PKCS11_RU_TEAM_TC26        0xD4321000UL

#define TIRKEU_CKK_GOSTR3410_512                    (TIRKEU_CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x003)
#define TIRKEU_CKM_GOSTR3410_512_KEY_PAIR_GEN       (TIRKEU_CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x005)
#define TIRKEU_CKM_GOSTR3410_512                    (TIRKEU_CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x006)
#define TIRKEU_CKM_GOSTR3410_WITH_GOSTR3411_12_512  (TIRKEU_CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x009)
#define TIRKEU_CKM_GOSTR3411_12_512                 (TIRKEU_CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x013)

/* CKA_GOSTR3410_PARAMS of a 512-bit key on curve id-tc26-gost-3410-12-512-paramSetA
 * (1.2.643.7.1.2.1.2.1), the curve NCA's GOST 2015-512 uses under its own OID; and
 * CKA_GOSTR3411_PARAMS for Streebog-512 (1.2.643.7.1.1.2.3). DER, tag and length included. */
#define TIRKEU_PKCS11_GOST_512_PARAMSET_A_DER \
  "\x06\x09\x2a\x85\x03\x07\x01\x02\x01\x02\x01"
#define TIRKEU_PKCS11_GOST_STREEBOG_512_DER \
  "\x06\x08\x2a\x85\x03\x07\x01\x01\x02\x03"

#define TIRKEU_PKCS11_GOST_512_DIGEST_SIZE    64
#define TIRKEU_PKCS11_GOST_512_SIGNATURE_SIZE 128

/**
 * tirkeu_pkcs11_gost_signature_to_nca:
 * @pkcs11: 128 bytes as a PKCS#11 token returns them: s‖r, big-endian
 * @nca: (out caller-allocates): 128 bytes: r‖s, each little-endian (NCA, RFC 4491 reversed)
 *
 * The conversion is its own inverse: it also turns NCA's layout into the token's.
 */
static inline void
tirkeu_pkcs11_gost_signature_to_nca (const uint8_t *pkcs11,
                                     uint8_t       *nca)
{
  for (size_t i = 0; i < TIRKEU_PKCS11_GOST_512_SIGNATURE_SIZE; i++)
    nca[i] = pkcs11[TIRKEU_PKCS11_GOST_512_SIGNATURE_SIZE - 1 - i];
}
