/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-draft.h"
#include "tirkeu-error.h"
#include "tirkeu-request.h"

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  GHashTable *counts = user_data;
  const char *name = g_param_spec_get_name (pspec);

  g_hash_table_insert (counts, (gpointer) name,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)) + 1));
}

static guint
count_of (GHashTable *counts,
          const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

static GHashTable *
watch (TirkeuRequest *request)
{
  GHashTable *counts = g_hash_table_new (g_str_hash, g_str_equal);

  g_signal_connect (request, "notify", G_CALLBACK (count_notify_cb), counts);
  return counts;
}

static void
test_request_new_destroy (void)
{
  TirkeuRequest *request = tirkeu_request_new ();
  TirkeuRequest *other = tirkeu_request_new ();
  GPtrArray *history = tirkeu_request_get_history (request);
  const TirkeuStageChange *first;

  g_assert_cmpint (tirkeu_request_get_stage (request), ==, TIRKEU_STAGE_DRAFT);
  g_assert_true (g_uuid_string_is_valid (tirkeu_request_get_idempotency_key (request)));
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (request), !=,
                   tirkeu_request_get_idempotency_key (other));
  g_assert_nonnull (tirkeu_request_get_created_at (request));
  g_assert_nonnull (tirkeu_request_get_updated_at (request));
  g_assert_null (tirkeu_request_get_vehicle (request));
  g_assert_null (tirkeu_request_get_contract (request));
  g_assert_null (tirkeu_request_get_seller_signature (request));
  g_assert_null (tirkeu_request_get_portal_id (request));
  g_assert_null (tirkeu_request_get_vin (request));

  g_assert_cmpuint (history->len, ==, 1);
  first = g_ptr_array_index (history, 0);
  g_assert_cmpint (first->stage, ==, TIRKEU_STAGE_DRAFT);
  g_assert_cmpint (first->actor, ==, TIRKEU_ACTOR_SELLER);
  g_assert_true (g_date_time_equal (first->at, tirkeu_request_get_created_at (request)));

  g_assert_finalize_object (request);
  g_assert_finalize_object (other);
}

static void
test_request_string_properties_notify (void)
{
  const char *names[] = {
    "seller-bin", "seller-name", "buyer-iin", "buyer-name", "portal-id", "plate-type",
  };
  TirkeuRequest *request = tirkeu_request_new ();
  g_autoptr(GHashTable) counts = watch (request);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *read = NULL;
      guint updated = count_of (counts, "updated-at");

      g_object_set (request, names[i], "940140000385", NULL);
      g_assert_cmpuint (count_of (counts, names[i]), ==, 1);
      g_assert_cmpuint (count_of (counts, "updated-at"), ==, updated + 1);
      g_object_get (request, names[i], &read, NULL);
      g_assert_cmpstr (read, ==, "940140000385");

      /* the same value again: no notification */
      g_object_set (request, names[i], "940140000385", NULL);
      g_assert_cmpuint (count_of (counts, names[i]), ==, 1);
      g_assert_cmpuint (count_of (counts, "updated-at"), ==, updated + 1);

      g_object_set (request, names[i], NULL, NULL);
      g_assert_cmpuint (count_of (counts, names[i]), ==, 2);
      g_object_set (request, names[i], NULL, NULL);
      g_assert_cmpuint (count_of (counts, names[i]), ==, 2);
    }

  /* the typed setters behave the same, and setting from its own value is safe */
  tirkeu_request_set_buyer_name (request, "ИВАНОВ ИВАН ИВАНОВИЧ");
  tirkeu_request_set_buyer_name (request, tirkeu_request_get_buyer_name (request));
  g_assert_cmpstr (tirkeu_request_get_buyer_name (request), ==, "ИВАНОВ ИВАН ИВАНОВИЧ");
  g_assert_cmpuint (count_of (counts, "buyer-name"), ==, 3);

  g_signal_handlers_disconnect_by_data (request, counts);
  g_assert_finalize_object (request);
}

