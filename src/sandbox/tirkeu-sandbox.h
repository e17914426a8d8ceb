/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "tirkeu-sandbox-error.h"

G_BEGIN_DECLS

/**
 * TIRKEU_SANDBOX_TLS_PRIORITY:
 *
 * The GnuTLS priority string of the sandbox's TLS: the system's defaults without any
 * protocol older than TLS 1.2. `tirkeu-sandbox` sets it as G_TLS_GNUTLS_PRIORITY at start;
 * a program that runs the sandbox in-process sets it before its first TLS connection.
 */
#define TIRKEU_SANDBOX_TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%COMPAT"

/**
 * TirkeuSandboxBuyerMode:
 * @TIRKEU_SANDBOX_BUYER_AUTO: the buyer acts by the fixtures' scenario, a step every
 *   buyer_step_ms
 * @TIRKEU_SANDBOX_BUYER_MANUAL: the buyer's decisions (approve, decline, pay the fines, and
 *   the portal's refusal or expiry) come from tirkeu_sandbox_buyer_action(), the admin
 *   endpoints or `tirkeu-sandbox buyer`; the portal's own steps still run on the schedule,
 *   and so does the expiry at a request's buyer_deadline
 */
typedef enum
{
  TIRKEU_SANDBOX_BUYER_AUTO,
  TIRKEU_SANDBOX_BUYER_MANUAL,
} TirkeuSandboxBuyerMode;

/**
 * TirkeuSandboxPayloadFault:
 * @TIRKEU_SANDBOX_PAYLOAD_RIGHT: the signing payload is the request's
 * @TIRKEU_SANDBOX_PAYLOAD_OTHER_VIN: it names another vehicle
 * @TIRKEU_SANDBOX_PAYLOAD_OTHER_BUYER: it names another buyer
 * @TIRKEU_SANDBOX_PAYLOAD_OTHER_CONTRACT: it names another contract
 * @TIRKEU_SANDBOX_PAYLOAD_OTHER_SELLER: it names another seller
 *
 * A hostile or broken portal's signing payload, for the tests of a client that must check
 * what it signs: the request itself says the sale the seller asked for, the payload another.
 */
typedef enum
{
  TIRKEU_SANDBOX_PAYLOAD_RIGHT,
  TIRKEU_SANDBOX_PAYLOAD_OTHER_VIN,
  TIRKEU_SANDBOX_PAYLOAD_OTHER_BUYER,
  TIRKEU_SANDBOX_PAYLOAD_OTHER_CONTRACT,
  TIRKEU_SANDBOX_PAYLOAD_OTHER_SELLER,
} TirkeuSandboxPayloadFault;

const char *tirkeu_sandbox_payload_fault_to_string   (TirkeuSandboxPayloadFault  fault);
gboolean    tirkeu_sandbox_payload_fault_from_string (const char                *text,
                                                      TirkeuSandboxPayloadFault *fault);

/* See tirkeu_sandbox_options_init() for why a week. */
#define TIRKEU_SANDBOX_DEFAULT_BUYER_DAYS 7
#define TIRKEU_SANDBOX_MAX_BUYER_DAYS     3650

/**
 * TirkeuSandboxOptions:
 * @listen: (nullable): "ADDR:PORT" or "[ADDR]:PORT", an IP literal (or localhost); port 0 picks
 *   one; %NULL for 127.0.0.1:0
 * @state_dir: where the state, the TLS CA and certificate live across restarts
 * @fixtures_file: (nullable): %NULL for tirkeu_sandbox_get_default_data_file()
 * @messages_file: (nullable): %NULL for the default messages.json
 * @signer_ca_file: (nullable): PEM CA certificates whose seller certificates are accepted;
 *   %NULL trusts none, so every signature is SIGNATURE_INVALID
 * @tls_cert_file: (nullable): the server certificate (PEM) instead of a self-made one
 * @tls_key_file: (nullable): its key
 * @buyer_mode: auto or manual
 * @buyer_step_ms: the time between two steps of stages 10-19
 * @buyer_days: the buyer's time, in days from awaiting_buyer, before the request expires
 *   (its `buyer_deadline`)
 * @latency_ms: delay before each /api/v1 answer
 * @fail_rate: share of /api/v1 calls answered 500 or 503 before anything is done
 * @drop_rate: share of /api/v1 calls whose connection is closed mid-answer (after the effect)
 * @malformed_rate: share of /api/v1 calls answered with invalid JSON (after the effect)
 * @slow_body_ms: if not 0, bodies go out in chunks of 64 bytes with this delay between them
 * @session_ttl_s: the life of a session
 * @rate_limit: calls per second per client address before 429 (0: no limit)
 * @seed: 0 for random fault rolls, else a seed that makes them repeatable
 * @wrong_payload: requests created from now on get a signing payload for another sale
 * @require_timestamp: a request's signature without a CAdES-T time stamp is refused
 *
 * The command-line options of `tirkeu-sandbox`, one field each. Strings are owned: use
 * tirkeu_sandbox_options_init() and tirkeu_sandbox_options_clear().
 */
typedef struct
{
  char                   *listen;
  char                   *state_dir;
  char                   *fixtures_file;
  char                   *messages_file;
  char                   *signer_ca_file;
  char                   *tls_cert_file;
  char                   *tls_key_file;
  TirkeuSandboxBuyerMode  buyer_mode;
  guint                   buyer_step_ms;
  guint                   buyer_days;
  guint                   latency_ms;
  double                  fail_rate;
  double                  drop_rate;
  double                  malformed_rate;
  guint                   slow_body_ms;
  guint                   session_ttl_s;
  guint                   rate_limit;
  guint32                 seed;
  TirkeuSandboxPayloadFault wrong_payload;
  gboolean                require_timestamp;
} TirkeuSandboxOptions;

void   tirkeu_sandbox_options_init            (TirkeuSandboxOptions *options);
void   tirkeu_sandbox_options_clear           (TirkeuSandboxOptions *options);
char  *tirkeu_sandbox_get_default_data_file   (const char           *basename);

#define TIRKEU_TYPE_SANDBOX (tirkeu_sandbox_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuSandbox, tirkeu_sandbox, TIRKEU, SANDBOX, GObject)

TirkeuSandbox *tirkeu_sandbox_new             (const TirkeuSandboxOptions *options,
                                               GError                    **error);
gboolean       tirkeu_sandbox_start           (TirkeuSandbox              *self,
                                               GError                    **error);
void           tirkeu_sandbox_stop            (TirkeuSandbox              *self);
const char    *tirkeu_sandbox_get_url         (TirkeuSandbox              *self);
const char    *tirkeu_sandbox_get_ca_file     (TirkeuSandbox              *self);
void           tirkeu_sandbox_use_manual_clock
                                              (TirkeuSandbox              *self,
                                               GDateTime                  *start);
void           tirkeu_sandbox_advance_clock   (TirkeuSandbox              *self,
                                               GTimeSpan                   span);
JsonNode      *tirkeu_sandbox_get_request     (TirkeuSandbox              *self,
                                               const char                 *id);
JsonNode      *tirkeu_sandbox_buyer_action    (TirkeuSandbox              *self,
                                               const char                 *id,
                                               const char                 *action,
                                               const char                 *code,
                                               JsonNode                   *reason,
                                               GError                    **error);

G_END_DECLS
