/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

static gsize
pages_size (gsize size)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);

  return (MAX (size, 1) + page - 1) / page * page;
}

/**
 * tirkeu_secret_pages_new:
 * @size: the bytes the secret needs, its NUL included
 * @length: (out) (optional): the buffer's whole length, a multiple of the page size
 *
 * A buffer for a PIN, a password or a copy of one: whole pages of its own, so that
 * madvise() and mlock() cover it and nothing else. Excluded from core dumps (as GTK's
 * password entry is), kept out of swap when RLIMIT_MEMLOCK allows, zero-filled.
 *
 * Returns: (transfer full): the buffer; give it back with tirkeu_secret_pages_free()
 */
gpointer
tirkeu_secret_pages_new (gsize  size,
                         gsize *length)
{
  gsize whole = pages_size (size);
  void *pages = mmap (NULL, whole, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  if (pages == MAP_FAILED)
    g_error ("Cannot map a page for the PIN: %s", g_strerror (errno));
  (void) madvise (pages, whole, MADV_DONTDUMP);
  /* Best effort: failing (RLIMIT_MEMLOCK) is not an error. */
  (void) mlock (pages, whole);
  if (length != NULL)
    *length = whole;

  return pages;
}

/**
 * tirkeu_secret_pages_free:
 * @pages: (nullable): a buffer from tirkeu_secret_pages_new()
 * @size: the size given to tirkeu_secret_pages_new(), or the length it gave back
 *
 * Wipes the whole buffer and gives its pages back.
 */
void
tirkeu_secret_pages_free (gpointer pages,
                          gsize    size)
{
  gsize length = pages_size (size);

  if (pages == NULL)
    return;
  tirkeu_secret_wipe (pages, length);
  munlock (pages, length);
  munmap (pages, length);
}
