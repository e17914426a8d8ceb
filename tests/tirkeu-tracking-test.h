/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The tracking tests' portal: an in-process sandbox with its own test PKI, a seller signed
 * in with an AUTH certificate, and requests submitted with a SIGN certificate, so that the
 * sync has real requests to follow through the buyer's steps 10-19. */
#include <gio/gio.h>

#include "tirkeu-journal.h"
#include "tirkeu-portal-client.h"
#include "tirkeu-sandbox.h"

G_BEGIN_DECLS

typedef struct _TirkeuTrackingPortal TirkeuTrackingPortal;

/* One contract of data/sandbox/fixtures.json per outcome the sandbox's auto buyer reaches. */
typedef struct
{
  const char  *contract;
  const char  *vin;
  const char  *buyer_iin;
  TirkeuStage  outcome;   /* where the auto buyer takes it; WITHDRAWN: the test withdraws */
} TirkeuTrackingCase;

extern const TirkeuTrackingCase tirkeu_tracking_cases[];
extern const guint tirkeu_tracking_n_cases;

TirkeuTrackingPortal *tirkeu_tracking_portal_new        (guint                 buyer_step_ms);
TirkeuTrackingPortal *tirkeu_tracking_portal_new_full   (guint                 buyer_step_ms,
                                                         TirkeuSandboxBuyerMode mode);
void                  tirkeu_tracking_portal_free       (TirkeuTrackingPortal *portal);
TirkeuSandbox        *tirkeu_tracking_portal_get_sandbox (TirkeuTrackingPortal *portal);
TirkeuPortalClient   *tirkeu_tracking_portal_sign_in    (TirkeuTrackingPortal *portal);
TirkeuRequest        *tirkeu_tracking_portal_submit     (TirkeuTrackingPortal *portal,
                                                         TirkeuPortalClient   *client,
                                                         const TirkeuTrackingCase *tcase);
TirkeuRequest        *tirkeu_tracking_portal_create_signed (TirkeuTrackingPortal *portal,
                                                            TirkeuPortalClient   *client,
                                                            const TirkeuTrackingCase *tcase);
void                  tirkeu_tracking_portal_stop       (TirkeuTrackingPortal *portal);
void                  tirkeu_tracking_portal_restart    (TirkeuTrackingPortal *portal);
TirkeuJournal        *tirkeu_tracking_journal_new       (void);
TirkeuRequest        *tirkeu_tracking_make_request      (guint                 index,
                                                         TirkeuStage           stage,
                                                         gint64                updated_unix);
void                  tirkeu_tracking_wait              (gboolean             *done,
                                                         guint                 timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuTrackingPortal, tirkeu_tracking_portal_free)

G_END_DECLS
