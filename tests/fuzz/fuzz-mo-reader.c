/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the project's own .mo reader (tirkeu_i18n_pgettext_in(), which reads a
 * language's compiled catalogue itself to print the Kazakh and Russian halves of the
 * summary): no crash, no sanitizer report on any file, and every answer is the msgid asked
 * for or a NUL-terminated string. Each input is written as the catalogue of a language of
 * its own, since the reader keeps each language's catalogue for the life of the process. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tirkeu-i18n.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define REQUIRE(x) do { if (!(x)) abort (); } while (0)

static char *localedir;
static guint n_inputs;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  localedir = g_dir_make_tmp ("tirkeu-fuzz-mo-XXXXXX", NULL);
  REQUIRE (localedir != NULL);
  g_setenv ("TIRKEU_LOCALEDIR", localedir, TRUE);

  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const msgids[][2] = {
    { NULL, "Draft" }, { "stage", "Signed" }, { NULL, "Paid" }, { NULL, "" },
    { NULL, "zzzz" },
  };
  g_autofree char *language = g_strdup_printf ("f%u", n_inputs++);
  g_autofree char *dir = g_build_filename (localedir, language, "LC_MESSAGES", NULL);
  g_autofree char *file = g_build_filename (dir, GETTEXT_PACKAGE ".mo", NULL);
  g_autofree char *language_dir = g_build_filename (localedir, language, NULL);

  REQUIRE (g_mkdir_with_parents (dir, 0700) == 0);
  REQUIRE (g_file_set_contents (file, (const char *) data, (gssize) size, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (msgids); i++)
    {
      const char *answer = tirkeu_i18n_pgettext_in (language, msgids[i][0], msgids[i][1]);

      REQUIRE (answer != NULL);
      REQUIRE (answer == msgids[i][1] || strlen (answer) < size);
    }

  /* The catalogue stays mapped in the reader's cache; the name can go. */
  g_unlink (file);
  g_rmdir (dir);
  g_rmdir (language_dir);

  return 0;
}