static void
test_request_values_notify (void)
{
  TirkeuRequest *request = tirkeu_request_new ();
  g_autoptr(GHashTable) counts = watch (request);
  g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_new ("XW8ZZZ61ZKG000001");
  g_autoptr(TirkeuContract) contract = tirkeu_contract_new ("ДКП-2025-0001");
  g_autoptr(GBytes) signature = g_bytes_new_static ("\x30\x82\x01\x00", 4);
  g_autoptr(GBytes) same_signature = g_bytes_new ("\x30\x82\x01\x00", 4);

  vehicle->make = g_strdup ("Skoda");
  vehicle->year = 2025;
  tirkeu_request_set_vehicle (request, vehicle);
  g_assert_cmpuint (count_of (counts, "vehicle"), ==, 1);
  g_assert_true (tirkeu_request_get_vehicle (request) != vehicle);  /* a copy */
  g_assert_true (tirkeu_vehicle_equal (tirkeu_request_get_vehicle (request), vehicle));
  g_assert_cmpstr (tirkeu_request_get_vin (request), ==, "XW8ZZZ61ZKG000001");
  tirkeu_request_set_vehicle (request, vehicle);
  g_assert_cmpuint (count_of (counts, "vehicle"), ==, 1);
  vehicle->year = 2024;
  tirkeu_request_set_vehicle (request, vehicle);
  g_assert_cmpuint (count_of (counts, "vehicle"), ==, 2);
  tirkeu_request_set_vehicle (request, NULL);
  g_assert_cmpuint (count_of (counts, "vehicle"), ==, 3);
  g_assert_null (tirkeu_request_get_vehicle (request));

  g_date_set_dmy (&contract->date, 14, G_DATE_OCTOBER, 2025);
  contract->price_tiyn = 1250000050;
  tirkeu_request_set_contract (request, contract);
  tirkeu_request_set_contract (request, contract);
  g_assert_cmpuint (count_of (counts, "contract"), ==, 1);
  contract->price_tiyn += 1;
  tirkeu_request_set_contract (request, contract);
  g_assert_cmpuint (count_of (counts, "contract"), ==, 2);

  tirkeu_request_set_seller_signature (request, signature);
  tirkeu_request_set_seller_signature (request, same_signature);
  g_assert_cmpuint (count_of (counts, "seller-signature"), ==, 1);
  tirkeu_request_set_seller_signature (request, NULL);
  g_assert_cmpuint (count_of (counts, "seller-signature"), ==, 2);

  {
    g_autoptr(TirkeuLocalizedText) reason = tirkeu_localized_text_new ("ЭТП жоқ", "Нет ЭПТС",
                                                                       "No e-passport");
    g_autoptr(TirkeuLocalizedText) same = tirkeu_localized_text_new ("ЭТП жоқ", "Нет ЭПТС",
                                                                     "No e-passport");
    g_autoptr(TirkeuLocalizedText) other = tirkeu_localized_text_new ("ЭТП жоқ", "Нет ЭПТС",
                                                                      NULL);
    g_autoptr(TirkeuLocalizedText) name = tirkeu_localized_text_new ("Есіл ауданының ХҚКО",
                                                                     "ЦОН Есильского района",
                                                                     NULL);

    tirkeu_request_set_refusal (request, "EPASSPORT_NOT_FOUND", reason);
    g_assert_cmpuint (count_of (counts, "refusal-code"), ==, 1);
    g_assert_cmpuint (count_of (counts, "refusal-reason"), ==, 1);
    /* the same texts in the same languages are no change */
    tirkeu_request_set_refusal (request, "EPASSPORT_NOT_FOUND", same);
    g_assert_cmpuint (count_of (counts, "refusal-code"), ==, 1);
    g_assert_cmpuint (count_of (counts, "refusal-reason"), ==, 1);
    /* one language less is */
    tirkeu_request_set_refusal (request, "EPASSPORT_NOT_FOUND", other);
    g_assert_cmpuint (count_of (counts, "refusal-code"), ==, 1);
    g_assert_cmpuint (count_of (counts, "refusal-reason"), ==, 2);
    g_assert_cmpstr (tirkeu_localized_text_pick (tirkeu_request_get_refusal_reason (request),
                                                 "en"), ==, "Нет ЭПТС");

    tirkeu_request_set_tson (request, name, NULL);
    g_assert_cmpuint (count_of (counts, "tson-name"), ==, 1);
    g_assert_cmpuint (count_of (counts, "tson-address"), ==, 0);
    tirkeu_request_set_tson (request, name, NULL);
    g_assert_cmpuint (count_of (counts, "tson-name"), ==, 1);
  }

  /* nothing above touched the stage */
  g_assert_cmpuint (count_of (counts, "stage"), ==, 0);

  g_signal_handlers_disconnect_by_data (request, counts);
  g_assert_finalize_object (request);
}

static void
test_request_advance (void)
{
  TirkeuRequest *request = tirkeu_request_new ();
  g_autoptr(GHashTable) counts = watch (request);
  g_autoptr(GDateTime) at = g_date_time_new_utc (2025, 10, 20, 9, 30, 0);
  g_autoptr(GError) error = NULL;
  GPtrArray *history = tirkeu_request_get_history (request);
  const TirkeuStageChange *change;

  g_assert_true (tirkeu_request_advance (request, TIRKEU_STAGE_OKED_CHECKED, at, "45.11", &error));
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (request), ==, TIRKEU_STAGE_OKED_CHECKED);
  g_assert_cmpuint (count_of (counts, "stage"), ==, 1);
  g_assert_cmpuint (history->len, ==, 2);
  change = g_ptr_array_index (history, 1);
  g_assert_cmpint (change->stage, ==, TIRKEU_STAGE_OKED_CHECKED);
  /* the seller's own note: no recorded language, the same in every one */
  g_assert_cmpstr (tirkeu_localized_text_pick (change->message, "kk"), ==, "45.11");
  g_assert_cmpstr (tirkeu_localized_text_pick (change->message, "ru"), ==, "45.11");
  g_assert_null (tirkeu_localized_text_get (change->message, "ru"));
  g_assert_cmpint (change->actor, ==, TIRKEU_ACTOR_PORTAL);
  g_assert_true (g_date_time_equal (change->at, at));

  /* illegal: skipping steps 2-8; nothing changes */
  g_assert_false (tirkeu_request_advance (request, TIRKEU_STAGE_SIGNED, NULL, NULL, &error));
  g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION);
  g_clear_error (&error);
  g_assert_cmpint (tirkeu_request_get_stage (request), ==, TIRKEU_STAGE_OKED_CHECKED);
  g_assert_cmpuint (count_of (counts, "stage"), ==, 1);
  g_assert_cmpuint (history->len, ==, 2);

  /* the same stage again is not a transition */
  g_assert_false (tirkeu_request_advance (request, TIRKEU_STAGE_OKED_CHECKED, NULL, NULL, &error));
  g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION);
  g_clear_error (&error);

  /* withdrawal, then nothing leaves the final stage; NULL @at means now */
  g_assert_true (tirkeu_request_advance (request, TIRKEU_STAGE_WITHDRAWN, NULL, NULL, &error));
  g_assert_no_error (error);
  change = g_ptr_array_index (history, 2);
  g_assert_cmpint (change->actor, ==, TIRKEU_ACTOR_SELLER);
  g_assert_nonnull (change->at);
  g_assert_null (change->message);
  for (guint to = 0; to < TIRKEU_N_STAGES; to++)
    {
      g_assert_false (tirkeu_request_advance (request, to, NULL, NULL, &error));
      g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION);
      g_clear_error (&error);
    }
  g_assert_cmpuint (count_of (counts, "stage"), ==, 2);
  g_assert_cmpuint (history->len, ==, 3);

  g_signal_handlers_disconnect_by_data (request, counts);
  g_assert_finalize_object (request);
}

