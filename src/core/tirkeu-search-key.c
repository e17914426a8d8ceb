/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-search-key.h"
#include "tirkeu-stage-change.h"

/*
 * What a desk types to find a request: a few letters of the buyer's name, part of a VIN, an
 * IIN, a request or contract number. Names come from the portal in Kazakh spelling
 * («ӘБІЛҚАСЫМОВА»), and clerks type them on a Russian keyboard layout («Абилкасымова»), or
 * the other way round: the Kazakh letters and the Russian ones people type in their place
 * are one letter for search. Folding both sides the same way makes a substring test enough.
 */

/* Kazakh letters (and ё) to the Russian letter typed for them, after case folding. */
static gunichar
fold_letter (gunichar c)
{
  switch (c)
    {
    case 0x04D9: return 0x0430;  /* ә → а */
    case 0x0493: return 0x0433;  /* ғ → г */
    case 0x049B: return 0x043A;  /* қ → к */
    case 0x04A3: return 0x043D;  /* ң → н */
    case 0x04E9: return 0x043E;  /* ө → о */
    case 0x04B1: return 0x0443;  /* ұ → у */
    case 0x04AF: return 0x0443;  /* ү → у */
    case 0x04BB: return 0x0445;  /* һ → х */
    case 0x0456: return 0x0438;  /* і → и */
    case 0x0451: return 0x0435;  /* ё → е */
    default: return c;
    }
}

/**
 * tirkeu_search_key_fold:
 * @text: (nullable): text as typed or as stored
 *
 * Folds @text for search: Unicode case folding (of the NFC form, so that an «ё» typed as
 * «е» and a combining diaeresis folds like the precomposed one), then the letters typed for
 * one another, ә/а, ғ/г, қ/к, ң/н, ө/о, ұ/ү/у, һ/х, і/и and ё/е, to the second. A substring
 * of one folded text in another is a match whatever case and letters either side used.
 *
 * Returns: (transfer full): the folded text, "" for %NULL
 */
char *
tirkeu_search_key_fold (const char *text)
{
  g_autofree char *normal = NULL;
  g_autofree char *folded = NULL;
  GString *key;
  gboolean ascii = TRUE;

  if (text == NULL)
    return g_strdup ("");

  for (const char *p = text; *p != '\0' && ascii; p++)
    ascii = (guchar) *p < 0x80;
  if (ascii)
    return g_ascii_strdown (text, -1);

  normal = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
  if (normal == NULL)
    return g_strdup ("");  /* not UTF-8: matches nothing rather than everything */
  folded = g_utf8_casefold (normal, -1);

  key = g_string_sized_new (strlen (folded));
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    g_string_append_unichar (key, fold_letter (g_utf8_get_char (p)));

  return g_string_free (key, FALSE);
}

/* The keys of one request, attached to it. */
typedef struct
{
  char   *search;
  gint64  last_change;
} Keys;

static void
keys_free (gpointer data)
{
  Keys *keys = data;

  g_free (keys->search);
  g_free (keys);
}

static GQuark
keys_quark (void)
{
  static GQuark quark;

  /* a race here only looks the same quark up twice */
  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("tirkeu-search-keys");
  return quark;
}

static void
append_folded (GString    *key,
               const char *text)
{
  g_autofree char *folded = NULL;

  if (text == NULL || *text == '\0')
    return;

  folded = tirkeu_search_key_fold (text);
  g_string_append_c (key, '\n');
  g_string_append (key, folded);
}

static gint64
usec_of (GDateTime *time)
{
  return time != NULL ? g_date_time_to_unix (time) * G_USEC_PER_SEC
                        + g_date_time_get_microsecond (time)
                      : 0;
}

/**
 * tirkeu_search_key_prepare:
 * @request: a request
 *
 * Computes (again) the keys the requests list finds and orders @request by, and keeps them
 * with it: the search key (tirkeu_search_key_get()) and the time of its last change
 * (tirkeu_search_key_get_last_change()). Call it on the thread that owns @request, before
 * handing it over (the journal does, on its own thread), and after changing @request.
 */
void
tirkeu_search_key_prepare (TirkeuRequest *request)
{
  const TirkeuVehicle *vehicle;
  const TirkeuContract *contract;
  GPtrArray *history;
  GString *search;
  Keys *keys;

  g_return_if_fail (TIRKEU_IS_REQUEST (request));

  search = g_string_new (NULL);
  append_folded (search, tirkeu_request_get_portal_id (request));
  append_folded (search, tirkeu_request_get_vin (request));
  /* The whole IIN is searchable (the desk types it from the buyer's ID card); the list only
   * ever shows it masked. */
  append_folded (search, tirkeu_request_get_buyer_iin (request));
  append_folded (search, tirkeu_request_get_buyer_name (request));
  vehicle = tirkeu_request_get_vehicle (request);
  if (vehicle != NULL)
    {
      append_folded (search, vehicle->make);
      append_folded (search, vehicle->model);
    }
  contract = tirkeu_request_get_contract (request);
  if (contract != NULL)
    append_folded (search, contract->number);

  keys = g_new0 (Keys, 1);
  keys->search = g_string_free (search, FALSE);
  /* When the stage last changed (the last history entry), not when Tirkeu last saw it. */
  history = tirkeu_request_get_history (request);
  if (history != NULL && history->len > 0)
    keys->last_change = usec_of (((TirkeuStageChange *) g_ptr_array_index (history,
                                                                           history->len - 1))->at);
  else
    keys->last_change = usec_of (tirkeu_request_get_updated_at (request));

  g_object_set_qdata_full (G_OBJECT (request), keys_quark (), keys, keys_free);
}

static Keys *
get_keys (TirkeuRequest *request)
{
  Keys *keys = g_object_get_qdata (G_OBJECT (request), keys_quark ());

  if (keys == NULL)
    {
      tirkeu_search_key_prepare (request);
      keys = g_object_get_qdata (G_OBJECT (request), keys_quark ());
    }

  return keys;
}

/**
 * tirkeu_search_key_get:
 * @request: a request
 *
 * Returns: (transfer none): the request number, VIN, IIN, buyer's name, vehicle and contract
 *   number, each folded by tirkeu_search_key_fold(), one per line; prepared by
 *   tirkeu_search_key_prepare() (called now if it was not)
 */
const char *
tirkeu_search_key_get (TirkeuRequest *request)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (request), "");

  return get_keys (request)->search;
}

/**
 * tirkeu_search_key_get_last_change:
 * @request: a request
 *
 * Returns: when the request's stage last changed (its last history entry, else its update
 *   time), in microseconds since the epoch; 0 when unknown
 */
gint64
tirkeu_search_key_get_last_change (TirkeuRequest *request)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (request), 0);

  return get_keys (request)->last_change;
}

/**
 * tirkeu_search_key_compare:
 * @a: a request
 * @b: another request
 *
 * The order of the requests list: the latest change first; the request number, from the
 * highest, keeps equal times in a stable order. Uses the prepared keys only.
 *
 * Returns: negative when @a comes first, positive when @b does, 0 for the same request
 */
int
tirkeu_search_key_compare (TirkeuRequest *a,
                           TirkeuRequest *b)
{
  gint64 changed_a = tirkeu_search_key_get_last_change (a);
  gint64 changed_b = tirkeu_search_key_get_last_change (b);

  if (changed_a != changed_b)
    return changed_a > changed_b ? -1 : 1;

  return -g_strcmp0 (tirkeu_request_get_portal_id (a), tirkeu_request_get_portal_id (b));
}
