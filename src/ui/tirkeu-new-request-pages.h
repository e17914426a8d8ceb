/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The pages of a new request (TirkeuNewRequestFlow), one widget each, all observing the same
 * TirkeuNewRequest. */
#include <adwaita.h>

#include "tirkeu-new-request.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_VEHICLE_PAGE (tirkeu_vehicle_page_get_type ())
G_DECLARE_FINAL_TYPE (TirkeuVehiclePage, tirkeu_vehicle_page, TIRKEU, VEHICLE_PAGE, AdwBin)

void       tirkeu_vehicle_page_set_request    (TirkeuVehiclePage *self,
                                               TirkeuNewRequest  *request);
GtkWidget *tirkeu_vehicle_page_get_entry      (TirkeuVehiclePage *self);
GtkWidget *tirkeu_vehicle_page_get_error_view (TirkeuVehiclePage *self);

#define TIRKEU_TYPE_BUYER_PAGE (tirkeu_buyer_page_get_type ())
G_DECLARE_FINAL_TYPE (TirkeuBuyerPage, tirkeu_buyer_page, TIRKEU, BUYER_PAGE, AdwBin)

void       tirkeu_buyer_page_set_request      (TirkeuBuyerPage   *self,
                                               TirkeuNewRequest  *request);
GtkWidget *tirkeu_buyer_page_get_entry        (TirkeuBuyerPage   *self);
GtkWidget *tirkeu_buyer_page_get_error_view   (TirkeuBuyerPage   *self);

#define TIRKEU_TYPE_CONTRACT_PAGE (tirkeu_contract_page_get_type ())
G_DECLARE_FINAL_TYPE (TirkeuContractPage, tirkeu_contract_page, TIRKEU, CONTRACT_PAGE, AdwBin)

void       tirkeu_contract_page_set_request   (TirkeuContractPage *self,
                                               TirkeuNewRequest   *request);
GtkWidget *tirkeu_contract_page_get_focus_row (TirkeuContractPage *self);
GtkWidget *tirkeu_contract_page_get_error_view (TirkeuContractPage *self);

#define TIRKEU_TYPE_REVIEW_PAGE (tirkeu_review_page_get_type ())
G_DECLARE_FINAL_TYPE (TirkeuReviewPage, tirkeu_review_page, TIRKEU, REVIEW_PAGE, AdwBin)

void               tirkeu_review_page_fill            (TirkeuReviewPage *self,
                                                       TirkeuNewRequest *request);
TirkeuCertificate *tirkeu_review_page_get_certificate (TirkeuReviewPage *self);
void               tirkeu_review_page_set_progress    (TirkeuReviewPage *self,
                                                       const char       *progress);
void               tirkeu_review_page_set_can_withdraw (TirkeuReviewPage *self,
                                                        gboolean          can_withdraw);
GtkWidget         *tirkeu_review_page_get_error_view  (TirkeuReviewPage *self);

#define TIRKEU_TYPE_SENT_PAGE (tirkeu_sent_page_get_type ())
G_DECLARE_FINAL_TYPE (TirkeuSentPage, tirkeu_sent_page, TIRKEU, SENT_PAGE, AdwBin)

void       tirkeu_sent_page_show              (TirkeuSentPage    *self,
                                               TirkeuRequest     *request,
                                               gboolean           queued);
GtkWidget *tirkeu_sent_page_get_track_button  (TirkeuSentPage    *self);
void       tirkeu_sent_page_set_notice        (TirkeuSentPage    *self,
                                               const char        *notice);
GtkWidget *tirkeu_sent_page_get_notice_label  (TirkeuSentPage    *self);

G_END_DECLS