/* The whole way of the law, one transition at a time, with the fines loop of step 14. */
static void
test_request_full_path (void)
{
  const TirkeuStage path[] = {
    TIRKEU_STAGE_OKED_CHECKED, TIRKEU_STAGE_EPASSPORT_CHECKED, TIRKEU_STAGE_CUSTOMS_CHECKED,
    TIRKEU_STAGE_UTILIZATION_CHECKED, TIRKEU_STAGE_BUYER_CHECKED, TIRKEU_STAGE_CONTRACT_FOUND,
    TIRKEU_STAGE_SIGNED, TIRKEU_STAGE_SUBMITTED, TIRKEU_STAGE_AWAITING_BUYER,
    TIRKEU_STAGE_BUYER_APPROVED, TIRKEU_STAGE_BUYER_RECHECK, TIRKEU_STAGE_EPASSPORT_RECHECK,
    TIRKEU_STAGE_CONTRACT_RECHECK, TIRKEU_STAGE_FINES_CHECK, TIRKEU_STAGE_FINES_UNPAID,
    TIRKEU_STAGE_FINES_CHECK, TIRKEU_STAGE_TSON_CHOSEN, TIRKEU_STAGE_PHONE_CONFIRMED,
    TIRKEU_STAGE_PAID, TIRKEU_STAGE_BUYER_SIGNED, TIRKEU_STAGE_PROCESSING,
    TIRKEU_STAGE_COMPLETED,
  };
  TirkeuRequest *request = tirkeu_request_new ();
  GPtrArray *history = tirkeu_request_get_history (request);

  for (guint i = 0; i < G_N_ELEMENTS (path); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (tirkeu_request_advance (request, path[i], NULL, NULL, &error));
      g_assert_no_error (error);
    }

  g_assert_cmpuint (history->len, ==, G_N_ELEMENTS (path) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (path); i++)
    g_assert_cmpint (((TirkeuStageChange *) g_ptr_array_index (history, i + 1))->stage, ==, path[i]);

  g_assert_finalize_object (request);
}

static void
test_request_apply_portal_stage (void)
{
  TirkeuRequest *request = tirkeu_request_new ();
  g_autoptr(GHashTable) counts = watch (request);
  g_autoptr(GError) error = NULL;
  GPtrArray *history = tirkeu_request_get_history (request);

  /* the portal's first answer: the request it holds is already in contract_found */
  g_assert_true (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_CONTRACT_FOUND, NULL,
                                                    NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (request), ==, TIRKEU_STAGE_CONTRACT_FOUND);
  g_assert_cmpuint (history->len, ==, 2);  /* only what was seen */
  g_assert_cmpuint (count_of (counts, "stage"), ==, 1);

  /* the same stage again: no change, no history */
  g_assert_true (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_CONTRACT_FOUND, NULL,
                                                    NULL, &error));
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpuint (count_of (counts, "stage"), ==, 1);

  /* between two polls the buyer approved, chose, paid and signed */
  {
    g_autoptr(TirkeuLocalizedText) note = tirkeu_localized_text_new ("қол қойды", "подписал",
                                                                     "signed");

    g_assert_true (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_BUYER_SIGNED, NULL,
                                                      note, &error));
    g_assert_true (tirkeu_localized_text_equal (
      ((TirkeuStageChange *) g_ptr_array_index (history, 2))->message, note));
    /* what a notification says of the change, in its reader's language */
    {
      g_autofree char *kk = tirkeu_request_dup_stage_message (request, "kk");
      g_autofree char *ru = tirkeu_request_dup_stage_message (request, "ru_RU.UTF-8");

      g_assert_cmpstr (kk, ==, "қол қойды");
      g_assert_cmpstr (ru, ==, "подписал");
    }
  }
  g_assert_cmpint (tirkeu_request_get_stage (request), ==, TIRKEU_STAGE_BUYER_SIGNED);
  g_assert_cmpuint (history->len, ==, 3);
  g_assert_cmpint (((TirkeuStageChange *) g_ptr_array_index (history, 2))->actor, ==,
                   TIRKEU_ACTOR_BUYER);

  /* backwards, or out of the table: refused, nothing changes */
  g_assert_false (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_AWAITING_BUYER, NULL,
                                                     NULL, &error));
  g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION);
  g_clear_error (&error);
  /* step 19 has two outcomes only: the signed application does not expire */
  g_assert_false (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_EXPIRED, NULL,
                                                     NULL, &error));
  g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION);
  g_clear_error (&error);
  g_assert_cmpuint (history->len, ==, 3);
  g_assert_cmpuint (count_of (counts, "stage"), ==, 2);

  g_assert_true (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_REFUSED, NULL, NULL,
                                                    &error));
  g_assert_false (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_COMPLETED, NULL,
                                                     NULL, &error));
  g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION);

  g_signal_handlers_disconnect_by_data (request, counts);
  g_assert_finalize_object (request);
}

