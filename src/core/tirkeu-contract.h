/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TIRKEU_TYPE_CONTRACT (tirkeu_contract_get_type ())

/**
 * TIRKEU_CONTRACT_PRICE_UNKNOWN:
 *
 * The value of #TirkeuContract.price_tiyn while the price is not known.
 */
#define TIRKEU_CONTRACT_PRICE_UNKNOWN ((gint64) -1)

/**
 * TirkeuContract:
 * @number: the contract's number in the e-signing system, or %NULL
 * @date: the date the contract was concluded (a calendar date, no time zone); cleared
 *   (g_date_valid() is %FALSE) while unknown
 * @price_tiyn: the price in tiyn, 1 tenge = 100 tiyn, as an exact integer (never a double:
 *   money); %TIRKEU_CONTRACT_PRICE_UNKNOWN while unknown. On the wire and in files the price
 *   is the decimal string of tirkeu_contract_format_price() ("12500000.50").
 *
 * The sale-purchase contract (договор купли-продажи) that the portal fetched from the
 * e-signing systems at step 8 (re-checked at step 13). A plain value: the request keeps its
 * own copy.
 */
typedef struct
{
  char   *number;
  GDate   date;
  gint64  price_tiyn;
} TirkeuContract;

GType           tirkeu_contract_get_type         (void) G_GNUC_CONST;
TirkeuContract *tirkeu_contract_new              (const char           *number);
TirkeuContract *tirkeu_contract_copy             (const TirkeuContract *contract);
void            tirkeu_contract_free             (TirkeuContract       *contract);
gboolean        tirkeu_contract_equal            (const TirkeuContract *a,
                                                  const TirkeuContract *b);
GVariant       *tirkeu_contract_to_variant       (const TirkeuContract *contract);
TirkeuContract *tirkeu_contract_new_from_variant (GVariant             *variant,
                                                  GError              **error);

char           *tirkeu_contract_format_price     (gint64                price_tiyn);
char           *tirkeu_contract_format_price_for_display (gint64       price_tiyn);
gboolean        tirkeu_contract_parse_price      (const char           *text,
                                                  gint64               *price_tiyn,
                                                  GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuContract, tirkeu_contract_free)

G_END_DECLS
