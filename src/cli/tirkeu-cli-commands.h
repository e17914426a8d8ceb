/* SPDX-License-Identifier: GPL-3.0-or-later */
/* No include guard: this is an X-macro table, included by tirkeu-cli.h (declarations) and
 * tirkeu-cli.c (the table itself). One line per command, in the order --help lists them:
 *   TIRKEU_CLI_COMMAND ("name", run_function, N_("ARGUMENTS"), N_("One-line summary"))
 * See the top of tirkeu-cli.h. */

/* --- general and identifiers (tirkeu-cli.c, tirkeu-cli-check.c) --- */
TIRKEU_CLI_COMMAND ("help", tirkeu_cli_run_help, N_("[COMMAND]"), N_("Show the commands, or the options of one command"))
/* Translators: IIN: ЖСН / ИИН */
TIRKEU_CLI_COMMAND ("check-iin", tirkeu_cli_run_check_iin, N_("IIN"), N_("Check an IIN and show what it encodes"))
/* Translators: BIN: БСН / БИН */
TIRKEU_CLI_COMMAND ("check-bin", tirkeu_cli_run_check_bin, N_("BIN"), N_("Check a BIN and show what it encodes"))
TIRKEU_CLI_COMMAND ("check-vin", tirkeu_cli_run_check_vin, N_("VIN"), N_("Check a VIN: check digit, country, maker, model year"))

/* --- token (tirkeu-cli-token.c) --- */
TIRKEU_CLI_COMMAND ("tokens", tirkeu_cli_run_tokens, N_("[--pkcs11-module FILE]"), N_("List the EDS tokens and their certificates"))
TIRKEU_CLI_COMMAND ("sign", tirkeu_cli_run_sign, N_("--token LABEL --cert ID [--seller-bin BIN] [--sign-in] [-o OUT] FILE"), N_("Make a detached CMS signature of FILE with the EDS token"))

/* --- portal (tirkeu-cli-portal.c) --- */
