/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tirkeu-portal-code.h"
#include "tirkeu-sandbox.h"
#include "tirkeu-sandbox-ca.h"
#include "tirkeu-sandbox-pki.h"
#include "tirkeu-stage.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free_all)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIGNUM, BN_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CMS_ContentInfo, CMS_ContentInfo_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE, X509_STORE_free)

/* The fixtures (data/sandbox/fixtures.json) and the portal's wording
 * (data/sandbox/messages.json), checked on load; see data/sandbox/README.md. */
typedef struct _SbData SbData;

SbData     *_sb_data_load              (const char  *fixtures_file,
                                        const char  *messages_file,
                                        GError     **error);
void        _sb_data_free              (SbData      *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbData, _sb_data_free)

JsonObject *_sb_data_find              (SbData      *data,
                                        const char  *collection,
                                        const char  *member,
                                        const char  *value);
const char *_sb_data_other             (SbData      *data,
                                        const char  *collection,
                                        const char  *member,
                                        const char  *value);
JsonNode   *_sb_data_text              (SbData      *data,
                                        const char  *section,
                                        const char  *key);
JsonNode   *_sb_data_portal_name       (SbData      *data);
const char *_sb_data_oked_match        (SbData      *data,
                                        JsonObject  *seller);
GList      *_sb_data_contracts         (SbData      *data,
                                        const char  *seller_bin,
                                        const char  *vin,
                                        const char  *buyer_iin);
JsonObject *_sb_data_scenario          (SbData      *data,
                                        const char  *vin,
                                        const char  *buyer_iin);
gboolean    _sb_data_has_fines         (SbData      *data,
                                        const char  *buyer_iin);
JsonObject *_sb_data_tson              (SbData      *data,
                                        const char  *code);
JsonObject *_sb_data_default_refusal   (SbData      *data,
                                        TirkeuStage  stage);

gboolean    _sb_vin_is_wellformed      (const char  *vin);
gboolean    _sb_id_is_valid            (const char  *digits);

/* The sandbox object's insides, shared by the files that each hold one of its jobs:
 * tirkeu-sandbox.c (life cycle, TLS, routes), -state.c (the requests and their persistence),
 * -reply.c (the error model, bodies), -api.c (the /api/v1 routes), -auth.c (sign-in),
 * -checks.c (steps 1-8), -requests.c (requests and sync), -buyer.c (the buyer's and the
 * portal's steps after submission), -admin.c (/admin), -ca.c and -nca.c (the test NCA
 * and its /pki routes), -faults.c (how an /api/v1 call is
 * answered: latency, failures, drops, malformed and slow bodies, rate limits). */

#define API_PREFIX          "/api/v1/"
#define ENVIRONMENT_HEADER  "X-Tirkeu-Environment"
#define MAX_BODY            (64 * 1024)

struct _TirkeuSandbox
{
  GObject parent_instance;

  /* configuration */
  TirkeuSandboxOptions options;
  char *state_file;
  char *server_file;
  char *ca_file;
  char *url;

  /* owned references */
  SbData *data;
  X509_STORE *signer_trust;     /* --signer-ca and the sandbox's own CA */
  TirkeuSandboxCa *ca;          /* the test NCA: key files, OCSP, TSA, CRL */
  GTlsCertificate *tls_certificate;
  SoupServer *server;
  GRand *rand;

  /* state; requests and idempotency keys are persisted, challenges are not */
  GHashTable *requests;       /* id -> JsonObject, with private "_" members */
  GHashTable *idempotency;    /* "BIN\nkey" -> JsonObject {request_id, vin, buyer_iin, ...} */
  GHashTable *sessions;       /* SHA-256 of the token -> JsonObject {bin, expires_at} */
  GHashTable *challenges;     /* id -> JsonObject {challenge, expires_at} */
  GHashTable *rate;           /* client address -> RateWindow */
  GHashTable *calls;          /* SoupServerMessage -> Call, while paused or dribbling */
  gint64 revision;
  gint64 n_challenges_issued;

  /* the clock: the system's, or a manual one that tests move (see
   * tirkeu_sandbox_use_manual_clock()) */
  gint64 manual_now_us;
  gint64 next_tick_us;
  guint tick_id;
  guint manual_clock : 1;
  guint started : 1;
};

/* What a handler answers: the status and the JSON body. Headers go on the message. */
typedef struct
{
  guint status;
  JsonNode *body;
} Reply;

/* One call as the handlers see it: what the client sent, and where the answer's headers
 * go. The server fills it from a SoupServerMessage (_sb_exchange_init()); the fuzz targets
 * build it by hand, so that the handlers are fuzzed without sockets or TLS. */
typedef struct
{
  const char         *method;
  const char         *path;
  const char         *query;              /* nullable, still percent-encoded */
  SoupMessageHeaders *request_headers;
  GBytes             *body;               /* nullable: no body */
  SoupMessageHeaders *response_headers;
} SbExchange;

/* tirkeu-sandbox.c */
void        _sb_emit_request_changed   (TirkeuSandbox     *self,
                                        const char        *id,
                                        const char        *stage);

/* tirkeu-sandbox-state.c */
char       *_sb_format_time            (gint64             unix_seconds);
gint64      _sb_now_s                  (TirkeuSandbox     *self);
const char *_sb_get_string             (JsonObject        *object,
                                        const char        *member);
TirkeuStage _sb_request_stage          (JsonObject        *request);
JsonNode   *_sb_object_node            (JsonObject        *object);
JsonNode   *_sb_render_request         (JsonObject        *request);
GPtrArray  *_sb_requests_by_revision   (TirkeuSandbox     *self);
void        _sb_state_save_or_warn     (TirkeuSandbox     *self);
gboolean    _sb_state_load             (TirkeuSandbox     *self,
                                        GError           **error);