static TirkeuRequest *
make_full_request (void)
{
  TirkeuRequest *request = tirkeu_request_new ();
  g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_new ("XW8ZZZ61ZKG000001");
  g_autoptr(TirkeuContract) contract = tirkeu_contract_new ("ДКП-2025-0001");
  g_autoptr(GBytes) signature = g_bytes_new ("\x30\x82\x00\x00\xff", 5);
  g_autoptr(GDateTime) at = g_date_time_new_utc (2025, 10, 20, 9, 30, 12.345678);
  const TirkeuStage path[] = {
    TIRKEU_STAGE_OKED_CHECKED, TIRKEU_STAGE_EPASSPORT_CHECKED, TIRKEU_STAGE_CUSTOMS_CHECKED,
    TIRKEU_STAGE_UTILIZATION_CHECKED, TIRKEU_STAGE_BUYER_CHECKED, TIRKEU_STAGE_CONTRACT_FOUND,
    TIRKEU_STAGE_SIGNED,
  };

  vehicle->epassport_number = g_strdup ("KZ0123456789012");
  vehicle->make = g_strdup ("Chevrolet");
  vehicle->model = g_strdup ("Cobalt");
  vehicle->year = 2025;
  vehicle->colour = g_strdup ("белый");
  vehicle->body_type = g_strdup ("седан");
  vehicle->engine_volume_cc = 1485;
  vehicle->engine_power_kw = 78;
  vehicle->category = g_strdup ("M1");
  g_date_set_dmy (&contract->date, 14, G_DATE_OCTOBER, 2025);
  contract->price_tiyn = 890000000;

  tirkeu_request_set_seller_bin (request, "940140000385");
  tirkeu_request_set_seller_name (request, "ТОО «Автоцентр»");
  tirkeu_request_set_buyer_iin (request, "840317000029");
  tirkeu_request_set_buyer_name (request, "ИВАНОВ ИВАН ИВАНОВИЧ");
  tirkeu_request_set_vehicle (request, vehicle);
  tirkeu_request_set_contract (request, contract);
  tirkeu_request_set_seller_signature (request, signature);
  tirkeu_request_set_portal_id (request, "req-0001");
  {
    g_autoptr(TirkeuLocalizedText) name = tirkeu_localized_text_new ("Есіл ауданының ХҚКО",
                                                                     "ЦОН Есильского района",
                                                                     "TsON of Yesil district");
    g_autoptr(TirkeuLocalizedText) address = tirkeu_localized_text_new ("Астана, Сығанақ, 24",
                                                                        "Астана, Сыганак, 24",
                                                                        NULL);

    tirkeu_request_set_tson (request, name, address);
  }
  tirkeu_request_set_plate_type (request, "standard");
  tirkeu_request_set_unknown_stage (request, "handed_to_insurer");
  {
    /* given in Almaty's time, kept in UTC */
    g_autoptr(GTimeZone) almaty = g_time_zone_new_identifier ("+05:00");
    g_autoptr(GDateTime) deadline = g_date_time_new (almaty, 2027, 11, 23, 14, 31, 0);

    tirkeu_request_set_buyer_deadline (request, deadline);
  }
  {
    g_autoptr(TirkeuLocalizedText) reason = tirkeu_localized_text_new ("себеп", "причина",
                                                                       "reason 'quoted' \\ {}");

    tirkeu_request_set_refusal (request, "INTERNAL", reason);
  }
  for (guint i = 0; i < G_N_ELEMENTS (path); i++)
    g_assert_true (tirkeu_request_advance (request, path[i], i == 0 ? at : NULL,
                                           i == 1 ? "message" : NULL, NULL));

  return request;
}

static void
assert_requests_equal (TirkeuRequest *a,
                       TirkeuRequest *b)
{
  GPtrArray *ha = tirkeu_request_get_history (a);
  GPtrArray *hb = tirkeu_request_get_history (b);
  const char *strings[] = {
    "idempotency-key", "portal-id", "seller-bin", "seller-name", "buyer-iin", "buyer-name",
    "refusal-code", "plate-type", "unknown-stage",
  };
  const char *texts[] = { "refusal-reason", "tson-name", "tson-address" };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autofree char *va = NULL;
      g_autofree char *vb = NULL;

      g_object_get (a, strings[i], &va, NULL);
      g_object_get (b, strings[i], &vb, NULL);
      g_assert_cmpstr (va, ==, vb);
    }
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(TirkeuLocalizedText) ta = NULL;
      g_autoptr(TirkeuLocalizedText) tb = NULL;

      g_object_get (a, texts[i], &ta, NULL);
      g_object_get (b, texts[i], &tb, NULL);
      g_assert_true (tirkeu_localized_text_equal (ta, tb));
    }

  g_assert_true (tirkeu_vehicle_equal (tirkeu_request_get_vehicle (a), tirkeu_request_get_vehicle (b)));
  g_assert_true (tirkeu_contract_equal (tirkeu_request_get_contract (a),
                                        tirkeu_request_get_contract (b)));
  if (tirkeu_request_get_seller_signature (a) == NULL)
    g_assert_null (tirkeu_request_get_seller_signature (b));
  else
    g_assert_true (g_bytes_equal (tirkeu_request_get_seller_signature (a),
                                  tirkeu_request_get_seller_signature (b)));
  g_assert_cmpint (tirkeu_request_get_stage (a), ==, tirkeu_request_get_stage (b));
  g_assert_true (g_date_time_equal (tirkeu_request_get_created_at (a), tirkeu_request_get_created_at (b)));
  g_assert_true (g_date_time_equal (tirkeu_request_get_updated_at (a), tirkeu_request_get_updated_at (b)));

  g_assert_cmpuint (ha->len, ==, hb->len);
  for (guint i = 0; i < ha->len; i++)
    {
      const TirkeuStageChange *ca = g_ptr_array_index (ha, i);
      const TirkeuStageChange *cb = g_ptr_array_index (hb, i);

      g_assert_cmpint (ca->stage, ==, cb->stage);
      g_assert_cmpint (ca->actor, ==, cb->actor);
      g_assert_true (tirkeu_localized_text_equal (ca->message, cb->message));
      g_assert_true (g_date_time_equal (ca->at, cb->at));
    }
}

static void
test_request_variant_round_trip (void)
{
  TirkeuRequest *requests[] = { make_full_request (), tirkeu_request_new () };

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(GVariant) variant = tirkeu_request_to_variant (requests[i]);
      g_autoptr(GVariant) again = NULL;
      g_autoptr(GError) error = NULL;
      TirkeuRequest *back;

      g_assert_false (g_variant_is_floating (variant));
      g_assert_true (g_variant_is_of_type (variant, G_VARIANT_TYPE (TIRKEU_REQUEST_VARIANT_TYPE)));

      back = tirkeu_request_new_from_variant (variant, &error);
      g_assert_no_error (error);
      g_assert_nonnull (back);
      assert_requests_equal (requests[i], back);

      /* and through the serialized bytes, as the store keeps them */
      {
        g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes (variant);
        g_autoptr(GVariant) loaded =
          g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (TIRKEU_REQUEST_VARIANT_TYPE),
                                                        bytes, FALSE));
        TirkeuRequest *from_bytes = tirkeu_request_new_from_variant (loaded, &error);

        g_assert_no_error (error);
        assert_requests_equal (requests[i], from_bytes);
        g_assert_finalize_object (from_bytes);
      }

      again = tirkeu_request_to_variant (back);
      g_assert_true (g_variant_equal (variant, again));

      g_assert_finalize_object (back);
      g_assert_finalize_object (requests[i]);
    }
}

