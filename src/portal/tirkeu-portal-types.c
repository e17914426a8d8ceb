/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-portal-types.h"

/* ------------------------------------------------------------------------------------------ */
/* Plain data                                                                                 */

void
tirkeu_portal_text_clear (TirkeuPortalText *text)
{
  g_clear_pointer (&text->kk, g_free);
  g_clear_pointer (&text->ru, g_free);
  g_clear_pointer (&text->en, g_free);
}

/**
 * tirkeu_portal_text_get:
 * @text: a #TirkeuPortalText
 * @language: "kk", "ru" or "en"
 *
 * Returns: (nullable): the text in @language, else in English
 */
const char *
tirkeu_portal_text_get (const TirkeuPortalText *text,
                        const char             *language)
{
  if (language != NULL && g_str_has_prefix (language, "kk") && text->kk != NULL)
    return text->kk;
  if (language != NULL && g_str_has_prefix (language, "ru") && text->ru != NULL)
    return text->ru;

  return text->en;
}

void
tirkeu_portal_about_free (TirkeuPortalAbout *about)
{
  if (about == NULL)
    return;
  g_free (about->environment);
  g_free (about->api_version);
  tirkeu_portal_text_clear (&about->portal_name);
  g_free (about);
}

void
tirkeu_portal_seller_free (TirkeuPortalSeller *seller)
{
  if (seller == NULL)
    return;
  g_free (seller->bin);
  g_free (seller->name);
  g_strfreev (seller->oked);
  g_free (seller->oked_matched_code);
  g_free (seller);
}

void
tirkeu_portal_vehicle_check_free (TirkeuPortalVehicleCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->vin);
  g_clear_pointer (&check->vehicle, tirkeu_vehicle_free);
  g_free (check->customs_declaration);
  g_free (check->utilization_payment);
  tirkeu_portal_text_clear (&check->stopped_message);
  g_free (check);
}

void
tirkeu_portal_person_free (TirkeuPortalPerson *person)
{
  if (person == NULL)
    return;
  g_free (person->iin);
  g_free (person->full_name);
  g_free (person);
}

void
tirkeu_portal_contract_free (TirkeuPortalContract *contract)
{
  if (contract == NULL)
    return;
  g_clear_pointer (&contract->contract, tirkeu_contract_free);
  g_free (contract->currency);
  g_free (contract->seller_bin);
  g_free (contract->seller_name);
  g_free (contract->buyer_iin);
  g_free (contract->buyer_name);
  g_free (contract);
}

void
tirkeu_portal_history_entry_free (TirkeuPortalHistoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_clear_pointer (&entry->at, g_date_time_unref);
  tirkeu_portal_text_clear (&entry->message);
  g_free (entry);
}

void
tirkeu_portal_request_info_free (TirkeuPortalRequestInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_clear_pointer (&info->created_at, g_date_time_unref);
  g_clear_pointer (&info->updated_at, g_date_time_unref);
  g_clear_pointer (&info->signing_payload, g_bytes_unref);
  g_clear_pointer (&info->history, g_ptr_array_unref);
  tirkeu_portal_text_clear (&info->refusal_reason);
  g_free (info->idempotency_key);
  g_free (info->unknown_stage);
  g_free (info);
}

void
tirkeu_portal_changes_free (TirkeuPortalChanges *changes)
{
  if (changes == NULL)
    return;
  g_clear_pointer (&changes->requests, g_ptr_array_unref);
  g_clear_pointer (&changes->infos, g_ptr_array_unref);
  g_free (changes->cursor);
  g_free (changes);
}

/* ------------------------------------------------------------------------------------------ */
/* Copies, for the boxed types                                                                */

void
tirkeu_portal_text_copy (const TirkeuPortalText *text,
                         TirkeuPortalText       *copy)
{
  copy->kk = g_strdup (text->kk);
  copy->ru = g_strdup (text->ru);
  copy->en = g_strdup (text->en);
}

TirkeuPortalAbout *
tirkeu_portal_about_copy (const TirkeuPortalAbout *about)
{
  TirkeuPortalAbout *copy = g_new0 (TirkeuPortalAbout, 1);

  copy->environment = g_strdup (about->environment);
  copy->sandbox = about->sandbox;
  copy->api_version = g_strdup (about->api_version);
  tirkeu_portal_text_copy (&about->portal_name, &copy->portal_name);
  return copy;
}

TirkeuPortalSeller *
tirkeu_portal_seller_copy (const TirkeuPortalSeller *seller)
{
  TirkeuPortalSeller *copy = g_new0 (TirkeuPortalSeller, 1);

  copy->bin = g_strdup (seller->bin);
  copy->name = g_strdup (seller->name);
  copy->oked = g_strdupv (seller->oked);
  copy->oked_qualifies = seller->oked_qualifies;
  copy->oked_matched_code = g_strdup (seller->oked_matched_code);
  return copy;
}

TirkeuPortalVehicleCheck *
tirkeu_portal_vehicle_check_copy (const TirkeuPortalVehicleCheck *check)
{
  TirkeuPortalVehicleCheck *copy = g_memdup2 (check, sizeof *check);

  copy->vin = g_strdup (check->vin);
  copy->vehicle = check->vehicle != NULL ? tirkeu_vehicle_copy (check->vehicle) : NULL;
  copy->customs_declaration = g_strdup (check->customs_declaration);
  copy->utilization_payment = g_strdup (check->utilization_payment);
  tirkeu_portal_text_copy (&check->stopped_message, &copy->stopped_message);
  return copy;
}

