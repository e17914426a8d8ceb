/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-store-error.h"

G_DEFINE_QUARK (tirkeu-store-error-quark, tirkeu_store_error)
