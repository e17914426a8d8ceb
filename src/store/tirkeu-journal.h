/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tirkeu-request.h"

G_BEGIN_DECLS

/**
 * TIRKEU_JOURNAL_RECORD_TYPE:
 *
 * The GVariant type of a stored request: tirkeu_request_to_variant()'s versioned vardict,
 * stored whole. The journal copies `portal-id`, `idempotency-key`, `seller-bin`,
 * `buyer-iin`, `buyer-name`, `stage`, `created-at`, `updated-at` and the vehicle's `vin`,
 * `make` and `model` into queryable columns, and the `history` into its own table.
 */
#define TIRKEU_JOURNAL_RECORD_TYPE G_VARIANT_TYPE_VARDICT

/**
 * TIRKEU_JOURNAL_HISTORY_TYPE:
 *
 * The GVariant type of a record's `history`, as tirkeu_request_to_variant() writes it: the
 * stage's wire name, when (microseconds since the epoch, UTC), the message (the portal's text
 * in every language, as tirkeu_localized_text_serialize() writes it; a record of format 1
 * holds one plain string) and the actor.
 */
#define TIRKEU_JOURNAL_HISTORY_TYPE ((const GVariantType *) "a(sxmss)")

/**
 * TIRKEU_JOURNAL_DRAFT_FIELDS_TYPE:
 *
 * The GVariant type of a draft's fields: field name to the text exactly as typed.
 */
#define TIRKEU_JOURNAL_DRAFT_FIELDS_TYPE ((const GVariantType *) "a{ss}")

/**
 * TIRKEU_JOURNAL_DRAFT_LIST_TYPE:
 *
 * The GVariant type of tirkeu_journal_list_drafts_finish(): for each draft, its id, when it
 * was last saved (microseconds since the epoch) and its fields; the latest first.
 */
#define TIRKEU_JOURNAL_DRAFT_LIST_TYPE ((const GVariantType *) "a(sxa{ss})")

/**
 * TIRKEU_JOURNAL_OUTBOX_LIST_TYPE:
 *
 * The GVariant type of tirkeu_journal_list_outbox_due_finish(): for each entry, its
 * idempotency key, the request to submit (%TIRKEU_JOURNAL_RECORD_TYPE: load it with
 * tirkeu_request_new_from_variant()), the number of attempts made, the last error (empty
 * when none), the time of the next attempt (microseconds since the epoch) and the draft it
 * came from (empty when none); the most overdue first.
 */
#define TIRKEU_JOURNAL_OUTBOX_LIST_TYPE ((const GVariantType *) "a(sa{sv}usxs)")

/**
 * TIRKEU_JOURNAL_STAGE_LIST_TYPE:
 *
 * The GVariant type of tirkeu_journal_list_request_stages_finish(): for each request, its
 * portal id, its stage's wire name and its update time (microseconds since the epoch).
 */
#define TIRKEU_JOURNAL_STAGE_LIST_TYPE ((const GVariantType *) "a(ssx)")

#define TIRKEU_TYPE_JOURNAL (tirkeu_journal_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuJournal, tirkeu_journal, TIRKEU, JOURNAL, GObject)

char          *tirkeu_journal_get_default_path          (void);

void           tirkeu_journal_new_async                 (const char           *path,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TirkeuJournal *tirkeu_journal_new_finish                (GAsyncResult         *result,
                                                         GError              **error);
TirkeuJournal *tirkeu_journal_new_sync                  (const char           *path,
                                                         GCancellable         *cancellable,
                                                         GError              **error);

const char    *tirkeu_journal_get_path                  (TirkeuJournal        *self);
guint          tirkeu_journal_get_schema_version        (void);

/* Drafts: the request being typed */
void           tirkeu_journal_save_draft_async          (TirkeuJournal        *self,
                                                         const char           *draft_id,
                                                         GVariant             *fields,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean       tirkeu_journal_save_draft_finish         (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void           tirkeu_journal_load_draft_async          (TirkeuJournal        *self,
                                                         const char           *draft_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GVariant      *tirkeu_journal_load_draft_finish         (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void           tirkeu_journal_list_drafts_async         (TirkeuJournal        *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GVariant      *tirkeu_journal_list_drafts_finish        (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void           tirkeu_journal_delete_draft_async        (TirkeuJournal        *self,
                                                         const char           *draft_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean       tirkeu_journal_delete_draft_finish       (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Outbox: signed requests waiting for the portal's confirmation */
void           tirkeu_journal_enqueue_async             (TirkeuJournal        *self,
                                                         TirkeuRequest        *request,
                                                         const char           *draft_id,
                                                         gint64                next_attempt_at,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean       tirkeu_journal_enqueue_finish            (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void           tirkeu_journal_record_attempt_async      (TirkeuJournal        *self,
                                                         const char           *idempotency_key,
                                                         const char           *last_error,
                                                         gint64                next_attempt_at,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean       tirkeu_journal_record_attempt_finish     (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void           tirkeu_journal_complete_async            (TirkeuJournal        *self,
                                                         const char           *idempotency_key,
                                                         TirkeuRequest        *confirmed,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean       tirkeu_journal_complete_finish           (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void           tirkeu_journal_list_outbox_due_async     (TirkeuJournal        *self,
                                                         gint64                now,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GVariant      *tirkeu_journal_list_outbox_due_finish    (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Requests and the sync cursor */
void           tirkeu_journal_upsert_requests_async     (TirkeuJournal        *self,
                                                         GPtrArray            *requests,
                                                         const char           *cursor,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean       tirkeu_journal_upsert_requests_finish    (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
gboolean       tirkeu_journal_upsert_requests_sync      (TirkeuJournal        *self,
                                                         GPtrArray            *requests,
                                                         const char           *cursor,
                                                         GCancellable         *cancellable,
                                                         GError              **error);
void           tirkeu_journal_list_requests_async       (TirkeuJournal        *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
void           tirkeu_journal_list_requests_range_async (TirkeuJournal        *self,
                                                         guint                 offset,
                                                         int                   limit,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GPtrArray     *tirkeu_journal_list_requests_finish      (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
GPtrArray     *tirkeu_journal_list_requests_sync        (TirkeuJournal        *self,
                                                         GCancellable         *cancellable,
                                                         GError              **error);
void           tirkeu_journal_list_request_stages_async (TirkeuJournal        *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GVariant      *tirkeu_journal_list_request_stages_finish (TirkeuJournal       *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void           tirkeu_journal_get_request_async         (TirkeuJournal        *self,
                                                         const char           *portal_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TirkeuRequest *tirkeu_journal_get_request_finish        (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
TirkeuRequest *tirkeu_journal_get_request_sync          (TirkeuJournal        *self,
                                                         const char           *portal_id,
                                                         GCancellable         *cancellable,
                                                         GError              **error);
void           tirkeu_journal_get_cursor_async          (TirkeuJournal        *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
char          *tirkeu_journal_get_cursor_finish         (TirkeuJournal        *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
char          *tirkeu_journal_get_cursor_sync           (TirkeuJournal        *self,
                                                         GCancellable         *cancellable,
                                                         GError              **error);

/* Maintenance */
gboolean       tirkeu_journal_check_integrity_sync      (TirkeuJournal        *self,
                                                         GCancellable         *cancellable,
                                                         GError              **error);

G_END_DECLS