static GVariant *
variant_with (GVariant   *base,
              const char *key,
              GVariant   *value)
{
  GVariantBuilder builder;
  GVariantIter iter;
  const char *k;
  GVariant *v;

  if (value != NULL)
    g_variant_ref_sink (value);
  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_iter_init (&iter, base);
  while (g_variant_iter_next (&iter, "{&sv}", &k, &v))
    {
      if (!g_str_equal (k, key))
        g_variant_builder_add (&builder, "{sv}", k, v);
      g_variant_unref (v);
    }
  if (value != NULL)
    g_variant_builder_add (&builder, "{sv}", key, value);
  g_clear_pointer (&value, g_variant_unref);

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* The e-passport's texts go with the vehicle's record as a{ss} (contract 1.4) and come back
 * whole; a text key of another type is a damaged record, not a silently missing text. */
static void
test_vehicle_texts_variant (void)
{
  g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_new ("XW8ZZZ61ZKG000001");
  g_autoptr(TirkeuVehicle) back = NULL;
  g_autoptr(TirkeuVehicle) copy = NULL;
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GVariant) damaged = NULL;
  g_autoptr(TirkeuVehicle) none = NULL;
  g_autoptr(GError) error = NULL;

  vehicle->colour = g_strdup ("чёрный");
  vehicle->colour_text = tirkeu_localized_text_new ("қара", "чёрный", "black");
  vehicle->body_type = g_strdup ("лифтбек");
  vehicle->body_type_text = tirkeu_localized_text_new ("лифтбек", "лифтбек", "liftback");

  record = g_variant_ref_sink (tirkeu_vehicle_to_variant (vehicle));
  back = tirkeu_vehicle_new_from_variant (record, &error);
  g_assert_no_error (error);
  g_assert_true (tirkeu_vehicle_equal (back, vehicle));
  g_assert_cmpstr (tirkeu_vehicle_pick_colour (back, "kk"), ==, "қара");
  g_assert_cmpstr (tirkeu_vehicle_pick_body_type (back, "en"), ==, "liftback");
  g_assert_null (back->engine_text);

  /* a copy holds the same texts; a vehicle differing in a text only is not equal */
  copy = tirkeu_vehicle_copy (vehicle);
  g_assert_true (tirkeu_vehicle_equal (copy, vehicle));
  g_clear_pointer (&copy->colour_text, tirkeu_localized_text_unref);
  copy->colour_text = tirkeu_localized_text_new ("ақ", "чёрный", "black");
  g_assert_false (tirkeu_vehicle_equal (copy, vehicle));

  damaged = variant_with (record, "colour-text", g_variant_new_string ("қара"));
  none = tirkeu_vehicle_new_from_variant (damaged, &error);
  g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID);
  g_assert_null (none);
}

/* A record of format 1 (before texts had languages) loads with every text kept whole: each
 * language shows what the record showed, and the TsON label stays one text. A string that
 * happens to read as a serialized text stays the plain string it was. */
static void
test_request_variant_format_1 (void)
{
  g_autoptr(TirkeuRequest) request = make_full_request ();
  g_autoptr(GVariant) good = tirkeu_request_to_variant (request);
  g_autoptr(GVariant) v1 = NULL;
  g_autoptr(GVariant) with_reason = NULL;
  g_autoptr(GVariant) with_tson = NULL;
  g_autoptr(GVariant) without_name = NULL;
  g_autoptr(GVariant) without_address = NULL;
  g_autoptr(TirkeuRequest) back = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder history;
  GPtrArray *changes;

  g_variant_builder_init (&history, G_VARIANT_TYPE ("a(sxmss)"));
  g_variant_builder_add (&history, "(sxmss)", "draft", (gint64) 1760000000000000, NULL, "seller");
  g_variant_builder_add (&history, "(sxmss)", "signed", (gint64) 1760000060000000,
                         "Қол қойылды", "seller");
  g_variant_builder_add (&history, "(sxmss)", "submitted", (gint64) 1760000120000000,
                         "{'kk': 'not a dictionary'}", "seller");
  without_name = variant_with (good, "tson-name", NULL);
  without_address = variant_with (without_name, "tson-address", NULL);
  with_tson = variant_with (without_address, "tson",
                            g_variant_new_string ("ЦОН №1, г. Астана, ул. Сыганак, 24"));
  with_reason = variant_with (with_tson, "refusal-text",
                              g_variant_new_string ("Нет данных в ГБД ФЛ"));
  {
    g_autoptr(GVariant) with_history = variant_with (with_reason, "history",
                                                     g_variant_builder_end (&history));
    g_autoptr(GVariant) with_stage = variant_with (with_history, "stage",
                                                   g_variant_new_string ("submitted"));

    v1 = variant_with (with_stage, "version", g_variant_new_uint32 (1));
  }

  back = tirkeu_request_new_from_variant (v1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);

  for (guint i = 0; i < 3; i++)
    {
      static const char * const languages[] = { "kk", "ru", "en" };
      g_autofree char *tson = tirkeu_request_dup_tson_label (back, languages[i]);

      g_assert_cmpstr (tirkeu_localized_text_pick (tirkeu_request_get_refusal_reason (back),
                                                   languages[i]), ==, "Нет данных в ГБД ФЛ");
      g_assert_cmpstr (tson, ==, "ЦОН №1, г. Астана, ул. Сыганак, 24");
    }
  g_assert_null (tirkeu_request_get_tson_address (back));
  changes = tirkeu_request_get_history (back);
  g_assert_cmpuint (changes->len, ==, 3);
  g_assert_null (((TirkeuStageChange *) g_ptr_array_index (changes, 0))->message);
  g_assert_cmpstr (tirkeu_localized_text_pick (
                     ((TirkeuStageChange *) g_ptr_array_index (changes, 1))->message, "ru"),
                   ==, "Қол қойылды");
  g_assert_cmpstr (tirkeu_localized_text_pick (
                     ((TirkeuStageChange *) g_ptr_array_index (changes, 2))->message, "kk"),
                   ==, "{'kk': 'not a dictionary'}");

  /* written again, it is format 2 and reads back the same */
  {
    g_autoptr(GVariant) v2 = tirkeu_request_to_variant (back);
    g_autoptr(TirkeuRequest) again = tirkeu_request_new_from_variant (v2, &error);
    guint32 version = 0;

    g_assert_no_error (error);
    g_assert_true (g_variant_lookup (v2, "version", "u", &version));
    g_assert_cmpuint (version, ==, 3);
    assert_requests_equal (back, again);
  }
}

