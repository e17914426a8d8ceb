/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The journal's typed draft calls: a TirkeuDraft goes in and comes back as it was, through the
 * same rows the a{ss} calls read and write, and a draft without a valid key is left out. */
#include "config.h"

#include <glib/gstdio.h>

#include "tirkeu-journal.h"

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static TirkeuJournal *
journal_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "drafts.sqlite", NULL);
  TirkeuJournal *journal;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  journal = tirkeu_journal_new_sync (path, NULL, &error);
  g_assert_no_error (error);
  return journal;
}

static void
save_typed (TirkeuJournal     *journal,
            const TirkeuDraft *draft)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_journal_save_typed_draft_async (journal, draft, NULL, result_cb, &result);
  g_assert_true (tirkeu_journal_save_typed_draft_finish (journal, wait_result (&result), &error));
  g_assert_no_error (error);
}

static GPtrArray *
list_typed (TirkeuJournal *journal)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *drafts;

  tirkeu_journal_list_typed_drafts_async (journal, NULL, result_cb, &result);
  drafts = tirkeu_journal_list_typed_drafts_finish (journal, wait_result (&result), &error);
  g_assert_no_error (error);
  return drafts;
}

static void
test_round_trip (void)
{
  g_autoptr(TirkeuJournal) journal = journal_new ();
  g_autoptr(TirkeuDraft) created = tirkeu_draft_new (NULL);
  g_autoptr(TirkeuDraft) typed = tirkeu_draft_new (NULL);
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(TirkeuDraft) through_fields = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuDraft *back;

  g_free (created->vin);
  created->vin = g_strdup ("XTA210743S0000120");
  g_free (created->buyer_iin);
  created->buyer_iin = g_strdup ("850312300121");
  created->contract_number = g_strdup ("DKP-2025-000120");
  created->portal_id = g_strdup ("R-000001");
  save_typed (journal, created);
  /* only a VIN typed so far: no contract, no portal id */
  g_free (typed->vin);
  typed->vin = g_strdup ("JTNB2");
  save_typed (journal, typed);

  drafts = list_typed (journal);
  g_assert_cmpuint (drafts->len, ==, 2);
  /* the latest first */
  back = g_ptr_array_index (drafts, 0);
  g_assert_true (tirkeu_draft_equal (back, typed));
  g_assert_null (back->contract_number);
  g_assert_null (back->portal_id);
  g_assert_cmpint (back->updated_at, >, 0);
  back = g_ptr_array_index (drafts, 1);
  g_assert_true (tirkeu_draft_equal (back, created));
  g_assert_true (tirkeu_draft_get_is_created (back));

  /* the same rows as the a{ss} calls: what the typed call stored, they read */
  tirkeu_journal_load_draft_async (journal, created->id, NULL, result_cb, &result);
  fields = tirkeu_journal_load_draft_finish (journal, wait_result (&result), &error);
  g_assert_no_error (error);
  through_fields = tirkeu_draft_new_from_fields (created->id, 0, fields, &error);
  g_assert_no_error (error);
  g_assert_true (tirkeu_draft_equal (through_fields, created));
}

/* A draft whose key is not a UUID (written by hand, or damaged) would make a second request
 * on the portal with a key made up anew: it is left out. */
static void
test_bad_key_left_out (void)
{
  g_autoptr(TirkeuJournal) journal = journal_new ();
  g_autoptr(TirkeuDraft) good = tirkeu_draft_new (NULL);
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder builder;

  save_typed (journal, good);
  g_variant_builder_init (&builder, TIRKEU_JOURNAL_DRAFT_FIELDS_TYPE);
  g_variant_builder_add (&builder, "{ss}", "vin", "XTA210743S0000120");
  g_variant_builder_add (&builder, "{ss}", "idempotency-key", "not-a-uuid");
  tirkeu_journal_save_draft_async (journal, "bad-draft", g_variant_builder_end (&builder), NULL,
                                   result_cb, &result);
  g_assert_true (tirkeu_journal_save_draft_finish (journal, wait_result (&result), &error));
  g_assert_no_error (error);

  drafts = list_typed (journal);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (((TirkeuDraft *) g_ptr_array_index (drafts, 0))->id, ==, good->id);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/journal/drafts/typed-round-trip", test_round_trip);
  g_test_add_func ("/journal/drafts/bad-key-left-out", test_bad_key_left_out);
  return g_test_run ();
}
