/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char     *tirkeu_session_cache_get_dir  (void);
gboolean  tirkeu_session_cache_load     (const char  *portal_url,
                                         char       **token,
                                         GDateTime  **expires_at,
                                         GError     **error);
gboolean  tirkeu_session_cache_store    (const char  *portal_url,
                                         const char  *token,
                                         GDateTime   *expires_at,
                                         GError     **error);
gboolean  tirkeu_session_cache_wipe     (const char  *portal_url,
                                         GError     **error);

G_END_DECLS
