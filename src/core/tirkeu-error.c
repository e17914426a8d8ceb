/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-error.h"

G_DEFINE_QUARK (tirkeu-input-error-quark, tirkeu_input_error)
