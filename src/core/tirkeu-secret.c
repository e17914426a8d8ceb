/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-secret.h"

/**
 * tirkeu_secret_wipe:
 * @secret: (nullable): a buffer that held a PIN, a password or a session token
 * @size: its size in bytes
 *
 * Overwrites @secret with zeros in a way the compiler may not drop as a dead store
 * (explicit_bzero(3)), even when the buffer is freed right after. The one wipe of the tree:
 * every layer that held a secret calls it or tirkeu_wipe_string().
 */
void
tirkeu_secret_wipe (gpointer secret,
                    gsize    size)
{
  if (secret == NULL || size == 0)
    return;
  explicit_bzero (secret, size);
}

/**
 * tirkeu_wipe_string:
 * @secret: (nullable) (transfer full): a NUL-terminated PIN or another secret
 *
 * Wipes @secret with tirkeu_secret_wipe() and frees it.
 */
void
tirkeu_wipe_string (char *secret)
{
  if (secret == NULL)
    return;
  tirkeu_secret_wipe (secret, strlen (secret));
  g_free (secret);
}