/* The portal's buyer_deadline: kept in UTC, notified once per change, in the record from
 * format 3 on; a record of format 2 has none, whatever it holds under that key. */
static void
test_request_buyer_deadline (void)
{
  g_autoptr(TirkeuRequest) request = make_full_request ();
  g_autoptr(TirkeuRequest) plain = tirkeu_request_new ();
  g_autoptr(GDateTime) expected = g_date_time_new_utc (2027, 11, 23, 9, 31, 0);
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GVariant) old = NULL;
  g_autoptr(GVariant) none = NULL;
  g_autoptr(TirkeuRequest) back = NULL;
  g_autoptr(TirkeuRequest) old_back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) counts = NULL;
  gint64 usec = 0;

  g_assert_true (g_date_time_equal (tirkeu_request_get_buyer_deadline (request), expected));
  g_assert_cmpint (g_date_time_get_utc_offset (tirkeu_request_get_buyer_deadline (request)), ==,
                   0);

  variant = tirkeu_request_to_variant (request);
  g_assert_true (g_variant_lookup (variant, "buyer-deadline", "x", &usec));
  g_assert_cmpint (usec, ==, g_date_time_to_unix (expected) * G_USEC_PER_SEC);
  back = tirkeu_request_new_from_variant (variant, &error);
  g_assert_no_error (error);
  g_assert_true (g_date_time_equal (tirkeu_request_get_buyer_deadline (back), expected));

  /* format 2: no deadline, even under the key */
  old = variant_with (variant, "version", g_variant_new_uint32 (2));
  old_back = tirkeu_request_new_from_variant (old, &error);
  g_assert_no_error (error);
  g_assert_null (tirkeu_request_get_buyer_deadline (old_back));

  /* none given, none written */
  none = tirkeu_request_to_variant (plain);
  g_assert_false (g_variant_lookup (none, "buyer-deadline", "x", &usec));
  g_assert_null (tirkeu_request_get_buyer_deadline (plain));

  counts = watch (plain);
  tirkeu_request_set_buyer_deadline (plain, expected);
  tirkeu_request_set_buyer_deadline (plain, expected);
  g_assert_cmpuint (count_of (counts, "buyer-deadline"), ==, 1);
  tirkeu_request_set_buyer_deadline (plain, NULL);
  g_assert_cmpuint (count_of (counts, "buyer-deadline"), ==, 2);
  g_assert_null (tirkeu_request_get_buyer_deadline (plain));
  g_signal_handlers_disconnect_by_func (plain, count_notify_cb, counts);
}

static void
test_request_variant_damaged (void)
{
  g_autoptr(TirkeuRequest) request = make_full_request ();
  g_autoptr(GVariant) good = tirkeu_request_to_variant (request);
  GVariantBuilder bad_history;
  struct {
    const char *key;
    GVariant *value;  /* NULL: remove the key */
  } damages[] = {
    { "version", g_variant_new_uint32 (4) },
    { "buyer-deadline", g_variant_new_string ("2027-11-23T09:31:00Z") },
    { "version", g_variant_new_string ("1") },
    { "version", NULL },
    { "idempotency-key", g_variant_new_string ("not-a-uuid") },
    { "idempotency-key", NULL },
    { "stage", g_variant_new_string ("approved") },
    { "stage", g_variant_new_string ("contract_found") },  /* history ends in "signed" */
    { "stage", NULL },
    { "seller-bin", g_variant_new_uint32 (940140000) },
    { "history", NULL },
    { "history", NULL },  /* replaced below by a history with an unknown actor */
    { "vehicle", g_variant_new_string ("Skoda") },
    { "contract", g_variant_new_parsed ("{'date': <'2025-02-30'>}") },
    { "contract", g_variant_new_parsed ("{'price-tiyn': <int64 -5>}") },
    { "created-at", NULL },
    { "seller-signature", g_variant_new_string ("MIIB") },
    /* format 2 keeps the portal's texts serialized: a plain string is damage there */
    { "refusal-text", g_variant_new_string ("plain reason") },
    { "tson-name", g_variant_new_string ("{'kk': 1}") },
  };

  g_variant_builder_init (&bad_history, G_VARIANT_TYPE ("a(sxmss)"));
  g_variant_builder_add (&bad_history, "(sxmss)", "signed", (gint64) 0, NULL, "robot");
  damages[10].value = g_variant_builder_end (&bad_history);

  for (guint i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      g_autoptr(GVariant) variant = variant_with (good, damages[i].key, damages[i].value);
      g_autoptr(GError) error = NULL;
      TirkeuRequest *back = tirkeu_request_new_from_variant (variant, &error);

      if (back != NULL)
        g_error ("damage %u (%s) was accepted", i, damages[i].key);
      g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID);
    }

  {
    g_autoptr(GVariant) not_a_dict = g_variant_ref_sink (g_variant_new_string ("x"));
    g_autoptr(GError) error = NULL;

    g_assert_null (tirkeu_request_new_from_variant (not_a_dict, &error));
    g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID);
  }

  /* a key given twice is read once, its first value: as g_variant_lookup_value() read it
   * before the record was read in one pass */
  {
    g_autoptr(GVariant) renamed = variant_with (good, "buyer-name", g_variant_new_string ("first"));
    GVariantBuilder builder;
    GVariantIter iter;
    const char *k;
    GVariant *v;
    g_autoptr(GVariant) twice = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(TirkeuRequest) back = NULL;

    g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
    g_variant_iter_init (&iter, renamed);
    while (g_variant_iter_next (&iter, "{&sv}", &k, &v))
      {
        g_variant_builder_add (&builder, "{sv}", k, v);
        g_variant_unref (v);
      }
    g_variant_builder_add (&builder, "{sv}", "buyer-name", g_variant_new_string ("second"));
    twice = g_variant_ref_sink (g_variant_builder_end (&builder));
    back = tirkeu_request_new_from_variant (twice, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (tirkeu_request_get_buyer_name (back), ==, "first");
  }

  /* unknown keys from a future minor change are ignored */
  {
    g_autoptr(GVariant) extra = variant_with (good, "colour-of-the-day",
                                              g_variant_new_string ("blue"));
    g_autoptr(GError) error = NULL;
    TirkeuRequest *back = tirkeu_request_new_from_variant (extra, &error);

    g_assert_no_error (error);
    g_assert_finalize_object (back);
  }
}

