/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "tirkeu-certificate.h"

G_BEGIN_DECLS

/* The largest timestamp answer read: a token with its TSA's certificates is a few KiB. */
#define TIRKEU_TIMESTAMP_MAX_REPLY_SIZE (256 * 1024)
/* The TSA policy NCA's agent asks for with a GOST 2015 signature. */
#define TIRKEU_TIMESTAMP_POLICY_NCA_GOST "1.2.398.3.3.2.6.4"

GBytes *tirkeu_timestamp_request_new (GBytes              *signature_value,
                                      TirkeuKeyAlgorithm   algorithm,
                                      const char          *policy_oid,
                                      GError             **error);
GBytes *tirkeu_timestamp_reply_check (GBytes              *request_der,
                                      GBytes              *reply_der,
                                      GPtrArray           *trusted_x509,
                                      GDateTime          **gen_time,
                                      GError             **error);

G_END_DECLS
