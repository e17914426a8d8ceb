/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-cli.h"
#include "tirkeu-i18n.h"

int
main (int   argc,
      char *argv[])
{
  TirkeuCliOptions options;
  int status;

  /* gettext first: the option parser's help and errors are already translated. */
  tirkeu_i18n_init (tirkeu_cli_scan_language (argc, argv));
  g_set_prgname ("tirkeu-cli");

  tirkeu_cli_options_init (&options);
  status = tirkeu_cli_dispatch (&options, argc, argv);
  tirkeu_cli_options_clear (&options);

  return status;
}
