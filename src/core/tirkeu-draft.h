/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * TirkeuDraft:
 * @id: the draft's id, a UUID
 * @vin: the VIN as typed (not normalized), "" when empty
 * @buyer_iin: the buyer's IIN as typed, "" when empty
 * @contract_number: (nullable): the contract chosen, %NULL until one is
 * @idempotency_key: the key the request is created with, a UUID, never changed once the
 *   create call was made
 * @portal_id: (nullable): the portal's id once it created the request (not yet signed)
 * @updated_at: when it was last saved, microseconds since the epoch (0: never)
 *
 * A request being prepared at the desk or from the CLI: what was typed, and the
 * Idempotency-Key that makes every create call for it the same request for the portal. The
 * journal keeps it (tirkeu_draft_to_fields()) from the first keystroke until the signed
 * request enters the outbox.
 */
typedef struct
{
  char   *id;
  char   *vin;
  char   *buyer_iin;
  char   *contract_number;
  char   *idempotency_key;
  char   *portal_id;
  gint64  updated_at;
} TirkeuDraft;

#define TIRKEU_TYPE_DRAFT (tirkeu_draft_get_type ())

/**
 * TIRKEU_DRAFT_FIELDS_TYPE:
 *
 * The #GVariantType of tirkeu_draft_to_fields(): field name to text, as the journal keeps it.
 */
#define TIRKEU_DRAFT_FIELDS_TYPE ((const GVariantType *) "a{ss}")

GType        tirkeu_draft_get_type         (void) G_GNUC_CONST;
TirkeuDraft *tirkeu_draft_new              (const char         *id);
TirkeuDraft *tirkeu_draft_copy             (const TirkeuDraft  *draft);
void         tirkeu_draft_free             (TirkeuDraft        *draft);
gboolean     tirkeu_draft_equal            (const TirkeuDraft  *a,
                                            const TirkeuDraft  *b);
GVariant    *tirkeu_draft_to_fields        (const TirkeuDraft  *draft);
TirkeuDraft *tirkeu_draft_new_from_fields  (const char         *id,
                                            gint64              updated_at,
                                            GVariant           *fields,
                                            GError            **error);
gboolean     tirkeu_draft_get_is_created   (const TirkeuDraft  *draft);
gboolean     tirkeu_draft_get_is_empty     (const TirkeuDraft  *draft);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuDraft, tirkeu_draft_free)

G_END_DECLS