static void
test_contract_price (void)
{
  const struct {
    const char *text;
    gint64 tiyn;  /* -1: invalid */
  } vectors[] = {
    { "12500000", 1250000000 },
    { "12 500 000", 1250000000 },
    { "12\u00a0500\u00a0000,50", 1250000050 },
    { "12\u202f500\u202f000.5", 1250000050 },
    { "0.05", 5 },
    { "0", 0 },
    { "7,00", 700 },
    { "", -1 },
    { "   ", -1 },
    { ".50", -1 },
    { "12.", -1 },
    { "12.345", -1 },
    { "12.3 4", -1 },
    { "12.3.4", -1 },
    { "-5", -1 },
    { "1e6", -1 },
    { "12 000 тг", -1 },
    { "92233720368547758", -1 },
    { "92233720368547757", 9223372036854775700 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 tiyn = -42;
      gboolean ok = tirkeu_contract_parse_price (vectors[i].text, &tiyn, &error);

      if (vectors[i].tiyn < 0)
        {
          g_assert_false (ok);
          g_assert_nonnull (error);
          g_assert_true (error->domain == TIRKEU_INPUT_ERROR);
          g_assert_cmpint (tiyn, ==, -42);
        }
      else
        {
          g_autofree char *text = NULL;
          gint64 back;

          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpint (tiyn, ==, vectors[i].tiyn);
          text = tirkeu_contract_format_price (tiyn);
          g_assert_true (tirkeu_contract_parse_price (text, &back, NULL));
          g_assert_cmpint (back, ==, tiyn);
        }
    }

  {
    g_autofree char *a = tirkeu_contract_format_price (1250000050);
    g_autofree char *b = tirkeu_contract_format_price (5);
    g_autofree char *c = tirkeu_contract_format_price (0);

    g_assert_cmpstr (a, ==, "12500000.50");
    g_assert_cmpstr (b, ==, "0.05");
    g_assert_cmpstr (c, ==, "0.00");
  }

  /* for display: narrow no-break spaces between groups, a comma before tiyn when there are
   * any, a no-break space and the tenge sign; and a person typing it back gets the same */
  {
    const struct { gint64 tiyn; const char *text; } shown[] = {
      { 730000000, "7\u202f300\u202f000\u00a0\u20b8" },
      { 1250000050, "12\u202f500\u202f000,50\u00a0\u20b8" },
      { 99900, "999\u00a0\u20b8" },
      { 100000, "1\u202f000\u00a0\u20b8" },
      { 5, "0,05\u00a0\u20b8" },
      { 0, "0\u00a0\u20b8" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
      {
        g_autofree char *text = tirkeu_contract_format_price_for_display (shown[i].tiyn);
        g_autofree char *typed = g_strndup (text, strlen (text) - strlen ("\u00a0\u20b8"));
        gint64 back = -1;

        g_assert_cmpstr (text, ==, shown[i].text);
        g_assert_true (tirkeu_contract_parse_price (typed, &back, NULL));
        g_assert_cmpint (back, ==, shown[i].tiyn);
      }
  }
}

static void
test_value_types_boxed (void)
{
  g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_new ("XW8ZZZ61ZKG000001");
  g_autoptr(TirkeuVehicle) copy = NULL;
  g_autoptr(TirkeuContract) contract = tirkeu_contract_new (NULL);
  g_autoptr(TirkeuContract) contract_copy = NULL;
  g_autoptr(GVariant) contract_variant = NULL;
  g_autoptr(TirkeuContract) contract_back = NULL;

  vehicle->engine_number = g_strdup ("CWV123456");
  copy = g_boxed_copy (TIRKEU_TYPE_VEHICLE, vehicle);
  g_assert_true (tirkeu_vehicle_equal (vehicle, copy));
  g_assert_true (copy->engine_number != vehicle->engine_number);
  g_free (copy->engine_number);
  copy->engine_number = g_strdup ("CWV123457");
  g_assert_false (tirkeu_vehicle_equal (vehicle, copy));
  g_assert_false (tirkeu_vehicle_equal (vehicle, NULL));
  g_assert_true (tirkeu_vehicle_equal (NULL, NULL));

  /* an unknown date and price stay unknown through the variant */
  g_assert_false (g_date_valid (&contract->date));
  g_assert_cmpint (contract->price_tiyn, ==, TIRKEU_CONTRACT_PRICE_UNKNOWN);
  contract_copy = tirkeu_contract_copy (contract);
  g_assert_true (tirkeu_contract_equal (contract, contract_copy));
  contract_variant = g_variant_ref_sink (tirkeu_contract_to_variant (contract));
  contract_back = tirkeu_contract_new_from_variant (contract_variant, NULL);
  g_assert_nonnull (contract_back);
  g_assert_true (tirkeu_contract_equal (contract, contract_back));
}

/* A request as the portal knows it: its key and times are the portal's, and replaying the
 * portal's history does not move them to "now". */
static void
test_request_new_full (void)
{
  g_autoptr(GDateTime) created = g_date_time_new_utc (2025, 10, 20, 9, 30, 0);
  g_autoptr(GDateTime) updated = g_date_time_new_utc (2025, 10, 20, 9, 31, 0);
  g_autofree char *key = g_uuid_string_random ();
  g_autoptr(TirkeuRequest) request = tirkeu_request_new_full (key, created, updated);
  g_autoptr(TirkeuRequest) loaded = NULL;
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GError) error = NULL;
  const TirkeuStageChange *first;

  g_assert_nonnull (request);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (request), ==, key);
  g_assert_true (g_date_time_equal (tirkeu_request_get_created_at (request), created));
  g_assert_true (g_date_time_equal (tirkeu_request_get_updated_at (request), updated));
  first = g_ptr_array_index (tirkeu_request_get_history (request), 0);
  g_assert_true (g_date_time_equal (first->at, created));

  g_assert_true (tirkeu_request_advance (request, TIRKEU_STAGE_OKED_CHECKED, created, NULL, &error));
  g_assert_no_error (error);
  tirkeu_request_set_portal_id (request, "R-1");
  g_assert_true (g_date_time_equal (tirkeu_request_get_updated_at (request), updated));

  /* not floating: sinking it again would take a second reference, never dropped */
  variant = tirkeu_request_to_variant (request);
  loaded = tirkeu_request_new_from_variant (variant, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (loaded), ==, key);
  g_assert_true (g_date_time_equal (tirkeu_request_get_updated_at (loaded), updated));

  /* a stored request given its signature back is not newer than the portal's next answer */
  {
    g_autoptr(GBytes) signature = g_bytes_new_static ("cms", 3);

    tirkeu_request_set_seller_signature (loaded, signature);
    g_assert_true (g_date_time_equal (tirkeu_request_get_updated_at (loaded), updated));
  }

  /* the same for a request mapped from the portal's answer */
  {
    g_autoptr(TirkeuRequest) mapped = tirkeu_request_new ();
    g_autoptr(GBytes) signature = g_bytes_new_static ("cms", 3);

    tirkeu_request_set_portal_record (mapped, created, updated, key);
    tirkeu_request_set_seller_signature (mapped, signature);
    g_assert_true (g_date_time_equal (tirkeu_request_get_updated_at (mapped), updated));
  }

  /* an update before the creation is the creation; a key that is no UUID is refused */
  g_clear_object (&request);
  request = tirkeu_request_new_full (key, updated, created);
  g_assert_true (g_date_time_equal (tirkeu_request_get_updated_at (request), updated));
  g_assert_null (tirkeu_request_new_full ("not-a-uuid", created, NULL));
}

static void
test_draft_fields (void)
{
  g_autoptr(TirkeuDraft) draft = tirkeu_draft_new (NULL);
  g_autoptr(TirkeuDraft) loaded = NULL;
  g_autoptr(TirkeuDraft) copy = NULL;
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder builder;

  g_assert_true (g_uuid_string_is_valid (draft->id));
  g_assert_true (g_uuid_string_is_valid (draft->idempotency_key));
  g_assert_true (tirkeu_draft_get_is_empty (draft));
  g_assert_false (tirkeu_draft_get_is_created (draft));

  /* as typed: not normalized */
  g_free (draft->vin);
  draft->vin = g_strdup ("ixta210743s00001");
  draft->contract_number = g_strdup ("ДКП-1");
  fields = g_variant_ref_sink (tirkeu_draft_to_fields (draft));
  loaded = tirkeu_draft_new_from_fields (draft->id, 42, fields, &error);
  g_assert_no_error (error);
  g_assert_true (tirkeu_draft_equal (draft, loaded));
  g_assert_cmpint (loaded->updated_at, ==, 42);
  g_assert_null (loaded->portal_id);
  g_assert_cmpstr (loaded->buyer_iin, ==, "");

  g_free (loaded->portal_id);
  loaded->portal_id = g_strdup ("R-2");
  copy = tirkeu_draft_copy (loaded);
  g_assert_true (tirkeu_draft_equal (copy, loaded));
  g_assert_true (tirkeu_draft_get_is_created (copy));
  g_assert_false (tirkeu_draft_equal (copy, draft));

  /* a draft whose key is lost is not given a new one */
  g_variant_builder_init (&builder, TIRKEU_DRAFT_FIELDS_TYPE);
  g_variant_builder_add (&builder, "{ss}", "vin", "X");
  g_clear_pointer (&fields, g_variant_unref);
  fields = g_variant_ref_sink (g_variant_builder_end (&builder));
  g_assert_null (tirkeu_draft_new_from_fields ("d", 0, fields, &error));
  g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID);
}

