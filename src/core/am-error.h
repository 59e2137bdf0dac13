/* am-error.h: the error domain of Access Manager's core
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AM_ERROR (am_error_quark ())

/**
 * AmError:
 * @AM_ERROR_INVALID_ARGUMENT: a value given by the caller has the wrong form
 * @AM_ERROR_WINDOW_ENDS_BEFORE_START: the requested window ends before it starts
 * @AM_ERROR_WINDOW_TOO_SHORT: the requested window is shorter than one hour
 * @AM_ERROR_WINDOW_TOO_LONG: the requested window is longer than 256 days
 * @AM_ERROR_ONE_TIME_TOO_LONG: a one-time code was asked for more than 24 hours
 * @AM_ERROR_FIRST_USE_PASSED: the window's first-use deadline has passed
 * @AM_ERROR_WINDOW_OVER: the window has already ended
 * @AM_ERROR_ALIASED: the code could be resolved to a neighboring window
 * @AM_ERROR_OUT_OF_RANGE: a time lies outside what AM1 can express
 * @AM_ERROR_STORAGE: the local cache could not be read or written
 * @AM_ERROR_CACHE_DAMAGED: the local cache is damaged and must be set aside
 * @AM_ERROR_INVALID_DATA: data from the cloud contradicts itself or the cache
 * @AM_ERROR_EXISTS: the record exists already
 * @AM_ERROR_VAULT_UNAVAILABLE: there is no Secret Service to keep the secrets
 * @AM_ERROR_VAULT_LOCKED: the keyring is locked and could not be unlocked
 * @AM_ERROR_VAULT: the Secret Service failed otherwise
 * @AM_ERROR_NOT_SIGNED_IN: the operation needs a signed-in user
 * @AM_ERROR_NO_KEY: the user holds no key for the lock
 * @AM_ERROR_NOT_FOUND: the cache has no such record
 * @AM_ERROR_BLUETOOTH_UNAVAILABLE: the Bluetooth service (BlueZ) is not running
 * @AM_ERROR_NO_ADAPTER: the computer has no Bluetooth adapter
 * @AM_ERROR_BLUETOOTH_OFF: Bluetooth is turned off
 * @AM_ERROR_LOCK_NOT_FOUND: the lock did not show up over Bluetooth
 * @AM_ERROR_LOCK_TOO_FAR: the lock's signal is too weak: the user is not at the door
 * @AM_ERROR_CONNECTION_FAILED: connecting to the lock, or talking to it, failed
 * @AM_ERROR_BAD_ANSWER: the lock's answer could not be verified
 * @AM_ERROR_LOCK_JAMMED: the lock's motor did not move
 * @AM_ERROR_LOCK_REFUSED: the lock refused the command (stale nonce, busy)
 *
 * Every message that comes with one of these errors is a full sentence that
 * says what to do, fit to be shown to the user as it is.
 */
typedef enum
{
  AM_ERROR_INVALID_ARGUMENT,
  AM_ERROR_WINDOW_ENDS_BEFORE_START,
  AM_ERROR_WINDOW_TOO_SHORT,
  AM_ERROR_WINDOW_TOO_LONG,
  AM_ERROR_ONE_TIME_TOO_LONG,
  AM_ERROR_FIRST_USE_PASSED,
  AM_ERROR_WINDOW_OVER,
  AM_ERROR_ALIASED,
  AM_ERROR_OUT_OF_RANGE,
  AM_ERROR_STORAGE,
  AM_ERROR_CACHE_DAMAGED,
  AM_ERROR_INVALID_DATA,
  AM_ERROR_EXISTS,
  AM_ERROR_VAULT_UNAVAILABLE,
  AM_ERROR_VAULT_LOCKED,
  AM_ERROR_VAULT,
  AM_ERROR_NOT_SIGNED_IN,
  AM_ERROR_NO_KEY,
  AM_ERROR_NOT_FOUND,
  AM_ERROR_BLUETOOTH_UNAVAILABLE,
  AM_ERROR_NO_ADAPTER,
  AM_ERROR_BLUETOOTH_OFF,
  AM_ERROR_LOCK_NOT_FOUND,
  AM_ERROR_LOCK_TOO_FAR,
  AM_ERROR_CONNECTION_FAILED,
  AM_ERROR_BAD_ANSWER,
  AM_ERROR_LOCK_JAMMED,
  AM_ERROR_LOCK_REFUSED,
} AmError;

GQuark am_error_quark (void);

G_END_DECLS
