/* SPDX-License-Identifier: GPL-3.0-or-later */
/* No include guard: this is an X-macro table, included by tirkeu-cli.h (declarations) and
 * tirkeu-cli.c (the table itself). One line per command, in the order --help lists them:
 *   TIRKEU_CLI_COMMAND ("name", run_function, N_("ARGUMENTS"), N_("One-line summary"))
 * See the top of tirkeu-cli.h. */

/* --- general and identifiers (tirkeu-cli.c, tirkeu-cli-check.c) --- */
TIRKEU_CLI_COMMAND ("help", tirkeu_cli_run_help, N_("[COMMAND]"), N_("Show the commands, or the options of one command"))

/* --- token (tirkeu-cli-token.c) --- */

/* --- portal (tirkeu-cli-portal.c) --- */
