/* am-issue.h: issuing a passcode: the window, the digits and the record
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "am-lock.h"
#include "am-passcode.h"
#include "am-passcode-record.h"
#include "am-store.h"

G_BEGIN_DECLS

/**
 * AmIssueRequest:
 * @kind: %AM_PASSCODE_KIND_TIMED or %AM_PASSCODE_KIND_ONE_TIME
 * @start: when the code is to start working
 * @end: when it is to stop
 * @recipient_name: (nullable): who it is for
 * @recipient_contact: (nullable): how to reach them
 * @purpose: vendor, maintenance, prospect, tour, resident or other
 * @note: (nullable): a note for the team
 *
 * What the issuer decides.
 */
typedef struct
{
  AmPasscodeKind  kind;
  GDateTime      *start;
  GDateTime      *end;
  const char     *recipient_name;
  const char     *recipient_contact;
  const char     *purpose;
  const char     *note;
} AmIssueRequest;

AmPasscodeRecord *am_issue_passcode (AmLock                *lock,
                                     const AmAccount       *issuer,
                                     const AmIssueRequest  *request,
                                     GBytes                *lock_key,
                                     gint64                 now,
                                     char                   code[AM_PASSCODE_MAX_DIGITS + 1],
                                     GError               **error);
gboolean          am_issue_derive_again (AmPasscodeRecord      *record,
                                         GBytes                *lock_key,
                                         char                   code[AM_PASSCODE_MAX_DIGITS + 1],
                                         GError               **error);

G_END_DECLS
