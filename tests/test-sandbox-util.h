/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "tirkeu-sandbox.h"

G_BEGIN_DECLS

/* The sellers, buyers and vehicles of data/sandbox/fixtures.json that the tests use. */
#define SELLER_BIN          "230540004989"   /* OKED 45.11: qualifies */
#define SELLER_NO_OKED_BIN  "990140004654"   /* OKED 49.41, 52.29: does not qualify */
#define SELLER_MOTO_BIN     "081140000436"   /* another qualifying seller */
#define UNKNOWN_BIN         "990106300596"   /* valid, but not a seller of the fixtures */
#define BUYER_IIN           "850312300121"
#define UNKNOWN_IIN         "770211300889"   /* valid check digit, not in GBD FL */
#define VIN_OK              "JTNB23HK2R3000101"
#define CONTRACT_OK         "DKP-2025-000101"
#define VIN_OK_2            "JTNB23HK2R3000115"
#define CONTRACT_OK_2       "DKP-2025-000115"
#define VIN_OK_3            "XTA210743S0000120"   /* a contract of another seller only */

/*
 * Test identities, made with OpenSSL by the sandbox's PKI helpers, shaped like the national
 * CA's (SERIALNUMBER=IIN..., OU=BIN..., EKU and role OIDs):
 *   "auth"            AUTH, seller SELLER_BIN, trusted CA
 *   "sign"            SIGN with the right to sign, SELLER_BIN, trusted CA (RSA-2048)
 *   "sign-employee"   SIGN, SELLER_BIN, only the employee role: no right to sign
 *   "sign-other-bin"  SIGN with the right to sign, SELLER_MOTO_BIN
 *   "auth-untrusted"  AUTH, SELLER_BIN, from a CA the sandbox does not trust
 *   "sign-untrusted"  SIGN, SELLER_BIN, from that CA
 *   "auth-no-oked"    AUTH, SELLER_NO_OKED_BIN
 *   "auth-moto"       AUTH, SELLER_MOTO_BIN
 *   "auth-unknown"    AUTH, UNKNOWN_BIN
 */
char       *sb_make_tmp_dir        (const char          *template_name,
                                    GError             **error);
const char *sb_signer_ca_file      (void);
GBytes     *sb_sign                (const char          *identity,
                                    GBytes              *content);
char       *sb_sign_base64         (const char          *identity,
                                    const char          *content_base64);
void        sb_write_identity      (const char          *identity,
                                    const char          *dir,
                                    char               **cert_file,
                                    char               **key_file);

typedef struct
{
  TirkeuSandbox *sandbox;
  SoupSession *session;
  char *state_dir;
  const char *url;
  guint n_changes;
  guint buyer_step_ms;
} SbFixture;

void        sb_options_for_test    (TirkeuSandboxOptions *options,
                                    const char           *state_dir);
void        sb_fixture_start       (SbFixture            *fixture,
                                    TirkeuSandboxOptions *options);
void        sb_fixture_stop        (SbFixture            *fixture);
SoupSession *sb_session_new        (const char           *ca_file);

typedef struct
{
  guint status;
  GBytes *raw;
  JsonNode *body;           /* NULL when the body is not JSON */
  SoupMessageHeaders *headers;
  GError *error;            /* transport error */
} SbAnswer;

SbAnswer   *sb_call                (SoupSession          *session,
                                    const char           *url,
                                    const char           *method,
                                    const char           *path,
                                    const char           *token,
                                    const char           *idempotency_key,
                                    const char           *body);
void        sb_answer_free         (SbAnswer             *answer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbAnswer, sb_answer_free)

JsonObject *sb_answer_ok           (SbAnswer             *answer,
                                    guint                 status);
JsonObject *sb_answer_error        (SbAnswer             *answer,
                                    guint                 status,
                                    const char           *code);
char       *sb_sign_in             (SbFixture            *fixture,
                                    const char           *identity);
char       *sb_create_request      (SbFixture            *fixture,
                                    const char           *token,
                                    const char           *vin,
                                    const char           *buyer_iin,
                                    const char           *contract,
                                    const char           *key);
JsonObject *sb_submit_signature    (SbFixture            *fixture,
                                    const char           *token,
                                    const char           *id);
JsonNode   *sb_wait_for_stage      (SbFixture            *fixture,
                                    const char           *id,
                                    const char           *stage,
                                    guint                 timeout_ms);
JsonNode   *sb_step_until_stage    (SbFixture            *fixture,
                                    const char           *id,
                                    const char           *stage,
                                    guint                 max_steps);
void        sb_use_manual_clock    (SbFixture            *fixture);
void        sb_assert_history_legal (JsonObject          *request);
void        sb_iterate             (guint                 ms);
void        sb_run_program         (const char * const   *args);

G_END_DECLS
