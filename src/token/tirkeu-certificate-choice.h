/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tirkeu-certificate.h"

G_BEGIN_DECLS

GPtrArray         *tirkeu_certificate_choice_usable    (GPtrArray          *certificates,
                                                        TirkeuSignPurpose   purpose,
                                                        const char         *seller_bin,
                                                        GDateTime          *now,
                                                        GError            **error);
gboolean           tirkeu_certificate_choice_is_better (TirkeuCertificate  *candidate,
                                                        TirkeuCertificate  *current,
                                                        const char         *signer_iin);
TirkeuCertificate *tirkeu_certificate_choose           (GPtrArray          *certificates,
                                                        TirkeuSignPurpose   purpose,
                                                        const char         *seller_bin,
                                                        const char         *signer_iin,
                                                        GDateTime          *now,
                                                        GError            **error);
TirkeuCertificate *tirkeu_certificate_choose_by_id     (GPtrArray          *certificates,
                                                        const char         *id,
                                                        TirkeuSignPurpose   purpose,
                                                        const char         *seller_bin,
                                                        GDateTime          *now,
                                                        GError            **error);

G_END_DECLS
