/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The exit statuses of `tirkeu-sandbox` and its subcommands. */
enum {
  EXIT_DONE = 0,
  EXIT_REFUSED = 1,
  EXIT_USAGE = 2,
  EXIT_NETWORK = 3,
  EXIT_INTERNAL = 5,
};

int       _sb_usage_error       (GOptionContext  *context,
                                 const char      *message);
gboolean  _sb_admin_post        (const char      *state_dir,
                                 const char      *path,
                                 const char      *body_text,
                                 guint           *status,
                                 GBytes         **answer,
                                 GError         **error);
int       _sb_pki_main          (int              argc,
                                 char           **argv);

G_END_DECLS
