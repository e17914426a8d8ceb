/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tirkeu-secret.h"
#include "tirkeu-session-cache.h"

/*
 * The session cache lets a series of tirkeu-cli commands (vehicle, person, contracts,
 * submit, status) share one portal session instead of signing in with the token and its PIN
 * for each. It holds, per portal, the session token and when it ends: never the PIN, which
 * is asked again whenever the token itself must sign. It lives where only the user can read
 * it: a 0700 directory "tirkeu" under $XDG_RUNTIME_DIR (a tmpfs emptied at logout), or under
 * the cache directory where there is none, one 0600 file per portal. `tirkeu-cli sign-out`
 * and the portal's word that the session ended wipe it.
 */

#define MAX_FILE_SIZE 4096

/**
 * tirkeu_session_cache_get_dir:
 *
 * Returns: (transfer full): the directory of the session cache
 */
char *
tirkeu_session_cache_get_dir (void)
{
  /* g_get_user_runtime_dir() is the cache directory when XDG_RUNTIME_DIR is unset. */
  return g_build_filename (g_get_user_runtime_dir (), "tirkeu", NULL);
}

/* The file of @portal_url: named by a digest, so that the address is not in the name. */
static char *
cache_path (const char *portal_url)
{
  g_autofree char *dir = tirkeu_session_cache_get_dir ();
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, portal_url, -1);
  g_autofree char *name = g_strdup_printf ("portal-session-%.16s", digest);

  return g_build_filename (dir, name, NULL);
}

static gboolean
fail_errno (GError     **error,
            int          saved_errno,
            const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               /* Translators: %s is a directory or file of the session cache; %s is why */
               _("The session cache “%s” cannot be used: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

/* The directory exists, is a directory (not a link) of this user and nobody else's: made
 * 0700, or set back to 0700. */
static gboolean
ensure_private_dir (GError **error)
{
  g_autofree char *dir = tirkeu_session_cache_get_dir ();
  struct stat st;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return fail_errno (error, errno, dir);
  if (lstat (dir, &st) != 0)
    return fail_errno (error, errno, dir);
  if (!S_ISDIR (st.st_mode) || st.st_uid != getuid ())
    return fail_errno (error, EPERM, dir);
  if ((st.st_mode & 0077) != 0 && chmod (dir, 0700) != 0)
    return fail_errno (error, errno, dir);
  return TRUE;
}

/**
 * tirkeu_session_cache_load:
 * @portal_url: the portal the session belongs to
 * @token: (out) (transfer full): the session token; wipe it with tirkeu_wipe_string()
 * @expires_at: (out) (transfer full): when it ends
 * @error: a %G_IO_ERROR when the cache exists but cannot be trusted or read
 *
 * A session that has ended is wiped, not returned. A file readable by others, or not the
 * user's, is not trusted (and wiped when it can be).
 *
 * Returns: %TRUE with @token and @expires_at set; %FALSE when there is no live session
 *   (@error not set) or the cache could not be read (@error set)
 */
gboolean
tirkeu_session_cache_load (const char  *portal_url,
                           char       **token,
                           GDateTime  **expires_at,
                           GError     **error)
{
  g_autofree char *path = NULL;
  char text[MAX_FILE_SIZE + 1];
  g_auto(GStrv) lines = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) ends = NULL;
  struct stat st;
  gint64 unix_time;
  ssize_t len;
  int fd;

  g_return_val_if_fail (portal_url != NULL, FALSE);
  g_return_val_if_fail (token != NULL && expires_at != NULL, FALSE);

  path = cache_path (portal_url);
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return FALSE;
      return fail_errno (error, errno, path);
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_uid != getuid ()
      || (st.st_mode & 0077) != 0)
    {
      close (fd);
      g_unlink (path);
      return fail_errno (error, EPERM, path);
    }
  len = read (fd, text, MAX_FILE_SIZE);
  close (fd);
  if (len < 0)
    return fail_errno (error, errno, path);
  text[len] = '\0';

  lines = g_strsplit (text, "\n", 3);
  tirkeu_secret_wipe (text, sizeof text);
  now = g_date_time_new_now_utc ();
  if (g_strv_length (lines) < 2 || *lines[0] == '\0'
      || !g_ascii_string_to_signed (lines[1], 10, 0, G_MAXINT64, &unix_time, NULL)
      || (ends = g_date_time_new_from_unix_utc (unix_time)) == NULL
      || g_date_time_compare (ends, now) <= 0)
    {
      /* Ended, or not ours to read: either way it opens nothing any more. */
      if (lines != NULL && lines[0] != NULL)
        tirkeu_secret_wipe (lines[0], strlen (lines[0]));
      g_unlink (path);
      return FALSE;
    }

  *token = g_steal_pointer (&lines[0]);
  *expires_at = g_steal_pointer (&ends);
  /* lines[0] was taken: g_strfreev stops at the first NULL, so free the rest by hand. */
  for (guint i = 1; lines[i] != NULL; i++)
    g_clear_pointer (&lines[i], g_free);
  return TRUE;
}

/**
 * tirkeu_session_cache_store:
 * @portal_url: the portal the session belongs to
 * @token: the session token
 * @expires_at: when it ends
 * @error: a %G_IO_ERROR
 *
 * Keeps the session for the next command: the token and its end, in a 0600 file of a 0700
 * directory, written whole or not at all.
 *
 * Returns: %TRUE if stored
 */
gboolean
tirkeu_session_cache_store (const char  *portal_url,
                            const char  *token,
                            GDateTime   *expires_at,
                            GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  gboolean stored;

  g_return_val_if_fail (portal_url != NULL, FALSE);
  g_return_val_if_fail (token != NULL && strchr (token, '\n') == NULL, FALSE);
  g_return_val_if_fail (expires_at != NULL, FALSE);

  if (!ensure_private_dir (error))
    return FALSE;
  path = cache_path (portal_url);
  text = g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n", token, g_date_time_to_unix (expires_at));
  stored = g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                     error);
  tirkeu_secret_wipe (text, strlen (text));
  return stored;
}

/**
 * tirkeu_session_cache_wipe:
 * @portal_url: (nullable): the portal whose session is forgotten, %NULL for every portal
 * @error: a %G_IO_ERROR
 *
 * Forgets the stored session(s). Nothing stored is not an error.
 *
 * Returns: %TRUE if nothing is stored any more
 */
gboolean
tirkeu_session_cache_wipe (const char  *portal_url,
                           GError     **error)
{
  g_autofree char *dir = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;

  if (portal_url != NULL)
    {
      g_autofree char *path = cache_path (portal_url);

      if (g_unlink (path) != 0 && errno != ENOENT)
        return fail_errno (error, errno, path);
      return TRUE;
    }

  dir = tirkeu_session_cache_get_dir ();
  listing = g_dir_open (dir, 0, NULL);
  if (listing == NULL)
    return TRUE;
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "portal-session-"))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        if (g_unlink (path) != 0 && errno != ENOENT)
          return fail_errno (error, errno, path);
      }
  return TRUE;
}
