/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-draft.h"
#include "tirkeu-error.h"

G_DEFINE_BOXED_TYPE (TirkeuDraft, tirkeu_draft, tirkeu_draft_copy, tirkeu_draft_free)

/**
 * tirkeu_draft_new:
 * @id: (nullable): the draft's id; %NULL for a new one
 *
 * An empty draft with a fresh Idempotency-Key.
 *
 * Returns: (transfer full): a new #TirkeuDraft
 */
TirkeuDraft *
tirkeu_draft_new (const char *id)
{
  TirkeuDraft *draft = g_new0 (TirkeuDraft, 1);

  draft->id = id != NULL ? g_strdup (id) : g_uuid_string_random ();
  draft->vin = g_strdup ("");
  draft->buyer_iin = g_strdup ("");
  draft->idempotency_key = g_uuid_string_random ();
  return draft;
}

TirkeuDraft *
tirkeu_draft_copy (const TirkeuDraft *draft)
{
  TirkeuDraft *copy;

  g_return_val_if_fail (draft != NULL, NULL);

  copy = g_new0 (TirkeuDraft, 1);
  copy->id = g_strdup (draft->id);
  copy->vin = g_strdup (draft->vin);
  copy->buyer_iin = g_strdup (draft->buyer_iin);
  copy->contract_number = g_strdup (draft->contract_number);
  copy->idempotency_key = g_strdup (draft->idempotency_key);
  copy->portal_id = g_strdup (draft->portal_id);
  copy->updated_at = draft->updated_at;
  return copy;
}

void
tirkeu_draft_free (TirkeuDraft *draft)
{
  if (draft == NULL)
    return;
  g_free (draft->id);
  g_free (draft->vin);
  g_free (draft->buyer_iin);
  g_free (draft->contract_number);
  g_free (draft->idempotency_key);
  g_free (draft->portal_id);
  g_free (draft);
}

/**
 * tirkeu_draft_equal:
 *
 * Returns: %TRUE if @a and @b hold the same values (the time of the last save aside)
 */
gboolean
tirkeu_draft_equal (const TirkeuDraft *a,
                    const TirkeuDraft *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return g_strcmp0 (a->id, b->id) == 0 && g_strcmp0 (a->vin, b->vin) == 0
         && g_strcmp0 (a->buyer_iin, b->buyer_iin) == 0
         && g_strcmp0 (a->contract_number, b->contract_number) == 0
         && g_strcmp0 (a->idempotency_key, b->idempotency_key) == 0
         && g_strcmp0 (a->portal_id, b->portal_id) == 0;
}

/**
 * tirkeu_draft_to_fields:
 *
 * The draft as the journal stores it: every field, so that a save replaces every stored value.
 * An unset contract or portal id is stored as "".
 *
 * Returns: (transfer floating): a %TIRKEU_DRAFT_FIELDS_TYPE variant
 */
GVariant *
tirkeu_draft_to_fields (const TirkeuDraft *draft)
{
  GVariantBuilder builder;

  g_return_val_if_fail (draft != NULL, NULL);

  g_variant_builder_init (&builder, TIRKEU_DRAFT_FIELDS_TYPE);
  g_variant_builder_add (&builder, "{ss}", "vin", draft->vin != NULL ? draft->vin : "");
  g_variant_builder_add (&builder, "{ss}", "buyer-iin",
                         draft->buyer_iin != NULL ? draft->buyer_iin : "");
  g_variant_builder_add (&builder, "{ss}", "contract-number",
                         draft->contract_number != NULL ? draft->contract_number : "");
  g_variant_builder_add (&builder, "{ss}", "idempotency-key", draft->idempotency_key);
  g_variant_builder_add (&builder, "{ss}", "portal-id",
                         draft->portal_id != NULL ? draft->portal_id : "");
  return g_variant_builder_end (&builder);
}

static char *
lookup (GVariant   *fields,
        const char *name)
{
  const char *value = NULL;

  if (!g_variant_lookup (fields, name, "&s", &value) || *value == '\0')
    return NULL;
  return g_strdup (value);
}

/**
 * tirkeu_draft_new_from_fields:
 * @id: the draft's id
 * @updated_at: when it was last saved
 * @fields: a %TIRKEU_DRAFT_FIELDS_TYPE variant, as the journal gives it back
 * @error: return location for a %TIRKEU_INPUT_ERROR_INVALID error
 *
 * A draft without an Idempotency-Key that is a UUID is refused: a key made up anew would
 * make a second request on the portal where the first may exist.
 *
 * Returns: (transfer full) (nullable): the draft
 */
TirkeuDraft *
tirkeu_draft_new_from_fields (const char  *id,
                              gint64       updated_at,
                              GVariant    *fields,
                              GError     **error)
{
  g_autoptr(TirkeuDraft) draft = NULL;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (fields != NULL, NULL);

  if (!g_variant_is_of_type (fields, TIRKEU_DRAFT_FIELDS_TYPE))
    {
      g_set_error_literal (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                           _("The draft is damaged"));
      return NULL;
    }

  draft = g_new0 (TirkeuDraft, 1);
  draft->id = g_strdup (id);
  draft->updated_at = updated_at;
  draft->vin = lookup (fields, "vin");
  draft->buyer_iin = lookup (fields, "buyer-iin");
  draft->contract_number = lookup (fields, "contract-number");
  draft->idempotency_key = lookup (fields, "idempotency-key");
  draft->portal_id = lookup (fields, "portal-id");
  if (draft->vin == NULL)
    draft->vin = g_strdup ("");
  if (draft->buyer_iin == NULL)
    draft->buyer_iin = g_strdup ("");
  if (draft->idempotency_key == NULL || !g_uuid_string_is_valid (draft->idempotency_key))
    {
      g_set_error_literal (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                           _("The draft has no valid Idempotency-Key"));
      return NULL;
    }
  return g_steal_pointer (&draft);
}

/**
 * tirkeu_draft_get_is_created:
 *
 * Returns: %TRUE if the portal created the request (it waits for the seller's signature)
 */
gboolean
tirkeu_draft_get_is_created (const TirkeuDraft *draft)
{
  g_return_val_if_fail (draft != NULL, FALSE);
  return draft->portal_id != NULL;
}

/**
 * tirkeu_draft_get_is_empty:
 *
 * Returns: %TRUE if nothing was typed yet
 */
gboolean
tirkeu_draft_get_is_empty (const TirkeuDraft *draft)
{
  g_return_val_if_fail (draft != NULL, TRUE);
  return (draft->vin == NULL || *draft->vin == '\0')
         && (draft->buyer_iin == NULL || *draft->buyer_iin == '\0')
         && draft->contract_number == NULL && draft->portal_id == NULL;
}
