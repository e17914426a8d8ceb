/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *_tirkeu_identifier_strip (const char *text);

G_END_DECLS
