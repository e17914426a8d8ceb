/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * TirkeuLocalizedText: a text the portal wrote, kept in every language it was given in.
 *
 * The portal sends each of its texts (a stage's history message, a refusal reason, a TsON's
 * name and address, and since contract 1.4 the e-passport's colour, body type and engine,
 * next to their plain strings as the e-passport system spells them: #TirkeuVehicle) in
 * Kazakh, Russian and English at once. Choosing one language when the answer arrives would
 * freeze that choice into the journal, so a later language switch, the CLI's --language or
 * the buyer's summary (Kazakh half and Russian half on one page) could not follow. The rule
 * is therefore: keep all, pick at display time.
 *
 * How the layers use it:
 * - mapping (src/portal): the contract's LocalizedText object {"kk", "ru", "en"} becomes
 *   tirkeu_localized_text_new() — every language the portal sent, none dropped; a member the
 *   portal left out or null stays absent, not "".
 * - journal (src/store): a column holds tirkeu_localized_text_serialize() (a GVariant a{ss} in
 *   text form, readable with the sqlite3 shell) and reads it back with
 *   tirkeu_localized_text_deserialize(). A row written before texts had languages holds one
 *   plain string in a language nobody recorded: tirkeu_localized_text_new_from_stored() reads
 *   either form, keeping an old string whole as tirkeu_localized_text_new_undetermined(),
 *   which every language falls back to, so nothing is lost and the next sync replaces it with
 *   the three languages.
 * - display (src/ui, src/cli, notifications): tirkeu_localized_text_pick() with
 *   tirkeu_i18n_get_language() each time the text is drawn (or with "kk" and "ru" for the
 *   two halves of the summary), never cached as a string across a language switch.
 *
 * The value is immutable and reference counted atomically, so the sync thread, the journal's
 * thread and the main thread may share one without copying.
 */
typedef struct _TirkeuLocalizedText TirkeuLocalizedText;

#define TIRKEU_TYPE_LOCALIZED_TEXT (tirkeu_localized_text_get_type ())

GType                tirkeu_localized_text_get_type          (void) G_GNUC_CONST;

TirkeuLocalizedText *tirkeu_localized_text_new               (const char                *kk,
                                                              const char                *ru,
                                                              const char                *en);
TirkeuLocalizedText *tirkeu_localized_text_new_undetermined  (const char                *text);
TirkeuLocalizedText *tirkeu_localized_text_ref               (TirkeuLocalizedText       *self);
void                 tirkeu_localized_text_unref             (TirkeuLocalizedText       *self);

const char          *tirkeu_localized_text_get               (const TirkeuLocalizedText *self,
                                                              const char                *language);
const char          *tirkeu_localized_text_pick              (const TirkeuLocalizedText *self,
                                                              const char                *language);
const char          *tirkeu_localized_text_pick_current      (const TirkeuLocalizedText *self);
gboolean             tirkeu_localized_text_is_empty          (const TirkeuLocalizedText *self);
gboolean             tirkeu_localized_text_equal             (const TirkeuLocalizedText *a,
                                                              const TirkeuLocalizedText *b);

GVariant            *tirkeu_localized_text_to_variant        (const TirkeuLocalizedText *self);
TirkeuLocalizedText *tirkeu_localized_text_new_from_variant  (GVariant                  *variant,
                                                              GError                   **error);
char                *tirkeu_localized_text_serialize         (const TirkeuLocalizedText *self);
TirkeuLocalizedText *tirkeu_localized_text_deserialize       (const char                *text,
                                                              GError                   **error);
TirkeuLocalizedText *tirkeu_localized_text_new_from_stored   (const char                *stored);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuLocalizedText, tirkeu_localized_text_unref)

G_END_DECLS