/* tirkeu-sandbox-reply.c */
JsonNode   *_sb_error_body             (TirkeuSandbox     *self,
                                        TirkeuPortalCode   code,
                                        JsonObject        *details);
void        _sb_reply_error            (TirkeuSandbox     *self,
                                        Reply             *reply,
                                        guint              status,
                                        TirkeuPortalCode   code,
                                        const char        *field,
                                        const char        *reason);
void        _sb_reply_ok               (Reply             *reply,
                                        guint              status,
                                        JsonNode          *body);
JsonObject *_sb_parse_body             (TirkeuSandbox     *self,
                                        SbExchange        *exchange,
                                        Reply             *reply);
GHashTable *_sb_parse_query            (TirkeuSandbox     *self,
                                        SbExchange        *exchange,
                                        Reply             *reply);
GBytes     *_sb_serialize              (JsonNode          *node);
void        _sb_set_body               (SoupServerMessage *msg,
                                        GBytes            *body);
void        _sb_send                   (SoupServerMessage *msg,
                                        Reply             *reply);
void        _sb_set_common_headers     (SoupServerMessage *msg);
void        _sb_exchange_init          (SbExchange        *exchange,
                                        SoupServerMessage *msg);
void        _sb_exchange_clear         (SbExchange        *exchange);

/* tirkeu-sandbox-api.c */
gboolean    _sb_parse_uint             (const char        *text,
                                        guint64            max,
                                        guint64           *value);
void        _sb_api_dispatch           (TirkeuSandbox     *self,
                                        SbExchange        *exchange,
                                        Reply             *reply);

/* tirkeu-sandbox-auth.c */
JsonNode   *_sb_seller_profile         (TirkeuSandbox     *self,
                                        JsonObject        *seller);
void        _sb_api_challenge          (TirkeuSandbox     *self,
                                        Reply             *reply);
TirkeuSandboxSigner *_sb_verify_signature (TirkeuSandbox        *self,
                                           Reply                *reply,
                                           const char           *signature,
                                           const char           *content_b64,
                                           TirkeuSandboxKeyKind  purpose);
void        _sb_api_session            (TirkeuSandbox     *self,
                                        SbExchange        *exchange,
                                        Reply             *reply);
JsonObject *_sb_authenticate           (TirkeuSandbox     *self,
                                        SbExchange        *exchange,
                                        Reply             *reply);

/* tirkeu-sandbox-checks.c */
JsonObject *_sb_vehicle_check          (TirkeuSandbox     *self,
                                        const char        *vin);
char       *_sb_normalize_vin          (const char        *vin);
void        _sb_api_vehicle            (TirkeuSandbox     *self,
                                        const char        *raw_vin,
                                        Reply             *reply);
void        _sb_api_person             (TirkeuSandbox     *self,
                                        const char        *iin,
                                        Reply             *reply);
JsonObject *_sb_contract_view          (TirkeuSandbox     *self,
                                        JsonObject        *contract);
void        _sb_api_contracts          (TirkeuSandbox     *self,
                                        SbExchange        *exchange,
                                        JsonObject        *seller,
                                        Reply             *reply);

/* tirkeu-sandbox-requests.c */
void        _sb_api_create_request     (TirkeuSandbox     *self,
                                        SbExchange        *exchange,
                                        JsonObject        *seller,
                                        Reply             *reply);
JsonObject *_sb_seller_request         (TirkeuSandbox     *self,
                                        JsonObject        *seller,
                                        const char        *id,
                                        Reply             *reply);
void        _sb_api_sign_request       (TirkeuSandbox     *self,
                                        SbExchange        *exchange,
                                        JsonObject        *seller,
                                        const char        *id,
                                        Reply             *reply);
void        _sb_api_withdraw           (TirkeuSandbox     *self,
                                        JsonObject        *seller,
                                        const char        *id,
                                        Reply             *reply);
void        _sb_api_changes            (TirkeuSandbox     *self,
                                        SbExchange        *exchange,
                                        JsonObject        *seller,
                                        Reply             *reply);

/* tirkeu-sandbox-buyer.c */
void        _sb_request_move           (TirkeuSandbox     *self,
                                        JsonObject        *request,
                                        TirkeuStage        to,
                                        JsonNode          *message);
gboolean    _sb_buyer_tick_cb          (gpointer           user_data);

/* tirkeu-sandbox-admin.c */
void        _sb_admin_dispatch         (TirkeuSandbox     *self,
                                        SbExchange        *exchange,
                                        Reply             *reply);
void        _sb_admin_handler_cb       (SoupServer        *server,
                                        SoupServerMessage *msg,
                                        const char        *path,
                                        GHashTable        *query,
                                        gpointer           user_data);

/* tirkeu-sandbox-nca.c */
void        _sb_pki_handler_cb         (SoupServer        *server,
                                        SoupServerMessage *msg,
                                        const char        *path,
                                        GHashTable        *query,
                                        gpointer           user_data);

/* tirkeu-sandbox-faults.c */
void        _sb_api_handler_cb         (SoupServer        *server,
                                        SoupServerMessage *msg,
                                        const char        *path,
                                        GHashTable        *query,
                                        gpointer           user_data);
void        _sb_request_aborted_cb     (SoupServer        *server,
                                        SoupServerMessage *msg,
                                        gpointer           user_data);
void        _sb_call_free              (gpointer           call);

G_END_DECLS
