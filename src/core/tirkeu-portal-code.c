/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-portal-code.h"

static const struct {
  const char *wire_name;
  guint step;      /* step of the pilot algorithm that raises it, 0 for none */
  gboolean wire;   /* sent by the portal (TRUE) or detected by the client (FALSE) */
} codes[TIRKEU_N_PORTAL_CODES] = {
  [TIRKEU_PORTAL_CODE_OKED_MISMATCH]         = { "OKED_MISMATCH", 1, TRUE },
  [TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND]   = { "EPASSPORT_NOT_FOUND", 3, TRUE },
  [TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID]        = { "CUSTOMS_UNPAID", 4, TRUE },
  [TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID]    = { "UTILIZATION_UNPAID", 5, TRUE },
  [TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND]      = { "PERSON_NOT_FOUND", 7, TRUE },
  [TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND]    = { "CONTRACT_NOT_FOUND", 8, TRUE },
  [TIRKEU_PORTAL_CODE_FINES_UNPAID]          = { "FINES_UNPAID", 14, TRUE },
  [TIRKEU_PORTAL_CODE_SIGNATURE_INVALID]     = { "SIGNATURE_INVALID", 9, TRUE },
  [TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED] = { "SIGNER_NOT_AUTHORIZED", 9, TRUE },
  [TIRKEU_PORTAL_CODE_UNAUTHORIZED]          = { "UNAUTHORIZED", 0, TRUE },
  [TIRKEU_PORTAL_CODE_SESSION_EXPIRED]       = { "SESSION_EXPIRED", 0, TRUE },
  [TIRKEU_PORTAL_CODE_RATE_LIMITED]          = { "RATE_LIMITED", 0, TRUE },
  [TIRKEU_PORTAL_CODE_VALIDATION_FAILED]     = { "VALIDATION_FAILED", 0, TRUE },
  [TIRKEU_PORTAL_CODE_NOT_FOUND]             = { "NOT_FOUND", 0, TRUE },
  [TIRKEU_PORTAL_CODE_CONFLICT]              = { "CONFLICT", 0, TRUE },
  [TIRKEU_PORTAL_CODE_INTERNAL]              = { "INTERNAL", 0, TRUE },
  [TIRKEU_PORTAL_CODE_UNAVAILABLE]           = { "UNAVAILABLE", 0, TRUE },
  [TIRKEU_PORTAL_CODE_NETWORK]               = { "NETWORK", 0, FALSE },
  [TIRKEU_PORTAL_CODE_TLS]                   = { "TLS", 0, FALSE },
  [TIRKEU_PORTAL_CODE_TIMEOUT]               = { "TIMEOUT", 0, FALSE },
  [TIRKEU_PORTAL_CODE_MALFORMED]             = { "MALFORMED", 0, FALSE },
  [TIRKEU_PORTAL_CODE_TOO_LARGE]             = { "TOO_LARGE", 0, FALSE },
  [TIRKEU_PORTAL_CODE_UNKNOWN]               = { "UNKNOWN", 0, FALSE },
};

/**
 * tirkeu_portal_code_to_string:
 * @code: a #TirkeuPortalCode
 *
 * Returns: (transfer none): the contract's spelling of @code, e.g. `"OKED_MISMATCH"`
 */
const char *
tirkeu_portal_code_to_string (TirkeuPortalCode code)
{
  g_return_val_if_fail (code < TIRKEU_N_PORTAL_CODES, "UNKNOWN");

  return codes[code].wire_name;
}

/**
 * tirkeu_portal_code_from_string:
 * @name: (nullable): a code as the portal spells it
 *
 * Codes the client detects itself are never accepted from the wire: a peer that sends
 * "TLS" gets %TIRKEU_PORTAL_CODE_UNKNOWN, as does any code this build does not know.
 *
 * Returns: the code, or %TIRKEU_PORTAL_CODE_UNKNOWN
 */
TirkeuPortalCode
tirkeu_portal_code_from_string (const char *name)
{
  if (name == NULL)
    return TIRKEU_PORTAL_CODE_UNKNOWN;

  for (guint i = 0; i < TIRKEU_N_PORTAL_CODES; i++)
    {
      if (codes[i].wire && g_str_equal (codes[i].wire_name, name))
        return (TirkeuPortalCode) i;
    }

  return TIRKEU_PORTAL_CODE_UNKNOWN;
}

/**
 * tirkeu_portal_code_is_wire:
 * @code: a #TirkeuPortalCode
 *
 * Returns: %TRUE if the portal sends @code, %FALSE if only the client detects it
 */
gboolean
tirkeu_portal_code_is_wire (TirkeuPortalCode code)
{
  g_return_val_if_fail (code < TIRKEU_N_PORTAL_CODES, FALSE);

  return codes[code].wire;
}

/**
 * tirkeu_portal_code_get_step:
 * @code: a #TirkeuPortalCode
 *
 * Returns: the step of the pilot algorithm (1-19) that raises @code, or 0
 */
guint
tirkeu_portal_code_get_step (TirkeuPortalCode code)
{
  g_return_val_if_fail (code < TIRKEU_N_PORTAL_CODES, 0);

  return codes[code].step;
}
