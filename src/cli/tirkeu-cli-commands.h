/* SPDX-License-Identifier: GPL-3.0-or-later */
/* No include guard: this is an X-macro table, included by tirkeu-cli.h (declarations) and
 * tirkeu-cli.c (the table itself). One line per command, in the order --help lists them:
 *   TIRKEU_CLI_COMMAND ("name", run_function, N_("ARGUMENTS"), N_("One-line summary"))
 * See the top of tirkeu-cli.h. */
#ifndef TIRKEU_CLI_COMMAND
#error "Define TIRKEU_CLI_COMMAND before including tirkeu-cli-commands.h"
#endif

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

/* --- signatures (tirkeu-cli-verify.c) --- */
TIRKEU_CLI_COMMAND ("verify", tirkeu_cli_run_verify, N_("[--trust CERT]… [--at TIME] SIGNATURE [DATA]"), N_("Check a CMS signature: each signer's signature, certificate chain and identity"))

/* --- portal (tirkeu-cli-portal.c; submit, unfinished, resume, withdraw: tirkeu-cli-submit.c) --- */
TIRKEU_CLI_COMMAND ("vehicle", tirkeu_cli_run_vehicle, N_("VIN"), N_("Check a vehicle on the portal: e-passport, customs, utilization fee (steps 2-5)"))
TIRKEU_CLI_COMMAND ("person", tirkeu_cli_run_person, N_("IIN"), N_("Check the buyer in the state database of individuals (steps 6-7)"))
TIRKEU_CLI_COMMAND ("contracts", tirkeu_cli_run_contracts, N_("VIN IIN"), N_("Find the sale-purchase contracts with the buyer for a vehicle (step 8)"))
TIRKEU_CLI_COMMAND ("submit", tirkeu_cli_run_submit, N_("--vin VIN --buyer-iin IIN --contract NUMBER"), N_("Create a registration request and sign it with the EDS (step 9)"))
TIRKEU_CLI_COMMAND ("unfinished", tirkeu_cli_run_unfinished, N_("[--json]"), N_("List the requests not yet submitted: drafts, created but unsigned, in the outbox"))
TIRKEU_CLI_COMMAND ("resume", tirkeu_cli_run_resume, N_("KEY"), N_("Sign and submit an unfinished request with its Idempotency-Key"))
TIRKEU_CLI_COMMAND ("withdraw", tirkeu_cli_run_withdraw, N_("ID|KEY"), N_("Withdraw a request the buyer has not approved"))
TIRKEU_CLI_COMMAND ("status", tirkeu_cli_run_status, N_("ID"), N_("Show a request's stage and history from the portal"))
TIRKEU_CLI_COMMAND ("requests", tirkeu_cli_run_requests, N_("[--json]"), N_("List the known requests and their stages (the local journal)"))
TIRKEU_CLI_COMMAND ("sync", tirkeu_cli_run_sync, N_("[--json]"), N_("Fetch what changed on the portal into the local journal"))