TirkeuPortalPerson *
tirkeu_portal_person_copy (const TirkeuPortalPerson *person)
{
  TirkeuPortalPerson *copy = g_new0 (TirkeuPortalPerson, 1);

  copy->iin = g_strdup (person->iin);
  copy->status = person->status;
  copy->full_name = g_strdup (person->full_name);
  return copy;
}

TirkeuPortalContract *
tirkeu_portal_contract_copy (const TirkeuPortalContract *contract)
{
  TirkeuPortalContract *copy = g_new0 (TirkeuPortalContract, 1);

  copy->contract = contract->contract != NULL ? tirkeu_contract_copy (contract->contract) : NULL;
  copy->currency = g_strdup (contract->currency);
  copy->seller_bin = g_strdup (contract->seller_bin);
  copy->seller_name = g_strdup (contract->seller_name);
  copy->buyer_iin = g_strdup (contract->buyer_iin);
  copy->buyer_name = g_strdup (contract->buyer_name);
  return copy;
}

TirkeuPortalHistoryEntry *
tirkeu_portal_history_entry_copy (const TirkeuPortalHistoryEntry *entry)
{
  TirkeuPortalHistoryEntry *copy = g_new0 (TirkeuPortalHistoryEntry, 1);

  copy->stage = entry->stage;
  copy->at = entry->at != NULL ? g_date_time_ref (entry->at) : NULL;
  tirkeu_portal_text_copy (&entry->message, &copy->message);
  return copy;
}

static gpointer
copy_history_entry (gconstpointer src,
                    gpointer      data)
{
  return tirkeu_portal_history_entry_copy (src);
}

static gpointer
copy_request_info (gconstpointer src,
                   gpointer      data)
{
  return tirkeu_portal_request_info_copy (src);
}

static gpointer
ref_object (gconstpointer src,
            gpointer      data)
{
  return g_object_ref ((gpointer) src);
}

TirkeuPortalRequestInfo *
tirkeu_portal_request_info_copy (const TirkeuPortalRequestInfo *info)
{
  TirkeuPortalRequestInfo *copy = g_new0 (TirkeuPortalRequestInfo, 1);

  copy->id = g_strdup (info->id);
  copy->revision = info->revision;
  copy->created_at = info->created_at != NULL ? g_date_time_ref (info->created_at) : NULL;
  copy->updated_at = info->updated_at != NULL ? g_date_time_ref (info->updated_at) : NULL;
  copy->signing_payload = info->signing_payload != NULL ? g_bytes_ref (info->signing_payload)
                                                        : NULL;
  if (info->history != NULL)
    {
      copy->history = g_ptr_array_copy (info->history, copy_history_entry, NULL);
      g_ptr_array_set_free_func (copy->history,
                                 (GDestroyNotify) tirkeu_portal_history_entry_free);
    }
  copy->refusal_step = info->refusal_step;
  tirkeu_portal_text_copy (&info->refusal_reason, &copy->refusal_reason);
  copy->idempotency_key = g_strdup (info->idempotency_key);
  copy->unknown_stage = g_strdup (info->unknown_stage);
  return copy;
}

/**
 * tirkeu_portal_changes_copy:
 *
 * The requests are shared (referenced), the details copied.
 */
TirkeuPortalChanges *
tirkeu_portal_changes_copy (const TirkeuPortalChanges *changes)
{
  TirkeuPortalChanges *copy = g_new0 (TirkeuPortalChanges, 1);

  copy->requests = g_ptr_array_copy (changes->requests, ref_object, NULL);
  g_ptr_array_set_free_func (copy->requests, g_object_unref);
  copy->infos = g_ptr_array_copy (changes->infos, copy_request_info, NULL);
  g_ptr_array_set_free_func (copy->infos, (GDestroyNotify) tirkeu_portal_request_info_free);
  copy->cursor = g_strdup (changes->cursor);
  copy->has_more = changes->has_more;
  return copy;
}

G_DEFINE_BOXED_TYPE (TirkeuPortalAbout, tirkeu_portal_about,
                     tirkeu_portal_about_copy, tirkeu_portal_about_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalSeller, tirkeu_portal_seller,
                     tirkeu_portal_seller_copy, tirkeu_portal_seller_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalVehicleCheck, tirkeu_portal_vehicle_check,
                     tirkeu_portal_vehicle_check_copy, tirkeu_portal_vehicle_check_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalPerson, tirkeu_portal_person,
                     tirkeu_portal_person_copy, tirkeu_portal_person_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalContract, tirkeu_portal_contract,
                     tirkeu_portal_contract_copy, tirkeu_portal_contract_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalHistoryEntry, tirkeu_portal_history_entry,
                     tirkeu_portal_history_entry_copy, tirkeu_portal_history_entry_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalRequestInfo, tirkeu_portal_request_info,
                     tirkeu_portal_request_info_copy, tirkeu_portal_request_info_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalChanges, tirkeu_portal_changes,
                     tirkeu_portal_changes_copy, tirkeu_portal_changes_free)
