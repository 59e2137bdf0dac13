/* am-server.h: the reference cloud's HTTP side: endpoints, authentication, faults
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "am-server-db.h"

G_BEGIN_DECLS

/**
 * AmServerFault:
 * @AM_SERVER_FAULT_NONE: answer normally
 * @AM_SERVER_FAULT_ERROR_500: `500` with an error body; nothing changes
 * @AM_SERVER_FAULT_HANG: accept the request and never answer, until the
 *   client gives up or the server goes; nothing changes
 * @AM_SERVER_FAULT_MALFORMED_JSON: `200` with the body `{"cursor": `;
 *   nothing changes
 * @AM_SERVER_FAULT_TRUNCATED: the correct answer's status and the first
 *   half of its body, with a Content-Length honest to that half; a change
 *   the request asks for is computed but rolled back
 * @AM_SERVER_FAULT_RATE_LIMIT: `429` with `Retry-After: 1`; nothing changes
 * @AM_SERVER_FAULT_ERROR_500_AFTER_COMMIT: the request is carried out and
 *   committed, then its answer is replaced by a `500`: the answer is lost,
 *   the change is not (for idempotency tests)
 *
 * What am_server_inject_faults() makes the next answers be.
 */
typedef enum
{
  AM_SERVER_FAULT_NONE,
  AM_SERVER_FAULT_ERROR_500,
  AM_SERVER_FAULT_HANG,
  AM_SERVER_FAULT_MALFORMED_JSON,
  AM_SERVER_FAULT_TRUNCATED,
  AM_SERVER_FAULT_RATE_LIMIT,
  AM_SERVER_FAULT_ERROR_500_AFTER_COMMIT,
} AmServerFault;

/* Request bodies larger than this are refused with 413. */
#define AM_SERVER_MAX_BODY (1024 * 1024)

#define AM_TYPE_SERVER (am_server_get_type ())

G_DECLARE_FINAL_TYPE (AmServer, am_server, AM, SERVER, GObject)

AmServer *am_server_new           (AmServerDb       *db);
gboolean  am_server_listen        (AmServer         *self,
                                   const char       *host,
                                   guint             port,
                                   GTlsCertificate  *tls,
                                   GError          **error);
char     *am_server_get_url       (AmServer         *self);
void      am_server_inject_faults (AmServer         *self,
                                   AmServerFault     fault,
                                   guint             count);
void      am_server_set_quiet     (AmServer         *self,
                                   gboolean          quiet);
guint     am_server_get_n_hung    (AmServer         *self);

G_END_DECLS
