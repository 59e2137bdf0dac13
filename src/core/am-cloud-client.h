/* am-cloud-client.h: the client of the Access Manager cloud API
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "am-cloud-json.h"

G_BEGIN_DECLS

#define AM_CLOUD_ERROR (am_cloud_error_quark ())

/**
 * AmCloudError:
 * @AM_CLOUD_ERROR_INVALID_URL: the server address is not a URL the client can use
 * @AM_CLOUD_ERROR_INSECURE: plain HTTP to a host that is not loopback
 * @AM_CLOUD_ERROR_NETWORK: the server could not be reached, or did not answer in time
 * @AM_CLOUD_ERROR_CERTIFICATE: the server's TLS certificate could not be verified
 * @AM_CLOUD_ERROR_SIGNED_OUT: `401`: the session is gone; sign in again
 * @AM_CLOUD_ERROR_FORBIDDEN: `403`: the user lacks a permission
 * @AM_CLOUD_ERROR_NOT_FOUND: `404`
 * @AM_CLOUD_ERROR_CONFLICT: `409`
 * @AM_CLOUD_ERROR_CURSOR_GONE: `410`: sync from scratch
 * @AM_CLOUD_ERROR_TOO_LARGE: `413`
 * @AM_CLOUD_ERROR_INVALID: `422`, or another `4xx`
 * @AM_CLOUD_ERROR_RATE_LIMITED: `429`; am_cloud_error_get_retry_after() tells when to retry
 * @AM_CLOUD_ERROR_SERVER: `5xx`
 * @AM_CLOUD_ERROR_BAD_RESPONSE: an answer that is not what the API says
 *   (malformed or truncated JSON, a record that does not validate)
 *
 * Every message is a full sentence for the user; for the answers of the
 * cloud it includes the cloud's own message where it sent one.
 */
typedef enum
{
  AM_CLOUD_ERROR_INVALID_URL,
  AM_CLOUD_ERROR_INSECURE,
  AM_CLOUD_ERROR_NETWORK,
  AM_CLOUD_ERROR_CERTIFICATE,
  AM_CLOUD_ERROR_SIGNED_OUT,
  AM_CLOUD_ERROR_FORBIDDEN,
  AM_CLOUD_ERROR_NOT_FOUND,
  AM_CLOUD_ERROR_CONFLICT,
  AM_CLOUD_ERROR_CURSOR_GONE,
  AM_CLOUD_ERROR_TOO_LARGE,
  AM_CLOUD_ERROR_INVALID,
  AM_CLOUD_ERROR_RATE_LIMITED,
  AM_CLOUD_ERROR_SERVER,
  AM_CLOUD_ERROR_BAD_RESPONSE,
} AmCloudError;

GQuark   am_cloud_error_quark           (void);
gboolean am_cloud_error_is_transient    (const GError *error);
guint    am_cloud_error_get_retry_after (const GError *error);

#define AM_TYPE_CLOUD_CLIENT (am_cloud_client_get_type ())

G_DECLARE_FINAL_TYPE (AmCloudClient, am_cloud_client, AM, CLOUD_CLIENT, GObject)

gboolean        am_cloud_check_url                   (const char          *base_url,
                                                      GError             **error);

AmCloudClient  *am_cloud_client_new                  (const char          *base_url,
                                                      GError             **error);
const char     *am_cloud_client_get_base_url         (AmCloudClient       *self);
void            am_cloud_client_set_token            (AmCloudClient       *self,
                                                      const char          *token);
gboolean        am_cloud_client_has_token            (AmCloudClient       *self);
void            am_cloud_client_set_tls_database     (AmCloudClient       *self,
                                                      GTlsDatabase        *database);
void            am_cloud_client_set_timeout          (AmCloudClient       *self,
                                                      guint                seconds);
guint           am_cloud_client_get_retry_after      (AmCloudClient       *self);

void            am_cloud_client_sign_in_async        (AmCloudClient       *self,
                                                      const char          *email,
                                                      const char          *password,
                                                      const char          *device_name,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
AmCloudSession *am_cloud_client_sign_in_finish       (AmCloudClient       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

void            am_cloud_client_accept_invitation_async (AmCloudClient    *self,
                                                      const char          *invite_token,
                                                      const char          *name,
                                                      const char          *password,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
AmCloudSession *am_cloud_client_accept_invitation_finish (AmCloudClient   *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

void            am_cloud_client_sign_out_async       (AmCloudClient       *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean        am_cloud_client_sign_out_finish      (AmCloudClient       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

void            am_cloud_client_get_me_async         (AmCloudClient       *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
AmCloudMe      *am_cloud_client_get_me_finish        (AmCloudClient       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

void            am_cloud_client_sync_async           (AmCloudClient       *self,
                                                      const char          *since,
                                                      guint                limit,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
AmSyncPage     *am_cloud_client_sync_finish          (AmCloudClient       *self,
                                                      GAsyncResult        *result,
                                                      gboolean            *more,
                                                      GError             **error);

void            am_cloud_client_get_lock_key_async   (AmCloudClient       *self,
                                                      const char          *lock_id,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
AmCloudLockKey *am_cloud_client_get_lock_key_finish  (AmCloudClient       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

void            am_cloud_client_create_passcode_async (AmCloudClient      *self,
                                                      const char          *idempotency_key,
                                                      const char          *body,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
AmPasscodeRecord *am_cloud_client_create_passcode_finish (AmCloudClient   *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

void            am_cloud_client_revoke_passcode_async (AmCloudClient      *self,
                                                      const char          *passcode_id,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
AmPasscodeRecord *am_cloud_client_revoke_passcode_finish (AmCloudClient   *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

void            am_cloud_client_upload_events_async  (AmCloudClient       *self,
                                                      const char          *lock_id,
                                                      GPtrArray           *events,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean        am_cloud_client_upload_events_finish (AmCloudClient       *self,
                                                      GAsyncResult        *result,
                                                      guint               *accepted,
                                                      guint               *duplicates,
                                                      GError             **error);

void            am_cloud_client_create_unlock_async  (AmCloudClient       *self,
                                                      AmUnlock            *unlock,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
AmUnlock       *am_cloud_client_create_unlock_finish (AmCloudClient       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
