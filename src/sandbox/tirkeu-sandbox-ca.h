/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <openssl/x509.h>

#include "tirkeu-certificate.h"
#include "tirkeu-gost-issuer.h"

G_BEGIN_DECLS

/* NCA's TSA policy for GOST 2015 time stamps (DOMAIN.md, "Signatures around a signature"),
 * the sandbox TSA's default; it accepts any policy of NCA's arc 1.2.398.3.3.2.6. */
#define TIRKEU_SANDBOX_TSA_POLICY       "1.2.398.3.3.2.6.4"
#define TIRKEU_SANDBOX_TSA_POLICY_ARC   "1.2.398.3.3.2.6"

#define TIRKEU_TYPE_SANDBOX_CA (tirkeu_sandbox_ca_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuSandboxCa, tirkeu_sandbox_ca, TIRKEU, SANDBOX_CA, GObject)

TirkeuSandboxCa  *tirkeu_sandbox_ca_open             (const char        *state_dir,
                                                      GError           **error);
TirkeuGostIssuer *tirkeu_sandbox_ca_get_issuer       (TirkeuSandboxCa   *self);
TirkeuGostIssuer *tirkeu_sandbox_ca_get_tsa          (TirkeuSandboxCa   *self);
X509             *tirkeu_sandbox_ca_get_certificate  (TirkeuSandboxCa   *self);
GBytes           *tirkeu_sandbox_ca_get_certificate_der (TirkeuSandboxCa *self);

gboolean          tirkeu_sandbox_ca_parse_role       (const char        *text,
                                                      TirkeuCertificateRole *role);
gboolean          tirkeu_sandbox_ca_parse_reason     (const char        *text,
                                                      int               *reason);
char             *tirkeu_sandbox_ca_normalize_serial (const char        *text);

gboolean          tirkeu_sandbox_ca_revoke           (TirkeuSandboxCa   *self,
                                                      const char        *serial_hex,
                                                      int                reason,
                                                      gint64             revoked_at,
                                                      GError           **error);
gboolean          tirkeu_sandbox_ca_is_revoked       (TirkeuSandboxCa   *self,
                                                      X509              *certificate);
gboolean          tirkeu_sandbox_ca_issued           (TirkeuSandboxCa   *self,
                                                      X509              *certificate);
GBytes           *tirkeu_sandbox_ca_crl              (TirkeuSandboxCa   *self,
                                                      GDateTime         *now,
                                                      GError           **error);
GBytes           *tirkeu_sandbox_ca_answer_ocsp      (TirkeuSandboxCa   *self,
                                                      GBytes            *request_der,
                                                      GDateTime         *now,
                                                      GError           **error);
GBytes           *tirkeu_sandbox_ca_answer_tsa       (TirkeuSandboxCa   *self,
                                                      GBytes            *request_der,
                                                      GDateTime         *now,
                                                      GError           **error);
gboolean          tirkeu_sandbox_ca_check_timestamp  (TirkeuSandboxCa   *self,
                                                      GBytes            *cms_der,
                                                      X509              *signer,
                                                      GDateTime         *now,
                                                      gboolean          *present,
                                                      char             **reason);

G_END_DECLS
