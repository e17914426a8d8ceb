/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tirkeu-session.h"

G_BEGIN_DECLS

/* How many key files the sign-in page remembers. */
#define TIRKEU_SIGN_IN_PAGE_RECENT_KEY_FILES 5

#define TIRKEU_TYPE_SIGN_IN_PAGE (tirkeu_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuSignInPage, tirkeu_sign_in_page, TIRKEU, SIGN_IN_PAGE, AdwBin)

TirkeuSession *tirkeu_sign_in_page_get_session     (TirkeuSignInPage *self);
void           tirkeu_sign_in_page_set_session     (TirkeuSignInPage *self,
                                                    TirkeuSession    *session);
const char    *tirkeu_sign_in_page_get_visible_state (TirkeuSignInPage *self);
void           tirkeu_sign_in_page_reload_drafts   (TirkeuSignInPage *self);
guint          tirkeu_sign_in_page_get_n_drafts    (TirkeuSignInPage *self);

G_END_DECLS
