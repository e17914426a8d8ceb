/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GHashTable *_tirkeu_vardict_index (GVariant *dict);

G_END_DECLS
