/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-portal-error.h"

G_DEFINE_QUARK (tirkeu-portal-error-quark, tirkeu_portal_error)
