/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A signed-in desk for the controller's tests: the in-process sandbox (manual buyer) over real
 * TLS, the SoftHSM token of tests/fixtures/make-token.sh, a session signed in with its AUTH
 * certificate, and a journal when asked. No widget. */
#pragma once

#include "test-token-fixture.h"
#include "tirkeu-journal.h"
#include "tirkeu-sandbox.h"
#include "tirkeu-session.h"

typedef struct
{
  TirkeuSandbox      *sandbox;
  char               *state_dir;
  TirkeuPortalClient *client;
  TirkeuTokenManager *tokens;
  TirkeuSession      *session;
  TirkeuJournal      *journal;
} Desk;

void          desk_store_result_cb  (GObject                   *source,
                                     GAsyncResult              *result,
                                     gpointer                   user_data);
GAsyncResult *desk_wait_for_result  (GAsyncResult             **slot);
Desk         *desk_new_signed_in    (TokenFixture              *token,
                                     gboolean                   with_journal,
                                     TirkeuSandboxPayloadFault  wrong_payload);
void          desk_free             (Desk                      *desk);
