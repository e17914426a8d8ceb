/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "tirkeu-portal-code.h"

G_BEGIN_DECLS

/**
 * TIRKEU_PORTAL_ERROR:
 *
 * The error domain of the portal client. The code of an error in this domain is a
 * #TirkeuPortalCode: the portal's own code from its error answer, or one the client detected
 * (network, TLS, a malformed or oversized answer).
 */
#define TIRKEU_PORTAL_ERROR (tirkeu_portal_error_quark ())

GQuark tirkeu_portal_error_quark (void);

G_END_DECLS