/* A stage a newer portal added: the request names it, and the label says it is not known
 * instead of passing the last known stage off as the current one. */
static void
set_flag (gboolean *flag)
{
  *flag = TRUE;
}

static void
test_request_unknown_stage (void)
{
  g_autoptr(TirkeuRequest) request = tirkeu_request_new ();
  g_autofree char *label = NULL;
  gboolean notified = FALSE;

  g_assert_null (tirkeu_request_get_unknown_stage (request));
  g_assert_null (tirkeu_request_dup_unknown_stage_label (request));

  g_signal_connect_swapped (request, "notify::unknown-stage", G_CALLBACK (set_flag), &notified);
  tirkeu_request_set_unknown_stage (request, "handed_to_insurer");
  g_assert_true (notified);
  g_assert_cmpstr (tirkeu_request_get_unknown_stage (request), ==, "handed_to_insurer");
  label = tirkeu_request_dup_unknown_stage_label (request);
  g_assert_nonnull (strstr (label, "handed_to_insurer"));
  g_assert_cmpint (tirkeu_request_get_stage (request), ==, TIRKEU_STAGE_DRAFT);

  tirkeu_request_set_unknown_stage (request, NULL);
  g_assert_null (tirkeu_request_dup_unknown_stage_label (request));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/request/new-destroy", test_request_new_destroy);
  g_test_add_func ("/request/string-properties-notify", test_request_string_properties_notify);
  g_test_add_func ("/request/values-notify", test_request_values_notify);
  g_test_add_func ("/request/advance", test_request_advance);
  g_test_add_func ("/request/full-path", test_request_full_path);
  g_test_add_func ("/request/apply-portal-stage", test_request_apply_portal_stage);
  g_test_add_func ("/request/variant-format-1", test_request_variant_format_1);
  g_test_add_func ("/request/vehicle-texts-variant", test_vehicle_texts_variant);
  g_test_add_func ("/request/variant-round-trip", test_request_variant_round_trip);
  g_test_add_func ("/request/variant-damaged", test_request_variant_damaged);
  g_test_add_func ("/request/buyer-deadline", test_request_buyer_deadline);
  g_test_add_func ("/request/contract-price", test_contract_price);
  g_test_add_func ("/request/value-types-boxed", test_value_types_boxed);
  g_test_add_func ("/request/new-full", test_request_new_full);
  g_test_add_func ("/request/draft-fields", test_draft_fields);
  g_test_add_func ("/request/unknown-stage", test_request_unknown_stage);

  return g_test_run ();
}
